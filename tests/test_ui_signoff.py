"""The sign-off, an action's life, leaving MAPPA and the chronology, through the window:
issue for comment, the chair's own passphrase (a wrong one refuses), a carried action
reviewed again at the next meeting by keyboard, carry forward and re-assign from the
register, the exit and an addendum on the case, the chronology filtered and saved."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt

from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops.minute import check, finalise
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.tasks import TaskRunner

from .signoff_helpers import CHAIR, recorded_approval
from .typing_helpers import type_text

CHAIR_PASSPHRASE = "heather basalt otter ferry"


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def world(tmp_path, add_user):
    clock = Clock(datetime(2026, 10, 20, 10, 0, tzinfo=timezone.utc))
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="granite otter lantern violet", kdf=TEST_KDF, clock=clock)
    chair = add_user(session, CHAIR, CHAIR_PASSPHRASE, agency="Police Scotland")
    case_id = add_example_case(session.store)
    first, review = add_example_meetings(session.store, case_id)
    yield session, clock, case_id, first, review, chair
    session.close()


@pytest.fixture
def window(qtbot, world):
    tasks = TaskRunner()
    win = MainWindow(world[0], tasks)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.dispose()
    tasks.shutdown()


def _finalise(store, meeting):
    items = check(store=store, meeting_id=meeting, today=store.today())
    finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "ok" for i in items}, today=store.today(),
             approval=recorded_approval(store, meeting))


def test_issue_for_comment_then_the_chair_approves_with_their_own_passphrase(qtbot, world, window):
    session, _clock, _case_id, _first, review, chair = world
    store = session.store
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    dialog = editor.issue_draft()
    type_text(dialog.widgets["issued_to"].focus_target(), "All attendees, by secure e-mail")
    assert dialog.below.listing.item(0).text().startswith("None yet.")
    assert dialog.submit()
    assert editor.minute.status == "issued" and editor.issue_banner.isVisible()
    assert "ISSUED FOR COMMENT on 20/10/2026 to All attendees, by secure e-mail" in editor.issue_text.text()
    assert editor.issue_button.text() == "Issue again…"

    final = editor.start_finalise()
    qtbot.waitUntil(final.isVisible)
    for edit in final.reasons.values():
        type_text(edit, "Accepted")
    final.method.buttons["passphrase"].click()
    assert final.chair_user.currentData() == chair.id  # the meeting's chair, found among the users
    assert not final.fields["approved_by"].isVisible() and final.passphrase.isVisible()
    type_text(final.passphrase, "granite otter lantern violet")  # the signed-in user's, not the chair's
    final.ok.click()
    assert "not the passphrase of the chair's user" in final.problem.text()
    assert final.passphrase.text() == "" and editor.minute.status == "issued" and store.signoff.approval(review) is None
    type_text(final.passphrase, CHAIR_PASSPHRASE)
    final.ok.click()
    qtbot.waitUntil(lambda: editor.minute.status == "finalised", timeout=5000)
    approval = store.signoff.approval(review)
    assert (approval.approved_by, approval.approver_user_id, approval.recorded_by) == (CHAIR, chair.id, session.user.id)
    assert not editor.issue_banner.isVisible() and editor.read_only_banner.isVisible()


def test_a_carried_action_arrives_to_review_and_is_carried_again_by_keyboard(qtbot, world, window):
    session, clock, case_id, first, review, _chair = world
    store = session.store
    _finalise(store, first)
    _finalise(store, review)
    clock.moment = datetime(2027, 1, 13, 11, 0, tzinfo=timezone.utc)
    january = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2027-01-13"})
    window.open_meeting(january)
    editor = window.page("cases").minute_editor
    editor.go_to("previous_actions")
    carried = next(a for a in store.actions.of_case(case_id) if a.number == 3)
    row = editor.review_rows[carried.id]
    assert row.status.currentText() == "To review" and editor.state.mark("previous_actions") == "started"
    assert not row.target.isVisible()
    row.status.setFocus()
    qtbot.keyClick(row.status, Qt.Key.Key_C)  # Carried forward
    assert row.status.value() == "carried" and row.target.isVisible() and row.owner.isVisible()
    assert row.target.line.placeholderText() == "was 30/11/2026"
    type_text(row.target.line, "28/02/2027")
    type_text(row.outcome, "Waiting list for the alcohol service.")
    qtbot.waitUntil(lambda: carried.id in store.actions.reviewed_at(january), timeout=4000)
    after = store.actions.get(carried.id)
    assert (after.status, after.target_date, after.outcome) == ("carried", "2027-02-28",
                                                                "Waiting list for the alcohol service.")
    assert [i.key for i in editor.state.items() if i.key.endswith(f":{carried.id}")] == []


def test_carry_forward_and_re_assign_from_the_register(qtbot, world, window):
    session, _clock, case_id, first, review, _chair = world
    store = session.store
    action = next(a for a in store.actions.of_case(case_id) if a.number == 5)
    window.show_page("register")
    page = window.page("register")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.table.selectRow(page.model.ids().index(action.id))
    dialog = page.carry_forward()
    type_text(dialog.widgets["target_date"].focus_target(), "01/10/2026")
    type_text(dialog.widgets["reason"], "School holidays.")
    assert not dialog.submit() and "has already passed" in dialog.problems["target_date"].text()
    dialog.widgets["target_date"].set_raw("13/11/2026")
    assert dialog.submit()
    assert store.actions.get(action.id).target_date == "2026-11-13"
    qtbot.waitUntil(lambda: page.selected_row() is not None and page.selected_row().id == action.id)
    dialog = page.reassign()
    assert dialog.widgets["owner_person"].value() == "Grzegorz Wiśniewski"
    dialog.widgets["owner_person"].set_value("Siobhán Ní Bhriain")
    dialog.widgets["owner_agency"].set_value("Justice Social Work")
    assert not dialog.submit() and dialog.problems["reason"].isVisible()
    type_text(dialog.widgets["reason"], "Passed to JSW.")
    assert dialog.submit()
    assert [u.change for u in store.actions.history(action.id)][-2:] == ["carried", "reassigned"]


def test_the_case_leaves_mappa_and_takes_only_addenda(qtbot, world, window):
    session, _clock, case_id, first, review, _chair = world
    store = session.store
    _finalise(store, first)
    _finalise(store, review)
    window.open_case(case_id)
    overview = window.page("cases").overview
    box = overview.exit_box
    assert box.expected.text().startswith("No expected exit date: notification is indefinite")
    dialog = box.record_exit()
    assert dialog.widgets["exit_date"].raw() == "20/10/2026"
    assert box.meeting.currentData() == review
    dialog.widgets["exit_reason"].set_value("transferred")
    assert dialog.submit()
    qtbot.waitUntil(lambda: window.page("cases").overview.case.status == "exited", timeout=3000)
    overview = window.page("cases").overview
    assert "LEFT MAPPA on 20/10/2026: Transferred to another area, decided at the meeting of 14/10/2026" in \
        overview.exit_box.decision.text()
    assert not overview.edit_button.isEnabled() and not overview.archive_button.isVisible()
    assert not overview.new_meeting_button.isEnabled() and "LEFT MAPPA" in overview.summary.text()
    dialog = overview.exit_box.add_addendum()
    type_text(dialog.widgets["body"], "Moved to Carlisle on 25/10/2026.")
    type_text(dialog.widgets["reason"].focus_target(), "Address after exit")
    assert dialog.submit()
    qtbot.waitUntil(lambda: len(store.exits.addenda(case_id)) == 1)


def test_the_chronology_tab_filters_and_saves_the_same_events(qtbot, world, window, tmp_path):
    session, _clock, case_id, first, review, _chair = world
    store = session.store
    _finalise(store, first)
    _finalise(store, review)
    window.open_case(case_id)
    overview = window.page("cases").overview
    overview.tabs.setCurrentIndex(2)
    tab = overview.chronology_tab
    everything = len(tab.events)
    assert everything == tab.table.rowCount() and [p.on for p in tab.chart.points] == ["2026-10-14"]
    tab.filter.setCurrentIndex(tab.filter.findData("Disclosures"))
    assert [tab.table.item(r, 1).text() for r in range(tab.table.rowCount())] == ["Disclosure"]
    assert tab.count.text() == f"1 entry of {everything}"
    dialog = tab.print_chronology()
    dialog.recipient.setText("SCR reviewer")
    dialog.purpose.setText("Significant case review")
    target = tmp_path / "chronology.pdf"
    dialog.save(str(target))
    qtbot.waitUntil(target.exists, timeout=10000)
    last = store.audit.entries()[-1]
    assert (last.kind, last.record_type, last.record_id, last.recipient) == ("disclosure", "case", case_id, "SCR reviewer")
