"""The action register through the window: order raised, completing across cases shows in
the next meeting, withdrawal keeps its reason, nothing is ever deleted."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from mappa_desktop.db.errors import RecordLocked, storage_errors
from mappa_desktop.db.register import RegisterFilter
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.register_view import ActionRegisterModel
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text

CLOCK = lambda: datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)  # noqa: E731


@pytest.fixture
def world(tmp_path):
    """One case with actions raised at two meetings, and another case with one action."""
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    july = store.minutes.create(case_id, {"meeting_date": "2026-07-15"})
    a1 = store.minutes.raise_action(july, {"action_text": "Examine devices", "owner_person": "DS Fiona McLeish",
                                           "owner_agency": "Police Scotland", "target_date": "2026-10-31"})
    a2 = store.minutes.raise_action(july, {"action_text": "Confirm programme", "owner_person": "Siobhán Ní Bhriain",
                                           "owner_agency": "Justice Social Work", "target_date": "2026-09-30"})
    october = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    a3 = store.minutes.raise_action(october, {"action_text": "Disclosure to Ms Reid", "owner_person": "DS Fiona McLeish",
                                              "owner_agency": "Police Scotland", "target_date": "2026-11-12"})
    other = store.cases.create({"reference": "FS-2026-0200", "full_name": "Other PERSON", "category": "3",
                                "mappa_level": "2"})
    om = store.minutes.create(other, {"meeting_date": "2026-10-01"})
    a4 = store.minutes.raise_action(om, {"action_text": "Housing review", "owner_person": "Aileen Docherty",
                                         "owner_agency": "Registered social landlord", "target_date": "2026-10-20"})
    tasks = TaskRunner()
    yield session, case_id, (a1, a2, a3, a4)
    session.close()
    tasks.shutdown()


@pytest.fixture
def window(qtbot, world):
    session = world[0]
    tasks = TaskRunner()
    win = MainWindow(session, tasks)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.dispose()
    tasks.shutdown()


def test_case_register_lists_every_action_in_order_raised(qtbot, world, window):
    session, case_id, (a1, a2, a3, a4) = world
    window.open_case(case_id)
    overview = window.page("cases").overview
    overview.tabs.setCurrentIndex(1)  # built when first looked at
    tab = overview.register_tab
    model = tab.model
    assert [model.id_at(r) for r in range(model.rowCount())] == [a1, a2, a3]
    texts = [model.index(r, ActionRegisterModel.COLUMNS.index("action_text")).data() for r in range(3)]
    assert texts == ["Examine devices", "Confirm programme", "Disclosure to Ms Reid"]
    tab.view.selectRow(0)
    assert "Raised (at the meeting of 15/07/2026" in tab.history.text()


def test_cross_case_view_filters_sorts_and_marks_overdue_in_words(qtbot, world, window):
    session, case_id, (a1, a2, a3, a4) = world
    window.show_page("register")
    page = window.page("register")
    model = page.model
    # Default: open and carried across cases, by target date.
    assert [model.id_at(r) for r in range(model.rowCount())] == [a2, a4, a1, a3]
    due = ActionRegisterModel.COLUMNS.index("due")
    assert model.index(0, due).data() == "OVERDUE by 33 days"  # not colour alone
    assert model.index(3, due).data() == "due in 10 days"
    assert "(3 overdue)" in window.nav.item(2).text()
    type_text(page.owner, "McLeish")
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=2000)
    page.owner.clear()
    type_text(page.case, "fs-2026-02")
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)
    assert model.id_at(0) == a4
    page.case.clear()
    page.overdue.setChecked(True)
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=2000)
    page.overdue.setChecked(False)
    page.agency.setCurrentIndex(page.agency.findData("Registered social landlord"))
    assert [model.id_at(r) for r in range(model.rowCount())] == [a4]
    page.agency.setCurrentIndex(0)
    page.due_within.setValue(30)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)
    assert model.id_at(0) == a3
    page.due_within.setValue(0)
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=2000)
    model.sort(ActionRegisterModel.COLUMNS.index("reference"), Qt.SortOrder.AscendingOrder)
    assert [model.id_at(r) for r in range(4)] == [a1, a2, a3, a4]


def test_done_from_the_register_shows_in_the_next_meeting(qtbot, world, window):
    session, case_id, (a1, a2, a3, a4) = world
    store = session.store
    window.show_page("register")
    page = window.page("register")
    page.table.selectRow(page.model.row_of(a1))
    dialog = page.mark_done()
    dialog.completed.set_value("2026-10-02")
    type_text(dialog.outcome, "No concerns found.")
    dialog._submit()  # the "Mark done" button
    assert store.actions.get(a1).status == "done"
    # The register follows the record: the action leaves the open list when the change commits.
    qtbot.waitUntil(lambda: a1 not in page.model.ids(), timeout=2000)
    history = store.actions.history(a1)
    assert [(h.status, h.meeting_id) for h in history] == [("open", history[0].meeting_id), ("done", None)]
    # The next meeting's previous-actions section shows it done.
    january = store.minutes.create(case_id, {"meeting_date": "2027-01-13"})
    window.open_meeting(january)
    editor = window.page("cases").minute_editor
    editor.go_to("previous_actions")
    row = editor.review_rows[a1]
    assert row.status.value() == "done"
    assert row.outcome.value() == "No concerns found."
    assert row.completed.text() == "02/10/2026"


def test_withdrawn_keeps_its_reason_and_nothing_deletes(qtbot, world, window):
    session, case_id, (a1, a2, a3, a4) = world
    store = session.store
    window.show_page("register")
    page = window.page("register")
    page.table.selectRow(page.model.row_of(a4))
    dialog = page.withdraw()
    type_text(dialog.reason_edit, "Tenancy ended; no longer needed")
    dialog.findChildren(QPushButton)[0].click()
    action = store.actions.get(a4)
    assert (action.status, action.withdrawn_reason) == ("withdrawn", "Tenancy ended; no longer needed")
    page.status.setCurrentIndex(page.status.findText("Withdrawn"))
    status = ActionRegisterModel.COLUMNS.index("status")
    assert page.model.index(0, status).data() == "Withdrawn: Tenancy ended; no longer needed"
    # No path deletes: no such button anywhere, and the store refuses.
    buttons = [b.text().replace("&", "").lower() for b in window.findChildren(QPushButton)]
    assert not any("delete" in text for text in buttons)
    with pytest.raises(RecordLocked):
        with storage_errors():
            store.db.execute("DELETE FROM actions WHERE id = ?", [a4])
    assert len(store.actions.of_case(case_id)) == 3


def test_register_model_passes_qtmodeltester(qtmodeltester, world):
    session = world[0]
    model = ActionRegisterModel(session.store, session.store.today)
    model.set_filter(RegisterFilter(statuses=()))
    qtmodeltester.check(model)
    model.sort(ActionRegisterModel.COLUMNS.index("owner_person"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    assert QApplication.instance() is not None
