"""The dashboard with a frozen clock: UK dates across the BST changes, 29 February,
boundaries of 14 and 90 days, overdue reviews, and the page following the data."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clocked(tmp_path):
    clock = Clock(datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc))
    session = create_store(DataPaths(tmp_path / "d"), name="A", agency="B", role="", passphrase="x" * 12,
                           kdf=TEST_KDF, clock=clock)
    yield session.store, clock
    session.close()


def _case(store, ref, **values):
    return store.cases.create({"reference": ref, "full_name": f"Person {ref}", "category": "1",
                               "mappa_level": "2", **values})


def _refs(items):
    return [i.reference for i in items]


@pytest.mark.parametrize(
    "utc, uk_date",
    [
        # Autumn change, 25 October 2026: 00:30 BST on the 25th is still the 24th in UTC.
        (datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc), date(2026, 10, 25)),
        (datetime(2026, 10, 24, 22, 30, tzinfo=timezone.utc), date(2026, 10, 24)),
        # After the change the UK is on GMT: UTC and UK dates agree at 23:30.
        (datetime(2026, 10, 25, 23, 30, tzinfo=timezone.utc), date(2026, 10, 25)),
        # Spring change, 29 March 2026 at 01:00 UTC.
        (datetime(2026, 3, 28, 23, 30, tzinfo=timezone.utc), date(2026, 3, 28)),
        (datetime(2026, 3, 29, 23, 30, tzinfo=timezone.utc), date(2026, 3, 30)),
        # Leap day.
        (datetime(2028, 2, 28, 23, 59, tzinfo=timezone.utc), date(2028, 2, 28)),
        (datetime(2028, 2, 29, 12, 0, tzinfo=timezone.utc), date(2028, 2, 29)),
    ],
)
def test_today_is_the_uk_date(clocked, utc, uk_date):
    store, clock = clocked
    clock.moment = utc
    assert store.today() == uk_date


def test_review_due_today_just_after_midnight_bst(clocked):
    store, clock = clocked
    _case(store, "R1", next_review_date="2026-10-25")
    clock.moment = datetime(2026, 10, 24, 22, 30, tzinfo=timezone.utc)  # 23:30 BST on the 24th
    board = store.register.dashboard(store.today())
    assert _refs(board.reviews_due) == ["R1"] and board.reviews_overdue == []
    clock.moment = datetime(2026, 10, 25, 23, 30, tzinfo=timezone.utc)  # 23:30 GMT on the 25th
    board = store.register.dashboard(store.today())
    assert _refs(board.reviews_due) == ["R1"]
    clock.moment = datetime(2026, 10, 26, 0, 30, tzinfo=timezone.utc)  # the 26th: overdue
    board = store.register.dashboard(store.today())
    assert board.reviews_due == [] and _refs(board.reviews_overdue) == ["R1"]


def test_leap_day_review_and_fourteen_day_window(clocked):
    store, clock = clocked
    _case(store, "LEAP", next_review_date="2028-02-29")
    _case(store, "FAR", next_review_date="2028-03-15")
    clock.moment = datetime(2028, 2, 15, 9, 0, tzinfo=timezone.utc)  # exactly 14 days before
    assert _refs(store.register.dashboard(store.today()).reviews_due) == ["LEAP"]
    clock.moment = datetime(2028, 2, 14, 9, 0, tzinfo=timezone.utc)  # 15 days before
    assert store.register.dashboard(store.today()).reviews_due == []
    clock.moment = datetime(2028, 3, 1, 9, 0, tzinfo=timezone.utc)
    board = store.register.dashboard(store.today())
    assert _refs(board.reviews_overdue) == ["LEAP"] and _refs(board.reviews_due) == ["FAR"]


def test_a_meeting_held_since_the_review_date_clears_the_overdue_review(clocked):
    store, clock = clocked
    case_id = _case(store, "HELD", next_review_date="2026-09-20")
    _case(store, "ARCHIVED", next_review_date="2026-09-20")
    store.cases.set_status(store.cases.rows(search="ARCHIVED")[0].id, "archived")
    assert _refs(store.register.dashboard(store.today()).reviews_overdue) == ["HELD"]
    store.minutes.create(case_id, {"meeting_date": "2026-09-19"})  # before the review date
    assert _refs(store.register.dashboard(store.today()).reviews_overdue) == ["HELD"]
    meeting = store.minutes.create(case_id, {"meeting_date": "2026-09-22"})
    board = store.register.dashboard(store.today())
    assert board.reviews_overdue == []
    assert [(d.reference, d.meeting_id) for d in board.drafts][-1] == ("HELD", meeting)


def test_orders_and_sonr_ending_within_ninety_days(clocked):
    store, clock = clocked  # today 01/10/2026; 90 days later is 30/12/2026
    _case(store, "O1", sonr_start_date="2016-12-30", sonr_expiry_date="2026-12-30")
    _case(store, "O2", sonr_start_date="2016-12-31", sonr_expiry_date="2026-12-31")
    store.cases.create({"reference": "O3", "full_name": "P", "category": "1", "mappa_level": "2"},
                       [{"order_type": "sro", "granted_date": "2024-04-01", "expiry_date": "2026-10-01"},
                        {"order_type": "shpo", "granted_date": "2020-01-01", "expiry_date": "2026-09-30"}])
    board = store.register.dashboard(store.today())
    assert [(i.reference, i.what, i.when) for i in board.expiring] == [
        ("O3", "Sexual Risk Order (SRO) ends", "2026-10-01"),
        ("O1", "SONR ends", "2026-12-30"),
    ]


def test_overdue_actions_count_only_open_ones(clocked):
    store, clock = clocked
    case_id = _case(store, "A1")
    meeting = store.minutes.create(case_id, {"meeting_date": "2026-09-01"})
    late = store.minutes.raise_action(meeting, {"action_text": "Late", "target_date": "2026-09-30"})
    done = store.minutes.raise_action(meeting, {"action_text": "Done", "target_date": "2026-09-15"})
    store.minutes.raise_action(meeting, {"action_text": "Due today", "target_date": "2026-10-01"})
    store.minutes.raise_action(meeting, {"action_text": "No date"})
    store.actions.set_state(done, status="done", completed_date="2026-09-14", outcome="ok")
    board = store.register.dashboard(store.today())
    assert board.actions_overdue_count == 1
    assert [i.what for i in board.actions_overdue] == ["Action 1 overdue (no owner)"]
    store.actions.withdraw(late, "no longer needed")
    assert store.register.dashboard(store.today()).actions_overdue_count == 0


def test_dashboard_page_follows_the_data_and_opens_cases(qtbot, clocked):
    from PySide6.QtCore import Qt

    from mappa_desktop.ui.dashboard import DashboardPage

    store, clock = clocked
    page = DashboardPage(store, store.today)
    qtbot.addWidget(page)
    page.show()
    assert page.counts()["reviews_due"] == 0
    assert "No review is due" in page.lists["reviews_due"].item(0).text()
    case_id = _case(store, "NEW", next_review_date="2026-10-05")
    page.hide()
    page.show()  # coming back to the page reads the store again
    assert page.counts()["reviews_due"] == 1
    entry = page.lists["reviews_due"].item(0)
    assert entry.text() == "NEW: Review due, 05/10/2026 (in 4 days)"
    with qtbot.waitSignal(page.open_case) as opened:
        page.lists["reviews_due"].setCurrentRow(0)
        page.lists["reviews_due"].setFocus()
        qtbot.keyClick(page.lists["reviews_due"], Qt.Key.Key_Return)
    assert opened.args == [case_id]
