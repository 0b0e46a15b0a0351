"""The live minute through the real window, keyboard only: a whole review meeting typed,
two actions captured by shortcut, one previous action completed, finalised, reopened."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mappa_desktop.db.errors import RecordLocked, StorageUnavailable, storage_errors
from mappa_desktop.db.session import create_store, unlock
from mappa_desktop.demo import add_example_case
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.fields import LongTextField
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text

PASS = "heron kettle marmalade"
ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CLOCK = lambda: datetime(2026, 10, 14, 9, 0, tzinfo=timezone.utc)  # noqa: E731


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def prepared(tmp_path):
    """A case with a July meeting that raised one action, still open."""
    paths = DataPaths(tmp_path / "data")
    session = create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="", passphrase=PASS,
                           kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    july = store.minutes.create(case_id, {"meeting_date": "2026-07-15", "meeting_time": "10:00",
                                           "location": "MAPPA unit"})
    store.minutes.save_rows(july, "attendance", [
        {"name": "DS Fiona McLeish", "agency": "Police Scotland", "role": "OMU", "status": "present"},
        {"name": "Siobhán Ní Bhriain", "agency": "Justice Social Work", "role": "Supervising officer", "status": "present"},
        {"name": "Ross Mackay", "agency": "DWP / Jobcentre Plus", "role": "Work coach", "status": "apologies"},
    ])
    action = store.minutes.raise_action(july, {"action_text": "Examine newly declared devices",
                                               "owner_person": "DS Fiona McLeish",
                                               "owner_agency": "Police Scotland", "target_date": "2026-10-31"})
    session.close()
    return paths, case_id, action


def _window(qtbot, session, tasks):
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # shortcuts need it
    return window


def key(qtbot, widget, k, modifier=Qt.KeyboardModifier.NoModifier):
    # Shortcuts need the window active. Offscreen there is no window manager to give it
    # back when a dialog closes, so do what the window manager would.
    if QApplication.activeWindow() is not widget.window():
        widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=2000)
    qtbot.keyClick(widget, k, modifier)


def wait_active(qtbot, window):
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def focused():
    return QApplication.focusWidget()


def test_whole_review_meeting_by_keyboard_then_finalised_and_locked(qtbot, prepared, tasks):
    paths, case_id, previous_action = prepared
    session = unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)
    window = _window(qtbot, session, tasks)
    store = session.store

    # Cases page, find the case, open it, start a meeting: all keys.
    key(qtbot, window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    cases = window.page("cases")
    type_text(cases.list_page.search, "Kenny")
    qtbot.waitUntil(lambda: cases.list_page.model.rowCount() == 1, timeout=3000)
    key(qtbot, cases.list_page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cases.overview is not None)
    key(qtbot, cases.overview, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    dialog = cases.new_meeting_dialog
    wait_active(qtbot, dialog)
    details = dialog.details
    details.widgets["meeting_time"].setFocus()
    details.widgets["meeting_time"].selectAll()
    type_text(details.widgets["meeting_time"], "10:00")
    key(qtbot, details.widgets["meeting_time"], Qt.Key.Key_Tab)
    type_text(focused(), "Forthside MAPPA Unit, room 2")  # location
    chair = details.widgets["chair"]
    chair.setFocus()
    type_text(chair.lineEdit(), "DI Euan MacDhòmhnaill")
    key(qtbot, chair.lineEdit(), Qt.Key.Key_Return)  # Enter starts the minute
    qtbot.waitUntil(lambda: cases.minute_editor is not None, timeout=3000)
    editor = cases.minute_editor
    meeting_id = editor.meeting_id
    assert editor.minute.values["meeting_type"] == "review"
    # Invitees come from the last meeting; papers from the last minute.
    assert [r["name"] for r in editor.minute.rows["attendance"]] == [
        "DS Fiona McLeish", "Siobhán Ní Bhriain", "Ross Mackay"]

    # Confidentiality: Alt+0 lands on 'Agreed now'; Space records it with the time.
    key(qtbot, editor, Qt.Key.Key_0, ALT)
    assert focused() is editor.confirm_button
    key(qtbot, focused(), Qt.Key.Key_Space)
    assert editor.forms["confidentiality"].widgets["confidentiality_agreed"].value() == 1

    # Attendance: Alt+7, one key per person, then add someone new.
    key(qtbot, editor, Qt.Key.Key_7, ALT)
    table = editor.forms["attendance"].table
    table.setFocus()
    table.setCurrentCell(0, 0)
    for k in (Qt.Key.Key_P, Qt.Key.Key_P, Qt.Key.Key_A):
        key(qtbot, table, k)
    key(qtbot, table, Qt.Key.Key_Tab)
    picker = editor.forms["attendance"].picker
    assert focused() in (picker, picker.lineEdit())
    type_text(picker.lineEdit(), "Dr Nguyễn Thị Lan")
    key(qtbot, picker.lineEdit(), Qt.Key.Key_Return)
    key(qtbot, table, Qt.Key.Key_P)
    assert [r["status"] for r in editor.forms["attendance"].rows()] == ["present", "present", "apologies", "present"]

    # Agency updates: Alt+8, add a row from the keyboard.
    key(qtbot, editor, Qt.Key.Key_8, ALT)
    updates = editor.forms["agency_updates"]
    assert focused() is updates.add_button  # no rows yet: the section lands on 'Add update'
    key(qtbot, updates.add_button, Qt.Key.Key_Space)
    assert focused() is updates.field_widget(0, "agency").focus_target()
    type_text(focused(), "Police Scotland")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "DS Fiona McLeish")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "Home visit 02/10/2026: compliant. New relationship disclosed.")

    texts = {
        Qt.Key.Key_9: "Risk Matrix 2000 high; Stable 2007 moderate; dynamic factors worse.",
        Qt.Key.Key_M: "Weekly supervision; monthly unannounced police visits.",
        Qt.Key.Key_C: "Any breach of the SHPO: immediate police contact; consider recall.",
        Qt.Key.Key_I: "Victim information scheme up to date; exclusion zone stays.",
        Qt.Key.Key_S: "Housing asked for a move; not agreed; view recorded.",
        Qt.Key.Key_Y: "High risk to children; level 2; disclosure agreed.",
    }
    for k, text in texts.items():
        key(qtbot, editor, k, ALT)
        assert isinstance(focused(), LongTextField)
        type_text(focused(), text)

    # Risk of serious harm: Alt+R, arrow to High, Tab on to whom and the rationale.
    key(qtbot, editor, Qt.Key.Key_R, ALT)
    rosh = editor.forms["rosh"].widgets["agreed_rosh"]
    assert focused() is rosh.buttons["very_high"]  # Alt+R lands on the first choice
    key(qtbot, focused(), Qt.Key.Key_Down)
    key(qtbot, focused(), Qt.Key.Key_Space)  # Space chooses the focused level
    assert rosh.value() == "high"
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "Children")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "Access to children, alcohol, minimising: harm could happen at any time.")

    # MAPPA level: discussion, decision 'stays', level 2, rationale.
    key(qtbot, editor, Qt.Key.Key_L, ALT)
    type_text(focused(), "No resources beyond level 2 are needed.")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    key(qtbot, focused(), Qt.Key.Key_S)  # the combo picks 'Stays at the current level'
    key(qtbot, focused(), Qt.Key.Key_Tab)
    level = editor.forms["mappa_level"].widgets["new_level"]
    key(qtbot, focused(), Qt.Key.Key_Down)  # Level 1 -> Level 2
    key(qtbot, focused(), Qt.Key.Key_Space)
    assert level.value() == "2", level.value()
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "Several agencies actively involved.")

    # Disclosure: Alt+D, add a decision, fill it.
    key(qtbot, editor, Qt.Key.Key_D, ALT)
    disclosure = editor.forms["disclosure"]
    assert focused() is disclosure.add_button
    key(qtbot, disclosure.add_button, Qt.Key.Key_Space)
    key(qtbot, focused(), Qt.Key.Key_Y)  # needed: Yes
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "16/10/2026")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "Ms Joanne Reid")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "DI Euan MacDhòmhnaill")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "DS Fiona McLeish")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "To protect the partner's children.")

    # Diversity: both fields.
    key(qtbot, editor, Qt.Key.Key_V, ALT)
    type_text(focused(), "Hearing impairment: hearing loop at every meeting.")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "None identified for the children.")

    # Previous action: Alt+P, Done, date, outcome.
    key(qtbot, editor, Qt.Key.Key_P, ALT)
    key(qtbot, focused(), Qt.Key.Key_D)  # Done
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "02/10/2026")
    key(qtbot, focused(), Qt.Key.Key_Tab)
    type_text(focused(), "No concerns found.")

    # Two actions through the shortcut, from the middle of another field.
    key(qtbot, editor, Qt.Key.Key_9, ALT)
    before = focused()
    for text, owner, agency, target in (
        ("Disclosure to Ms Reid", "DS Fiona McLeish", "Police Scotland", "16/10/2026"),
        ("Update the risk management plan", "Siobhán Ní Bhriain", "Justice Social Work", "21/10/2026"),
    ):
        key(qtbot, focused(), Qt.Key.Key_A, CTRL_SHIFT)
        capture = editor.capture_dialog
        wait_active(qtbot, capture)
        assert focused() is capture.text
        type_text(capture.text, text)
        key(qtbot, capture.text, Qt.Key.Key_Tab)
        type_text(focused(), owner)
        key(qtbot, focused(), Qt.Key.Key_Tab)
        if not capture.agency.value():
            type_text(focused(), agency)
        key(qtbot, focused(), Qt.Key.Key_Tab)
        assert focused() is capture.target.line
        type_text(focused(), target)
        key(qtbot, focused(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not capture.isVisible(), timeout=3000)
        qtbot.waitUntil(lambda: focused() is before, timeout=2000)  # the cursor is back where it was
    assert len(editor.actions_panel.rows) == 2

    # Next review: Alt+N.
    key(qtbot, editor, Qt.Key.Key_N, ALT)
    type_text(focused(), "13/01/2027")

    # Everything is on disk within about a second.
    qtbot.waitUntil(lambda: not editor.autosaver.dirty, timeout=3000)
    assert editor.status.text().startswith("Saved ")
    minute = store.minutes.get(meeting_id, consult=False)
    assert minute.values["risk_assessment"] == texts[Qt.Key.Key_9]
    assert minute.values["agreed_rosh"] == "high"
    assert minute.values["next_review_date"] == "2027-01-13"
    assert minute.rows["disclosure"][0]["recipient"] == "Ms Joanne Reid"
    assert [a.action_text for a in minute.actions] == ["Disclosure to Ms Reid", "Update the risk management plan"]
    assert store.actions.get(previous_action).status == "done"

    # The check, then finalise: Ctrl+Shift+F, a reason for anything left, Enter.
    key(qtbot, editor, Qt.Key.Key_F, CTRL_SHIFT)
    final = editor.finalise_dialog
    wait_active(qtbot, final)
    for item_key, edit in final.reasons.items():
        type_text(edit, "Agreed at the meeting")
    assert not final.ok.isEnabled()  # how the chair approved is a choice, never a default
    given_there = final.method.buttons["meeting"]
    given_there.setFocus()
    key(qtbot, given_there, Qt.Key.Key_Space)
    assert final.fields["approved_by"].value() == "DI Euan MacDhòmhnaill"  # the meeting's chair
    final.ok.setFocus()
    key(qtbot, final.ok, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.minute.status == "finalised", timeout=3000)
    approval = store.signoff.approval(meeting_id)
    assert (approval.approved_by, approval.approval_method, approval.recorded_by) == (
        "DI Euan MacDhòmhnaill", "meeting", session.user.id)
    case = store.cases.get(case_id, consult=False)
    assert (case.values["current_rosh"], case.values["mappa_level"], case.values["next_review_date"]) == (
        "high", "2", "2027-01-13")

    # Lock and reopen: every word is there and nothing can be edited.
    location = window.location()
    window.dispose()
    session.close()
    session = unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)
    window = _window(qtbot, session, tasks)
    window.restore(location)
    editor = window.page("cases").minute_editor
    assert editor is not None and editor.minute.status == "finalised"
    assert editor.field("risk_assessment.risk_assessment").toPlainText() == texts[Qt.Key.Key_9]
    assert editor.field("rosh.rosh_rationale").isReadOnly()
    type_text(editor.field("rosh.rosh_rationale"), "extra")
    assert editor.field("rosh.rosh_rationale").toPlainText().endswith("any time.")
    with pytest.raises(RecordLocked):
        with storage_errors():
            session.store.db.execute(
                "UPDATE meeting_text SET risk_assessment = 'changed' WHERE meeting_id = ?", [meeting_id])
    snapshot, digest = session.store.minutes.snapshot(meeting_id)
    assert snapshot["meeting"]["risk_assessment"] == texts[Qt.Key.Key_9]
    window.dispose()
    session.close()


def test_storage_error_shows_not_saved_keeps_text_and_retries(qtbot, prepared, tasks, monkeypatch):
    paths, case_id, _ = prepared
    session = unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)
    store = session.store
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    window = _window(qtbot, session, tasks)
    window.show_page("cases")
    window.page("cases").open_meeting(meeting_id)
    editor = window.page("cases").minute_editor
    editor.go_to("risk_assessment")

    real = store.minutes.save_fields

    def disk_full(*args, **kwargs):
        raise StorageUnavailable("the disk is full")

    monkeypatch.setattr(store.minutes, "save_fields", disk_full)
    type_text(focused(), "Typed while the disk was full")
    qtbot.waitUntil(lambda: editor.status.text().startswith("NOT SAVED"), timeout=3000)
    assert "the disk is full" in editor.status.text()
    assert editor.retry_button.isVisible()
    assert editor.field("risk_assessment.risk_assessment").toPlainText() == "Typed while the disk was full"
    assert editor.autosaver.dirty

    monkeypatch.setattr(store.minutes, "save_fields", real)
    editor.retry_button.click()
    assert editor.status.text().startswith("Saved ")
    assert not editor.retry_button.isVisible()
    assert store.minutes.get(meeting_id, consult=False).values["risk_assessment"] == "Typed while the disk was full"
    window.dispose()
    session.close()


def test_switching_section_saves_at_once_and_bad_dates_are_kept(qtbot, prepared, tasks):
    paths, case_id, _ = prepared
    session = unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)
    store = session.store
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    window = _window(qtbot, session, tasks)
    window.show_page("cases")
    window.page("cases").open_meeting(meeting_id)
    editor = window.page("cases").minute_editor
    editor.autosaver._timer.setInterval(60_000)  # only the switch can save now
    editor.go_to("contingency")
    type_text(focused(), "Recall if any breach")
    editor.go_to("next_review")
    assert store.minutes.get(meeting_id, consult=False).values["contingency"] == "Recall if any breach"
    type_text(focused(), "31/02/2027")  # not a date
    editor.go_to("dissent")
    form = editor.forms["next_review"]
    assert "not a real date" in form.errors["next_review_date"].text()
    assert form.widgets["next_review_date"].text() == "31/02/2027"
    # The typed text survives closing and reopening the editor.
    window.dispose()
    session.close()
    session = unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)
    window = _window(qtbot, session, tasks)
    window.show_page("cases")
    window.page("cases").open_meeting(meeting_id)
    editor = window.page("cases").minute_editor
    assert editor.forms["next_review"].widgets["next_review_date"].text() == "31/02/2027"
    window.dispose()
    session.close()
