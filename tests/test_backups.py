"""Backups: verified encrypted copies while a writer runs, rotation, restore to a new
folder with identical rows, restore in the app with the current store kept aside."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import datetime, timezone

import pytest

from tests.conftest import act_as_admin

from tests.conftest import damage_a_data_page
from mappa_desktop.db import backup
from mappa_desktop.db.session import create_store, unlock
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

PASS = "granite otter lantern violet"

TABLES = ("cases", "civil_orders", "meetings", "meeting_text", "attendance", "agency_updates",
          "disclosures", "documents_tabled", "actions", "action_updates", "audit_log", "users")


def _dump(store):
    return {t: store.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


@pytest.fixture
def session(tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Ann Admin", agency="MAPPA unit", role="",
                           passphrase=PASS, kdf=TEST_KDF)
    case_id = add_example_case(session.store)
    add_example_meetings(session.store, case_id)
    yield session
    session.close()


def test_backup_while_a_writer_runs_then_restore_to_a_new_folder(session, tmp_path):
    store = session.store
    case_id = store.cases.rows()[0].id
    meeting = store.minutes.create(case_id, {"meeting_date": "2027-01-13"})
    stop = threading.Event()
    writes = []

    def writer():
        # A second connection of its own, writing all the time the backup runs.
        from mappa_desktop.db.store import Store

        other = act_as_admin(Store.open(store.paths, store.key))
        n = 0
        while not stop.is_set():
            n += 1
            other.minutes.save_fields(meeting, "risk_assessment", {"risk_assessment": f"typed {n}"})
            writes.append(n)
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(writes) < 20:
            time.sleep(0.01)
        info = backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="manual")
    finally:
        stop.set()
        thread.join()
    assert info.integrity == "ok" and info.counts["cases"] == 1
    assert not list(store.paths.backups.glob("*.partial"))
    head = info.path.read_bytes()[:16]
    assert not head.startswith(b"SQLite format 3")

    # Restore into a new folder: same key file, the backup as its store.
    target = DataPaths(tmp_path / "restored")
    target.ensure()
    shutil.copyfile(store.paths.keyfile, target.keyfile)
    shutil.copyfile(info.path, target.store)
    copy = unlock(target, name="Ann Admin", passphrase=PASS)
    try:
        assert copy.store.integrity_check() == ["ok"]
        original = _dump(store)
        restored = _dump(copy.store)
        for table in TABLES:
            if table in ("meeting_text", "audit_log", "meetings"):
                # The writer went on after the snapshot (text, audit entries, updated_at).
                assert len(restored[table]) <= len(original[table]), table
                continue
            assert restored[table] == original[table], table
        text = copy.store.minutes.get(meeting, consult=False).values["risk_assessment"]
        assert text.startswith("typed ")  # a consistent moment of the writer's work
        assert copy.store.audit.verify().ok
    finally:
        copy.close()


def test_rotation_keeps_the_newest_automatic_copies(session):
    store = session.store
    manual = backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="manual", keep=2)
    for _ in range(4):
        backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="daily", keep=2)
        time.sleep(0.002)
    kept = backup.list_backups(store.paths.backups)
    assert [b.reason for b in kept].count("daily") == 2
    assert manual.path in [b.path for b in kept]


def test_restore_keeps_the_current_store_aside(session):
    store = session.store
    info = backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="manual")
    store.cases.create({"reference": "AFTER", "full_name": "Later PERSON", "category": "1", "mappa_level": "2"})
    key, paths = store.key, store.paths
    session.close()
    aside = backup.restore(paths.store, info.path, key, now=datetime(2026, 11, 2, tzinfo=timezone.utc))
    assert aside.exists() and aside.name == "store.db.before-restore-20261102T000000Z"
    again = unlock(paths, name="Ann Admin", passphrase=PASS)
    assert [r.reference for r in again.store.cases.rows()] == ["FS-2026-0147"]
    again.close()


def test_a_damaged_backup_is_refused_and_nothing_changes(session):
    store = session.store
    info = backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="manual")
    data = bytearray(info.path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\x00" * 64
    info.path.write_bytes(bytes(data))
    key, paths = store.key, store.paths
    session.close()
    before = paths.store.read_bytes()
    from mappa_desktop.db.errors import StoreError

    with pytest.raises(StoreError):
        backup.restore(paths.store, info.path, key, now=datetime.now(timezone.utc))
    assert paths.store.read_bytes() == before
    session.store = unlock(paths, name="Ann Admin", passphrase=PASS).store  # for the fixture's close


def test_restore_through_the_app(qtbot, tmp_path):
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    paths = DataPaths(tmp_path / "app")
    created = create_store(paths, name="Ann Admin", agency="", role="", passphrase=PASS, kdf=TEST_KDF)
    info = backup.backup_store(paths.store, created.store.key, paths.backups, reason="manual")
    created.store.cases.create({"reference": "LATER", "full_name": "P", "category": "1", "mappa_level": "2"})
    created.close()
    tasks = TaskRunner()
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    controller.gate.unlock.name.setText("Ann Admin")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    dialog = controller.main_window.show_backups()
    row = next(i for i, b in enumerate(dialog.backups) if b.path == info.path)
    dialog.table.selectRow(row)
    dialog.check_selected()
    qtbot.waitUntil(lambda: dialog.inspected is not None, timeout=5000)
    assert "passes its integrity check" in dialog.details.text()
    assert controller.restore(str(info.path)) is True
    assert controller.main_window is None  # locked first
    restore = controller.restore_dialog
    assert restore.selected().path == info.path and restore.name.text() == "Ann Admin"
    restore.passphrase.setText("not it at all")
    restore.restore_button.click()
    qtbot.waitUntil(lambda: "Nothing was changed" in restore.message.text(), timeout=10_000)
    restore.passphrase.setText(PASS)
    restore.restore_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    assert controller.session.store.cases.count() == 0
    assert "kept as store.db.before-restore-" in controller.main_window.statusBar().currentMessage()
    # The restore is in the restored log, signed by who did it, and the log verifies.
    last = controller.session.store.audit.entries()[-1]
    assert last.detail.startswith("restored from a backup") and last.user_id == controller.session.user.id
    assert controller.session.store.audit.verify().ok
    controller.quit()
    tasks.shutdown()


def test_restore_after_the_check_finds_the_store_damaged(qtbot, tmp_path, folder_snapshot):
    """The store is damaged inside: the check after unlocking says so and refuses writes,
    and a restore puts the newest backup back as whoever can open that backup's slot; the
    damaged file is kept, unchanged."""
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    paths = DataPaths(tmp_path / "app")
    created = create_store(paths, name="Ann Admin", agency="", role="", passphrase=PASS, kdf=TEST_KDF)
    info = backup.backup_store(paths.store, created.store.key, paths.backups, reason="daily",
                               signer=created.store.signer, user_id=created.user.id)
    damage_a_data_page(created.store, paths.store)
    damaged = paths.store.read_bytes()
    tasks = TaskRunner()
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText("Ann Admin")
    screen.passphrase.setText(PASS)
    screen.unlock_button.click()
    # Unlocking reads only the header and the schema (issue 13): the damage in the middle of
    # the file is found by the full check on the worker just after, said over every page,
    # and every write is refused from then on.
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    window = controller.main_window
    qtbot.waitUntil(lambda: "STORE DAMAGED" in window.health_label.text(), timeout=20_000)
    assert controller.session.store.refusal is not None
    assert controller.restore(str(info.path))  # File > Backups > Restore: locks, then asks
    dialog = controller.restore_dialog
    assert dialog.selected().path == info.path
    dialog.name.setText("Ann Admin")
    dialog.passphrase.setText(PASS)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    kept = list(paths.root.glob("store.db.before-restore-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    controller.quit()
    tasks.shutdown()


def test_restore_a_backup_kept_in_another_folder(qtbot, tmp_path):
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    paths = DataPaths(tmp_path / "app")
    created = create_store(paths, name="Ann Admin", agency="", role="", passphrase=PASS, kdf=TEST_KDF)
    elsewhere = tmp_path / "usb"
    info = backup.backup_store(paths.store, created.store.key, elsewhere, reason="manual",
                               signer=created.store.signer, user_id=created.user.id)
    created.store.cases.create({"reference": "LATER", "full_name": "P", "category": "1", "mappa_level": "2"})
    created.close()
    tasks = TaskRunner()
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    dialog = controller.show_restore()
    assert dialog.backups == [] and not dialog.restore_button.isEnabled()
    dialog.add_file(str(info.path))
    dialog.name.setText("Ann Admin")
    dialog.passphrase.setText(PASS)
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    assert controller.session.store.cases.count() == 0
    controller.quit()
    tasks.shutdown()


def test_after_a_restore_newer_anchors_are_reported_as_undone_not_as_tampering(tmp_path):
    import io

    from mappa_desktop import cli
    from mappa_desktop.db.restore import restore_backup

    paths = DataPaths(tmp_path / "d")
    made = create_store(paths, name="Ann Admin", agency="", role="", passphrase=PASS, kdf=TEST_KDF)
    store = made.store
    older = backup.backup_store(paths.store, store.key, paths.backups, reason="manual", signer=store.signer,
                                user_id=made.user.id)
    for i in range(5):
        store.audit.record_now("consultation", "case", i)
    backup.backup_store(paths.store, store.key, paths.backups, reason="manual", signer=store.signer,
                        user_id=made.user.id)
    made.close()
    restored = restore_backup(paths, older.path, name="Ann Admin", passphrase=PASS,
                              now=datetime(2027, 1, 2, tzinfo=timezone.utc))
    restored.close()
    args = cli.build_parser().parse_args(["check", "--data-dir", str(paths.root), "--user", "Ann Admin"])
    out = io.StringIO()
    code = cli.run_command(args, io.StringIO(PASS + "\n"), out, io.StringIO())
    assert code == 0, out.getvalue()
    assert "was undone by the restore of a backup recorded at entry" in out.getvalue()


@pytest.mark.parametrize("damage", ["middle", "header"])
def test_checking_a_damaged_backup_says_so_where_the_check_answers(qtbot, session, damage, file_digest):
    """The check of a damaged backup answers in the check's own line, as an error, about the
    backup (not "NOT BACKED UP: the store file..."), and never stays on "Checking..."; the file
    is left exactly as it was, and restoring it is refused."""
    from mappa_desktop.ui.backup_dialog import BackupDialog
    from mappa_desktop.ui.tasks import TaskRunner

    store = session.store
    info = backup.backup_store(store.paths.store, store.key, store.paths.backups, reason="manual")
    data = bytearray(info.path.read_bytes())
    where = len(data) // 2 if damage == "middle" else 0
    data[where: where + 4096] = b"\x5a" * 4096
    info.path.write_bytes(bytes(data))
    before = file_digest(info.path)
    tasks = TaskRunner()
    try:
        dialog = BackupDialog(session, tasks)
        qtbot.addWidget(dialog)
        dialog.table.selectRow(next(i for i, b in enumerate(dialog.backups) if b.path == info.path))
        dialog.check_selected()
        qtbot.waitUntil(lambda: "Checking" not in dialog.details.text(), timeout=10_000)
        said = dialog.details.text()
        assert dialog.details.kind == "error", said
        assert "backup" in said and ("DAMAGED" in said or "damaged" in said), said
        assert "store file" not in said and "NOT BACKED UP" not in dialog.message.text()
        dialog.restore_selected()
        assert dialog.message.kind in ("error", "warning") and dialog.message.text()
        assert file_digest(info.path) == before
    finally:
        tasks.shutdown()
