"""Restoring a backup, and the backups made under an older database key.

Restore puts a verified copy in place of the store; the current store (with its side
files) and, when the copy needs its own, the current key file are kept aside, renamed,
never deleted. It is reachable without an open store (the unlock screen, ``mappa-desktop
restore``): whoever can open the copy's slot (from its manifest, else the current key
file) may restore it; the restore is then recorded, signed by them, in the restored log.

After a key rotation, older copies still open with the slots they were made with, old
passphrases of removed users included. :func:`key_status` tells them apart;
:func:`reencrypt` rewrites one under the current key and slots (the store keeps the
retired keys, so this needs no one's old passphrase).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

from ..security import KeyFile, KeyFileError, WrongPassphrase, key_id
from .backup import (BackupInfo, delete_backup, inspect, manifest_path, open_backup, opens_with,
                     read_manifest, write_backup)
from .errors import StorageUnavailable, StoreDamaged, StoreError, storage_errors

log = logging.getLogger(__name__)


class RestoredButNotOpened(StoreError):
    """The copy is in place (the old store kept aside) but the restored store would not open."""


def restore(store_path: Path, backup: Path, key: bytes, *, now: datetime,
            keyfile_bytes: bytes | None = None) -> Path:
    """Put a verified backup in place of the (closed) store; the current store is kept
    aside, renamed, never deleted. ``keyfile_bytes``: the key file that opens the copy
    (from its manifest) when it is not the current one, which is then kept aside too.
    Returns where the old store now is."""
    store_path = Path(store_path)
    info = inspect(Path(backup), key)
    if info.integrity != "ok":
        raise StoreDamaged("the backup did not pass its integrity check; nothing was changed")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    aside = store_path.with_name(f"{store_path.name}.before-restore-{stamp}")
    keys = store_path.with_name("keys.json")
    with storage_errors():
        partial = store_path.with_name(store_path.name + ".restoring")
        shutil.copyfile(backup, partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(partial, 0o600)
        if keyfile_bytes is not None and keys.exists() and keys.read_bytes() != keyfile_bytes:
            shutil.copyfile(keys, keys.with_name(f"keys.json.before-restore-{stamp}"))
        for suffix in ("-wal", "-shm"):
            side = store_path.with_name(store_path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        if store_path.exists():
            os.replace(store_path, aside)
        os.replace(partial, store_path)
        if keyfile_bytes is not None:
            from ..security import write_atomically

            write_atomically(keys, keyfile_bytes)
    log.info("store restored from a backup; the previous store was kept aside")
    return aside


def _keyfiles_for(backup: Path, current: Path) -> list[tuple[KeyFile, bytes | None]]:
    """Key files that may open a backup: its manifest's copy first, then the current one."""
    found = []
    manifest = read_manifest(backup)
    if manifest and manifest.get("keys"):
        raw = json.dumps(manifest["keys"], indent=1).encode("utf-8")
        try:
            found.append((KeyFile.from_bytes(current, raw), raw))
        except KeyFileError:
            log.warning("a backup's manifest holds a damaged copy of the key file")
    try:
        found.append((KeyFile.load(current), None))
    except KeyFileError:
        pass
    return found


def restore_backup(paths, backup: Path, *, name: str, passphrase: str, now: datetime, clock=None):
    """Restore ``backup`` as the user who can open its slot, without an open store; then
    unlock the restored store as them, record the restore (signed) and return the session.
    The current store is kept aside. :class:`WrongPassphrase` when no slot opens it."""
    from .session import unlock

    backup = Path(backup)
    if not backup.is_file():
        raise StorageUnavailable("that backup file is not there any more")
    candidates = _keyfiles_for(backup, paths.keyfile)
    if not candidates:
        raise KeyFileError("neither the backup's manifest nor the key file (keys.json) can be read")
    chosen = None
    for keyfile, raw in candidates:
        try:
            opened = keyfile.open_slot(name, passphrase)
        except WrongPassphrase:
            continue
        key = next((k for k in opened.keys.values() if opens_with(backup, k)), None)
        if key is not None:
            chosen = (key, raw)
            break
    if chosen is None:
        raise WrongPassphrase()
    key, raw = chosen
    superseded = _head_of_current(paths, candidates, name, passphrase)
    aside = restore(paths.store, backup, key, now=now, keyfile_bytes=raw)
    try:
        session = unlock(paths, name=name, passphrase=passphrase, **({"clock": clock} if clock else {}))
    except (StoreError, KeyFileError, WrongPassphrase) as exc:
        reason = getattr(exc, "reason", str(exc))
        raise RestoredButNotOpened(f"the backup was put in place (the store as it was is kept as "
                                   f"{aside.name}), but it cannot be opened: {reason}") from exc
    session.store.audit.record_now(
        "alteration", "store", None,
        detail=f"restored from a backup ({backup.name}); superseding entries up to {superseded}")
    session.restored_aside = aside
    return session


def _head_of_current(paths, candidates, name: str, passphrase: str) -> int:
    """How far the log of the store being replaced reached (read-only), so that anchors
    taken from it are reported as undone by this restore; else the newest anchor of any
    backup manifest."""
    from ..audit_chain import Anchor
    from .backup import list_backups

    best = 0
    for info in list_backups(paths.backups):
        manifest = read_manifest(info.path) or {}
        try:
            best = max(best, Anchor.parse(manifest.get("audit_anchor", "")).seq)
        except ValueError:
            pass
    for keyfile, _raw in candidates:
        try:
            keys = keyfile.open_slot(name, passphrase).keys.values()
        except WrongPassphrase:
            continue
        for key in keys:
            try:
                conn = open_backup(paths.store, key) if paths.store.exists() else None
            except Exception:
                continue
            if conn is None:
                break
            try:
                row = conn.execute("SELECT max(id) FROM audit_log").fetchone()
                return max(best, row[0] or 0)
            except Exception:
                pass
            finally:
                conn.close()
    return best


# -- backups under an older key ------------------------------------------------------------------

CURRENT, OLDER, UNKNOWN = "current", "older", "unknown"


def key_status(info: BackupInfo, current_key: bytes, retired: dict[str, bytes]) -> str:
    """Whether a backup is under the current database key, an older one (the slots it was
    made with still open it, old passphrases included), or none this store knows."""
    manifest = read_manifest(info.path) or {}
    kid = manifest.get("key_id")
    if kid == key_id(current_key):
        return CURRENT
    if kid in retired:
        return OLDER
    if kid is None:  # made before manifests: try the keys
        if opens_with(info.path, current_key):
            return CURRENT
        if any(opens_with(info.path, k) for k in retired.values()):
            return OLDER
    return UNKNOWN


def reencrypt(info: BackupInfo, *, current_key: bytes, retired: dict[str, bytes], keyfile_path: Path,
              signer=None, user_id: int | None = None) -> BackupInfo:
    """Rewrite an older backup under the current key and the current slots: a new, verified
    copy (same time and reason in its name) replaces the old one and its manifest."""
    old_key = next((k for k in retired.values() if opens_with(info.path, k)), None)
    if old_key is None:
        raise StoreDamaged("no key this store kept opens that backup")
    with storage_errors():
        source = open_backup(info.path, old_key)
        try:
            folder = info.path.parent
            made = write_backup(source, current_key, folder, reason=info.reason,
                                keyfile_bytes=Path(keyfile_path).read_bytes(), signer=signer, user_id=user_id)
        finally:
            source.close()
        fresh = inspect(made, current_key)
        if fresh.integrity != "ok":
            delete_backup(made)
            raise StorageUnavailable("the re-encrypted copy did not pass its integrity check")
        # Take the old copy's place: the same name, so its date and reason stay as they were.
        os.replace(manifest_path(made), manifest_path(info.path))
        os.replace(made, info.path)
    log.info("a backup was re-encrypted under the current key")
    return inspect(info.path, current_key)
