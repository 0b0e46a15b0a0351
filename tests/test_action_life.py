"""An action's life: carried forward to a new target date with a reason, re-assigned, each
change in its history (the old target and owner stay visible); overdue reckoned from the
current target; at the next meeting every action still open or carried arrives to review,
and the check asks for each."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from pypdf import PdfReader

from mappa_desktop import printing
from mappa_desktop.action_life import history_line, lines_for
from mappa_desktop.db.errors import RecordLocked, ValidationError, storage_errors
from mappa_desktop.db.register import RegisterFilter
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import CARRIED_TO, add_example_case, add_example_meetings
from mappa_desktop.ops.actions import carry_action, reassign_action
from mappa_desktop.ops.minute import check, finalise, review_action
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import minute_job, print_meta, register_rows
from mappa_desktop.rules.actions import due_words, is_overdue
from mappa_desktop.security import TEST_KDF

from .signoff_helpers import recorded_approval

HISTORY = "target 31/08/2026 → carried to 30/11/2026 at the meeting of 14/10/2026"


class Clock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def world(tmp_path):
    """The example case on 20/10/2026: the July meeting's actions reviewed at the October
    review (action 3 carried forward to 30/11/2026), the review finalised."""
    clock = Clock(datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc))
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="granite otter lantern violet", kdf=TEST_KDF, clock=clock)
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    items = check(store=store, meeting_id=first, today=store.today())
    finalise(store=store, meeting_id=first, acknowledgements={i.key: "July minute approved late." for i in items},
             today=store.today(), approval=recorded_approval(store, first))
    finalise(store=store, meeting_id=review, acknowledgements={}, today=store.today(),
             approval=recorded_approval(store, review))
    carried = store.actions.of_case(case_id)[2]
    yield store, clock, case_id, review, carried
    session.close()


def _pdf_text(result) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages).split())


# -- carried forward: a new target, and overdue from it ------------------------------------------------


def test_a_carried_action_is_re_dated_and_no_longer_overdue(world):
    store, clock, case_id, review, carried = world
    assert (carried.number, carried.status, carried.target_date) == (3, "carried", CARRIED_TO)
    today = store.today()
    assert not is_overdue(carried.status, carried.target_date, today) and due_words(carried.status, carried.target_date, today) == ""
    # Had it kept its old target (31/08/2026) it would be 50 days late: it is not counted.
    assert is_overdue("carried", "2026-08-31", today)
    overdue = store.register.ids(RegisterFilter(overdue_only=True), today)
    assert carried.id not in overdue
    assert store.register.overdue_count(today) == len(overdue)
    assert all(not item.what.startswith("Action 3 ") for item in store.register.dashboard(today).actions_overdue)
    # From the day after the new target, it is overdue again, from the new target.
    clock.moment = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)
    assert due_words("carried", carried.target_date, store.today()) == "OVERDUE by 2 days"
    assert carried.id in store.register.ids(RegisterFilter(overdue_only=True), store.today())


def test_its_history_keeps_the_old_target_and_says_where_it_was_carried(world):
    store, _clock, case_id, review, carried = world
    [change] = store.actions.term_changes([carried.id])[carried.id]
    assert (change.change, change.previous_target_date, change.target_date, change.meeting_id, change.note) == (
        "carried", "2026-08-31", CARRIED_TO, review, "Offered, declined; carried forward.")
    assert lines_for(store, [carried.id]) == {carried.id: HISTORY}
    assert lines_for(store, [a.id for a in store.actions.of_case(case_id)]) == {carried.id: HISTORY}


def test_the_printed_register_and_minute_show_the_history_compactly(world):
    store, _clock, case_id, review, carried = world
    ids = store.register.ids(RegisterFilter(statuses=(), case_id=case_id), store.today(), "number")
    text = _pdf_text(printing.render_register(register_rows(store, ids), print_meta(store, reference="FS-2026-0147")))
    assert HISTORY in text
    minute = _pdf_text(printing.render_minute(*minute_job(store, review)))
    assert "Carried forward to 30/11/2026" in minute and HISTORY in minute


def test_carrying_between_meetings_needs_a_date_not_past_and_a_reason(world):
    store, _clock, _case_id, _review, carried = world
    problems = carry_action(store=store, action_id=carried.id, raw={"target_date": "19/10/2026", "reason": "Later."})
    assert [(p.field, p.message) for p in problems] == [
        ("target_date", "The new target date (19/10/2026) has already passed.")]
    assert carry_action(store=store, action_id=carried.id, raw={"target_date": "31/12/2026", "reason": ""})[0].field == "reason"
    assert carry_action(store=store, action_id=carried.id, raw={"target_date": "31/13/2026", "reason": "x"})[0].field == "target_date"
    assert store.actions.get(carried.id).target_date == CARRIED_TO
    assert carry_action(store=store, action_id=carried.id, raw={"target_date": "31/12/2026",
                                                                "reason": "Referral service has a waiting list."}) == []
    assert store.actions.get(carried.id).target_date == "2026-12-31"
    assert history_line(store.actions.history(carried.id), store.minutes.meeting_dates([_review])) == (
        f"{HISTORY} → carried to 31/12/2026 on 20/10/2026")


def test_re_assigning_keeps_the_old_owner_in_the_history(world):
    store, _clock, _case_id, review, carried = world
    problems = reassign_action(store=store, action_id=carried.id, raw={
        "owner_person": "Dr Nguyễn Thị Lan", "owner_agency": "NHS health board", "reason": "No change"})
    assert problems and problems[0].field == "owner_person"  # nothing would change
    assert reassign_action(store=store, action_id=carried.id, raw={
        "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work", "reason": ""})[0].field == "reason"
    assert reassign_action(store=store, action_id=carried.id, raw={
        "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work",
        "reason": "Supervision now covers the referral."}) == []
    after = store.actions.get(carried.id)
    assert (after.owner_person, after.owner_agency, after.status, after.target_date) == (
        "Siobhán Ní Bhriain", "Justice Social Work", "carried", CARRIED_TO)
    line = lines_for(store, [carried.id])[carried.id]
    assert line == (f"{HISTORY}; owner Dr Nguyễn Thị Lan of NHS health board → Siobhán Ní Bhriain of "
                    "Justice Social Work on 20/10/2026")


def test_the_store_lets_a_finalised_meetings_terms_change_only_with_their_history(world):
    store, _clock, _case_id, _review, carried = world
    with pytest.raises(RecordLocked):
        with storage_errors():
            with store.db.atomic():
                store.db.execute("UPDATE actions SET target_date = '2027-06-30' WHERE id = ?", [carried.id])
    with pytest.raises(RecordLocked):
        with storage_errors():
            with store.db.atomic():
                store.db.execute("UPDATE actions SET owner_person = 'Someone' WHERE id = ?", [carried.id])
    with pytest.raises(RecordLocked):  # the history itself cannot be rewritten
        with storage_errors():
            with store.db.atomic():
                store.db.execute("UPDATE action_updates SET previous_target_date = NULL WHERE action_id = ?", [carried.id])
    with pytest.raises(RecordLocked):  # what was agreed stays as agreed
        with storage_errors():
            with store.db.atomic():
                store.db.execute("UPDATE actions SET action_text = 'Something else' WHERE id = ?", [carried.id])
    assert store.actions.get(carried.id).target_date == CARRIED_TO


# -- at the next meeting --------------------------------------------------------------------------------


@pytest.fixture
def january(world):
    """The January review: every action still open or carried arrives to review."""
    store, clock, case_id, _review, carried = world
    clock.moment = datetime(2027, 1, 13, 11, 0, tzinfo=timezone.utc)
    meeting = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2027-01-13"})
    return store, meeting, carried


def test_every_action_still_open_or_carried_arrives_to_review(january):
    store, meeting, carried = january
    minute = store.minutes.get(meeting, consult=False)
    outstanding = [a for a in minute.previous if a.status in ("open", "carried")]
    assert [a.number for a in outstanding] == [3, 4, 5, 6, 7]
    assert minute.reviewed == frozenset()  # being carried last time is not a review now
    keys = {i.key for i in check(store=store, meeting_id=meeting, today=store.today()) if i.section == "previous_actions"}
    assert keys == {f"previous:{a.id}" for a in outstanding}
    assert minute_job(store, meeting)[0]["previous_actions"][0]["reviewed"] is False


def test_the_check_asks_for_a_new_date_after_the_meeting_and_a_reason(january):
    store, meeting, carried = january
    raw = {"status": "carried", "target_date": "10/01/2027", "outcome": "Still waiting."}
    problems = review_action(store=store, action_id=carried.id, raw=raw, meeting_id=meeting)
    assert [p.field for p in problems] == ["target_date"] and "after" in problems[0].message
    problems = review_action(store=store, action_id=carried.id, raw={**raw, "target_date": "28/02/2027", "outcome": ""},
                             meeting_id=meeting)
    assert [p.field for p in problems] == ["outcome"]
    assert store.actions.get(carried.id).target_date == CARRIED_TO and carried.id not in store.actions.reviewed_at(meeting)
    assert review_action(store=store, action_id=carried.id, raw={**raw, "target_date": "28/02/2027"}, meeting_id=meeting) == []
    assert carried.id in store.actions.reviewed_at(meeting)
    keys = {i.key for i in check(store=store, meeting_id=meeting, today=store.today())}
    assert f"previous:{carried.id}" not in keys and f"previous:carried:{carried.id}" not in keys
    # Saved again while the note is typed (autosave): one decision in the history.
    review_action(store=store, action_id=carried.id, raw={**raw, "target_date": "28/02/2027",
                                                             "outcome": "Still waiting for a place."}, meeting_id=meeting)
    assert [u.change for u in store.actions.history(carried.id)].count("carried") == 2
    assert lines_for(store, [carried.id])[carried.id] == (
        f"{HISTORY} → carried to 28/02/2027 at the meeting of 13/01/2027")


def test_done_and_withdrawn_at_the_meeting_need_their_outcome_or_reason(january):
    store, meeting, _carried = january
    minute = store.minutes.get(meeting, consult=False)
    four, five = [a for a in minute.previous if a.number in (4, 5)]
    assert review_action(store=store, action_id=four.id, raw={"status": "done", "completed_date": ""},
                         meeting_id=meeting)[0].field == "completed_date"
    assert review_action(store=store, action_id=four.id, raw={"status": "done", "completed_date": "16/10/2026",
                                                              "outcome": "Ms Reid told."}, meeting_id=meeting) == []
    assert review_action(store=store, action_id=five.id, raw={"status": "withdrawn", "withdrawn_reason": ""},
                         meeting_id=meeting)[0].field == "withdrawn_reason"
    assert review_action(store=store, action_id=five.id, raw={"status": "withdrawn",
                                                              "withdrawn_reason": "Covered by action 6."},
                         meeting_id=meeting) == []
    assert store.actions.get(five.id).status == "withdrawn"
    assert {four.id, five.id} <= store.actions.reviewed_at(meeting)
    # Done without an outcome is stored (the date is what the register needs) but the check asks.
    six = next(a for a in minute.previous if a.number == 6)
    assert review_action(store=store, action_id=six.id, raw={"status": "done", "completed_date": "20/10/2026"},
                         meeting_id=meeting) == []
    items = {i.key: i.message for i in check(store=store, meeting_id=meeting, today=store.today())}
    assert "Previous action 6: Outcome, or why carried forward is missing." in items.values()


def test_no_status_is_still_to_review_and_stores_nothing(january):
    store, meeting, carried = january
    history = store.actions.history(carried.id)
    assert review_action(store=store, action_id=carried.id, raw={"status": None}, meeting_id=meeting) == []
    assert store.actions.history(carried.id) == history


def test_an_old_minute_without_review_marks_keeps_its_meaning():
    """Snapshots finalised before reviews were recorded per meeting: carried counted."""
    from mappa_desktop.rules.completeness import check as run_check, facts_of_content

    content = {"meeting": {"meeting_date": "2026-10-14"}, "previous_actions": [
        {"id": 1, "number": 1, "status": "carried", "outcome": "Next time.", "raised_date": "2026-07-15",
         "target_date": "2026-08-31"},
        {"id": 2, "number": 2, "status": "open", "raised_date": "2026-07-15"}]}
    keys = {i.key for i in run_check(facts_of_content(content), date(2026, 10, 14)) if i.section == "previous_actions"}
    assert "previous:2" in keys and "previous:1" not in keys


def test_the_example_carry_refuses_a_date_before_raising(world):
    store, _clock, _case_id, _review, carried = world
    with pytest.raises(ValidationError):
        store.actions.carry(carried.id, target_date="2026-01-01", reason="x")
    assert store.actions.get(carried.id).target_date == CARRIED_TO


def test_a_decision_at_the_meeting_may_change_from_done_to_carried(january):
    store, meeting, carried = january
    assert review_action(store=store, action_id=carried.id, raw={"status": "done", "completed_date": "10/01/2027",
                                                                 "outcome": "Accepted."}, meeting_id=meeting) == []
    assert review_action(store=store, action_id=carried.id, raw={
        "status": "carried", "target_date": "28/02/2027", "outcome": "Not accepted after all."}, meeting_id=meeting) == []
    after = store.actions.get(carried.id)
    assert (after.status, after.completed_date, after.target_date) == ("carried", None, "2027-02-28")
    # Done between meetings is a fact, not a decision of this meeting: it is not reopened by a carry.
    store.actions.set_state(carried.id, status="done", completed_date="2027-01-12", outcome="Done.")
    other = store.minutes.create(store.actions.get(carried.id).case_id, {"meeting_date": "2027-01-20"})
    with pytest.raises(ValidationError):
        store.actions.carry(carried.id, target_date="2027-03-31", reason="x", meeting_id=other)
