"""The store itself refuses what the spec forbids, from every public write path (and from a
raw statement, through the guard triggers), naming the field and saying why; nothing is
written. A store holding values from before a rule existed gets a report, never a repair."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest

from mappa_desktop import cli, scr
from mappa_desktop.db.errors import ValidationError, storage_errors
from mappa_desktop.demo import add_example_case
from mappa_desktop.ops import minute as ops
from tests.conftest import ADMIN_NAME, ADMIN_PASSPHRASE
from tests.signoff_helpers import recorded_approval

FUTURE = "2099-01-01"


@pytest.fixture
def world(session):
    store = session.store
    case_id = add_example_case(store)
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14", "meeting_time": "10:00"})
    action_id = store.minutes.raise_action(meeting_id, {"action_text": "Examine devices", "owner_person": "DS Fiona McLeish",
                                                        "owner_agency": "Police Scotland", "target_date": "2026-10-31"})
    return store, case_id, meeting_id, action_id


def _snapshot(store) -> list:
    """Everything a refused write could have touched (audit log included)."""
    tables = ("meetings", "meeting_text", "attendance", "disclosures", "actions", "action_updates", "cases",
              "civil_orders", "agencies", "people", "scr_reviews", "scr_stages", "scr_recommendations", "audit_log")
    return [store.db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables]


def _refused(store, write, field: str, words: str) -> None:
    before = _snapshot(store)
    with pytest.raises(ValidationError) as caught:
        write()
    assert caught.value.field.endswith(field), (caught.value.field, caught.value.reason)
    assert words in caught.value.reason, caught.value.reason
    assert _snapshot(store) == before  # nothing half-written, nothing logged


def test_every_public_write_path_refuses_what_the_spec_forbids(world):
    store, case_id, meeting_id, action_id = world
    case = store.cases.get(case_id, consult=False)
    orders = [o.as_values() for o in case.orders]
    cases = [
        # the minute
        (lambda: store.minutes.save_fields(meeting_id, "rosh", {"agreed_rosh": "banana"}), "agreed_rosh",
         "not one of the choices"),
        (lambda: store.minutes.save_fields(meeting_id, "next_review", {"next_review_date": "2027-02-31"}),
         "next_review_date", "not a date"),
        (lambda: store.minutes.save_fields(meeting_id, "confidentiality", {"confidentiality_agreed": 2}),
         "confidentiality_agreed", "yes or no"),
        (lambda: store.minutes.save_fields(meeting_id, "meeting_details", {"location": "x" * 2_001}), "location",
         "longer than 2,000 characters"),
        (lambda: store.minutes.save_rows(meeting_id, "attendance", [{"name": "A", "status": "maybe"}]),
         "attendance.0.status", "not one of the choices"),
        (lambda: store.minutes.create(case_id, {"meeting_date": "14/10/2026"}), "meeting_date", "not a date"),
        # actions
        (lambda: store.minutes.raise_action(meeting_id, {"action_text": "x", "target_date": "2026-01-01"}),
         "target_date", "cannot be before the date the action was raised"),
        (lambda: store.actions.update_terms(action_id, {"owner_person": "x" * 301}), "owner_person", "longer than 300"),
        (lambda: store.actions.set_state(action_id, status="done", completed_date="2031-01-01"), "completed_date",
         "cannot be in the future"),
        (lambda: store.actions.set_state(action_id, status="done", completed_date="2026-10-01"), "completed_date",
         "cannot be before the date the action was raised"),
        # the case
        (lambda: store.cases.update(case_id, {**case.values, "current_rosh": "banana"}, orders), "current_rosh",
         "not one of the choices"),
        (lambda: store.cases.update(case_id, case.values, [{"order_type": "shpo"}]), "granted_date",
         "needed before this can be saved"),
        (lambda: store.cases.create({"reference": "X-1", "full_name": "X", "category": "2", "mappa_level": "2"}),
         "category", "cannot be chosen"),
        # the directory
        (lambda: store.directory.save_agency(name="x" * 301, kind="other"), "name", "longer than 300"),
        (lambda: store.directory.save_person(name="A", contact="x" * 1_001), "contact", "longer than 1,000"),
        # a review
        (lambda: store.scr.create(case_id, {"incident_date": FUTURE}), "incident_date", "cannot be in the future"),
    ]
    for write, field, words in cases:
        _refused(store, write, field, words)


def test_a_review_stage_and_its_recommendations_are_refused_too(world):
    store, case_id, _meeting_id, _action_id = world
    review_id = store.scr.create(case_id, {"incident_date": "2026-10-01", "reported_date": "2026-10-02"})
    _refused(store, lambda: store.scr.save_stage(review_id, "initial_notification",
                                                 {"started_date": "2026-10-05", "completed_date": "2026-10-04"}),
             "completed_date", "cannot be before the date started")
    _refused(store, lambda: store.scr.save_recommendations(review_id, [{"recommendation": "x", "target_date": "soon"}]),
             "recommendations.0.target_date", "not a date")
    _refused(store, lambda: store.scr.save_incident(review_id, {"incident_date": "2026-10-01", "reported_date": "2026-09-01"}),
             "reported_date", "cannot be before the date of the incident")
    # The use case says every problem, beside its field, and writes nothing.
    problems = scr.save_draft(store=store, review_id=review_id, stage_key="initial_notification",
                              values={"started_date": FUTURE})
    assert [(p.field, p.message) for p in problems] == [("started_date", "Date started: cannot be in the future.")]


def test_a_raw_statement_is_refused_by_the_guard_triggers(world):
    store, case_id, meeting_id, action_id = world
    for sql, words in (
        ("UPDATE meetings SET agreed_rosh = 'banana' WHERE id = ?", "Risk of serious harm: not one of the choices."),
        ("UPDATE meetings SET next_review_date = '13/01/2027' WHERE id = ?", "Next review date: not a date."),
        ("UPDATE actions SET status = 'finished' WHERE id = ?", "Status: not one of the choices."),
        ("UPDATE cases SET mappa_level = '4' WHERE id = ?", "MAPPA level: not one of the choices."),
    ):
        target = action_id if "actions" in sql else case_id if "cases" in sql else meeting_id
        with pytest.raises(ValidationError) as caught:
            with storage_errors():
                store.db.execute(sql, [target])
        assert caught.value.reason == words


def test_the_operations_keep_what_was_typed_and_say_why(world):
    store, _case_id, meeting_id, _action_id = world
    problems = ops.save_section(store=store, meeting_id=meeting_id, section_key="next_review",
                                raw={"next_review_date": "31/02/2027", "next_review_notes": "sooner if any breach"})
    assert [p.field for p in problems] == ["next_review_date"]
    minute = store.minutes.get(meeting_id, consult=False)
    assert minute.values["next_review_notes"] == "sooner if any breach"  # the good value is saved
    assert minute.values["next_review_date"] is None
    assert store.drafts.get(ops.draft_key(meeting_id, "next_review")) == {"next_review_date": "31/02/2027"}
    assert [i.key for i in ops.check(store=store, meeting_id=meeting_id, today=date(2026, 10, 14))
            if i.section == "next_review"] == ["typed:next_review:next_review_date"]
    # Put right, the words kept are forgotten.
    assert ops.save_section(store=store, meeting_id=meeting_id, section_key="next_review",
                            raw={"next_review_date": "13/01/2027"}) == []
    assert store.drafts.get(ops.draft_key(meeting_id, "next_review")) is None


def test_a_finalised_minute_never_copies_a_refused_value_into_the_case(world):
    store, case_id, meeting_id, _action_id = world
    with pytest.raises(ValidationError):
        store.minutes.finalise(meeting_id, content={}, open_items=[], acknowledgements={},
                               case_updates={"current_rosh": "banana", "mappa_level": "2"},
                               approval=recorded_approval(store, meeting_id, approval_note=None, approver_user_id=None))
    assert store.cases.get(case_id, consult=False).get("current_rosh") == "high"
    assert store.minutes.get(meeting_id, consult=False).status == "draft"


def _drop_guards_and_write(store, sql, params):
    names = [r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'guard_*'")]
    with store.transaction():
        for name in names:
            store.db.execute(f"DROP TRIGGER {name}")
        store.db.execute(sql, params)
        store.db.execute("DELETE FROM spec_guards")  # the next opening makes them again


def test_values_from_before_a_rule_are_reported_never_changed(session, world):
    store, case_id, meeting_id, action_id = world
    _drop_guards_and_write(store, "UPDATE meetings SET agreed_rosh = 'banana' WHERE id = ?", [meeting_id])
    store.db.execute("UPDATE civil_orders SET granted_date = NULL WHERE case_id = ?", [case_id])
    refused = store.refused_values()
    assert {(r.record_type, r.record_id, r.field) for r in refused} == {
        ("meeting", meeting_id, "agreed_rosh"), ("case", case_id, "orders.0.granted_date")}
    assert all("banana" not in r.message for r in refused)  # which field and why, never the value
    # The minute's own check lists it, beside the field to put it right.
    items = ops.check(store=store, meeting_id=meeting_id, today=date(2026, 10, 14))
    assert any(i.key == "invalid:agreed_rosh" and i.section == "rosh" for i in items)
    assert any(i.key == "case-row:civil_orders:0:granted_date" for i in items)
    # The command line lists it too, and still changes nothing.
    paths = store.paths
    session.close()
    args = cli.build_parser().parse_args(["check", "--data-dir", str(paths.root), "--user", ADMIN_NAME])
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_command(args, io.StringIO(ADMIN_PASSPHRASE + "\n"), out, err)
    text = out.getvalue()
    assert code == 1, text + err.getvalue()
    assert "stored values: 2 refused by the rules" in text
    assert f"meeting {meeting_id}, agreed_rosh: Risk of serious harm: not one of the choices." in text
    assert "banana" not in text


def test_the_migration_reports_what_it_finds(tmp_path):
    """A store of the version before the rules: its refused values land in the report table."""
    from mappa_desktop.db.migrations import m0006_rule_guards_and_report
    from mappa_desktop.db.session import create_store
    from mappa_desktop.paths import DataPaths
    from mappa_desktop.security import TEST_KDF

    made = create_store(DataPaths(tmp_path / "d"), name="A", agency="", role="", passphrase="x" * 12, kdf=TEST_KDF,
                        clock=lambda: datetime(2026, 10, 14, 14, tzinfo=timezone.utc))
    store = made.store
    try:
        case_id = add_example_case(store)
        meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
        _drop_guards_and_write(store, "UPDATE meetings SET agreed_rosh = 'banana' WHERE id = ?", [meeting_id])
        with store.transaction():  # run again as an upgrade would, on this store's tables
            store.db.execute("DROP TABLE spec_guards")
            store.db.execute("DROP TABLE refused_values_report")
            m0006_rule_guards_and_report(store.db)
        rows = store.db.execute("SELECT record_type, record_id, field, message FROM refused_values_report").fetchall()
        assert rows == [("meeting", meeting_id, "agreed_rosh", "Risk of serious harm: not one of the choices.")]
        assert store.db.execute("SELECT agreed_rosh FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0] == "banana"
    finally:
        made.close()
