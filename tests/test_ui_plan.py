"""The risk management plan in the real editor: entries added, changed, ended and turned
into actions by the chair, saved within a second, problems beside their field with the
words kept, the check's links, the conditions dialog, and a finalised minute read-only."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops import minute as ops_minute
from mappa_desktop.ops.minute_state import plan_unit
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.minute_editor import MinuteEditor

from tests.conftest import fill_up, tmpfs
from .typing_helpers import type_text
from tests.signoff_helpers import recorded_approval

CLOCK = lambda: datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)  # noqa: E731
TODAY = date(2026, 10, 14)


@pytest.fixture
def world(tmp_path):
    """October's plan finalised (version 1); a January meeting whose plan opens from it."""
    session = create_store(DataPaths(tmp_path / "data"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    for meeting in (first, review):
        items = ops_minute.check(store=store, meeting_id=meeting, today=TODAY)
        ops_minute.finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "Test" for i in items},
                            today=TODAY, approval=recorded_approval(store, meeting))
    january = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2027-01-13",
                                             "meeting_time": "10:00", "location": "MAPPA unit"})
    yield store, case_id, review, january
    session.close()


def _editor(qtbot, store, meeting_id):
    editor = MinuteEditor(store, meeting_id, autosave_ms=50)
    qtbot.addWidget(editor)
    editor.resize(1366, 768)
    editor.show()
    editor.activateWindow()  # offscreen there is no window manager to do it
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=3000)
    return editor


def _stored(store, meeting_id, entry_id):
    return next(e for e in store.plan.entries(meeting_id) if e["id"] == entry_id)


def test_the_chair_adds_changes_ends_and_raises_an_action(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, january)
    editor.go_to("risk_management")
    page = editor.ensure_page("risk_management")
    assert "The plan as it stood (version 1) opened with this minute" in page.version_line.text()
    carried = [c for c in page.cards.values() if c.entry["change"] == "carried"]
    assert len(carried) == 7 and not any(c.expanded for c in carried)  # folded to one line each

    # Add: the new entry opens with the cursor in its first field, and saves as typed.
    page.boxes["monitoring"].add_button.click()
    [added] = [c for c in page.cards.values() if c.entry["change"] == "added"]
    assert added.expanded
    qtbot.waitUntil(lambda: QApplication.focusWidget() is added.widgets["what"], timeout=2000)
    assert added.badge.text() == "ADDED"
    type_text(added.widgets["what"], "Electronic monitoring of the curfew.")
    added.widgets["owner_agency"].set_value("Electronic monitoring provider")
    added.widgets["owner_agency"].edited.emit()
    qtbot.waitUntil(lambda: _stored(store, january, added.entry_id)["owner_agency"] == "Electronic monitoring provider",
                    timeout=3000)
    assert _stored(store, january, added.entry_id)["what"] == "Electronic monitoring of the curfew."
    # Its reason is still wanted: the section's mark says started.
    assert editor.state.mark("risk_management") == "started"
    assert added.captions["rationale"].text() == "Why (at this meeting) *"
    type_text(added.widgets["rationale"], "Curfew added to the licence.")

    # Change: the badge says what changed as soon as it is typed.
    supervision = next(c for c in page.cards.values() if c.pillar == "supervision")
    supervision.fold_button.click()
    assert supervision.expanded
    supervision.widgets["frequency"].setFocus()
    supervision.widgets["frequency"].selectAll()
    type_text(supervision.widgets["frequency"], "Twice weekly")
    assert supervision.badge.text() == "CHANGED: HOW OFTEN"
    assert supervision.badge.toolTip() == "How often was: Weekly"
    editor.flush()
    assert _stored(store, january, supervision.entry_id)["change"] == "changed"

    # End, with the reason asked for.
    interventions = next(c for c in page.cards.values() if c.pillar == "interventions")
    interventions.end_button.click()
    dialog = page.reason_dialog
    type_text(dialog.reason_edit, "Programme completed.")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: _stored(store, january, interventions.entry_id)["status"] == "ended", timeout=3000)
    assert page.cards[interventions.entry_id].badge.text() == "ENDED"
    assert page.cards[interventions.entry_id].keep_button.isVisible()

    # Raise an action in one step: it joins the actions agreed at this meeting.
    victims = next(c for c in page.cards.values() if c.pillar == "victim_safety")
    victims.action_button.click()
    qtbot.waitUntil(lambda: len(editor.actions_panel.rows) == 1, timeout=3000)
    [action] = store.minutes.get(january, consult=False).actions
    assert action.owner_agency == victims.entry["owner_agency"]
    assert f"Action {action.number} raised from this entry." in page.cards[victims.entry_id].summary.text()
    assert not page.cards[victims.entry_id].action_button.isVisible()
    editor.dispose()


def test_a_bad_date_is_shown_beside_its_field_and_kept_as_typed(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, january)
    editor.go_to("contingency")
    page = editor.ensure_page("contingency")
    card = next(iter(page.cards.values()))
    card.set_expanded(True)
    card.widgets["end_date"].line.setFocus()
    type_text(card.widgets["end_date"].line, "31/02/2027")
    editor.flush()
    assert card.errors["end_date"].isVisible() and "End date" in card.errors["end_date"].text()
    assert _stored(store, january, card.entry_id)["end_date"] is None
    editor.dispose()
    again = _editor(qtbot, store, january)
    again.go_to("contingency")
    card = again.ensure_page("contingency").cards[card.entry_id]
    assert card.widgets["end_date"].raw() == "31/02/2027"  # the words typed, not lost
    assert again.state.kept_words(plan_unit("contingency", card.entry_id)) == {"end_date": "31/02/2027"}
    again.dispose()


def test_the_check_jumps_to_the_pillar_that_needs_a_reason(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, january)
    page = editor.ensure_page("risk_management")
    for card in [c for c in page.cards.values() if c.pillar == "interventions"]:
        editor.state.end_plan_entry(card.entry_id, "Programme completed.")
    page.refresh()
    dialog = editor.show_check()
    messages = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    wanted = "Interventions and treatment: not considered at this meeting (add an entry, or say why it is not needed)."
    index = messages.index(wanted)
    dialog._jump(dialog.list.item(index))
    box = page.boxes["interventions"]
    assert box.not_needed_row.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box.not_needed, timeout=2000)
    type_text(box.not_needed, "Programme completed; nothing further now.")
    editor.flush()
    assert store.plan.not_needed(january) == {"interventions": "Programme completed; nothing further now."}
    assert wanted not in [i.message for i in ops_minute.check(store=store, meeting_id=january, today=TODAY)]
    editor.dispose()


def test_conditions_are_added_on_the_case_and_offered_to_entries(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, january)
    page = editor.ensure_page("risk_management")
    dialog = page.edit_conditions()
    row = dialog.form.add_row()
    row.widgets["source"].set_value("licence")
    row.widgets["source_detail"].set_value("condition 9")
    row.widgets["condition_text"].set_value("Curfew 19:00 to 07:00, electronically monitored.")
    row.widgets["from_date"].set_raw("13/01/2027")
    assert dialog.save()
    qtbot.waitUntil(lambda: any("Curfew 19:00" in page.cards[i].widgets["condition_uid"].itemText(j)
                                for i in page.cards for j in range(page.cards[i].widgets["condition_uid"].count())),
                    timeout=3000)
    # Removing a condition the plan rests on is refused, with the reason.
    dialog = page.edit_conditions()
    dialog.form._remove(dialog.form.rows[0])
    assert not dialog.save()
    assert "cannot be removed: the risk management plan rests on it" in dialog.message.text()
    dialog.reject()
    editor.dispose()


def test_a_finalised_minute_shows_its_frozen_plan_read_only(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, review)
    page = editor.ensure_page("risk_management")
    editor.go_to("risk_management")
    assert page.version_line.text().startswith("Version 1 of the plan, frozen with this minute.")
    assert not any(box.add_button.isVisible() for box in page.boxes.values())
    assert not page.conditions_button.isVisible()
    for card in page.cards.values():
        assert not card.end_button.isVisible() and not card.action_button.isVisible()
        assert card.widgets["what"].isReadOnly()
    editor.dispose()


def test_the_last_meetings_plan_version_is_beside_the_form(qtbot, world):
    store, case_id, review, january = world
    editor = _editor(qtbot, store, january)
    assert "• Risk management plan version 1: 9 entries; 9 added" in editor.last_meeting.text()
    editor.dispose()


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", "3m") as mount:
        yield mount


def test_a_full_disk_is_said_beside_the_plan_and_nothing_half_written(qtbot, small_disk):
    session = create_store(DataPaths(small_disk / "data"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    try:
        case_id = add_example_case(store)
        first, review = add_example_meetings(store, case_id)
        editor = _editor(qtbot, store, review)
        page = editor.ensure_page("risk_management")
        editor.go_to("risk_management")
        before = len(store.plan.entries(review))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write needs new space
        filler = fill_up(small_disk)
        page.boxes["monitoring"].add_button.click()
        assert page.message.isVisible() and page.message.text().startswith("NOT SAVED: the disk is full.")
        filler.unlink()
        assert len(store.plan.entries(review)) == before  # nothing half-written
        page.boxes["monitoring"].add_button.click()
        assert not page.message.isVisible() and len(store.plan.entries(review)) == before + 1
        assert store.integrity_check() == ["ok"]
        editor.dispose()
    finally:
        session.close()
