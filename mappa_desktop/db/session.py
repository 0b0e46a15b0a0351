"""Creating a store and unlocking one: key file + encrypted database + the user."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from ..model import User
from ..paths import DataPaths
from ..security import (DEFAULT_KDF, FailedUnlocks, Identity, KdfParams, KeyFile, KeyFileError, WrongPassphrase,
                        write_atomically)
from .errors import StoreDamaged, StoreError, ValidationError, storage_errors
from .store import Clock, Store, utc_now
from ..words import plural

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
    #: True while a key rotation runs on the worker: nothing else may use the store then.
    exclusive: bool = False

    def close(self) -> None:
        self.store.close()

    @contextmanager
    def keys_and_store(self) -> Iterator[None]:
        """One step for the key file and the store: the block's database work commits only
        if the key file was saved, and the key file is put back if the commit fails. (Two
        files cannot change in one atomic act; this order leaves them agreeing.)"""
        keyfile = self.keyfile
        before = keyfile.to_bytes()
        saved = False
        try:
            with self.store.transaction():
                yield
                with storage_errors():
                    keyfile.save()
                saved = True
        except BaseException:
            if saved:
                try:
                    write_atomically(keyfile.path, before)
                except OSError:
                    log.error("the key file could not be put back after a failed commit")
            restored = KeyFile.from_bytes(keyfile.path, before)
            keyfile.slots, keyfile.key_id, keyfile.rotation = restored.slots, restored.key_id, restored.rotation
            raise


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
    """Create the encrypted store and its first (admin) user, whose creation is the first,
    self-signed entry of the audit log.

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
    identity = Identity.generate()
    slot_id = keyfile.set_slot(name, passphrase, db_key, kdf, identity)
    store = Store.open(paths, db_key, clock=clock, path=building)
    try:
        store.signer = identity
        store.users.add(name=name, agency=agency, role=role, is_admin=True, slot_id=slot_id, keys=identity.public)
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
    store.signer = identity
    return Session(store, store.user, keyfile)


def open_with_slot(paths: DataPaths, keyfile: KeyFile, keys: dict, *, clock: Clock = utc_now,
                   verify: bool = True) -> Store:
    """Open the store with whichever database key of a slot it uses: the key file's
    current one first, then any other (a key rotation that stopped half-way)."""
    order = sorted(keys, key=lambda kid: kid != keyfile.key_id)
    if not order:
        raise WrongPassphrase()
    failure = None
    for kid in order:
        try:
            return Store.open(paths, keys[kid], clock=clock, verify=verify)
        except StoreDamaged as exc:  # a key that is not the store's reads as damage
            failure = failure or exc
    raise failure


def unlock(paths: DataPaths, *, name: str, passphrase: str, clock: Clock = utc_now,
           verify: bool = True) -> Session:
    """Open the store as this user. :class:`WrongPassphrase` says nothing about which part.
    ``verify=False``: header and schema only; the app checks every page after (see
    :meth:`Store.open`).

    Wrong passphrases are counted in the data folder (the window and the command line
    wait alike after three) and the next good unlock records how many came before it.
    """
    from .exports import recover_exports
    from .rotation import resume_rotation
    from .signatures import establish_signer, upgrade_slot

    if not paths.store.exists():
        raise KeyFileError("there is no store in this folder")
    keyfile = KeyFile.load(paths.keyfile)
    failures = FailedUnlocks(paths.root)
    try:
        opened = keyfile.open_slot(name, passphrase)
    except WrongPassphrase:
        failures.failed()
        log.warning("unlock refused: name and passphrase do not match")
        raise
    store = open_with_slot(paths, keyfile, opened.keys, clock=clock, verify=verify)
    try:
        user = store.users.by_slot(opened.slot_id)
        if user is None:
            failures.failed()
            raise WrongPassphrase()
        if not user.active:
            raise UserDisabled("this user has been disabled by an administrator")
        store.user = user
        if opened.identity is None:
            opened = upgrade_slot(keyfile, opened, name, passphrase)
        establish_signer(store, opened.identity)
        session = Session(store, user, keyfile)
        resume_rotation(session, opened.keys)
        if store.signer is not None or not store.audit.sealed:
            recover_exports(store)
        earlier = failures.succeeded()
        if earlier:
            store.audit.record_now("consultation", "user", user.id,
                                   detail=f"{plural(earlier, 'failed unlock attempt')}, under any name, since the last unlock")
    except BaseException:
        store.close()
        raise
    return session


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


def __getattr__(name: str):
    """Access changes live in ``access`` (they need ``Session``); still importable from here."""
    if name in ("add_user", "change_passphrase", "reset_passphrase"):
        from . import access

        return getattr(access, name)
    raise AttributeError(name)


def open_read_only(paths: DataPaths, *, name: str, passphrase: str, full_check: bool = True) -> Store:
    """The store for examining only (``check``): the same slot, the same counted failures
    as an unlock, but nothing written to the store, its log, its index or its key file."""
    if not paths.store.exists():
        raise KeyFileError("there is no store in this folder")
    keyfile = KeyFile.load(paths.keyfile)
    failures = FailedUnlocks(paths.root)
    try:
        opened = keyfile.open_slot(name, passphrase)
    except WrongPassphrase:
        failures.failed()
        log.warning("examination refused: name and passphrase do not match")
        raise
    order = sorted(opened.keys, key=lambda kid: kid != keyfile.key_id)
    if not order:
        raise WrongPassphrase()
    failure = None
    for kid in order:
        try:
            store = Store.open_read_only(paths, opened.keys[kid], full_check=full_check)
        except StoreDamaged as exc:
            failure = failure or exc
            continue
        user = store.users.by_slot(opened.slot_id)
        if user is None:
            store.close()
            failures.failed()
            raise WrongPassphrase()
        store.user = user
        failures.succeeded()
        return store
    raise failure
