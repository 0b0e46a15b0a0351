"""More of the editor: undo after autosave, the check's links, any Unicode shown back
exactly after reopening, the last meeting's decisions beside the form, read-only rows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mappa_desktop import spec
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.fields import LineField, LongTextField
from mappa_desktop.ui.minute_editor import MinuteEditor

from .typing_helpers import type_text

CLOCK = lambda: datetime(2026, 10, 14, 14, 0, tzinfo=timezone.utc)  # noqa: E731  (after the meeting)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    session = create_store(DataPaths(tmp_path_factory.mktemp("m") / "d"), name="Lorna Petrie", agency="MAPPA unit",
                           role="", passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    case_id = add_example_case(session.store)
    first, review = add_example_meetings(session.store, case_id)
    session.store.minutes.save_fields(first, "rosh", {"agreed_rosh": "medium", "rosh_to_whom": "Children"})
    yield session, case_id, first, review
    session.close()


def _editor(qtbot, store, meeting_id):
    editor = MinuteEditor(store, meeting_id)
    qtbot.addWidget(editor)
    editor.show()
    return editor


def test_undo_and_redo_still_work_after_autosave(qtbot, world):
    session, case_id, first, review = world
    editor = _editor(qtbot, session.store, review)
    editor.go_to("dissent")
    field = editor.field("dissent.dissent")
    field.setFocus()
    field.moveCursor(field.textCursor().MoveOperation.End)
    before = field.toPlainText()
    type_text(field, " Added.")
    editor.flush()
    assert session.store.minutes.get(review, consult=False).values["dissent"] == before + " Added."
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert field.toPlainText() != before + " Added."
    while field.document().isUndoAvailable() and field.toPlainText() != before:
        qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert field.toPlainText() == before
    qtbot.keyClick(field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert field.toPlainText() != before  # redo brings typing back
    editor.flush()
    assert session.store.minutes.get(review, consult=False).values["dissent"] == field.toPlainText()
    editor.dispose()


def test_check_items_jump_to_their_field(qtbot, world):
    session, case_id, first, review = world
    editor = _editor(qtbot, session.store, review)
    editor.forms["rosh"].widgets["rosh_rationale"].set_value("")
    editor.forms["rosh"].edited.emit()  # as typing does
    dialog = editor.show_check()
    messages = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "Agreed level of risk of serious harm: Rationale is missing." in messages
    index = messages.index("Agreed level of risk of serious harm: Rationale is missing.")
    dialog.list.setCurrentRow(index)
    dialog._jump(dialog.list.item(index))
    assert editor.current_section() == "rosh"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.field("rosh.rosh_rationale"), timeout=2000)
    editor.forms["rosh"].widgets["rosh_rationale"].set_value("Restored.")
    editor.forms["rosh"].edited.emit()  # as typing does
    editor.dispose()


def test_the_last_meetings_decisions_are_beside_the_form(qtbot, world):
    session, case_id, first, review = world
    editor = _editor(qtbot, session.store, review)
    text = editor.last_meeting.text()
    assert text.startswith("Last meeting, 15/07/2026 (minute in draft):")
    assert "Risk of serious harm: Medium (Children)" in text
    assert editor.last_meeting.textFormat() == Qt.TextFormat.PlainText
    editor.dispose()


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=2000).filter(
    lambda t: t.strip())
LONG_FIELDS = [f"{s.key}.{f.key}" for s in spec.SECTIONS if s.source is spec.Source.MEETING
               for f in s.fields if f.kind in (spec.Kind.LONG_TEXT, spec.Kind.TEXT)]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(LONG_FIELDS), text=TEXT)
def test_any_unicode_in_any_section_is_stored_and_shown_back_exactly(qtbot, world, path, text):
    session, case_id, first, review = world
    editor = _editor(qtbot, session.store, review)
    section_key, _, field_key = path.partition(".")
    widget = editor.forms[section_key].widgets[field_key]
    if isinstance(widget, LongTextField):
        widget.setPlainText(text)  # as a paste would
    else:
        assert isinstance(widget, LineField)
        widget.setText(text)
        widget.edited.emit()
    editor.flush()
    editor.dispose()
    stored = session.store.minutes.get(review, consult=False).values[field_key]
    # What the widget holds is what is kept: a text box keeps every character (line and
    # paragraph breaks of any kind become line breaks); a one-line field keeps one line.
    expected = widget.value() if isinstance(widget, LongTextField) else widget.text()
    if isinstance(widget, LongTextField):
        assert expected == text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    assert stored == expected
    again = _editor(qtbot, session.store, review)
    shown = again.forms[section_key].widgets[field_key]
    # value(), not toPlainText(): the latter turns non-breaking spaces into spaces.
    assert (shown.value() if isinstance(shown, LongTextField) else shown.text()) == expected
    again.dispose()
