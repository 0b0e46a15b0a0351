"""Creating a store and unlocking one: key file + encrypted database + the user."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..model import User
from ..paths import DataPaths
from ..security import DEFAULT_KDF, KdfParams, KeyFile, KeyFileError, WrongPassphrase
from .errors import StoreError, ValidationError, storage_errors
from .store import Clock, Store, utc_now

log = logging.getLogger(__name__)


class AlreadyExists(StoreError):
    """There is already a store in that folder."""


class UserDisabled(StoreError):
    """The user's slot opened but an administrator has disabled the user."""


@dataclass
class Session:
    """An unlocked store and the person using it."""

    store: Store
    user: User
    keyfile: KeyFile

    def close(self) -> None:
        self.store.close()


def create_store(
    paths: DataPaths,
    *,
    name: str,
    agency: str,
    role: str,
    passphrase: str,
    kdf: KdfParams = DEFAULT_KDF,
    clock: Clock = utc_now,
) -> Session:
    """Create the encrypted store and its first (admin) user.

    Built under a temporary name and moved into place last, so that a failure part-way
    leaves no half-made store that a later start would try to open.
    """
    if not " ".join(name.split()):
        raise ValidationError("Enter your name.", "name")
    if paths.store.exists():
        raise AlreadyExists("a store already exists in this folder")
    with storage_errors():
        paths.ensure()
    building = paths.root / "store.db.new"
    for leftover in (building, building.with_name("store.db.new-wal"), building.with_name("store.db.new-shm")):
        leftover.unlink(missing_ok=True)
    keyfile, db_key = KeyFile.create(paths.keyfile)
    slot_id = keyfile.set_slot(name, passphrase, db_key, kdf)
    store = Store.open(paths, db_key, clock=clock, path=building)
    try:
        store.users.add(name=name, agency=agency, role=role, is_admin=True, slot_id=slot_id)
    finally:
        store.close()
    with storage_errors():
        if os.name == "posix":
            os.chmod(building, 0o600)
        keyfile.save()
        os.replace(building, paths.store)
    log.info("store created")
    # Open with the key we already hold: a second Argon2id run would only cost time.
    store = Store.open(paths, db_key, clock=clock)
    store.user = store.users.by_slot(slot_id)
    return Session(store, store.user, keyfile)


def unlock(paths: DataPaths, *, name: str, passphrase: str, clock: Clock = utc_now) -> Session:
    """Open the store as this user. :class:`WrongPassphrase` says nothing about which part."""
    if not paths.store.exists():
        raise KeyFileError("there is no store in this folder")
    keyfile = KeyFile.load(paths.keyfile)
    db_key = keyfile.unlock(name, passphrase)
    store = Store.open(paths, db_key, clock=clock)
    try:
        user = store.users.by_slot(keyfile.slot_id(name))
        if user is None:
            raise WrongPassphrase()
        if not user.active:
            raise UserDisabled("this user has been disabled by an administrator")
    except BaseException:
        store.close()
        raise
    store.user = user
    return Session(store, user, keyfile)


def reauthenticate(store: Store, user_id: int, passphrase: str) -> User:
    """Confirm that a user is present now: their own key slot must open with ``passphrase``
    and give this store's key (the chair approving a minute while someone else is signed
    in). :class:`WrongPassphrase` for a wrong passphrase or another user's; disabled users
    are refused. Uses the key file's own slot unlock, as signing in does."""
    import hmac

    user = store.users.get(user_id)
    keyfile = KeyFile.load(store.paths.keyfile)
    if keyfile.slot_id(user.name) != user.slot_id:  # renamed since: the slot is not theirs
        raise WrongPassphrase()
    db_key = keyfile.unlock(user.name, passphrase)
    if not hmac.compare_digest(db_key, store.key):
        raise WrongPassphrase()
    if not user.active:
        raise UserDisabled("this user has been disabled by an administrator")
    return user


def add_user(
    session: Session,
    *,
    name: str,
    agency: str,
    role: str,
    passphrase: str,
    is_admin: bool = False,
    kdf: KdfParams = DEFAULT_KDF,
) -> User:
    """An administrator adds a user with a key slot of their own."""
    from ..security import MIN_PASSPHRASE_LENGTH

    if not session.user.is_admin:
        raise ValidationError("Only an administrator can add users.", "name")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"The passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters.", "passphrase")
    keyfile = session.keyfile
    if keyfile.has_slot(name):
        raise ValidationError("There is already a user with that name.", "name")
    slot_id = keyfile.set_slot(name, passphrase, session.store.key, kdf)
    try:
        user = session.store.users.add(name=name, agency=agency, role=role, is_admin=is_admin, slot_id=slot_id)
    except BaseException:
        keyfile.remove_slot(name)
        raise
    with storage_errors():
        keyfile.save()
    return user


def change_passphrase(session: Session, *, old: str, new: str) -> None:
    """Rewrap the signed-in user's slot; the store itself is not re-encrypted."""
    from ..security import MIN_PASSPHRASE_LENGTH

    if len(new) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"The new passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters.", "new")
    with storage_errors():
        session.keyfile.change_passphrase(session.user.name, old, new)
    with session.store.transaction():
        session.store.audit.record("alteration", "user", session.user.id, detail="passphrase changed")


def reset_passphrase(session: Session, *, user: User, new: str, kdf: KdfParams = DEFAULT_KDF) -> None:
    """An administrator issues a new passphrase for another user (the only way back in
    when a passphrase is forgotten): a new slot from the administrator's own key."""
    from ..security import MIN_PASSPHRASE_LENGTH

    if not session.user.is_admin:
        raise ValidationError("Only an administrator can reset a passphrase.", "new")
    if len(new) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(f"The new passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters.", "new")
    slot_id = session.keyfile.set_slot(user.name, new, session.store.key, kdf)
    if slot_id != user.slot_id:
        raise ValidationError("That user's name no longer matches their key slot.", "new")
    with storage_errors():
        session.keyfile.save()
    with session.store.transaction():
        session.store.audit.record("alteration", "user", user.id, detail="passphrase reset by an administrator")
