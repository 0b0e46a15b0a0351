"""Migrations: idempotent, refuse newer stores untouched, back up before migrating."""

from __future__ import annotations

import re

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from mappa_desktop.db import migrations as migrations_mod
from mappa_desktop.db import store as store_mod
from mappa_desktop.db.errors import StoreTooNew
from mappa_desktop.db.session import unlock
from mappa_desktop.db.store import Store


SQLITE_HEADER = b"SQLite format 3"


def schema(db) -> list[tuple]:
    return db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).fetchall()


def migration_rows(db) -> list[tuple]:
    return db.execute(
        "SELECT id, migration_set, name, applied_at FROM _sqlite_migrations ORDER BY id"
    ).fetchall()


def test_names_are_numbered_in_order_and_all_applied(session):
    names = migrations_mod.known_names()
    assert names, "there must be at least the foundation migration"
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+", n) for n in names), names
    assert names == sorted(names) and len(set(names)) == len(names)
    assert session.store.applied_migrations() == names
    assert migrations_mod.MIGRATIONS.pending(session.store.db) == []


def test_the_schema_has_its_guards(session):
    triggers = {
        name for (name,) in session.store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert {"audit_log_no_update", "audit_log_no_delete"} <= triggers
    tables = set(session.store.db.table_names())
    assert {"users", "settings", "cases", "meetings", "meeting_text", "actions", "audit_log"} <= tables


def test_migrating_twice_changes_nothing(closed_store):
    store = Store.open(closed_store.paths, closed_store.key)
    try:
        first_schema, first_rows = schema(store.db), migration_rows(store.db)
        # Applying again on the open store is a no-op...
        migrations_mod.MIGRATIONS.apply(store.db)
        assert schema(store.db) == first_schema
        assert migration_rows(store.db) == first_rows
    finally:
        store.close()
    # ...and so is opening again (no new rows, no new backup).
    store = Store.open(closed_store.paths, closed_store.key)
    try:
        assert schema(store.db) == first_schema
        assert migration_rows(store.db) == first_rows
        assert len(first_rows) == len(migrations_mod.known_names())
    finally:
        store.close()
    assert not any(closed_store.paths.backups.iterdir())


def _mark_applied(closed_store, raw_connection, migration_set, name):
    conn = raw_connection(closed_store.paths.store, closed_store.key)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [migration_set, name, "2031-01-01 00:00:00+00:00"],
    )
    conn.commit()
    conn.close()


def test_a_store_from_a_newer_version_is_refused_untouched(closed_store, raw_connection, folder_snapshot):
    _mark_applied(closed_store, raw_connection, "mappa", "9999_future")
    before = folder_snapshot(closed_store.paths.root)
    with pytest.raises(StoreTooNew) as caught:
        Store.open(closed_store.paths, closed_store.key)
    assert "newer version" in caught.value.reason
    assert folder_snapshot(closed_store.paths.root) == before  # no -wal, no backup, same bytes
    with pytest.raises(StoreTooNew):
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert folder_snapshot(closed_store.paths.root) == before


def test_another_migration_set_is_not_ours_to_judge(closed_store, raw_connection):
    _mark_applied(closed_store, raw_connection, "someone_else", "9999_future")
    store = Store.open(closed_store.paths, closed_store.key)
    try:
        assert store.applied_migrations() == migrations_mod.known_names()
    finally:
        store.close()


@pytest.fixture
def extra_migration(monkeypatch):
    """The shipped migrations plus one more, as the next version would have."""
    calls = {"fail": False}
    extended = Migrations(migrations_mod.MIGRATIONS.name)
    for migration in migrations_mod.MIGRATIONS._migrations:
        extended(name=migration.name)(migration.fn)

    @extended(name="9000_test_extra")
    def m9000(db):
        db.execute("CREATE TABLE test_extra (id INTEGER PRIMARY KEY, note TEXT)")
        db.execute("ALTER TABLE cases ADD COLUMN test_extra_flag INTEGER")
        if calls["fail"]:
            raise RuntimeError("migration failed half-way")

    monkeypatch.setattr(migrations_mod, "MIGRATIONS", extended)
    monkeypatch.setattr(store_mod, "MIGRATIONS", extended)
    return calls


def test_pending_migrations_are_backed_up_first(closed_store, extra_migration, raw_connection):
    old_names = [n for n in migrations_mod.known_names() if n != "9000_test_extra"]
    store = Store.open(closed_store.paths, closed_store.key)
    try:
        assert store.applied_migrations() == old_names + ["9000_test_extra"]
        assert "test_extra" in store.db.table_names()
    finally:
        store.close()

    backups = list(closed_store.paths.backups.glob("*.db"))
    assert len(backups) == 1, backups
    backup = backups[0]
    # Beside it only its manifest (key id, slots, audit anchor): no -wal, -shm or .partial.
    assert sorted(p.name for p in closed_store.paths.backups.iterdir()) == sorted(
        [backup.name, backup.name.removesuffix(".db") + ".manifest.json"])
    assert backup.suffix == ".db" and "before-migration" in backup.name
    assert not backup.read_bytes().startswith(SQLITE_HEADER)
    # The backup is the store as it was: same key, old migrations only, sound.
    conn = raw_connection(backup, closed_store.key)
    db = sqlite_utils.Database(conn)
    assert [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == old_names
    assert "test_extra" not in db.table_names()
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert db.execute("SELECT name FROM users").fetchall() == [("Ann Admin",)]
    conn.close()

    # Opening again: nothing pending, so no second backup.
    Store.open(closed_store.paths, closed_store.key).close()
    assert len(list(closed_store.paths.backups.glob("*.db"))) == 1


def test_a_failing_migration_rolls_back_whole(closed_store, extra_migration, monkeypatch):
    extra_migration["fail"] = True
    with pytest.raises(RuntimeError):
        Store.open(closed_store.paths, closed_store.key)
    assert len(list(closed_store.paths.backups.glob("*.db"))) == 1
    assert not list(closed_store.paths.backups.glob("*.partial"))
    monkeypatch.undo()  # back to the shipped migrations
    store = Store.open(closed_store.paths, closed_store.key)
    try:
        assert store.applied_migrations() == migrations_mod.known_names()
        assert "test_extra" not in store.db.table_names()
        assert "test_extra_flag" not in store.db["cases"].columns_dict
        assert store.integrity_check() == ["ok"]
    finally:
        store.close()


def test_run_splits_statements_inside_one_transaction():
    db = sqlite_utils.Database(memory=True)
    script = """
CREATE TABLE a (x TEXT);
CREATE TRIGGER a_guard BEFORE DELETE ON a
BEGIN
    SELECT RAISE(ABORT, 'read-only: no; really; no');
END;
CREATE TABLE b (;
"""
    with pytest.raises(Exception):
        with db.atomic():
            migrations_mod._run(db, script)
    assert db.table_names() == []
    migrations_mod._run(db, script.replace("CREATE TABLE b (;", "CREATE TABLE b (y)"))
    assert set(db.table_names()) == {"a", "b"}
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger'").fetchone()[0] == 1
