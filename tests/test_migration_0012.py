"""Migration 0012 (sign-off, action life, exit) on a store that already holds a case: a finalised minute with an action,
its history. Nothing stored changes; the widened check on ``cases.status`` takes 'exited';
the action of the finalised minute may now be carried forward (with its history) and
nothing else about it may change."""

from __future__ import annotations

import pytest
from sqlite_utils.migrations import Migrations

from mappa_desktop.security import KeyFile

from mappa_desktop.db import migrations as migrations_mod
from mappa_desktop.db import store as store_mod
from mappa_desktop.db.errors import RecordLocked, storage_errors
from mappa_desktop.db.session import create_store
from mappa_desktop.db.store import Store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

NOW = "2026-10-14T09:00:00+00:00"


@pytest.fixture
def old_store(tmp_path, monkeypatch):
    """A store made by the version before 0012, with a case as that version kept it."""
    earlier = Migrations(migrations_mod.MIGRATIONS.name)
    for migration in migrations_mod.MIGRATIONS._migrations:
        if migration.name < "0012":
            earlier(name=migration.name)(migration.fn)
    monkeypatch.setattr(migrations_mod, "MIGRATIONS", earlier)
    monkeypatch.setattr(store_mod, "MIGRATIONS", earlier)
    # That version's guard triggers knew nothing of 0012's tables; ours are made on opening.
    monkeypatch.setattr(store_mod.guards, "sync", lambda db: False)
    session = create_store(DataPaths(tmp_path / "d"), name="Ann Admin", agency="", role="", passphrase="x" * 12,
                           kdf=TEST_KDF)
    db = session.store.db
    with session.store.transaction():
        db.execute("INSERT INTO cases (id, reference, full_name, category, mappa_level, created_at, updated_at) "
                   "VALUES (1, 'FS-2026-0147', 'Kenneth AIRD', '1', '2', ?, ?)", [NOW, NOW])
        db.execute("INSERT INTO meetings (id, case_id, meeting_date, created_at, updated_at) "
                   "VALUES (1, 1, '2026-07-15', ?, ?)", [NOW, NOW])
        db.execute("INSERT INTO actions (id, case_id, meeting_id, number, raised_date, action_text, owner_person, "
                   "target_date, status, updated_at) VALUES (1, 1, 1, 1, '2026-07-15', 'Offer a referral', "
                   "'Dr Nguyễn Thị Lan', '2026-08-31', 'open', ?)", [NOW])
        db.execute("INSERT INTO action_updates (action_id, meeting_id, user_id, at, status, note) "
                   "VALUES (1, 1, 1, ?, 'open', 'raised')", [NOW])
        db.execute("UPDATE meetings SET status = 'finalised', version = 1, finalised_at = ? WHERE id = 1", [NOW])
    assert session.store.applied_migrations()[-1] == "0011_risk_management_plan"
    paths, key = session.store.paths, session.store.key
    session.close()
    monkeypatch.undo()
    return paths, key


def test_0012_on_a_store_with_data(old_store):
    paths, key = old_store
    store = Store.open(paths, key)
    opened = KeyFile.load(paths.keyfile).open_slot("Ann Admin", "x" * 12)  # signs as an unlock would
    store.user, store.signer = store.users.by_slot(opened.slot_id), opened.identity
    try:
        assert "0012_signoff_action_life_exit" in store.applied_migrations()
        assert store.integrity_check() == ["ok"]
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
        [update] = store.actions.history(1)
        assert (update.status, update.note, update.change, update.target_date) == ("open", "raised", None, None)
        action = store.actions.get(1)
        assert (action.target_date, action.owner_person) == ("2026-08-31", "Dr Nguyễn Thị Lan")
        # The finalised minute's action: carried with its history; changed without it, refused.
        with pytest.raises(RecordLocked):
            with storage_errors():
                with store.db.atomic():
                    store.db.execute("UPDATE actions SET target_date = '2027-01-31' WHERE id = 1")
        store.actions.carry(1, target_date="2099-01-31", reason="Waiting list.")
        assert store.actions.get(1).target_date == "2099-01-31"
        # 'exited' is a status the store now takes, and nothing else new.
        with pytest.raises(Exception):
            with storage_errors():
                with store.db.atomic():
                    store.db.execute("UPDATE cases SET status = 'closed' WHERE id = 1")
        store.exits.record_exit(1, {"exit_date": "2026-10-14", "exit_reason": "died"}, meeting_id=1)
        assert store.cases.get(1, consult=False).status == "exited"
    finally:
        store.close()
    # A fresh connection reads the widened check from the schema.
    again = Store.open(paths, key)
    try:
        assert again.cases.get(1, consult=False).status == "exited" and again.integrity_check() == ["ok"]
    finally:
        again.close()
