"""The encrypted store: creating, opening, refusing damage, transactions, users, settings,
the audit log and the error translation (mappa_desktop.db)."""

from __future__ import annotations

import errno
import sqlite3

import pytest
import sqlcipher3

from mappa_desktop import settings as declared_settings
from mappa_desktop.db import audit as audit_mod
from mappa_desktop.db.errors import (
    NotFound,
    RecordLocked,
    StorageUnavailable,
    StoreDamaged,
    StoreError,
    ValidationError,
    is_db_error,
    os_reason,
    storage_errors,
    translate,
)
from mappa_desktop.audit_chain import entry_hash_v2
from mappa_desktop.db.session import AlreadyExists, create_store, unlock
from mappa_desktop.db.store import Store
from mappa_desktop.security import TEST_KDF, KeyFile


CANARY = "Kenneth AIRD"


# -- creating ---------------------------------------------------------------------------------


def test_create_store_makes_an_admin_and_a_clean_folder(session):
    paths = session.store.paths
    assert paths.exists()
    assert session.user.name == "Ann Admin" and session.user.is_admin and session.user.active
    assert session.user.slot_id == session.keyfile.slot_id("Ann Admin")
    assert session.store.user == session.user
    names = {p.name for p in paths.root.iterdir()}
    assert not {n for n in names if n.startswith("store.db.new")}, names
    assert not any(paths.backups.iterdir()), "a new store needs no backup"
    entries = session.store.audit.entries()
    assert [(e.kind, e.record_type, e.record_id, e.user_id) for e in entries] == [
        ("collection", "user", 1, 1)
    ]


def test_pragmas_on_every_connection(session):
    db = session.store.db

    def pragma(name):
        return db.execute(f"PRAGMA {name}").fetchone()[0]

    assert str(pragma("journal_mode")).lower() == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("temp_store") == 2  # MEMORY
    assert pragma("secure_delete") == 1
    assert pragma("busy_timeout") >= 1000
    assert session.store.integrity_check() == ["ok"]


def test_create_store_twice_refuses_and_touches_nothing(closed_store, folder_snapshot):
    before = folder_snapshot(closed_store.paths.root)
    with pytest.raises(AlreadyExists) as caught:
        create_store(
            closed_store.paths,
            name="Someone Else",
            agency="NHS",
            role="",
            passphrase="another long passphrase",
            kdf=TEST_KDF,
        )
    assert "already" in caught.value.reason
    assert folder_snapshot(closed_store.paths.root) == before


def test_create_store_needs_a_name(data_paths):
    with pytest.raises(ValidationError) as caught:
        create_store(data_paths, name="  \t ", agency="", role="", passphrase="x" * 12, kdf=TEST_KDF)
    assert caught.value.field == "name"
    assert not data_paths.store.exists() and not data_paths.keyfile.exists()


def test_a_failed_create_leaves_no_half_made_store(data_paths, monkeypatch):
    def disk_full(self):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.path))

    monkeypatch.setattr(KeyFile, "save", disk_full)
    with pytest.raises(StorageUnavailable) as caught:
        create_store(data_paths, name="Ann Admin", agency="", role="", passphrase="x" * 12, kdf=TEST_KDF)
    assert caught.value.reason == "the disk is full"
    assert not data_paths.store.exists()
    assert not data_paths.exists()
    monkeypatch.undo()
    # The next attempt clears the leftovers and works.
    s = create_store(data_paths, name="Ann Admin", agency="", role="", passphrase="x" * 12, kdf=TEST_KDF)
    try:
        assert s.user.is_admin
    finally:
        s.close()
    assert not data_paths.store.with_name("store.db.new").exists()


def test_close_checkpoints_and_is_idempotent(session):
    wal = session.store.paths.store.with_name("store.db-wal")
    session.store.settings.set("area_name", "Highland and Islands")
    assert wal.exists()
    session.close()
    session.close()
    assert not wal.exists()
    assert session.store.key == b""


def test_reopening_keeps_what_was_saved(session, admin_passphrase):
    session.store.settings.set("area_name", "Lothian and Borders")
    paths = session.store.paths
    session.close()
    again = unlock(paths, name="Ann Admin", passphrase=admin_passphrase)
    try:
        assert again.store.settings.get("area_name") == "Lothian and Borders"
        assert again.store.audit.verify().ok
    finally:
        again.close()


# -- damaged files are refused and left untouched ---------------------------------------------


def _damage(path, offset, data):
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


@pytest.mark.parametrize("where", ["first 16 bytes", "middle 64 bytes", "last page"])
def test_a_damaged_store_is_refused_and_left_untouched(closed_store, where, folder_snapshot):
    store = closed_store.paths.store
    size = store.stat().st_size
    offset, length = {
        "first 16 bytes": (0, 16),
        "middle 64 bytes": (size // 2, 64),
        "last page": (size - 100, 64),
    }[where]
    _damage(store, offset, b"\xa5" * length)
    before = folder_snapshot(closed_store.paths.root)
    with pytest.raises(StoreDamaged) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert "damaged" in caught.value.reason
    assert "Traceback" not in caught.value.reason
    assert folder_snapshot(closed_store.paths.root) == before  # no -wal or -shm left behind either
    with pytest.raises(StoreDamaged):  # and the same again: nothing was "repaired"
        Store.open(closed_store.paths, closed_store.key)
    assert folder_snapshot(closed_store.paths.root) == before


def test_an_empty_store_file_is_refused_not_rebuilt(closed_store):
    closed_store.paths.store.write_bytes(b"")
    with pytest.raises(StoreDamaged) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert "not a MAPPA Desktop store" in caught.value.reason
    assert closed_store.paths.store.read_bytes() == b""
    assert not closed_store.paths.store.with_name("store.db-wal").exists()


def test_a_plain_sqlite_file_is_not_a_store(closed_store, file_digest):
    closed_store.paths.store.unlink()
    plain = sqlite3.connect(str(closed_store.paths.store))
    plain.execute("CREATE TABLE users (name TEXT)")
    plain.commit()
    plain.close()
    before = file_digest(closed_store.paths.store)
    with pytest.raises(StoreDamaged) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert "not a MAPPA Desktop store" in caught.value.reason
    assert file_digest(closed_store.paths.store) == before


def test_a_wrong_key_is_refused(closed_store, file_digest):
    before = file_digest(closed_store.paths.store)
    with pytest.raises(StoreDamaged):
        Store.open(closed_store.paths, bytes(32))
    assert file_digest(closed_store.paths.store) == before


# -- transactions ------------------------------------------------------------------------------


def test_a_failed_transaction_leaves_nothing(session):
    store = session.store
    count = store.audit.count()
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.settings.set("area_name", "Half written")  # nested: a savepoint
            store.audit.record("alteration", "setting", None, detail="area_name")
            raise RuntimeError("boom")
    assert store.settings.get("area_name") == ""
    assert store.audit.count() == count
    assert store.audit.verify().ok


def test_programming_errors_are_not_dressed_up_and_roll_back(session):
    """A constraint or SQL mistake is a bug: it comes out as the driver's own error (not
    as "disk full"), and the transaction it happened in leaves nothing behind."""
    count = session.store.audit.count()
    with pytest.raises(sqlcipher3.dbapi2.IntegrityError):
        with session.store.transaction():
            session.store.audit.record("alteration", "user", 1, detail="name")
            session.store.db.execute("INSERT INTO users (name) VALUES (NULL)")
    with pytest.raises(sqlcipher3.dbapi2.OperationalError):
        with session.store.transaction():
            session.store.db.execute("SELECT * FROM no_such_table")
    assert not isinstance(translate(sqlcipher3.dbapi2.OperationalError("no such table: x")), StoreError)
    assert session.store.audit.count() == count
    assert not session.store.db.conn.in_transaction


# -- users ---------------------------------------------------------------------------------------


def test_users_repository(session, add_user):
    bob = add_user(session, "  Bob   Second ", "walnut prism evening coast")
    assert bob.name == "Bob Second" and not bob.is_admin and bob.active
    assert session.store.users.get(bob.id) == bob
    assert [u.name for u in session.store.users.all()] == ["Ann Admin", "Bob Second"]
    assert session.store.users.by_slot("no-such-slot") is None
    with pytest.raises(NotFound):
        session.store.users.get(999)
    with pytest.raises(ValidationError):
        session.store.users.add(name=" ", agency="", role="", is_admin=False, slot_id="x")
    count = session.store.audit.count()
    with pytest.raises(ValidationError) as caught:
        session.store.users.add(
            name="Bob Again", agency="", role="", is_admin=False, slot_id=bob.slot_id
        )
    assert caught.value.field == "name"
    assert session.store.audit.count() == count
    last = session.store.audit.entries()[-1]
    assert (last.kind, last.record_type, last.record_id, last.user_id) == (
        "collection", "user", bob.id, session.user.id)
    assert "Bob" not in last.detail


# -- settings --------------------------------------------------------------------------------------


def test_settings_defaults_and_round_trip(session):
    repo = session.store.settings
    assert repo.get("protective_marking") == "OFFICIAL-SENSITIVE"
    assert repo.get("idle_lock_minutes") == 5
    statement = repo.get("confidentiality_statement")
    assert isinstance(statement, str) and len(statement) > 40 and "\n" not in statement
    repo.set("area_name", "Dùn Èideann agus Lodainn")
    repo.set("idle_lock_minutes", 12)
    assert repo.get("area_name") == "Dùn Èideann agus Lodainn"
    assert repo.get("idle_lock_minutes") == 12
    last = session.store.audit.entries()[-1]
    assert (last.kind, last.record_type, last.detail) == ("alteration", "setting", "idle_lock_minutes")
    with pytest.raises(KeyError):
        repo.get("no_such_setting")
    with pytest.raises(KeyError):
        repo.set("no_such_setting", 1)


def test_every_declared_setting_has_a_label_and_default():
    keys = [s.key for s in declared_settings.SETTINGS]
    assert len(keys) == len(set(keys))
    for setting in declared_settings.SETTINGS:
        assert setting.label
        assert declared_settings.default_of(setting.key) is not None


# -- the audit log ---------------------------------------------------------------------------------


def _fill_audit(session, n=5):
    for i in range(n):
        session.store.audit.record_now("consultation", "case", i + 1, detail=f"opened {i}")


@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_log SET detail = 'changed' WHERE id = 1", "DELETE FROM audit_log WHERE id = 1",
     "DELETE FROM audit_log"],
)
def test_the_audit_log_refuses_update_and_delete(session, sql):
    _fill_audit(session, 3)
    before = session.store.audit.entries()
    with pytest.raises(RecordLocked) as caught:
        with session.store.transaction():
            session.store.db.execute(sql)
    assert caught.value.reason == "the audit log cannot be changed"
    # ...and the raw driver error, for anyone who went round the store.
    with pytest.raises(sqlcipher3.dbapi2.IntegrityError, match="read-only"):
        session.store.db.conn.execute(sql)
    session.store.db.conn.rollback()
    assert session.store.audit.entries() == before
    assert session.store.audit.verify().ok


def test_the_audit_chain_verifies(session):
    _fill_audit(session, 5)
    session.store.audit.record_now("disclosure", "meeting", 7, recipient="Sheriff Court", purpose="court order")
    report = session.store.audit.verify()
    assert report.ok and report.entries == 7 and report.first_broken_id is None
    entries = session.store.audit.entries()
    assert entries[0].prev_hash == audit_mod.GENESIS
    for earlier, later in zip(entries, entries[1:]):
        assert later.prev_hash == earlier.hash
    assert [e.id for e in session.store.audit.entries(after_id=3, limit=2)] == [4, 5]


def test_the_chain_verifies_across_batches(session):
    with session.store.transaction():
        for i in range(2105):
            session.store.audit.record("consultation", "case", i)
    report = session.store.audit.verify()
    assert report.ok and report.entries == 2106


def test_audit_kinds_are_checked(session):
    with pytest.raises(ValueError):
        session.store.audit.record_now("peeking", "case", 1)
    assert session.store.audit.count() == 1


def _tamper(paths, key, raw_connection, *statements):
    conn = raw_connection(paths.store, key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for sql, params in statements:
        conn.execute(sql, params)
    conn.commit()
    conn.close()


def _reopened_report(paths, key):
    store = Store.open(paths, key)
    try:
        return store.audit.verify()
    finally:
        store.close()


def test_a_changed_entry_breaks_the_chain_there(session, raw_connection):
    _fill_audit(session, 5)
    paths, key = session.store.paths, session.store.key
    session.close()
    _tamper(paths, key, raw_connection, ("UPDATE audit_log SET detail = ? WHERE id = 3", ["innocent"]))
    report = _reopened_report(paths, key)
    assert not report.ok and report.first_broken_id == 3


def test_a_removed_entry_breaks_the_chain_after_it(session, raw_connection):
    _fill_audit(session, 5)
    paths, key = session.store.paths, session.store.key
    session.close()
    _tamper(paths, key, raw_connection, ("DELETE FROM audit_log WHERE id = 4", []))
    report = _reopened_report(paths, key)
    assert report.first_broken_id == 5


def test_a_rehashed_entry_still_breaks_the_chain(session, raw_connection):
    """Recomputing the changed entry's own hash does not help: the next link breaks."""
    _fill_audit(session, 5)
    target = session.store.audit.entries()[2]
    paths, key = session.store.paths, session.store.key
    session.close()
    new_hash = entry_hash_v2(
        target.id, target.prev_hash, target.at, target.user_id, target.kind, target.record_type,
        target.record_id, "innocent", target.recipient, target.purpose,
    )
    _tamper(paths, key, raw_connection,
            ("UPDATE audit_log SET detail = 'innocent', hash = ? WHERE id = ?", [new_hash, target.id]))
    report = _reopened_report(paths, key)
    # Its own signature no longer matches (and the next link is broken as well).
    assert report.first_broken_id == target.id
    assert "signature" in report.reason


def test_audit_detail_keeps_unicode_and_verifies(session):
    session.store.audit.record_now("combination", "case", 1, detail="merge 1←2 · Ùr")
    assert session.store.audit.entries()[-1].detail == "merge 1←2 · Ùr"
    assert session.store.audit.verify().ok


# -- error translation -----------------------------------------------------------------------------


def _fake(code, message=f"disk trouble near {CANARY}'s file", cls=sqlcipher3.dbapi2.OperationalError):
    exc = cls(message)
    exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize(
    "code, expected, words",
    [
        (13, StorageUnavailable, "disk is full"),  # SQLITE_FULL
        (8, StorageUnavailable, "read-only"),  # SQLITE_READONLY
        (8 | (3 << 8), StorageUnavailable, "read-only"),  # SQLITE_READONLY_ROLLBACK
        (10 | (3 << 8), StorageUnavailable, "input/output"),  # SQLITE_IOERR_WRITE
        (5, StorageUnavailable, "busy"),
        (14, StorageUnavailable, "could not be opened"),
        (11, StoreDamaged, "damaged"),  # SQLITE_CORRUPT
        (11 | (1 << 8), StoreDamaged, "damaged"),  # SQLITE_CORRUPT_VTAB
        (26, StoreDamaged, "not a MAPPA Desktop store"),  # SQLITE_NOTADB
    ],
)
@pytest.mark.parametrize("cls", [sqlcipher3.dbapi2.OperationalError, sqlite3.OperationalError,
                                 sqlcipher3.dbapi2.DatabaseError])
def test_translate_environmental_errors(code, expected, words, cls):
    exc = _fake(code, cls=cls)
    mapped = translate(exc)
    assert type(mapped) is expected
    assert words in mapped.reason
    assert CANARY not in mapped.reason and "disk trouble" not in mapped.reason
    with pytest.raises(expected) as caught:
        with storage_errors():
            raise exc
    assert caught.value.__cause__ is exc


@pytest.mark.parametrize(
    "message, expected",
    [
        ("database or disk is full", StorageUnavailable),
        ("attempt to write a readonly database", StorageUnavailable),
        ("file is not a database", StoreDamaged),
        ("database disk image is malformed", StoreDamaged),
        ("disk I/O error", StorageUnavailable),
    ],
)
def test_translate_by_message_when_there_is_no_code(message, expected):
    mapped = translate(sqlcipher3.dbapi2.OperationalError(message))
    assert type(mapped) is expected
    assert message not in mapped.reason or message == mapped.reason


def test_translate_leaves_bugs_alone():
    bug = _fake(1, "no such table: cases")  # SQLITE_ERROR: our mistake, not the disk's
    assert translate(bug) is bug
    plain = ValueError("x")
    assert translate(plain) is plain
    ours = StoreDamaged("already ours")
    assert translate(ours) is ours
    assert is_db_error(bug) and is_db_error(sqlite3.Error()) and not is_db_error(plain)
    locked = translate(sqlcipher3.dbapi2.IntegrityError("read-only: a finalised minute cannot be changed"))
    assert isinstance(locked, RecordLocked) and locked.reason == "a finalised minute cannot be changed"


@pytest.mark.parametrize(
    "err, words",
    [
        (errno.ENOSPC, "disk is full"),
        (errno.EACCES, "permission"),
        (errno.EROFS, "read-only"),
        (errno.EIO, "input/output"),
        (errno.ENOENT, "missing"),
        (errno.EXDEV, "operating system refused"),
    ],
)
def test_os_errors_become_plain_reasons_without_the_path(err, words):
    exc = OSError(err, "strerror", f"/home/someone/{CANARY}/store.db")
    assert words in os_reason(exc)
    with pytest.raises(StorageUnavailable) as caught:
        with storage_errors():
            raise exc
    assert CANARY not in caught.value.reason and "/home" not in caught.value.reason
