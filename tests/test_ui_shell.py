"""The app shell driven through the real windows: first run, unlock, lock, crash hook,
one instance per data folder."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import Qt

from tests.conftest import damage_a_data_page
from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.app import AppController
from mappa_desktop.ui.startup import install_crash_hook
from mappa_desktop.ui.tasks import TaskRunner

PASS = "heron kettle marmalade"


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def paths(tmp_path):
    return DataPaths(tmp_path / "data")


@pytest.fixture
def controller(qtbot, paths, tasks):
    ctl = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(ctl.gate)
    yield ctl
    ctl.shutdown()
    if ctl.main_window is not None:
        ctl.main_window.close_for_lock()


def _make_store(paths, name="Lorna Petrie"):
    session = create_store(
        paths, name=name, agency="MAPPA unit", role="Co-ordinator", passphrase=PASS, kdf=TEST_KDF
    )
    session.close()


def test_first_run_creates_store_through_the_window(qtbot, controller, paths):
    controller.start()
    screen = controller.gate.first_run
    assert controller.gate.stack.currentWidget() is screen
    qtbot.keyClicks(screen.name, "Lorna Petrie")
    qtbot.keyClicks(screen.agency, "MAPPA unit")
    qtbot.keyClicks(screen.role, "Co-ordinator")
    qtbot.keyClicks(screen.passphrase, PASS)
    assert screen.strength_bar.value() >= 3
    qtbot.keyClicks(screen.repeat, PASS)
    qtbot.keyClick(screen.repeat, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)

    store = controller.session.store
    users = store.users.all()
    assert [(u.name, u.agency, u.role, u.is_admin) for u in users] == [
        ("Lorna Petrie", "MAPPA unit", "Co-ordinator", True)
    ]
    assert paths.store.exists() and paths.keyfile.exists()
    assert "Lorna Petrie" in controller.main_window.user_label.text()
    # The passphrase does not linger in the gate's widgets.
    assert screen.passphrase.text() == "" and screen.repeat.text() == ""


def test_first_run_refuses_weak_or_mismatched_passphrases_and_keeps_the_text(
    qtbot, controller, paths
):
    controller.start()
    screen = controller.gate.first_run
    qtbot.keyClicks(screen.name, "Lorna Petrie")
    qtbot.keyClicks(screen.agency, "MAPPA unit")
    qtbot.keyClicks(screen.passphrase, "short")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert "stronger passphrase" in screen.message.text()
    assert not paths.store.exists()
    screen.passphrase.setText(PASS)
    qtbot.keyClicks(screen.repeat, PASS + "x")
    qtbot.mouseClick(screen.create_button, Qt.MouseButton.LeftButton)
    assert "not the same" in screen.message.text()
    assert not paths.store.exists()
    assert screen.name.text() == "Lorna Petrie" and screen.agency.text() == "MAPPA unit"


def test_unlock_wrong_then_right_passphrase(qtbot, controller, paths):
    _make_store(paths)
    controller.start()
    screen = controller.gate.unlock
    assert controller.gate.stack.currentWidget() is screen
    qtbot.keyClicks(screen.name, "lorna petrie")  # any case works
    qtbot.keyClicks(screen.passphrase, "not the passphrase")
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.failures == 1, timeout=10_000)
    assert screen.message.text() == "That name and passphrase do not match a user of this store."
    assert controller.main_window is None
    assert screen.passphrase.text() == ""
    qtbot.keyClicks(screen.passphrase, PASS)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    assert controller.session.user.name == "Lorna Petrie"


def test_repeated_failures_make_the_user_wait(qtbot, controller, paths):
    _make_store(paths)
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText("Lorna Petrie")
    for attempt in range(1, 4):
        screen.passphrase.setText(f"wrong {attempt}")
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda a=attempt: screen.failures == a, timeout=10_000)
    assert not screen.unlock_button.isEnabled()
    assert "Try again in 2 s" in screen.message.text()
    # Enter during the wait does nothing.
    screen.passphrase.setText(PASS)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.wait(200)
    assert controller.main_window is None
    qtbot.waitUntil(screen.unlock_button.isEnabled, timeout=5_000)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)


def test_ctrl_l_locks_and_unlock_returns_to_the_same_page(qtbot, controller, paths):
    _make_store(paths)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    window = controller.main_window
    window.show_page("register")
    store = controller.session.store
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.main_window is None and controller.session is None
    assert store.db.conn is None and store.key == b""  # the key went with the connection
    assert controller.gate.isVisible()
    assert controller.gate.unlock.name.text() == "Lorna Petrie"
    assert controller.gate.unlock.passphrase.text() == ""
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    assert controller.main_window.current_page() == "register"


def test_damaged_store_is_refused_at_unlock_and_left_untouched(qtbot, controller, paths):
    """Damage in the header is refused by the unlock itself."""
    _make_store(paths)
    data = bytearray(paths.store.read_bytes())
    data[0:16] = os.urandom(16)
    paths.store.write_bytes(bytes(data))
    before = hashlib.sha256(paths.store.read_bytes()).hexdigest()
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText("Lorna Petrie")
    screen.passphrase.setText(PASS)
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: "cannot be opened" in screen.message.text(), timeout=10_000)
    assert "damaged" in screen.message.text()
    assert "left exactly as it is" in screen.message.text()
    assert controller.main_window is None
    assert hashlib.sha256(paths.store.read_bytes()).hexdigest() == before


def test_damage_inside_the_store_is_found_after_unlock_and_every_write_refused(qtbot, controller, paths):
    """Unlocking reads only the header and the schema (its time must not grow with the
    store); the full check runs on the gate's thread after, and damage stops every write."""
    from mappa_desktop.db.errors import StoreDamaged

    session = create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="Co-ordinator", passphrase=PASS,
                           kdf=TEST_KDF)
    damage_a_data_page(session.store, paths.store)
    before = hashlib.sha256(paths.store.read_bytes()).hexdigest()
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText("Lorna Petrie")
    screen.passphrase.setText(PASS)
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    window = controller.main_window
    qtbot.waitUntil(lambda: window.alert.isVisible(), timeout=10_000)
    assert "damaged" in window.alert.text() and "NOT SAVED" in window.alert.text()
    assert "DAMAGED" in window.health_label.text()
    assert controller.store_health  # SQLite's findings, kept for IT support
    store = controller.session.store
    with pytest.raises(StoreDamaged):
        store.settings.set("area_name", "Forth Valley")
    with pytest.raises(StoreDamaged):
        store.audit.record_now("consultation", "case", 1, detail="opened")
    assert not list(paths.backups.glob("*.db"))  # a damaged store is not copied over good backups
    controller.lock()
    assert hashlib.sha256(paths.store.read_bytes()).hexdigest() == before


def test_a_sound_store_says_it_was_checked(qtbot, controller, paths):
    _make_store(paths)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.store_health == [], timeout=10_000)
    window = controller.main_window
    assert "sound" in window.health_label.text()
    assert not window.alert.isVisible()
    controller.session.store.settings.set("area_name", "Forth Valley")  # writes go on


def test_crash_hook_saves_a_report_without_personal_data(paths, capsys):
    saved = sys.excepthook
    try:
        install_crash_hook(paths)
        try:
            raise ValueError("Kenneth AIRD lives at 14/2 Carse View")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    reports = list(paths.crash_reports.glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "test_ui_shell.py" in text
    assert "Kenneth" not in text and "Carse" not in text
    err = capsys.readouterr().err
    assert "A report (with no personal data) was saved" in err and "Kenneth" not in err


def _app_env():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("MAPPA_DATA_DIR", None)
    return env


def test_second_instance_on_the_same_folder_exits_with_a_message(tmp_path):
    data = tmp_path / "data"
    first = subprocess.Popen(
        [sys.executable, "-m", "mappa_desktop", "--data-dir", str(data)],
        env=_app_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while not (data / "instance.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert first.poll() is None, first.stderr.read().decode()
        second = subprocess.run(
            [sys.executable, "-m", "mappa_desktop", "--data-dir", str(data)],
            env=_app_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert second.returncode == 1
        assert "already running with this data folder" in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first is unaffected
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_app_starts_offscreen_and_stops_after_first_paint(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mappa_desktop", "--data-dir", str(tmp_path / "d"), "--exit-after-start"],
        env=_app_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
