"""The smaller promises, each with its fault injected: a saved PDF is never on disk unlogged
and no temporary copy outlives a crash; backups leave no side files; a user and the key
file are created together or not at all; the command line applies the window's rules."""

from __future__ import annotations

import errno
import io
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mappa_desktop import cli
from mappa_desktop.db import backup
from mappa_desktop.db.errors import StoreError
from mappa_desktop.db.exports import TEMP_PREFIX, save_disclosed_file
from mappa_desktop.db.session import unlock
from mappa_desktop.security import TEST_KDF, FailedUnlocks, KeyFile

ROOT = Path(cli.__file__).resolve().parent.parent
PASS = "granite otter lantern violet"
PDF = b"%PDF-1.4 a disclosed minute"


def _deferred_failure(conn, table: str, when: str = "1") -> None:
    """A real commit failure: a deferred foreign key, broken by a temporary trigger when a
    row goes into ``table``, fails the COMMIT (not the statement)."""
    conn.execute("CREATE TEMP TABLE fk_parent (id INTEGER PRIMARY KEY)")
    conn.execute("CREATE TEMP TABLE fk_child (pid INTEGER REFERENCES fk_parent (id) DEFERRABLE INITIALLY DEFERRED)")
    conn.execute(f"CREATE TEMP TRIGGER fail_commit AFTER INSERT ON main.{table} WHEN {when} "
                 "BEGIN INSERT INTO fk_child VALUES (999); END")


@pytest.fixture
def out(tmp_path) -> Path:
    """The folder the user saves into (apart from the data folder)."""
    folder = tmp_path / "saved"
    folder.mkdir()
    return folder


def _disclosures(store) -> list:
    return [e for e in store.audit.entries() if e.kind == "disclosure"]


def _save(store, target: Path) -> None:
    save_disclosed_file(store, str(target), PDF, record_type="meeting", record_id=1, recipient="Sheriff court",
                        purpose="Hearing", detail="minute saved as PDF, 3 pages")


# -- a saved PDF and its disclosure entry ------------------------------------------------------


def test_a_saved_pdf_and_its_entry_go_together(session, tmp_path):
    target = tmp_path / "out" / "minute.pdf"
    target.parent.mkdir()
    _save(session.store, target)
    assert target.read_bytes() == PDF
    assert [p.name for p in target.parent.iterdir()] == ["minute.pdf"]
    (entry,) = _disclosures(session.store)
    assert (entry.recipient, entry.purpose) == ("Sheriff court", "Hearing")
    assert session.store.db.execute("SELECT count(*) FROM pending_exports").fetchone()[0] == 0


def test_when_the_entry_cannot_be_written_there_is_no_file(session, out):
    session.store.db.execute("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.audit_log "
                             "WHEN NEW.kind = 'disclosure' BEGIN SELECT RAISE(ABORT, 'read-only: refused'); END")
    target = out / "minute.pdf"
    with pytest.raises(StoreError):
        _save(session.store, target)
    assert list(out.iterdir()) == []
    assert _disclosures(session.store) == []


def test_when_the_commit_fails_after_the_rename_the_file_is_removed(session, out):
    _deferred_failure(session.store.db.conn, "audit_log", "NEW.kind = 'disclosure'")
    target = out / "minute.pdf"
    with pytest.raises(Exception):
        _save(session.store, target)
    assert list(out.iterdir()) == []
    assert _disclosures(session.store) == []


def _crash_during_save(closed_store, target: Path, where: str) -> None:
    """A child process that saves a PDF and dies (os._exit) at ``where``."""
    code = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from mappa_desktop.db import exports
        from mappa_desktop.db.session import unlock
        from mappa_desktop.paths import DataPaths
        session = unlock(DataPaths(Path({str(closed_store.paths.root)!r})), name={closed_store.name!r},
                         passphrase={closed_store.passphrase!r})
        die = lambda *a, **k: os._exit(0)
        if {where!r} == "after the rename":
            exports.fsync_folder = die
        else:
            exports.os.replace = die
        exports.save_disclosed_file(session.store, {str(target)!r}, {PDF!r}, record_type="meeting", record_id=1,
                                    recipient="Sheriff court", purpose="Hearing", detail="minute saved as PDF")
        os._exit(3)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60)
    assert result.returncode == 0


def test_a_crash_before_the_rename_leaves_no_plaintext_after_the_next_unlock(closed_store, out):
    target = out / "minute.pdf"
    _crash_during_save(closed_store, target, "before the rename")
    leftovers = list(out.glob(TEMP_PREFIX + "*"))
    assert len(leftovers) == 1 and leftovers[0].read_bytes() == PDF  # what the crash left
    session = unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert list(out.iterdir()) == []
    assert _disclosures(session.store) == []  # nothing was disclosed
    session.close()


def test_a_crash_after_the_rename_is_logged_at_the_next_unlock(closed_store, out):
    target = out / "minute.pdf"
    _crash_during_save(closed_store, target, "after the rename")
    session = unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert [p.name for p in out.iterdir()] == ["minute.pdf"]
    (entry,) = _disclosures(session.store)
    assert "logged at the next unlock" in entry.detail and entry.recipient == "Sheriff court"
    assert session.store.audit.verify().ok
    session.close()


# -- backups: no side files, leftovers cleaned ---------------------------------------------------


def test_backups_leave_no_side_files_and_leftovers_are_cleaned(session):
    store = session.store
    folder = store.paths.backups
    folder.mkdir(exist_ok=True)
    leftovers = ["store-20260101T000000000000Z-daily.partial", "store-20260101T000000000000Z-daily.partial-journal",
                 "store-20251201T000000Z-daily.db-wal", "store-20251201T000000Z-daily.db-shm",
                 "store-20250101T000000Z-manual.manifest.json"]
    for name in leftovers:
        (folder / name).write_bytes(b"left by an interrupted backup")
    info = backup.backup_store(store.paths.store, store.key, folder, reason="manual", signer=store.signer,
                               user_id=session.user.id)
    backup.inspect(info.path, store.key)  # opening it again (read-only) adds nothing either
    backup.list_backups(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [info.path.name, backup.manifest_path(info.path).name])
    manifest = backup.read_manifest(info.path)
    assert manifest["key_id"] and manifest["audit_anchor"].startswith("MAPPA-ANCHOR-1:")
    assert KeyFile.from_bytes(Path("x"), __import__("json").dumps(manifest["keys"]).encode()).has_slot("Ann Admin")


# -- a user and the key file, together -------------------------------------------------------------


def test_a_user_is_not_created_when_the_key_file_cannot_be_written(session, monkeypatch):
    from mappa_desktop.db.access import add_user
    from mappa_desktop.security import keyfile as keyfile_mod

    store = session.store
    before = (store.paths.keyfile.read_bytes(), store.audit.count(), len(store.users.all()))

    def disk_full(path, payload):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(keyfile_mod, "write_atomically", disk_full)
    with pytest.raises(StoreError) as caught:
        add_user(session, name="Bob Second", agency="", role="", passphrase="walnut prism evening coast",
                 kdf=TEST_KDF)
    assert "disk is full" in caught.value.reason
    assert (store.paths.keyfile.read_bytes(), store.audit.count(), len(store.users.all())) == before
    assert not session.keyfile.has_slot("Bob Second")


def test_the_key_file_is_put_back_when_the_user_does_not_commit(session):
    from mappa_desktop.db.access import add_user

    store = session.store
    before = store.paths.keyfile.read_bytes()
    _deferred_failure(store.db.conn, "users")
    with pytest.raises(Exception):
        add_user(session, name="Bob Second", agency="", role="", passphrase="walnut prism evening coast",
                 kdf=TEST_KDF)
    assert store.paths.keyfile.read_bytes() == before
    assert [u.name for u in store.users.all()] == ["Ann Admin"]


# -- the command line keeps the window's rules ---------------------------------------------------


def run(*argv: str, stdin: str) -> tuple[int, str]:
    args = cli.build_parser().parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_command(args, io.StringIO(stdin), out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("passphrase", ["aaaaaaaaaa", "Password1!", "qwertyuiop12"])
def test_init_refuses_what_the_window_refuses(tmp_path, passphrase):
    code, out = run("init", "--data-dir", str(tmp_path / "d"), "--user", "Kenneth Aird", "--agency", "Police",
                    stdin=passphrase + "\n")
    assert code == 1 and "Choose a stronger passphrase" in out
    assert not (tmp_path / "d" / "store.db").exists()


def test_failed_command_line_unlocks_are_counted_logged_and_slowed(closed_store, monkeypatch, caplog):
    waits = []
    monkeypatch.setattr("time.sleep", lambda s: waits.append(s))
    argv = ("check", "--data-dir", str(closed_store.paths.root), "--user", closed_store.name)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            assert run(*argv, stdin="not the passphrase\n")[0] == 1
    assert FailedUnlocks(closed_store.paths.root).failures == 3
    assert sum("unlock refused" in r.getMessage() for r in caplog.records) >= 3
    assert not any(closed_store.name in r.getMessage() for r in caplog.records)
    assert waits == []  # three free tries, as in the window
    code, out = run(*argv, stdin=closed_store.passphrase + "\n")
    assert code == 0 and "waiting 2 s" in out and waits and waits[0] > 1
    assert FailedUnlocks(closed_store.paths.root).failures == 0


def test_the_window_sees_the_command_lines_failures(qtbot, closed_store):
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    for _ in range(4):
        FailedUnlocks(closed_store.paths.root).failed()
    tasks = TaskRunner()
    controller = AppController(closed_store.paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    screen = controller.gate.unlock
    assert screen.failures == 4 and not screen.unlock_button.isEnabled()
    assert "Try again in" in screen.message.text()
    tasks.shutdown()


def test_a_damaged_key_file_is_named_in_the_window(qtbot, closed_store):
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    text = closed_store.paths.keyfile.read_text()
    closed_store.paths.keyfile.write_text(text.replace('"kdf": {', '"kdf": {"time_cost": -1, "x": 1, ', 1))
    tasks = TaskRunner()
    controller = AppController(closed_store.paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText(closed_store.name)
    screen.passphrase.setText(closed_store.passphrase)
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: "keys.json" in screen.message.text(), timeout=10_000)
    assert "damaged" in screen.message.text() and "do not match" not in screen.message.text()
    tasks.shutdown()
