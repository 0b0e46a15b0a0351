"""No stale view: a change made anywhere (the register, a review stage, a minute finalised,
another page) shows in every open view of the record, with no refresh called by whoever
made it. And a finalised minute is read-only on every screen, its attendance table included.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from mappa_desktop import printing, scr
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops import minute as ops
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import pack_job
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.register_view import ActionRegisterModel
from mappa_desktop.ui.tasks import TaskRunner

from .test_scr import FRAME, INCIDENT, RECOMMENDATIONS, STAGE_VALUES
from tests.signoff_helpers import recorded_approval

CLOCK = lambda: datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)  # noqa: E731
STATUS = ActionRegisterModel.COLUMNS.index("status")


@pytest.fixture
def world(tmp_path):
    """The example case with its July meeting and October review (both drafts, the July
    actions still open), and an archived case with an overdue action."""
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    july, october = add_example_meetings(store, case_id, review_outcomes=False)
    store.minutes.save_fields(october, "meeting_details", {"chair": "DI Euan MacDhòmhnaill", "minute_taker": "Lorna Petrie"})
    gone = store.cases.create({"reference": "FS-2019-0001", "full_name": "Archived PERSON", "category": "1",
                               "mappa_level": "1"})
    meeting = store.minutes.create(gone, {"meeting_date": "2026-01-10"})
    store.minutes.raise_action(meeting, {"action_text": "Old task", "owner_person": "X", "owner_agency": "Fife Housing Co-op",
                                         "target_date": "2026-02-01"})
    store.cases.set_status(gone, "archived")
    yield session, case_id, july, october
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


def _july_actions(store, july):
    return store.minutes.get(july, consult=False).actions


def _mark_done_in_the_register(qtbot, window, action_id):
    window.show_page("register")
    page = window.page("register")
    qtbot.waitUntil(lambda: action_id in page.model.ids(), timeout=3000)
    page.table.selectRow(page.model.ids().index(action_id))
    dialog = page.mark_done()
    dialog.completed.set_value("2026-11-18")
    dialog.outcome.set_value("Done between meetings.")
    dialog._submit()  # the "Mark done" button
    assert not dialog.isVisible()


def test_done_in_the_register_shows_on_the_case_tab_the_open_minute_and_the_counts(qtbot, world, window):
    session, case_id, july, october = world
    store = session.store
    first = _july_actions(store, july)[0]
    nav = window.nav.item(window._page_keys.index("register"))
    overdue_before = store.register.overdue_count(store.today())
    assert f"({overdue_before} overdue)" in nav.text()

    # The case open on its register tab, and the October minute open on its previous actions.
    window.open_case(case_id)
    cases = window.page("cases")
    overview = cases.overview
    overview.tabs.setCurrentIndex(1)
    tab = overview.register_tab
    row = tab.model.ids().index(first.id)
    assert tab.model.index(row, STATUS).data() == "Open"
    cases.open_meeting(october)
    editor = cases.minute_editor
    editor.go_to("previous_actions")
    assert editor.review_rows[first.id].status.value() is None  # arrives "to review" (issue 14)

    _mark_done_in_the_register(qtbot, window, first.id)
    # Nobody called a refresh: each view heard of the change from the store.
    qtbot.waitUntil(lambda: f"({overdue_before - 1} overdue)" in nav.text() or overdue_before == 0, timeout=3000)
    window.show_page("cases")
    qtbot.waitUntil(lambda: editor.review_rows[first.id].status.value() == "done", timeout=3000)
    assert editor.review_rows[first.id].completed.raw() == "18/11/2026"
    cases.setCurrentWidget(overview)
    qtbot.waitUntil(lambda: tab.model.index(tab.model.ids().index(first.id), STATUS).data() == "Done", timeout=3000)


def test_recommendations_of_a_completed_review_join_the_case_register_tab(qtbot, world, window):
    session, case_id, _july, _october = world
    store = session.store
    window.open_case(case_id)
    overview = window.page("cases").overview
    overview.tabs.setCurrentIndex(1)
    tab = overview.register_tab
    before = tab.model.rowCount()
    review_id, problems = scr.report_incident(store=store, case_id=case_id, values=INCIDENT)
    assert problems == []
    for key in ("initial_notification", "chair_review", "sog_decision", "review"):
        assert scr.complete_stage(store=store, review_id=review_id, stage_key=key,
                                  values={**FRAME, **STAGE_VALUES[key]},
                                  recommendations=RECOMMENDATIONS if key == "review" else None) == []
    qtbot.waitUntil(lambda: tab.model.rowCount() == before + 2, timeout=3000)
    texts = [tab.model.index(r, ActionRegisterModel.COLUMNS.index("action_text")).data()
             for r in range(tab.model.rowCount())]
    assert "SCR recommendation 1: Weekly joint home visits" in texts


def test_the_overview_follows_a_minute_finalised_elsewhere(qtbot, world, window):
    session, case_id, _july, october = world
    store = session.store
    store.minutes.save_fields(october, "mappa_level", {"level_decision": "up", "new_level": "3"})
    window.open_case(case_id)
    overview = window.page("cases").overview
    assert "Level 2" in overview.summary.text()
    items = ops.check(store=store, meeting_id=october, today=store.today())
    ops.finalise(store=store, meeting_id=october, acknowledgements={i.key: "Accepted" for i in items},
                 today=store.today(), approval=recorded_approval(store, october))
    qtbot.waitUntil(lambda: "Level 3" in overview.summary.text(), timeout=3000)
    assert "finalised" in overview.meeting_list.item(0).text()


def test_the_dashboard_count_is_the_lines_it_lists(qtbot, world, window):
    session, *_ = world
    store = session.store
    window.show_page("dashboard")
    page = window.page("dashboard")
    listing = page.lists["actions_overdue"]
    shown = page.counts()["actions_overdue"]
    assert page.titles["actions_overdue"].text() == f"Actions overdue ({shown})"
    assert not any("FS-2019-0001" in listing.item(i).text() for i in range(listing.count()))  # archived: not chased
    # An overdue action done elsewhere leaves the panel and the count at once.
    first = next(a for a in store.actions.of_case(_case_with_overdue(store)) if a.status == "open"
                 and a.target_date < store.today().isoformat())
    ops.review_action(store=store, action_id=first.id, raw={"status": "done", "completed_date": "18/11/2026",
                                                            "outcome": "ok"})
    qtbot.waitUntil(lambda: page.counts()["actions_overdue"] == shown - 1, timeout=3000)
    assert page.titles["actions_overdue"].text() == f"Actions overdue ({shown - 1})"


def _case_with_overdue(store):
    return next(r.case_id for r in store.register.rows(store.register.ids(
        __import__("mappa_desktop.db.register", fromlist=["RegisterFilter"]).RegisterFilter(overdue_only=True),
        store.today())).values())


def test_the_register_can_be_filtered_by_an_agency_typed_by_hand(qtbot, world, window):
    session, *_ = world
    window.show_page("register")
    page = window.page("register")
    qtbot.waitUntil(lambda: page.agency.count() > 1, timeout=3000)
    assert page.agency.findData("Fife Housing Co-op") >= 0  # named only on an action, not in the directory
    page.status.setCurrentIndex(page.status.findText("All"))
    page.agency.setCurrentIndex(page.agency.findData("Fife Housing Co-op"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    due = page.model.index(0, ActionRegisterModel.COLUMNS.index("due")).data()
    assert due == "case archived"  # open, but on an archived case: not chased, said in words


def test_a_finalised_minute_is_read_only_on_every_screen(qtbot, world, window):
    session, case_id, _july, october = world
    store = session.store
    items = ops.check(store=store, meeting_id=october, today=store.today())
    ops.finalise(store=store, meeting_id=october, acknowledgements={i.key: "Accepted" for i in items},
                 today=store.today(), approval=recorded_approval(store, october))
    cases = window.page("cases")
    window.show_page("cases")
    cases.open_meeting(october)
    editor = cases.minute_editor
    assert editor.read_only_banner.isVisible()
    assert "cannot be changed" in editor.read_only_text.text() and "addendum" in editor.read_only_text.text()
    editor.go_to("attendance")
    table = editor.forms["attendance"].table
    before = table.rows()
    stored = store.minutes.get(october, consult=False).rows["attendance"]
    table.setFocus()
    table.setCurrentCell(0, 0)
    for key in (Qt.Key.Key_A, Qt.Key.Key_D, Qt.Key.Key_P, Qt.Key.Key_Delete):
        qtbot.keyClick(table, key)
    assert table.rows() == before  # the screen and the record still agree
    assert store.minutes.get(october, consult=False).rows["attendance"] == stored
    note = editor.page_of["attendance"].read_only_note
    assert note.isVisible() and "finalised" in note.text()
    assert not editor.forms["attendance"].picker.isEnabled()
    # Every other page too: nothing takes a keystroke.
    for section in editor.sections:
        editor.go_to(section.key)
        assert editor.read_only_banner.isVisible()
        form = editor.forms.get(section.key)
        for widget in getattr(form, "widgets", {}).values():
            target = widget.focus_target() if hasattr(widget, "focus_target") else widget
            assert (getattr(target, "isReadOnly", lambda: False)() or not target.isEnabled()), (section.key, target)
    assert not editor.check_button.isVisible() and not editor.finalise_button.isVisible()


def test_the_pack_states_the_case_as_it_is_now(world):
    session, case_id, _july, october = world
    store = session.store
    items = ops.check(store=store, meeting_id=october, today=store.today())
    ops.finalise(store=store, meeting_id=october, acknowledgements={i.key: "Accepted" for i in items},
                 today=store.today(), approval=recorded_approval(store, october))
    # After the minute, the co-ordinator moves the review and the level changes.
    case = store.cases.get(case_id, consult=False)
    store.cases.update(case_id, {**case.values, "next_review_date": "2027-02-03", "mappa_level": "3"},
                       [o.as_values() for o in case.orders])
    content, meta, open_actions, documents = pack_job(store, case_id)
    assert content["case"]["next_review_date"] == "2027-02-03"
    assert content["meeting"]["next_review_date"] == "2027-01-13"  # the decision as the meeting took it
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(
        printing.render_pack(content, meta, open_actions=open_actions, documents=documents).pdf)).pages)
    stands = text[text.index("Wherethecasestands"):text.index("Keydatesandcivilorders")]
    assert "03/02/2027" in stands and "Level3" in stands
    assert "13/01/2027" not in stands
