"""Long work never blocks the chair: jobs cancel and report progress; a backup stops cleanly
and leaves nothing behind; quitting finishes the backup on the worker (or skips it when the
person says so); a printout can be cancelled, and a failed one writes its crash report."""

from __future__ import annotations

import threading
import time

import pytest

from mappa_desktop import jobs
from mappa_desktop.db import backup
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.tasks import Cancelled, TaskRunner

PASS = "heron kettle marmalade"


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def _store_with_cases(paths: DataPaths, cases: int = 60):
    session = create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="", passphrase=PASS, kdf=TEST_KDF)
    for i in range(cases):
        session.store.cases.create({"reference": f"FS-{i:04d}", "full_name": f"Person {i}", "category": "1",
                                    "mappa_level": "2", "address": "x" * 2000})
    return session


# -- jobs and the runner ----------------------------------------------------------------------


def test_a_queued_job_cancelled_never_runs_and_a_running_one_stops_at_its_checkpoint(qtbot, tasks):
    started, release = threading.Event(), threading.Event()
    ran = []

    def long_work():
        started.set()
        while True:
            jobs.report(1, 2, "working")
            if release.wait(0.01):
                ran.append("released")

    def never():
        ran.append("queued work ran")

    outcomes = []
    first = tasks.run(long_work, outcomes.append, outcomes.append, progress=lambda d, t, text: outcomes.append(text))
    second = tasks.run(never, outcomes.append, outcomes.append)
    assert started.wait(5)
    second.cancel()
    first.cancel()
    qtbot.waitUntil(lambda: len([o for o in outcomes if isinstance(o, Cancelled)]) == 2, timeout=5000)
    assert ran == [] and not tasks.busy


def test_callbacks_of_a_deleted_owner_are_not_called_and_its_work_is_cancelled(qtbot, tasks):
    from PySide6.QtWidgets import QWidget

    owner = QWidget()
    called = []
    started = threading.Event()

    def work():
        started.set()
        while True:
            jobs.checkpoint()
            time.sleep(0.005)

    job = tasks.run(work, called.append, called.append, owner=owner)
    assert started.wait(5)
    owner.deleteLater()
    qtbot.waitUntil(lambda: job.cancelled, timeout=5000)
    qtbot.waitUntil(lambda: not tasks.busy, timeout=5000)
    assert called == []


# -- backups -----------------------------------------------------------------------------------


def test_a_cancelled_backup_leaves_nothing_behind(tmp_path, monkeypatch):
    session = _store_with_cases(DataPaths(tmp_path / "d"))
    monkeypatch.setattr(backup, "COPY_STEP", 8)  # a real copy, in many small steps
    folder = tmp_path / "backups"
    seen = []

    def progress(done, total, text):
        seen.append((done, total, text))
        if len(seen) == 3:
            job.cancel()

    job = jobs.Job(on_progress=progress)
    job.INTERVAL = 0
    with jobs.running(job), pytest.raises(jobs.Cancelled):
        backup.backup_store(session.store.paths.store, session.store.key, folder, reason="manual")
    assert seen and seen[0][2] == "Copying the store" and seen[-1][1] > 8
    assert list(folder.iterdir()) == []  # no partial copy, no unverified copy
    session.close()


def test_a_backup_made_as_a_job_reports_progress_and_verifies(tmp_path, monkeypatch):
    session = _store_with_cases(DataPaths(tmp_path / "d"))
    monkeypatch.setattr(backup, "COPY_STEP", 16)
    seen = []
    job = jobs.Job(on_progress=lambda d, t, text: seen.append((d, t, text)))
    with jobs.running(job):
        info = backup.backup_store(session.store.paths.store, session.store.key, tmp_path / "b", reason="manual")
    assert info.integrity == "ok" and info.counts["cases"] == 60
    assert seen[-1] == (0, 0, "Verifying the copy") and any(d == t for d, t, text in seen if t)
    # No -wal or -shm beside it: the copy and its manifest (issue 12's anchor) only.
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
        [info.path.name, info.path.name.removesuffix(".db") + ".manifest.json"])
    session.close()


# -- quitting ----------------------------------------------------------------------------------


@pytest.fixture
def unlocked(qtbot, tmp_path, tasks):
    from mappa_desktop.ui.app import AppController

    paths = DataPaths(tmp_path / "app")
    _store_with_cases(paths, 20).close()
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    qtbot.waitUntil(lambda: controller.store_health == [], timeout=10_000)
    qtbot.waitUntil(lambda: not controller.backup_tasks.busy, timeout=10_000)  # the daily backup
    yield controller, paths
    controller.shutdown()


def _held_backup(monkeypatch):
    """The real backup, held at its start until the test lets it go (so that the test can
    act while it runs)."""
    go = threading.Event()
    real = backup.backup_store

    def held(*args, **kwargs):
        while not go.wait(0.01):
            jobs.checkpoint()
        return real(*args, **kwargs)

    monkeypatch.setattr(backup, "backup_store", held)
    return go


def test_quit_closes_the_window_at_once_and_finishes_the_backup_on_the_worker(qtbot, unlocked, monkeypatch):
    controller, paths = unlocked
    go = _held_backup(monkeypatch)
    window = controller.main_window
    started = time.perf_counter()
    controller.quit()
    assert time.perf_counter() - started < 1  # nothing waits for the backup here
    assert controller.main_window is None and not window.isVisible()
    gate = controller.gate
    assert gate.stack.currentWidget() is gate.closing and gate.isVisible()
    assert "Finishing a backup" in gate.closing.findChild(type(gate.closing.step), "gateTitle").text()
    assert controller.session is not None  # the store stays open until the copy is made
    go.set()
    qtbot.waitUntil(lambda: controller.session is None, timeout=20_000)
    made = [b.reason for b in backup.list_backups(paths.backups)]
    assert made.count("on-close") == 1
    assert not list(paths.backups.glob("*.partial"))


def test_a_second_quit_asks_and_skipping_leaves_no_partial_backup(qtbot, unlocked, monkeypatch):
    controller, paths = unlocked
    _held_backup(monkeypatch)  # never let go: the person chooses to skip it
    before = sorted(p.name for p in paths.backups.iterdir())
    controller.quit()
    controller.gate.close()  # the second request to quit
    box = controller.skip_question
    assert box is not None and box.isVisible() and controller.gate.isVisible()
    box.skip_button.click()
    qtbot.waitUntil(lambda: controller.session is None, timeout=10_000)
    assert sorted(p.name for p in paths.backups.iterdir()) == before


def test_waiting_is_the_default_answer(qtbot, unlocked, monkeypatch):
    controller, paths = unlocked
    go = _held_backup(monkeypatch)
    controller.quit()
    controller.gate.close()
    box = controller.skip_question
    box.wait_button.click()
    assert controller.session is not None and controller.gate.isVisible()
    go.set()
    qtbot.waitUntil(lambda: controller.session is None, timeout=20_000)
    assert [b.reason for b in backup.list_backups(paths.backups)].count("on-close") == 1


# -- printing ----------------------------------------------------------------------------------


@pytest.fixture
def minute_session(tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase=PASS, kdf=TEST_KDF)
    case_id = add_example_case(session.store)
    _first, review = add_example_meetings(session.store, case_id)
    yield session, review
    session.close()


def test_a_printout_can_be_cancelled(qtbot, minute_session, tasks):
    from mappa_desktop.ui.minute_editor import MinuteEditor

    session, review = minute_session
    words = " ".join(f"word{i % 977}" for i in range(60_000))
    session.store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": words})
    editor = MinuteEditor(session.store, review, tasks=tasks)
    qtbot.addWidget(editor)
    dialog = editor.print_minute()
    steps = []
    dialog.busy.valueChanged.connect(steps.append)
    dialog.preview()
    assert dialog.busy_box.isVisibleTo(dialog) and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: bool(steps), timeout=20_000)  # the layout reports progress
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "Cancelled" in dialog.message.text(), timeout=20_000)
    assert dialog.pages.count() == 0 and dialog.preview_button.isEnabled()
    assert not session.store.paths.crash_reports.exists() or not list(session.store.paths.crash_reports.iterdir())
    editor.dispose()


def test_a_failed_printout_writes_the_report_it_mentions(qtbot, minute_session, tasks):
    from mappa_desktop.ui.print_dialog import PrintDialog

    session, _review = minute_session

    def broken():
        return lambda: {}["a key the renderer expected"]

    dialog = PrintDialog(session.store, tasks, title="Print", kinds={"Minute": broken}, record_type="meeting",
                         record_id=1)
    qtbot.addWidget(dialog)
    dialog.preview()
    qtbot.waitUntil(lambda: "could not be made" in dialog.message.text(), timeout=10_000)
    reports = list(session.store.paths.crash_reports.glob("crash-*.txt"))
    assert len(reports) == 1 and reports[0].name in dialog.message.text()
    assert "KeyError" in reports[0].read_text()
    assert "a key the renderer expected" not in reports[0].read_text()  # messages may quote user data


def test_unlocking_never_waits_behind_long_work(qtbot, tmp_path, tasks):
    """A printout or backup holding the long-work thread does not hold up the unlock."""
    from mappa_desktop.ui.app import AppController

    paths = DataPaths(tmp_path / "app")
    _store_with_cases(paths, 5).close()
    release = threading.Event()

    def long_printout():
        while not release.wait(0.01):
            jobs.checkpoint()

    tasks.run(long_printout, lambda _r: None, lambda _e: None)
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    assert tasks.busy  # still printing
    release.set()
    controller.lock()
    controller.shutdown()


def test_a_backup_by_hand_shows_progress_and_can_be_stopped(qtbot, unlocked, monkeypatch):
    controller, paths = unlocked
    go = _held_backup(monkeypatch)
    dialog = controller.main_window.show_backups()
    before = sorted(p.name for p in paths.backups.iterdir())
    dialog.back_up_now()
    assert dialog.progress_box.isVisibleTo(dialog) and not dialog.backup_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: "stopped" in dialog.message.text(), timeout=10_000)
    assert dialog.backup_button.isEnabled() and sorted(p.name for p in paths.backups.iterdir()) == before
    go.set()
    dialog.back_up_now()
    qtbot.waitUntil(lambda: "Backed up and checked" in dialog.message.text(), timeout=20_000)
    assert len([p for p in paths.backups.iterdir() if p.suffix == ".db"]) == len([b for b in before if b.endswith(".db")]) + 1
    dialog.accept()
    controller.lock()


_QUIT_DURING_RENDER = r'''
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.app import AppController
from mappa_desktop.ui.tasks import TaskRunner

paths = DataPaths(Path(sys.argv[1]))
session = create_store(paths, name="Lorna Petrie", agency="", role="", passphrase="heron kettle marmalade", kdf=TEST_KDF)
case_id = add_example_case(session.store)
_first, review = add_example_meetings(session.store, case_id)
session.store.minutes.save_fields(review, "risk_assessment",
                                  {"risk_assessment": "\n".join(f"line {i} of a list" for i in range(40_000))[:1_000_000]})
session.close()
app = QApplication([])
tasks = TaskRunner()
controller = AppController(paths, tasks, kdf=TEST_KDF)
controller.start()
controller.gate.unlock.name.setText("Lorna Petrie")
controller.gate.unlock.passphrase.setText("heron kettle marmalade")
controller.gate.unlock.unlock_button.click()

def when_unlocked():
    if controller.main_window is None:
        QTimer.singleShot(20, when_unlocked)
        return
    controller.main_window.open_meeting(review)
    editor = controller.main_window.page("cases").minute_editor
    dialog = editor.print_minute()
    dialog.preview()  # a render of some 800 pages: quit while it runs
    QTimer.singleShot(700, lambda: print("busy at quit:", tasks.busy, flush=True) or controller.main_window.close())

QTimer.singleShot(0, when_unlocked)
started = time.perf_counter()
code = app.exec()
controller.shutdown()
tasks.shutdown()
print(f"quit in {time.perf_counter() - started:.1f} s", flush=True)
sys.exit(code)
'''


def test_quitting_during_a_long_render_cancels_it_and_exits_cleanly(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "quit_during_render.py"
    script.write_text(_QUIT_DURING_RENDER)
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "data")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]  # not 134 (abort)
    assert "busy at quit: True" in run.stdout
    assert "Traceback" not in run.stderr
    backups = list((tmp_path / "data" / "backups").glob("*on-close.db"))
    assert len(backups) == 1  # the render stopped; the backup on closing was made
