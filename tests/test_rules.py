"""The rules, without Qt: what a value may be, when a field is asked for, what "overdue"
means. Hypothesis over values and dates people will surprise us with."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from mappa_desktop import scr_spec, spec
from mappa_desktop.dates import DateError, UK
from mappa_desktop.rules import actions as rules
from mappa_desktop.rules.values import end_of_day, is_required, parse, parse_record, record_problems, why_refused

NOW = datetime(2026, 10, 14, 14, 0, tzinfo=timezone.utc)
TODAY = date(2026, 10, 14)
DATES = st.dates(date(1900, 1, 1), date(2100, 12, 31))


def test_the_rules_need_no_qt():
    code = ("import sys; import mappa_desktop.rules.values, mappa_desktop.rules.completeness, "
            "mappa_desktop.rules.actions, mappa_desktop.ops.minute, mappa_desktop.ops.minute_state, "
            "mappa_desktop.changes; print('PySide6' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- kinds and choices --------------------------------------------------------------------------


@given(st.text(max_size=30))
def test_a_choice_is_one_of_the_choices_or_refused(value):
    field = spec.field("rosh.agreed_rosh")
    why = why_refused(field, value, {}, NOW)
    if value.strip() == "":
        assert why is None  # empty is a question for "required", not a refusal
    elif value in {c.value for c in spec.ROSH_LEVELS}:
        assert why is None
    else:
        assert why == "not one of the choices."


def test_a_choice_not_in_use_is_refused():
    field = spec.field_of_case("category")
    assert why_refused(field, "2", {}, NOW) == "Category 2: violent offender (not in use in Scotland) cannot be chosen."
    assert why_refused(field, "3", {}, NOW) is None


@given(st.one_of(st.integers(-3, 3), st.booleans(), st.floats(allow_nan=False), st.text(max_size=3)))
def test_yes_or_no(value):
    field = spec.field("confidentiality.confidentiality_agreed")
    refused = why_refused(field, value, {}, NOW)
    blank = isinstance(value, str) and not value.strip()
    assert (refused is None) == (blank or (value in (0, 1) and not isinstance(value, float)))


@given(st.text(max_size=12))
def test_typed_dates_parse_or_say_why(text):
    field = spec.field("next_review.next_review_date")
    try:
        value = parse(field, text)
    except DateError as exc:
        assert str(exc)  # a reason a person can act on, never another exception
        return
    assert value is None or date.fromisoformat(value).isoformat() == value


def test_impossible_dates_are_refused_whether_typed_or_stored():
    field = spec.field("next_review.next_review_date")
    values, problems = parse_record([field], {"next_review_date": "31/02/2027"})
    assert values == {} and problems[0].message == "Next review date: That is not a real date (check the day and month)."
    assert why_refused(field, "2027-02-31", {}, NOW) == "not a date."
    assert why_refused(field, "13/01/2027", {}, NOW) == "not a date."  # stored form is ISO only


@given(st.integers(0, 3_000))
def test_text_limits(extra):
    for field in (spec.field("attendance.name"), spec.field("meeting_details.location"),
                  spec.field("risk_assessment.risk_assessment")):
        assert why_refused(field, "x" * field.limit, {}, NOW) is None
        if extra:
            assert why_refused(field, "x" * (field.limit + extra), {}, NOW) == f"longer than {field.limit:,} characters."


# -- dates that have happened, and dates that come after others -------------------------------------


@given(DATES, DATES)
def test_a_thing_that_has_happened_is_not_in_the_future(day, today):
    now = end_of_day(today)
    for field in (spec.field("previous_actions.completed_date"), scr_spec.INCIDENT.field("incident_date"),
                  spec.field("civil_orders.granted_date"), spec.field_of_case("date_of_birth")):
        why = why_refused(field, day.isoformat(), {}, now)
        if day > today:
            assert why == "cannot be in the future."
        elif field.years_back and day < today - timedelta(days=round(365.25 * field.years_back)):
            assert why.startswith("more than")
        else:
            assert why is None


@given(DATES, DATES)
def test_not_before_an_earlier_date_of_the_same_record(raised, target):
    field = spec.field("actions.target_date")
    why = why_refused(field, target.isoformat(), {"raised_date": raised.isoformat()}, NOW)
    if target < raised:
        assert why == f"cannot be before the date the action was raised ({raised:%d/%m/%Y})."
    else:
        assert why is None


def test_an_order_cannot_expire_before_it_was_granted_nor_be_granted_later_than_today():
    fields = spec.section("civil_orders").fields
    problems = record_problems(fields, {"order_type": "shpo", "granted_date": "2024-05-01", "expiry_date": "2024-04-30"},
                               now=NOW)
    assert [(p.field, p.message) for p in problems] == [
        ("expiry_date", "Expires: cannot be before the date granted (01/05/2024).")]
    problems = record_problems(fields, {"order_type": "shpo"}, now=NOW)
    assert [(p.field, p.message) for p in problems] == [("granted_date", "Granted: needed before this can be saved.")]
    problems = record_problems(fields, {"order_type": "other", "granted_date": "2030-01-01"}, now=NOW)
    assert {p.field for p in problems} == {"order_detail", "granted_date"}


@given(st.times())
def test_a_confirmation_time_on_the_meeting_day_is_not_later_than_now(moment):
    field = spec.field("confidentiality.confidentiality_time")
    hhmm = moment.strftime("%H:%M")
    why = why_refused(field, hhmm, {"meeting_date": "2026-10-14"}, NOW)
    local_now = NOW.astimezone(UK)  # 15:00 BST
    later = hhmm > (local_now + timedelta(minutes=1)).strftime("%H:%M")
    assert (why == "that time has not come yet.") == later
    # On an earlier day any time is past; with no date nothing can be said.
    assert why_refused(field, hhmm, {"meeting_date": "2026-10-13"}, NOW) is None
    assert why_refused(field, hhmm, {}, NOW) is None


# -- asked for when ----------------------------------------------------------------------------------


@given(st.sampled_from([None, 0, 1]))
def test_a_recipient_is_asked_for_only_when_disclosure_is_needed(needed):
    field = spec.field("disclosure.recipient")
    assert is_required(field, {"disclosure_needed": needed}) == (needed == 1)


@given(st.sampled_from([None, "stays", "up", "down"]))
def test_the_new_level_is_asked_for_only_when_the_level_moves(decision):
    field = spec.field("mappa_level.new_level")
    assert is_required(field, {"level_decision": decision}) == (decision in ("up", "down"))


def test_a_review_needs_its_remit_only_when_it_is_to_be_held():
    section = scr_spec.stage("sog_decision")
    for key in ("remit", "undertaken_by"):
        assert is_required(section.field(key), {"decision": "scr"})
        assert not is_required(section.field(key), {"decision": "no_scr"})


# -- overdue, due soon -------------------------------------------------------------------------------


@given(st.sampled_from([s.value for s in spec.ACTION_STATUSES]), st.one_of(st.none(), DATES),
       DATES, st.sampled_from(["active", "archived"]))
def test_overdue_is_said_the_same_way_in_words_and_in_counts(status, target, today, case_status):
    iso = target.isoformat() if target else None
    words = rules.due_words(status, iso, today, case_status)
    overdue = rules.is_overdue(status, iso, today, case_status)
    assert overdue == words.startswith("OVERDUE")
    assert overdue == (status in ("open", "carried") and case_status == "active" and target is not None
                       and target < today)
    if overdue:
        days = (today - target).days
        assert words == f"OVERDUE by {days:,} day{'s' if days != 1 else ''}"
    if case_status == "archived":
        assert not overdue and words in ("", "case archived")


@given(st.one_of(st.none(), DATES), st.one_of(st.none(), DATES), DATES)
def test_a_review_is_overdue_when_its_date_passed_with_no_meeting_since(review, held, today):
    overdue = rules.review_overdue(review and review.isoformat(), held and held.isoformat(), today)
    assert overdue == (review is not None and review < today and (held is None or held < review))
    assert not rules.review_overdue(review and review.isoformat(), None, today, "archived")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["open", "carried", "done", "withdrawn"]),
                          st.one_of(st.none(), st.dates(date(2026, 9, 1), date(2026, 12, 31))),
                          st.booleans()), min_size=1, max_size=12))
def test_the_stores_overdue_count_is_the_rules_count(tmp_path_factory, actions):
    """The SQL the register, the dashboard and the navigation count use says what the Python
    rule says, archived cases included."""
    from mappa_desktop import security as sec
    from mappa_desktop.db.session import create_store
    from mappa_desktop.paths import DataPaths

    made = create_store(DataPaths(tmp_path_factory.mktemp("overdue") / "d"), name="A", agency="", role="",
                        passphrase="x" * 12, kdf=sec.TEST_KDF, clock=lambda: NOW)
    store = made.store
    try:
        active = store.cases.create({"reference": "A-1", "full_name": "A", "category": "1", "mappa_level": "2"})
        archived = store.cases.create({"reference": "A-2", "full_name": "B", "category": "1", "mappa_level": "2"})
        expected = 0
        for status, target, on_archived in actions:
            case_id = archived if on_archived else active
            action_id = store.actions.raise_action(case_id=case_id, meeting_id=None, raised_date="2026-09-01",
                                                   values={"action_text": "x", "target_date": target and target.isoformat()})
            if status == "done":
                store.actions.set_state(action_id, status="done", completed_date="2026-10-01")
            elif status == "withdrawn":
                store.actions.withdraw(action_id, "not needed")
            elif status == "carried":  # carried earlier to this target (which may have passed)
                store.db.execute("UPDATE actions SET status = 'carried' WHERE id = ?", [action_id])
            expected += rules.is_overdue(status, target and target.isoformat(), TODAY,
                                         "archived" if on_archived else "active")
        store.cases.set_status(archived, "archived")
        assert store.register.overdue_count(TODAY) == expected
        dashboard = store.register.dashboard(TODAY)
        assert dashboard.actions_overdue_count == len(dashboard.actions_overdue) == expected
    finally:
        made.close()
