"""Leaving MAPPA: the expected exit from the category and the case's dates, the exit
decision (date, reason, the meeting that decided it), and an exited case: read-only except
for addenda, off the dashboard and out of the counts, under the retention review, and
carried whole in a case bundle."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from mappa_desktop.cases import expected_exit
from mappa_desktop.db.errors import RecordLocked, ValidationError, storage_errors
from mappa_desktop.db.register import RegisterFilter
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops.cases import add_case_addendum, record_exit
from mappa_desktop.ops.minute import check, finalise
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

from .signoff_helpers import recorded_approval

EXIT = {"exit_date": "01/11/2026", "exit_reason": "supervision_ended"}


# -- the expected exit -----------------------------------------------------------------------------


@pytest.mark.parametrize("values, orders, on, words", [
    ({"category": "1", "sonr_indefinite": 1}, [], None, "notification is indefinite"),
    ({"category": "1", "sonr_expiry_date": "2029-05-01"}, [], date(2029, 5, 1), "notification requirements"),
    ({"category": "1", "sonr_expiry_date": "2029-05-01"},
     [{"order_type": "shpo", "granted_date": "2020-08-28", "expiry_date": "2030-08-28"}], date(2030, 8, 28),
     "Sexual Harm Prevention Order"),
    ({"category": "1", "sonr_expiry_date": "2031-05-01"},
     [{"order_type": "shpo", "granted_date": "2020-08-28", "expiry_date": "2030-08-28"},
      {"order_type": "fto", "granted_date": "2020-08-28", "expiry_date": "2035-01-01"}], date(2031, 5, 1), "SONR"),
    ({"category": "1", "sonr_expiry_date": "2029-05-01"},
     [{"order_type": "shpo", "granted_date": "2020-08-28"}], None, "no end date"),
    ({"category": "1"}, [], None, "no SONR expiry"),
    ({"category": "3", "licence_expiry_date": "2027-02-12"}, [], date(2027, 2, 12), "end of the licence"),
    ({"category": "3"}, [], None, "no licence expiry"),
    ({"category": "restricted_patient", "licence_expiry_date": "2027-02-12"}, [], None, "absolute discharge"),
])
def test_the_expected_exit_follows_the_category_and_dates(values, orders, on, words):
    found = expected_exit(values, orders)
    assert found.on == on and words in found.basis


# -- the exit decision ----------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path):
    moment = {"now": datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)}
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="granite otter lantern violet", kdf=TEST_KDF, clock=lambda: moment["now"])
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    yield session, store, case_id, first, review, moment
    session.close()


def _finalise_all(store, *meetings):
    for meeting in meetings:
        items = check(store=store, meeting_id=meeting, today=store.today())
        finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "ok" for i in items}, today=store.today(),
                 approval=recorded_approval(store, meeting))


def test_the_exit_waits_for_every_minute_to_be_finalised(world):
    _session, store, case_id, first, review, _moment = world
    problems = record_exit(store=store, case_id=case_id, raw=EXIT, meeting_id=None)
    assert problems[0].field == "meeting" and "15/07/2026" in problems[0].message
    assert store.cases.get(case_id, consult=False).status == "active"
    problems = record_exit(store=store, case_id=case_id, raw=EXIT, meeting_id=review)
    assert problems[0].field == "meeting"  # the deciding meeting's minute is a draft


@pytest.mark.parametrize("raw, field", [
    ({**EXIT, "exit_date": "13/10/2026"}, "exit_date"),  # before the meeting that decided it
    ({**EXIT, "exit_date": "03/11/2026"}, "exit_date"),  # in the future
    ({**EXIT, "exit_reason": ""}, "exit_reason"),
    ({**EXIT, "exit_reason": "other"}, "exit_detail"),
])
def test_an_exit_that_is_not_right_is_refused(world, raw, field):
    _session, store, case_id, first, review, _moment = world
    _finalise_all(store, first, review)
    problems = record_exit(store=store, case_id=case_id, raw=raw, meeting_id=review)
    assert problems and problems[0].field == field
    assert store.cases.get(case_id, consult=False).status == "active" and store.exits.exit_of(case_id) is None


def test_an_exited_case_is_read_only_but_for_addenda_and_leaves_the_dashboard(world):
    session, store, case_id, first, review, _moment = world
    _finalise_all(store, first, review)
    store.cases.update(case_id, {**store.cases.get(case_id, consult=False).values, "next_review_date": "2026-11-10"},
                       [o.as_values() for o in store.cases.get(case_id, consult=False).orders])
    today = store.today()
    open_action = next(a for a in store.actions.of_case(case_id) if a.status == "open" and a.target_date < today.isoformat())
    assert store.register.overdue_count(today) >= 1
    assert [i.case_id for i in store.register.dashboard(today).reviews_due] == [case_id]

    assert record_exit(store=store, case_id=case_id, raw=EXIT, meeting_id=review) == []
    case = store.cases.get(case_id, consult=False)
    decision = store.exits.exit_of(case_id)
    assert case.status == "exited"
    assert (decision.exit_date, decision.exit_reason, decision.meeting_id, decision.recorded_by) == (
        "2026-11-01", "supervision_ended", review, session.user.id)
    assert store.audit.entries()[-1].detail == f"left MAPPA: exit_reason=supervision_ended; meeting {review}"

    # Off the dashboard and out of every count (rules.actions: exited cases are not chased).
    dashboard = store.register.dashboard(today)
    assert store.register.overdue_count(today) == 0 and dashboard.reviews_due == [] and dashboard.expiring == []
    assert open_action.id in store.register.ids(RegisterFilter(case_id=case_id), today)  # still in the register

    # Read-only: through the store, and through SQL.
    attempts = [
        lambda: store.cases.update(case_id, case.values, [o.as_values() for o in case.orders]),
        lambda: store.cases.set_status(case_id, "active"),
        lambda: store.minutes.create(case_id, {"meeting_date": "2026-11-02"}),
        lambda: store.actions.raise_action(case_id=case_id, meeting_id=None, raised_date="2026-11-02",
                                           values={"action_text": "Late"}),
        lambda: store.actions.set_state(open_action.id, status="done", completed_date="2026-11-02", outcome="x"),
        lambda: store.actions.carry(open_action.id, target_date="2026-12-01", reason="x"),
        lambda: store.exits.record_exit(case_id, {"exit_date": "2026-11-01", "exit_reason": "died"}, meeting_id=None),
    ]
    for attempt in attempts:
        with pytest.raises((RecordLocked, ValidationError)):
            attempt()
    for sql in ("UPDATE cases SET full_name = 'x' WHERE id = ?", "UPDATE cases SET status = 'active' WHERE id = ?",
                "DELETE FROM civil_orders WHERE case_id = ?"):
        with pytest.raises(RecordLocked):
            with storage_errors():
                with store.db.atomic():
                    store.db.execute(sql, [case_id])
    assert store.cases.get(case_id, consult=False) == case

    # What may still be added: addenda, to the case and to its finalised minutes.
    assert add_case_addendum(store=store, case_id=case_id, raw={"body": "", "reason": "x"})[0].field == "body"
    assert add_case_addendum(store=store, case_id=case_id, raw={
        "body": "Police confirm he moved to England on 05/11/2026.", "reason": "Address after exit"}) == []
    store.minutes.add_addendum(review, body="The exit was agreed at this meeting.", reason="Exit decided")
    assert [a.reason for a in store.exits.addenda(case_id)] == ["Address after exit"]


def test_an_addendum_to_the_case_is_only_for_a_case_that_has_left(world):
    _session, store, case_id, *_ = world
    assert add_case_addendum(store=store, case_id=case_id, raw={"body": "Text", "reason": "Why"})[0].field == "body"


def test_an_exited_case_stays_until_the_retention_review(world):
    _session, store, case_id, first, review, moment = world
    _finalise_all(store, first, review)
    record_exit(store=store, case_id=case_id, raw=EXIT, meeting_id=review)
    assert store.retention.past_retention(store.today(), 6) == []
    moment["now"] = datetime(2033, 1, 1, 10, 0, tzinfo=timezone.utc)
    [due] = store.retention.past_retention(store.today(), 6)
    assert due.case_id == case_id
    removed = store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")
    assert removed["case_exits"] == 1 and removed["minute_approvals"] == 2
    assert store.exits.exit_of(case_id) is None


def test_an_exited_case_travels_whole_in_a_bundle(world, tmp_path):
    from mappa_desktop.transfer.exchange import export_case, import_case, open_bundle, preview_import

    session, store, case_id, first, review, _moment = world
    _finalise_all(store, first, review)
    record_exit(store=store, case_id=case_id, raw=EXIT, meeting_id=review)
    add_case_addendum(store=store, case_id=case_id, raw={"body": "Moved.", "reason": "After exit"})
    bundle = tmp_path / "case.mappa-case"
    export_case(store=store, case_id=case_id, path=bundle, passphrase="transfer words six of them",
                recipient="Another area", purpose="Transfer", kdf=TEST_KDF)
    other = create_store(DataPaths(tmp_path / "other"), name="Ross Mackay", agency="", role="",
                         passphrase="another laptop passphrase", kdf=TEST_KDF)
    try:
        opened = open_bundle(bundle, "transfer words six of them")
        plan = preview_import(store=other.store, bundle=opened)
        result = import_case(store=other.store, bundle=opened, plan=plan, choices={})
        here = other.store
        assert here.cases.get(result.case_id, consult=False).status == "exited"
        assert here.exits.exit_of(result.case_id).exit_reason == "supervision_ended"
        assert [a.body for a in here.exits.addenda(result.case_id)] == ["Moved."]
        review_here = here.bundles.records.local_id("meeting", store.bundles.records.uid_of("meeting", review))
        assert here.signoff.approval(review_here).approved_by == "DI Euan MacDhòmhnaill"
        carried = [a for a in here.actions.of_case(result.case_id) if a.number == 3][0]
        assert [u.change for u in here.actions.history(carried.id)][-1] == "carried"
    finally:
        other.close()


def test_the_register_says_why_an_exited_cases_action_is_not_chased():
    from mappa_desktop.rules.actions import due_words, is_overdue

    today = date(2026, 11, 2)
    assert due_words("open", "2026-10-01", today, "exited") == "case left MAPPA"
    assert due_words("open", "2026-10-01", today, "archived") == "case archived"
    assert not is_overdue("open", "2026-10-01", today, "exited")
