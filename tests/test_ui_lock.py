"""Locking: on idle with an injected clock, at once after a suspend, never with unsaved
text, and a locked app keeps no personal data in any widget, model or the clipboard."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
)

from mappa_desktop.db.errors import StorageUnavailable
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.app import AppController
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text

PASS = "heron kettle marmalade"
CANARY = "Zebedee QUIRKWORTH"


class Clocks:
    def __init__(self):
        self.mono = 1000.0
        self.wall = datetime(2026, 10, 14, 14, 0, tzinfo=timezone.utc)  # after the example meeting

    def advance(self, seconds: float, *, wall_extra: float = 0.0) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds + wall_extra)


@pytest.fixture
def app_parts(qtbot, tmp_path):
    clocks = Clocks()
    paths = DataPaths(tmp_path / "d")
    session = create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="", passphrase=PASS,
                           kdf=TEST_KDF, clock=lambda: clocks.wall)
    store = session.store
    case_id = add_example_case(store)
    values = dict(store.cases.get(case_id, consult=False).values, full_name=CANARY, aliases=CANARY)
    store.cases.update(case_id, values, [])
    first, review = add_example_meetings(store, case_id)
    store.minutes.save_fields(review, "dissent", {"dissent": f"{CANARY} disagreed."})
    session.close()
    tasks = TaskRunner()
    controller = AppController(paths, tasks, kdf=TEST_KDF, clock=lambda: clocks.wall,
                               monotonic=lambda: clocks.mono)
    qtbot.addWidget(controller.gate)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    yield controller, clocks, case_id, review
    controller.shutdown()
    if controller.main_window is not None:
        controller.main_window.dispose()
    tasks.shutdown()


def test_idle_lock_fires_on_time_and_typing_resets_it(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    watcher = controller.idle_watcher
    assert watcher.limit == 5 * 60  # the default
    clocks.advance(4 * 60)
    watcher.check()
    assert controller.main_window is not None
    window = controller.main_window
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)  # activity
    clocks.advance(4 * 60)
    watcher.check()
    assert controller.main_window is not None, "typing should have reset the idle time"
    clocks.advance(61)
    watcher.check()
    assert controller.main_window is None
    assert controller.gate.isVisible()


def test_a_clock_jump_locks_at_once(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    clocks.advance(5, wall_extra=3600)  # an hour passed on the wall clock: the laptop slept
    controller.idle_watcher.check()
    assert controller.main_window is None


def test_idle_minutes_setting_is_clamped(qtbot, app_parts):
    from mappa_desktop.ui.idle import clamp_minutes

    assert [clamp_minutes(v) for v in (0, 1, 5, 15, 16, "x", None)] == [1, 1, 5, 15, 15, 5, 5]


def _texts_of_live_objects() -> list[str]:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    found = []
    for widget in QApplication.allWidgets():
        found.append(widget.windowTitle())
        found.append(widget.toolTip())
        found.append(widget.accessibleName())
        if isinstance(widget, QLabel):
            found.append(widget.text())
        elif isinstance(widget, QLineEdit):
            found.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            found.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            found.extend(widget.itemText(i) for i in range(widget.count()))
        elif isinstance(widget, QTableWidget):
            found.extend(widget.item(r, c).text() for r in range(widget.rowCount())
                         for c in range(widget.columnCount()) if widget.item(r, c))
        elif isinstance(widget, QListWidget):
            found.extend(widget.item(i).text() for i in range(widget.count()))
    for model in QApplication.instance().findChildren(QAbstractItemModel):
        for row in range(min(model.rowCount(), 500)):
            for column in range(model.columnCount()):
                found.append(str(model.index(row, column).data() or ""))
    return found


def test_after_locking_no_widget_holds_the_canary(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.open_case(case_id)
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    editor.go_to("dissent")
    QGuiApplication.clipboard().setText(CANARY)
    assert any(CANARY in text for text in _texts_of_live_objects())  # the walk does see it
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert controller.main_window is None
    assert not any(CANARY in text for text in _texts_of_live_objects())
    assert CANARY not in QGuiApplication.clipboard().text()
    # Unlocking returns to the same place.
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    editor = controller.main_window.page("cases").minute_editor
    assert editor is not None and editor.current_section() == "dissent"


def test_no_lock_while_typing_cannot_be_saved(qtbot, app_parts, monkeypatch):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    editor.go_to("dissent")
    store = controller.session.store

    def disk_full(*args, **kwargs):
        raise StorageUnavailable("the disk is full")

    monkeypatch.setattr(store.minutes, "save_fields", disk_full)
    type_text(editor.field("dissent.dissent"), " More.")
    assert controller.lock() is False
    assert controller.main_window is window
    assert " More." in editor.field("dissent.dissent").toPlainText()  # still on screen
    assert "NOT SAVED" in editor.status.text()
    monkeypatch.undo()
    assert controller.lock() is True


def _unlock(qtbot, controller):
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    return controller.main_window


def test_words_in_an_open_window_outlive_the_idle_lock_and_come_back(qtbot, app_parts):
    """The chair was adding an action when the laptop locked by itself (or its lid was
    closed): the words are kept, encrypted, said after unlocking, and back in the window
    when it opens again; once added, nothing of them is left."""
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    dialog = editor.capture_action()
    type_text(dialog.text.focus_target(), f"Visit {CANARY} at the new address")
    dialog.owner.set_raw("DS Fiona McLeish")
    dialog.target.set_raw("30/11/2026")
    register = window.page("register")
    register.table.selectRow(0)
    done = register.mark_done()  # a second window, over the first
    type_text(done.outcome.focus_target(), " Seen on Friday.")
    assert controller.lock() is True  # what the idle timer and a suspend call
    assert not any(CANARY in text for text in _texts_of_live_objects())  # nothing on screen kept it
    window = _unlock(qtbot, controller)
    assert "Add an action" in window.statusBar().currentMessage()
    assert "done" in window.statusBar().currentMessage()
    editor = window.page("cases").minute_editor
    dialog = editor.capture_action()
    assert dialog.text.value() == f"Visit {CANARY} at the new address"
    assert dialog.owner.value() == "DS Fiona McLeish" and dialog.target.raw() == "30/11/2026"
    assert "Restored what was typed" in dialog.error.text()
    dialog._submit()
    assert not dialog.isVisible()
    store = controller.session.store
    assert any(a.action_text == f"Visit {CANARY} at the new address" for a in store.actions.of_case(case_id))
    assert [k for k in store.drafts.keys("dialog:") if ":action:" in k] == []
    # Cancelled by the person: forgotten too.
    register = window.page("register")
    register.table.selectRow(0)
    done = register.mark_done()
    assert done.outcome.value().endswith("Seen on Friday.")
    done.reject()
    assert store.drafts.keys("dialog:") == []


def test_the_conditions_and_a_meeting_audit_being_edited_outlive_the_lock(qtbot, app_parts):
    """Restored rows are the conditions they were (saved, no condition is added or lost)."""
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.open_case(case_id)
    overview = window.page("cases").overview
    store = controller.session.store
    before = [(c.uid, c.source_detail) for c in store.cases.get(case_id, consult=False).conditions]
    assert len(before) >= 2
    conditions = overview.edit_conditions()
    detail = conditions.form.field_widget(1, "source_detail")
    detail.set_raw("condition 3 (varied on appeal)")
    overview.tabs.setCurrentWidget(overview.audit_tab)
    overview.audit_tab.table.selectRow(0)
    audit = overview.audit_tab.open_audit()
    first = next(iter(audit.boxes))
    audit.boxes[first].set_grade(1, "Chair's summary missing the victim's view")
    assert controller.lock() is True
    window = _unlock(qtbot, controller)
    assert "Conditions" in window.statusBar().currentMessage()
    assert "Meeting audit" in window.statusBar().currentMessage()
    store = controller.session.store  # the store opened again
    window.open_case(case_id)
    overview = window.page("cases").overview
    conditions = overview.edit_conditions()
    assert conditions.form.field_widget(1, "source_detail").raw() == "condition 3 (varied on appeal)"
    assert list(conditions.form.ids) == [uid for uid, _ in before]
    assert conditions.save()
    after = [(c.uid, c.source_detail) for c in store.cases.get(case_id, consult=False).conditions]
    assert [uid for uid, _ in after] == [uid for uid, _ in before]
    assert after[1][1] == "condition 3 (varied on appeal)"
    overview.tabs.setCurrentWidget(overview.audit_tab)
    overview.audit_tab.table.selectRow(0)
    audit = overview.audit_tab.open_audit()
    assert audit.boxes[first].value() == (1, "Chair's summary missing the victim's view")
    audit.reject()
    assert store.drafts.keys("dialog:") == []


def test_settings_typed_and_not_saved_outlive_the_lock(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.show_page("settings")
    page = window.page("settings")
    page.widgets["area_name"].setText("Forthside and Clackmannan")
    assert controller.lock() is True
    window = _unlock(qtbot, controller)
    window.show_page("settings")
    page = window.page("settings")
    assert page.widgets["area_name"].text() == "Forthside and Clackmannan"
    assert "Restored" in page.message.text()
    store = controller.session.store
    assert store.settings.get("area_name") != "Forthside and Clackmannan"  # kept, not saved
    assert page.save()
    assert store.settings.get("area_name") == "Forthside and Clackmannan"
    assert store.drafts.keys("settings_page") == []


def test_a_window_left_as_it_opened_keeps_nothing_and_typing_is_kept_within_a_second(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    store = controller.session.store
    window.open_case(case_id)
    window.page("cases").new_meeting(case_id)  # today's date and time filled in, nothing typed
    register = window.page("register")
    register.table.selectRow(0)
    done = register.mark_done()
    qtbot.wait(1200)
    assert store.drafts.keys("dialog:") == []
    type_text(done.outcome.focus_target(), " Seen on Friday.")
    qtbot.waitUntil(lambda: store.drafts.keys("dialog:") != [], timeout=2500)  # a crash now loses nothing
    assert controller.lock() is True
    window = _unlock(qtbot, controller)
    message = window.statusBar().currentMessage()
    assert "done" in message and "New meeting" not in message
    window.open_case(case_id)
    window.page("cases").new_meeting(case_id)
    dialog = window.page("cases").new_meeting_dialog
    assert "Restored" not in dialog.message.text()


def test_a_store_that_refuses_every_write_never_holds_the_lock_back_for_a_window(qtbot, app_parts):
    from mappa_desktop.db.errors import StoreDamaged

    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    register = window.page("register")
    register.table.selectRow(0)
    done = register.mark_done()
    type_text(done.outcome.focus_target(), " Seen on Friday.")
    controller.session.store.refusal = StoreDamaged("the store file is damaged")  # as a failed check leaves it
    assert controller.lock() is True


def test_a_store_that_refuses_writes_says_why_a_case_or_minute_does_not_open(qtbot, app_parts):
    """Opening a case or a minute is logged first; a damaged store cannot log it: said on
    the list, not a crash, and nothing opened unlogged."""
    from mappa_desktop.db.errors import StoreDamaged

    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    store = controller.session.store
    before = store.audit.count()
    store.refusal = StoreDamaged("the store file is damaged")
    with qtbot.captureExceptions() as raised:
        assert window.open_case(case_id) is False
        area = window.page("cases")
        assert area.currentWidget() is area.list_page and area.overview is None
        assert area.list_page.message.text().startswith("The case was not opened: the store file is damaged")
        assert window.open_meeting(review) is False
        assert area.list_page.message.text().startswith("The minute was not opened")
    assert not raised
    store.refusal = None
    assert store.audit.count() == before
    assert window.open_case(case_id) is True and area.list_page.message.text() == ""


def test_a_directory_entry_half_typed_outlives_the_lock_and_another_row_chosen(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.show_page("directory")
    people = window.page("directory").people
    people.start_new()
    people.name.setText("Dr Aoife Ní Chonaill")
    people.role.setText("Forensic psychologist")
    people.table.selectRow(0)  # another row chosen: the half-typed entry is kept, not dropped
    assert controller.lock() is True
    window = _unlock(qtbot, controller)
    window.show_page("directory")
    people = window.page("directory").people
    assert people.name.text() == "Dr Aoife Ní Chonaill" and people.role.text() == "Forensic psychologist"
    assert "Restored" in people.message.text()
    people.save()
    store = controller.session.store
    assert any(p.name == "Dr Aoife Ní Chonaill" for p in store.directory.people())
    assert store.drafts.keys("directory:") == []


def test_a_user_half_added_outlives_the_lock_without_the_passphrase(qtbot, app_parts):
    controller, clocks, case_id, review = app_parts
    window = controller.main_window
    window.show_page("users")
    users = window.page("users")
    users.name.setText("Morag Sutherland")
    users.agency.setText("Scottish Prison Service")
    users.passphrase.setText("a secret nobody keeps")
    users.repeat.setText("a secret nobody keeps")
    assert controller.lock() is True
    window = _unlock(qtbot, controller)
    window.show_page("users")
    users = window.page("users")
    assert (users.name.text(), users.agency.text()) == ("Morag Sutherland", "Scottish Prison Service")
    assert users.passphrase.text() == "" and users.repeat.text() == ""
    kept = controller.session.store.drafts.get("users_add:u1")
    assert kept and "a secret nobody keeps" not in str(kept)
