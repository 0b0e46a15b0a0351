"""Who can unlock: adding users, passphrases, disabling and enabling.

Every change to access is one step for the key file and the store together
(``Session.keys_and_store``), and is recorded in the signed audit log with the public
keys it gives, so that the log (not the key file) says who holds which key. Taking access
away (disabling a user, re-issuing a passphrase) rotates the database key
(``rotation``): the old slot, and any copy of the old key file, then opens nothing
written afterwards. There is no deleting a user: their row stays for the audit trail, and
disabling removes everything they could unlock with.
"""

from __future__ import annotations

from ..model import User
from ..security import DEFAULT_KDF, Identity, KdfParams, passphrase_problem
from .errors import ValidationError
from .session import Session


def _require_admin(session: Session, field: str) -> None:
    if not session.user.is_admin:
        raise ValidationError("Only an administrator can change who may unlock.", field)


def _check_passphrase(passphrase: str, names: tuple[str, ...], field: str) -> None:
    problem = passphrase_problem(passphrase, names)
    if problem:
        raise ValidationError(problem, field)


def add_user(session: Session, *, name: str, agency: str, role: str, passphrase: str,
             is_admin: bool = False, kdf: KdfParams = DEFAULT_KDF) -> User:
    """An administrator adds a user with a slot of their own: the user row, the signed
    entry with their public keys and the key file are saved together or not at all."""
    _require_admin(session, "name")
    if not " ".join(name.split()):
        raise ValidationError("Enter the user's name.", "name")
    _check_passphrase(passphrase, (name, agency), "passphrase")
    keyfile = session.keyfile
    if keyfile.has_slot(name):
        raise ValidationError("There is already a user with that name.", "name")
    identity = Identity.generate()
    with session.keys_and_store():
        slot_id = keyfile.set_slot(name, passphrase, session.store.key, kdf, identity)
        user = session.store.users.add(name=name, agency=agency, role=role, is_admin=is_admin,
                                       slot_id=slot_id, keys=identity.public)
    return user


def change_passphrase(session: Session, *, old: str, new: str) -> None:
    """The signed-in user's own passphrase. Their key pairs are replaced too (whoever
    issued the old passphrase may have read the old slot), announced in an entry signed
    with the keys being replaced; the store itself is not re-encrypted."""
    _check_passphrase(new, (session.user.name,), "new")
    keyfile, store = session.keyfile, session.store
    opened = keyfile.open_slot(session.user.name, old)
    slot = keyfile.slots[opened.slot_id]
    identity = Identity.generate()
    with session.keys_and_store():
        store.audit.record("alteration", "user", session.user.id,
                           detail=f"passphrase changed; {identity.public.detail()}")
        keys = list(opened.keys.values())
        keyfile.set_slot(session.user.name, new, keys[0], slot.kdf, identity)
        for db_key in keys[1:]:
            keyfile.add_key(opened.slot_id, db_key)
    if store.signer is not None:
        store.signer = identity


def reset_passphrase(session: Session, *, user: User, new: str, kdf: KdfParams = DEFAULT_KDF):
    """An administrator issues a new passphrase for another user (the only way back in
    when one is forgotten): a new slot with new key pairs, and the database key rotated so
    that the old passphrase, in any copy of the key file, opens nothing written after."""
    from .rotation import rotate_database_key

    _require_admin(session, "new")
    _check_passphrase(new, (user.name,), "new")
    keyfile, store = session.keyfile, session.store
    if keyfile.slot_id(user.name) != user.slot_id:
        raise ValidationError("That user's name no longer matches their key slot.", "new")
    identity = Identity.generate()

    def change() -> None:
        keyfile.set_slot(user.name, new, store.key, kdf, identity)
        store.audit.record("alteration", "user", user.id,
                           detail=f"passphrase re-issued by an administrator; {identity.public.detail()}")

    return rotate_database_key(session, reason=f"passphrase of user {user.id} re-issued", change=change)


def disable_user(session: Session, *, user: User):
    """Take a user's access away: disabled in the store, their slot removed, the database
    key rotated. Re-enabling needs a new passphrase (:func:`enable_user`)."""
    from .rotation import rotate_database_key

    _require_admin(session, "active")
    if user.id == session.user.id:
        raise ValidationError("You cannot disable yourself.", "active")
    return rotate_database_key(session, reason=f"user {user.id} disabled",
                               change=lambda: session.store.users.set_active(user.id, False))


def enable_user(session: Session, *, user: User, passphrase: str, kdf: KdfParams = DEFAULT_KDF) -> None:
    """Give a disabled user access again, with a new passphrase and new key pairs."""
    _require_admin(session, "active")
    _check_passphrase(passphrase, (user.name,), "passphrase")
    keyfile = session.keyfile
    if keyfile.slot_id(user.name) != user.slot_id:
        raise ValidationError("That user's name no longer matches their key slot.", "passphrase")
    identity = Identity.generate()
    with session.keys_and_store():
        keyfile.set_slot(user.name, passphrase, session.store.key, kdf, identity)
        session.store.users.set_active(user.id, True, keys=identity.public)

