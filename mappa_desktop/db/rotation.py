"""Rotating the database key, so that access taken away is really gone.

Disabling a user or re-issuing a passphrase (``db.access``) ends here: a new random key,
sealed into every remaining slot (to the public key the *signed audit log* holds for each
user, never one merely written in the key file), then ``PRAGMA rekey`` rewrites every page
of the store under it, a checkpoint overwrites the old pages, and the slots are trimmed to
the new key. A copy of the old key file with an old passphrase then unwraps only the old
key, which opens nothing written since. The old key is kept inside the store (only) so
that older backups can be re-encrypted.

The steps are ordered so that a crash at any point leaves a store that opens: the key file
holds both keys (and says a rotation is under way) before the store changes key; the next
unlock by anyone who holds the new key finishes the rotation (:func:`resume_rotation`).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from ..security import KEY_BYTES, Slot, key_id
from .audit import key_directory
from .errors import storage_errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RotationResult:
    """What a rotation did: the retired and new key ids, how many slots now hold the new
    key, the users whose slots could not be carried (first-format slots of users who have
    not unlocked since the upgrade: they need a new passphrase), and how long it took."""

    old_key_id: str
    new_key_id: str
    carried: int
    left_out_user_ids: tuple[int, ...]
    seconds: float


def progress_of(store_path: Path) -> float:
    """How far a running rekey is (0 to 1), from the size of the write-ahead log it fills
    (every page goes there once): for a progress bar polled on the GUI thread."""
    store_path = Path(store_path)
    try:
        size = store_path.stat().st_size
        written = store_path.with_name(store_path.name + "-wal").stat().st_size
    except OSError:
        return 0.0
    return min(1.0, written / size) if size else 0.0


def rotate_database_key(session, *, reason: str, change=None) -> RotationResult:
    """Move the store to a new database key. ``change()`` takes the access away (disables
    a user, gives them a new slot...): it runs in one step with sealing the new key into
    every slot that keeps access, and the key file records the rotation in that same step,
    so that whatever stops it, the next unlock finishes it. Runs on the worker; the caller
    keeps the GUI from using the store meanwhile."""
    started = time.perf_counter()
    store, keyfile = session.store, session.keyfile
    old_key = bytes(store.key)
    new_key = secrets.token_bytes(KEY_BYTES)
    carried, left_out = 0, []
    with session.keys_and_store():
        if change is not None:
            change()
        directory = key_directory(store)  # after the change: it may register new keys
        users = {u.slot_id: u for u in store.users.all()}
        for slot_id, slot in keyfile.slots.items():
            user = users.get(slot_id)
            if user is None or not user.active:
                continue
            keys = directory.keys.get(user.id)
            if keys is None or not isinstance(slot, Slot):
                left_out.append(user.id)
                continue
            keyfile.add_key(slot_id, new_key, recipient=keys.wrapping)
            carried += 1
        keyfile.rotation = {"from": key_id(old_key), "to": key_id(new_key)}
    _rekey(store, new_key)
    _finish(session, old_key, new_key, reason)
    result = RotationResult(key_id(old_key), key_id(new_key), carried, tuple(left_out),
                            round(time.perf_counter() - started, 2))
    log.info("database key rotated in %.1f s (%d slots carried)", result.seconds, carried)
    return result


def _rekey(store, new_key: bytes) -> None:
    """Every page rewritten under ``new_key`` in one transaction, then checkpointed so that
    no page under the old key stays in the file."""
    with storage_errors():
        store.db.conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
        store.rekeyed(new_key)
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _finish(session, old_key: bytes, new_key: bytes, reason: str) -> None:
    store, keyfile = session.store, session.keyfile
    old_id, new_id = key_id(old_key), key_id(new_key)
    with store.transaction():
        store.db.execute("INSERT OR IGNORE INTO key_history (key_id, db_key, retired_at) VALUES (?, ?, ?)",
                         [old_id, old_key, store.now_iso()])
        users = {u.slot_id: u.id for u in store.users.all()}
        dropped = sorted({users[s] for s in keyfile.slots if s in users and new_id not in
                          getattr(keyfile.slots[s], "keys", {})})
        store.audit.record("alteration", "store", None,
                           detail=f"database key rotated ({reason}); key {old_id} retired, now {new_id}; "
                                  f"slots removed for users {','.join(map(str, dropped)) or 'none'}")
    keyfile.finish_rotation(new_id)
    with storage_errors():
        keyfile.save()


def resume_rotation(session, slot_keys: dict) -> None:
    """At unlock: finish a rotation the key file says was under way (a crash or a failure
    stopped it). Needs the new key, which every carried slot holds."""
    keyfile, store = session.keyfile, session.store
    rotation = keyfile.rotation
    if not rotation:
        return
    new_key = slot_keys.get(rotation["to"])
    old_key = slot_keys.get(rotation["from"])
    if new_key is None:
        return  # this user was left out; an administrator's next unlock finishes it
    current = key_id(store.key)
    log.warning("finishing a key rotation that stopped half-way")
    if current == rotation["from"]:
        _rekey(store, new_key)
    if old_key is None:
        keyfile.finish_rotation(rotation["to"])
        with storage_errors():
            keyfile.save()
        return
    _finish(session, old_key, new_key, "finished at the next unlock")


def retired_keys(store) -> dict[str, bytes]:
    """Key id -> key of every database key the store used before (for older backups)."""
    with storage_errors():
        return {kid: bytes(k) for kid, k in store.db.execute("SELECT key_id, db_key FROM key_history")}
