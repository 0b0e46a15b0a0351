"""Who signs: setting up the unlocking user's signing key, and sealing a log written
before signatures existed.

On unlock the user's key pairs come out of their slot. The log must already know those
keys (registered when the user was created, re-issued or changed their passphrase); then
every entry they write is signed. A store upgraded from before signatures is *sealed* by
the first administrator who unlocks: one signed entry that fixes the unsigned entries
(their last number and hash), the users and administrators as they stand, and a digest
of the finished content they recorded. Until then entries stay unsigned, as before; after
it, users of the older store register their own first keys when they next unlock.
"""

from __future__ import annotations

import logging

from ..audit_chain import SEAL_PREFIX, ChainVerifier
from ..security import Identity, KeyFile, OpenedSlot
from .audit import key_directory
from .audit_content import legacy_digest
from .errors import StoreError

log = logging.getLogger(__name__)


class KeysNotRecognised(StoreError):
    """The keys in this user's slot are not the ones the signed log holds for them."""


def upgrade_slot(keyfile: KeyFile, opened: OpenedSlot, name: str, passphrase: str) -> OpenedSlot:
    """A first-format slot gains key pairs (at its user's unlock: the passphrase is at hand).
    Saved at once; the database keys it held are kept."""
    slot = keyfile.slots[opened.slot_id]
    identity = Identity.generate()
    keys = list(opened.keys.values())
    keyfile.set_slot(name, passphrase, keys[0], slot.kdf, identity)
    for db_key in keys[1:]:
        keyfile.add_key(opened.slot_id, db_key)
    keyfile.save()
    log.info("key slot upgraded to key pairs")
    return OpenedSlot(opened.slot_id, identity, opened.keys)


def establish_signer(store, identity: Identity) -> None:
    """Let ``store.user`` sign with ``identity`` when the log knows it; seal a legacy log
    if they are an administrator; register a legacy user's first keys. Refuses (with
    :class:`KeysNotRecognised`) keys the log holds differently: entries signed with them
    would read as forged."""
    user = store.user
    if not store.audit.sealed:
        if not user.is_admin:
            return  # stays unsigned until an administrator seals it
        seal_legacy_log(store, identity)
    directory = key_directory(store)
    known = directory.keys.get(user.id)
    if known == identity.public:
        store.signer = identity
        return
    if known is None and user.id not in directory.all_keys and directory.active.get(user.id):
        store.signer = identity
        store.audit.record_now("alteration", "user", user.id,
                               detail=f"first signing keys, at the first unlock since signatures; "
                                      f"{identity.public.detail()}")
        return
    log.error("keys of the unlocking user are not the ones the log holds")
    raise KeysNotRecognised(
        "your keys are not the ones the audit log holds for you (your passphrase was re-issued "
        "elsewhere, or the key file is an older copy); ask an administrator to issue you a new passphrase")


def seal_legacy_log(store, identity: Identity) -> int:
    """Seal the unsigned entries with one entry signed by the administrator now unlocking."""
    verifier = ChainVerifier()
    for entry in store.audit.iter_all():
        if not verifier.feed(entry):
            log.warning("the legacy chain is already broken at entry %s when sealing", entry.id)
            break
    facts = verifier.facts
    seq, head = store.audit.head()
    users = store.users.all()
    ids = lambda rows: ",".join(str(u.id) for u in rows)  # noqa: E731
    detail = (f"{SEAL_PREFIX}: entries 1-{seq}, head {head}; legacy users {ids(users)}; "
              f"inactive {ids(u for u in users if not u.active)}; "
              f"administrators {ids(u for u in users if u.is_admin and u.active)}; "
              f"legacy content sha256 {legacy_digest(store.db, facts.legacy_addenda, facts.legacy_stages)}; "
              f"{identity.public.detail()}")
    store.signer = identity
    entry = store.audit.record_now("alteration", "audit_log", None, detail=detail)
    log.info("legacy audit log sealed (%d unsigned entries)", seq)
    return entry
