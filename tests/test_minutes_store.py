"""Meetings and their minutes in the store (mappa_desktop.db.minutes, db.actions and the
finalise use case): the life cycle draft -> issued -> finalised, what finalising stores, the
immutability of a finalised minute (through the store and through raw SQL), the action
register, addenda and the audit log.

Most tests open a copy of a store built once per module (the example case of ``demo`` with
its two meetings, and the same with the review finalised), so that each test starts from
the same state in a few milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date

import pytest

from tests.conftest import act_as_admin
import sqlcipher3

from mappa_desktop import security, spec
from mappa_desktop.db.errors import NotFound, RecordLocked, ValidationError, storage_errors
from mappa_desktop.db.audit import AUDIT_COALESCE_SECONDS
from mappa_desktop.db.minutes import canonical_json
from mappa_desktop.db.session import create_store
from mappa_desktop.db.store import Store
from mappa_desktop.demo import ATTENDANCE, CARRIED_TO, EXAMPLE_CASE, NEW_ACTIONS, add_example_case, add_example_meetings
from mappa_desktop.ops.minute import check, finalise, issue_draft
from mappa_desktop.paths import DataPaths
from .signoff_helpers import recorded_approval

TODAY = date(2026, 10, 14)  # the day of the example review meeting
IntegrityError = sqlcipher3.dbapi2.IntegrityError
ACK_KEY_REASON = "Target date to be set when the provider replies."
ADDENDUM = ("Ms Reid was told on 17/10/2026, not 16/10/2026.", "Date of disclosure corrected")


@dataclass
class Example:
    store: Store
    user_id: int
    case_id: int
    first: int  # the July meeting (draft)
    review: int  # the October review
    digest: str = ""  # when the review is finalised
    addendum: int = 0
    ids: dict = field(default_factory=dict)

    def minute(self, meeting_id: int | None = None):
        return self.store.minutes.get(meeting_id or self.review, consult=False)

    def count(self, table: str, where: str = "1", params=()) -> int:
        return self.store.db.execute(f"SELECT count(*) FROM {table} WHERE {where}", list(params)).fetchone()[0]

    def case(self):
        return self.store.cases.get(self.case_id, consult=False)


def _finalise(example: Example, meeting_id: int, acknowledgements=None) -> str:
    return finalise(store=example.store, meeting_id=meeting_id, acknowledgements=acknowledgements or {}, today=TODAY,
                    approval=recorded_approval(example.store, meeting_id))


def _fast(store: Store) -> Store:
    """No waiting for the disk on every commit: these tests are about what is stored, not
    durability (tests/test_store.py covers that)."""
    store.db.execute("PRAGMA synchronous = OFF")
    return store


@pytest.fixture
def store(session) -> Store:
    return _fast(session.store)


def _build(paths: DataPaths, *, finalised: bool):
    made = create_store(paths, name="Ann Admin", agency="Police Scotland", role="MAPPA coordinator",
                        passphrase="granite otter lantern violet", kdf=security.TEST_KDF)
    store = _fast(made.store)
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    example = Example(store, made.user.id, case_id, first, review)
    assert check(store=store, meeting_id=review, today=TODAY) == []
    if finalised:
        # One gap, acknowledged, so that the finalised minute has an acknowledgement too.
        last = example.minute().actions[-1]
        store.actions.update_terms(last.id, {"target_date": None})
        example.ids["ack_key"] = f"action:{last.id}:target_date"
        example.digest = _finalise(example, review, {example.ids["ack_key"]: ACK_KEY_REASON})
        example.addendum = store.minutes.add_addendum(review, body=ADDENDUM[0], reason=ADDENDUM[1])
    key = store.key
    made.close()
    example.store = None
    return paths, key, example


def _open_copy(template, tmp_path) -> Example:
    paths, key, example = template
    copy = DataPaths(tmp_path / "data")
    shutil.copytree(paths.root, copy.root)
    opened = _fast(Store.open(copy, key))
    act_as_admin(opened)
    return Example(opened, example.user_id, example.case_id, example.first, example.review,
                   example.digest, example.addendum, dict(example.ids))


@pytest.fixture(scope="module")
def drafts_template(tmp_path_factory):
    return _build(DataPaths(tmp_path_factory.mktemp("drafts") / "data"), finalised=False)


@pytest.fixture(scope="module")
def finalised_template(tmp_path_factory):
    return _build(DataPaths(tmp_path_factory.mktemp("finalised") / "data"), finalised=True)


@pytest.fixture
def example(drafts_template, tmp_path):
    """The example case with its July meeting and its complete October review, both drafts."""
    opened = _open_copy(drafts_template, tmp_path)
    yield opened
    opened.store.close()


@pytest.fixture
def final(finalised_template, tmp_path):
    """The same with the October review finalised (one item acknowledged) and an addendum."""
    opened = _open_copy(finalised_template, tmp_path)
    yield opened
    opened.store.close()


def _rows(minute, section_key: str, *keys: str) -> list[tuple]:
    return [tuple(r[k] for k in keys) for r in minute.rows[section_key]]


# -- starting a meeting -------------------------------------------------------------------------


def test_first_meeting_is_initial_with_category_and_level_from_the_case(store):
    case_id = add_example_case(store)
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-07-15", "meeting_time": "10:00",
                                                "location": "Forthside MAPPA Unit"})
    minute = store.minutes.get(meeting_id, consult=False)
    assert (minute.case_id, minute.status, minute.version, minute.editable) == (case_id, "draft", 0, True)
    assert {k: minute.values[k] for k in ("meeting_type", "meeting_date", "meeting_time", "location", "category", "mappa_level")} == {
        "meeting_type": "initial", "meeting_date": "2026-07-15", "meeting_time": "10:00",
        "location": "Forthside MAPPA Unit", "category": "1", "mappa_level": "2"}
    assert all(rows == () for rows in minute.rows.values())
    assert set(minute.rows) == {s.key for s in spec.SECTIONS if s.source is spec.Source.ROWS}
    assert (minute.actions, minute.previous, minute.addenda) == ((), (), ())
    assert (minute.issued_at, minute.finalised_at, minute.finalised_by) == (None, None, None)
    assert [(m.id, m.meeting_type, m.status) for m in store.minutes.meetings(case_id)] == [(meeting_id, "initial", "draft")]


def test_review_copies_invitees_and_lists_the_standing_papers(store):
    case_id = add_example_case(store)
    first = store.minutes.create(case_id, {"meeting_date": "2026-07-15"})
    invitees = [{"name": n, "agency": a, "role": r, "status": s, "attendance_note": note or None}
                for n, a, r, s, note in ATTENDANCE]
    store.minutes.save_rows(first, "attendance", invitees)
    store.minutes.save_rows(first, "documents", [{"title": "Risk assessment", "document_notes": "09/2026"}])

    review = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    minute = store.minutes.get(review, consult=False)
    assert minute.values["meeting_type"] == "review"
    # Invited again: name, agency and role; whether they come is for this meeting to record.
    assert _rows(minute, "attendance", "name", "agency", "role", "status", "attendance_note") == [
        (n, a, r, None, None) for n, a, r, _s, _note in ATTENDANCE]
    assert _rows(minute, "documents", "title", "document_notes") == [
        ("Minute of the meeting of 15/07/2026", None), ("Action register", None)]
    # The earlier meeting is untouched.
    earlier = store.minutes.get(first, consult=False)
    assert _rows(earlier, "attendance", "name", "status") == [(n, s) for n, _a, _r, s, _note in ATTENDANCE]
    assert _rows(earlier, "documents", "title") == [("Risk assessment",)]

    # The next one copies from the latest meeting, not the first.
    store.minutes.save_rows(review, "attendance", [{"name": "Lorna Petrie", "agency": "MAPPA unit", "status": "present"}])
    third = store.minutes.create(case_id, {"meeting_date": "2027-01-13"})
    minute = store.minutes.get(third, consult=False)
    assert _rows(minute, "attendance", "name", "agency", "status") == [("Lorna Petrie", "MAPPA unit", None)]
    assert _rows(minute, "documents", "title")[0] == ("Minute of the meeting of 14/10/2026",)
    assert [m.id for m in store.minutes.meetings(case_id)] == [first, review, third]


def test_get_of_a_missing_meeting(store):
    with pytest.raises(NotFound):
        store.minutes.get(999)
    with pytest.raises(NotFound):
        store.minutes.save_fields(999, "dissent", {"dissent": "None"})


# -- saving -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "section_key, values",
    [
        ("rosh", {"chair": "Someone"}),  # a field of meeting_details
        ("rosh", {"agreed_rosh": "low", "victim_issues": "x"}),  # one right, one wrong: nothing saved
        ("offender", {"full_name": "Someone Else"}),  # the case's section
        ("attendance", {"name": "Someone"}),  # a repeating section
        ("actions", {"action_text": "Something"}),  # the register
    ],
)
def test_save_fields_refuses_fields_of_other_sections(example, section_key, values):
    before, audit = example.minute(), example.store.audit.count()
    with pytest.raises(ValueError):
        example.store.minutes.save_fields(example.review, section_key, values)
    assert example.minute() == before
    assert example.store.audit.count() == audit


def test_save_rows_refuses_sections_that_are_not_repeating_meeting_sections(example):
    before = example.minute()
    for section_key in ("rosh", "actions", "civil_orders", "previous_actions"):
        with pytest.raises(ValueError):
            example.store.minutes.save_rows(example.review, section_key, [{"title": "x"}])
    assert example.minute() == before


def test_save_fields_changes_only_the_fields_given(example):
    before = example.minute().values
    example.store.minutes.save_fields(example.review, "rosh", {"rosh_to_whom": "Children and the partner"})
    after = example.minute().values
    assert after == {**before, "rosh_to_whom": "Children and the partner"}


ISSUED = {"issued_to": "All attendees and apologies, by secure e-mail", "issued_on": "15/10/2026"}


def _issue(example, meeting_id=None) -> None:
    assert issue_draft(store=example.store, meeting_id=meeting_id or example.review, raw=ISSUED) == []


def test_issue_draft_keeps_it_editable(example):
    _issue(example)
    minute = example.minute()
    assert (minute.status, minute.version, minute.editable) == ("issued", 0, True)
    assert minute.issued_at and minute.finalised_at is None
    last = example.store.audit.entries()[-1]
    [issue] = example.store.signoff.issues(example.review)
    assert (last.kind, last.record_type, last.record_id, last.detail) == (
        "alteration", "meeting", example.review, f"issued for comment (issue {issue.id})")
    assert (issue.issued_to, issue.issued_on) == (ISSUED["issued_to"], "2026-10-15")
    # Corrections after issuing are saved as before.
    example.store.minutes.save_fields(example.review, "dissent", {"dissent": "None."})
    example.store.minutes.save_rows(example.review, "documents", [{"title": "Corrected list"}])
    action_id = example.store.minutes.raise_action(example.review, {"action_text": "Added in correction",
                                                                    "owner_person": "Lorna Petrie", "target_date": "2026-11-01"})
    minute = example.minute()
    assert minute.status == "issued" and minute.values["dissent"] == "None."
    assert _rows(minute, "documents", "title") == [("Corrected list",)]
    assert minute.actions[-1].id == action_id
    _issue(example)  # issuing again is allowed (a second draft)
    assert example.minute().status == "issued" and len(example.store.signoff.issues(example.review)) == 2


# -- finalising -------------------------------------------------------------------------------------


def test_finalise_refuses_while_items_are_open(example):
    store = example.store
    store.minutes.save_fields(example.review, "victims", {"victim_issues": None})
    assert [i.key for i in check(store=store, meeting_id=example.review, today=TODAY)] == ["required:victim_issues"]
    case_before, audit = example.case(), store.audit.count()
    for acknowledgements in ({}, {"required:victim_issues": "   "}, {"required:something_else": "Reason"}):
        with pytest.raises(ValidationError) as info:
            _finalise(example, example.review, acknowledgements)
        assert info.value.field == "required:victim_issues"
    minute = example.minute()
    assert (minute.status, minute.version, minute.finalised_at) == ("draft", 0, None)
    assert store.minutes.snapshot(example.review) is None
    assert example.count("minute_snapshots") == 0 and example.count("check_acknowledgements") == 0
    assert store.minutes.acknowledgements(example.review) == {}
    assert example.case() == case_before and store.audit.count() == audit


def test_finalise_with_acknowledgements_stores_snapshot_and_updates_the_case(example):
    store = example.store
    store.minutes.save_fields(example.review, "victims", {"victim_issues": None})
    store.minutes.save_fields(example.review, "rosh", {"agreed_rosh": "very_high"})
    store.minutes.save_fields(example.review, "mappa_level", {"level_decision": "up", "new_level": "3"})
    store.minutes.save_fields(example.review, "next_review", {"next_review_date": "2026-12-01"})
    draft = example.minute()
    reason = "  Victims' issues are covered in the risk management plan.  "

    digest = _finalise(example, example.review, {"required:victim_issues": reason})

    minute = example.minute()
    assert (minute.status, minute.version, minute.editable) == ("finalised", 1, False)
    assert minute.finalised_at and minute.finalised_by == example.user_id
    assert minute.values == draft.values and minute.rows == draft.rows
    # The acknowledgement, with who gave it.
    assert store.minutes.acknowledgements(example.review) == {"required:victim_issues": reason.strip()}
    assert store.db.execute("SELECT item_key, user_id FROM check_acknowledgements WHERE meeting_id = ?",
                            [example.review]).fetchall() == [("required:victim_issues", example.user_id)]
    # The snapshot: its fingerprint is the SHA-256 of its canonical JSON.
    raw, sha, version, by = store.db.execute(
        "SELECT content, sha256, version, finalised_by FROM minute_snapshots WHERE meeting_id = ?", [example.review]).fetchone()
    assert (version, by) == (1, example.user_id)
    assert sha == digest == hashlib.sha256(raw.encode("utf-8")).hexdigest()
    content, snap_sha = store.minutes.snapshot(example.review)
    assert snap_sha == digest
    assert raw == canonical_json(content)
    assert hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest() == digest
    # What the snapshot holds: the minute as finalised, the case as it was at the meeting.
    assert (content["meeting_id"], content["case_id"]) == (example.review, example.case_id)
    assert content["meeting"] == {f.key: draft.values[f.key] for f in spec.meeting_fields()}
    assert content["meeting"]["victim_issues"] is None
    assert content["rows"]["attendance"] == [dict(r) for r in draft.rows["attendance"]]
    assert [a["action_text"] for a in content["actions"]] == [t for t, *_ in NEW_ACTIONS]
    assert [a["status"] for a in content["previous_actions"]] == ["done", "done", "carried"]
    assert content["case"]["full_name"] == EXAMPLE_CASE["full_name"] and content["case"]["mappa_level"] == "2"
    assert content["civil_orders"][0]["order_type"] == "shpo"
    assert set(content["acknowledgements"]) == {"required:victim_issues"}
    # The case now stands where the meeting left it.
    case = example.case()
    assert (case.get("mappa_level"), case.get("current_rosh"), case.get("next_review_date")) == ("3", "very_high", "2026-12-01")
    assert [(m.id, m.status, m.version) for m in store.minutes.meetings(example.case_id)][-1] == (example.review, "finalised", 1)


def test_finalising_twice_or_issuing_a_finalised_minute_is_refused(final):
    with pytest.raises(RecordLocked):
        _finalise(final, final.review, {final.ids["ack_key"]: ACK_KEY_REASON})
    with pytest.raises(RecordLocked):
        final.store.signoff.issue(final.review, {"issued_to": "x", "issued_on": "2026-10-15"}, {})
    assert final.count("minute_snapshots") == 1


def test_finalising_an_older_minute_later_does_not_undo_the_latest_decisions(example):
    store = example.store
    # The October review is finalised first...
    _finalise(example, example.review)
    assert (example.case().get("mappa_level"), example.case().get("next_review_date")) == ("2", "2027-01-13")
    # ...then the July minute is approved late; it had set level 3 and a review in October.
    store.minutes.save_fields(example.first, "mappa_level", {"level_decision": "up", "new_level": "3", "level_rationale": "x"})
    store.minutes.save_fields(example.first, "rosh", {"agreed_rosh": "very_high"})
    store.minutes.save_fields(example.first, "next_review", {"next_review_date": "2026-10-14"})
    items = check(store=store, meeting_id=example.first, today=TODAY)
    _finalise(example, example.first, {i.key: "Approved late by the chair." for i in items})
    assert example.minute(example.first).status == "finalised"
    case = example.case()
    assert (case.get("mappa_level"), case.get("current_rosh"), case.get("next_review_date")) == ("2", "high", "2027-01-13")


# -- a finalised minute cannot be changed --------------------------------------------------------------


def test_finalised_minute_refuses_every_store_write(final):
    store, before, audit = final.store, final.minute(), final.store.audit.count()
    action = before.actions[0]
    attempts = [
        lambda: store.minutes.save_fields(final.review, "dissent", {"dissent": "Changed"}),
        lambda: store.minutes.save_fields(final.review, "next_review", {"next_review_date": "2027-02-01"}),
        lambda: store.minutes.save_rows(final.review, "attendance", []),
        lambda: store.minutes.save_rows(final.review, "disclosure", [{"disclosure_needed": 0, "reason": "x"}]),
        lambda: store.minutes.raise_action(final.review, {"action_text": "Late action"}),
        lambda: store.actions.raise_action(case_id=final.case_id, meeting_id=final.review,
                                           raised_date="2026-10-14", values={"action_text": "Late action"}),
        lambda: store.actions.update_terms(action.id, {"owner_person": "Someone else"}),
        lambda: store.actions.update_terms(action.id, {"target_date": "2027-01-01"}),
        lambda: store.actions.set_state(action.id, status="done", completed_date="2026-10-16", meeting_id=final.review),
        lambda: store.signoff.issue(final.review, {"issued_to": "x", "issued_on": "2026-10-15"}, {}),
    ]
    for attempt in attempts:
        with pytest.raises(RecordLocked):
            attempt()
    assert final.minute() == before
    assert store.minutes.snapshot(final.review)[1] == final.digest
    assert store.audit.count() == audit


# Each statement touches rows that exist, so that a missing trigger would show.
RAW_WRITES = {
    "update meetings": "UPDATE meetings SET location = 'Elsewhere' WHERE id = {m}",
    "update meetings status": "UPDATE meetings SET status = 'draft' WHERE id = {m}",
    "delete meetings": "DELETE FROM meetings WHERE id = {m}",
    "update meeting_text": "UPDATE meeting_text SET risk_assessment = 'Rewritten' WHERE meeting_id = {m}",
    "delete meeting_text": "DELETE FROM meeting_text WHERE meeting_id = {m}",
    "insert attendance": "INSERT INTO attendance (meeting_id, position, name, status) VALUES ({m}, 99, 'Someone', 'present')",
    "update attendance": "UPDATE attendance SET status = 'apologies' WHERE meeting_id = {m}",
    "delete attendance": "DELETE FROM attendance WHERE meeting_id = {m}",
    "insert documents_tabled": "INSERT INTO documents_tabled (meeting_id, position, title) VALUES ({m}, 99, 'Extra')",
    "update documents_tabled": "UPDATE documents_tabled SET title = 'Other' WHERE meeting_id = {m}",
    "delete documents_tabled": "DELETE FROM documents_tabled WHERE meeting_id = {m}",
    "insert agency_updates": "INSERT INTO agency_updates (meeting_id, position, agency) VALUES ({m}, 99, 'Police Scotland')",
    "update agency_updates": "UPDATE agency_updates SET update_text = 'Nothing' WHERE meeting_id = {m}",
    "delete agency_updates": "DELETE FROM agency_updates WHERE meeting_id = {m}",
    "insert disclosures": "INSERT INTO disclosures (meeting_id, position, disclosure_needed) VALUES ({m}, 99, 0)",
    "update disclosures": "UPDATE disclosures SET recipient = 'Someone else' WHERE meeting_id = {m}",
    "delete disclosures": "DELETE FROM disclosures WHERE meeting_id = {m}",
    "insert check_acknowledgements": "INSERT INTO check_acknowledgements (meeting_id, item_key, reason, at) VALUES ({m}, 'x', 'y', 'z')",
    "update check_acknowledgements": "UPDATE check_acknowledgements SET reason = 'Other' WHERE meeting_id = {m}",
    "delete check_acknowledgements": "DELETE FROM check_acknowledgements WHERE meeting_id = {m}",
    "update minute_snapshots": "UPDATE minute_snapshots SET content = '{{}}' WHERE meeting_id = {m}",
    "delete minute_snapshots": "DELETE FROM minute_snapshots WHERE meeting_id = {m}",
    "update addenda": "UPDATE addenda SET body = 'Changed' WHERE id = {ad}",
    "delete addenda": "DELETE FROM addenda WHERE id = {ad}",
    "action text": "UPDATE actions SET action_text = 'Something else' WHERE id = {a}",
    "action owner": "UPDATE actions SET owner_person = 'Someone else', owner_agency = 'Other' WHERE id = {a}",
    "action target": "UPDATE actions SET target_date = '2027-01-01' WHERE id = {a}",
    "action meeting": "UPDATE actions SET meeting_id = NULL WHERE id = {a}",
    "action number": "UPDATE actions SET number = 99 WHERE id = {a}",
    "delete action": "DELETE FROM actions WHERE id = {a}",
}


def _state(example: Example) -> tuple:
    tables = ("meetings", "meeting_text", "attendance", "documents_tabled", "agency_updates", "disclosures",
              "check_acknowledgements", "minute_snapshots", "addenda", "actions", "action_updates")
    return tuple(example.store.db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables)


@pytest.mark.parametrize("sql", RAW_WRITES.values(), ids=RAW_WRITES.keys())
def test_finalised_minute_refuses_raw_sql(final, sql):
    statement = sql.format(m=final.review, a=final.minute().actions[0].id, ad=final.addendum)
    before = _state(final)
    with pytest.raises(IntegrityError, match="read-only"):
        final.store.db.execute(statement)
    with pytest.raises(RecordLocked):
        with storage_errors():
            final.store.db.execute(statement)
    assert _state(final) == before
    assert final.store.minutes.snapshot(final.review)[1] == final.digest


def test_register_still_records_progress_after_finalising(final):
    store = final.store
    first, second = final.minute().actions[:2]
    store.actions.set_state(first.id, status="done", completed_date="2026-10-17", outcome="Ms Reid told on 17/10.")
    store.actions.withdraw(second.id, "The children moved away.")
    assert (store.actions.get(first.id).status, store.actions.get(first.id).completed_date) == ("done", "2026-10-17")
    assert (store.actions.get(second.id).status, store.actions.get(second.id).withdrawn_reason) == (
        "withdrawn", "The children moved away.")
    assert [(u.status, u.meeting_id, u.note) for u in store.actions.history(first.id)] == [
        ("open", final.review, "raised"), ("done", None, "Ms Reid told on 17/10.")]
    # The finalised record keeps what was agreed and its state at finalising.
    content, _sha = store.minutes.snapshot(final.review)
    assert [a["status"] for a in content["actions"][:2]] == ["open", "open"]
    assert store.actions.get(first.id).action_text == content["actions"][0]["action_text"]


# -- the action register --------------------------------------------------------------------------------


def test_actions_are_never_deleted_even_on_drafts(example):
    action = example.minute().actions[0]
    count = example.count("actions")
    with pytest.raises(IntegrityError, match="read-only"):
        example.store.db.execute("DELETE FROM actions WHERE id = ?", [action.id])
    with pytest.raises(RecordLocked):
        with storage_errors():
            example.store.db.execute("DELETE FROM actions")
    assert example.count("actions") == count == 7
    assert example.store.actions.get(action.id) == action


def test_raising_an_action_needs_its_text_and_numbers_follow_on(example):
    with pytest.raises(ValidationError) as info:
        example.store.minutes.raise_action(example.review, {"action_text": "  ", "owner_person": "Lorna Petrie"})
    assert info.value.field == "action_text"
    action_id = example.store.minutes.raise_action(example.review, {"action_text": "Eighth"})
    action = example.store.actions.get(action_id)
    assert (action.number, action.meeting_id, action.case_id, action.raised_date, action.status) == (
        8, example.review, example.case_id, "2026-10-14", "open")
    assert [a.number for a in example.store.actions.of_case(example.case_id)] == list(range(1, 9))


def test_withdraw_needs_a_reason_and_keeps_the_row(example):
    store = example.store
    action = example.minute().actions[-1]
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as info:
            store.actions.withdraw(action.id, reason, meeting_id=example.review)
        assert info.value.field == "withdrawn_reason"
    assert store.actions.get(action.id) == action
    store.actions.withdraw(action.id, "  Covered by action 6.  ", meeting_id=example.review)
    withdrawn = store.actions.get(action.id)
    assert (withdrawn.status, withdrawn.withdrawn_reason, withdrawn.completed_date) == ("withdrawn", "Covered by action 6.", None)
    assert withdrawn.action_text == action.action_text and withdrawn.number == action.number
    assert action.id in [a.id for a in store.actions.of_case(example.case_id)]
    assert action.id in [a.id for a in example.minute().actions]
    last = store.actions.history(action.id)[-1]
    assert (last.status, last.meeting_id, last.note, last.user_id) == (
        "withdrawn", example.review, "Covered by action 6.", example.user_id)
    with pytest.raises(ValidationError):
        store.actions.set_state(action.id, status="done", completed_date="2026-10-20")


def test_set_state_rules(example):
    store = example.store
    action = example.minute().actions[0]
    history = store.actions.history(action.id)
    with pytest.raises(ValidationError) as info:
        store.actions.set_state(action.id, status="done", outcome="Done.")
    assert info.value.field == "completed_date"
    for status in ("withdrawn", "finished", ""):
        with pytest.raises(ValidationError) as info:
            store.actions.set_state(action.id, status=status, completed_date="2026-10-16")
        assert info.value.field == "status"
    assert store.actions.get(action.id) == action and store.actions.history(action.id) == history
    # Carrying forward needs a new target date (``carry``), not a status alone.
    with pytest.raises(ValidationError) as info:
        store.actions.set_state(action.id, status="carried", outcome="Next time.")
    assert info.value.field == "target_date"
    # A date given for anything but done is not kept.
    store.actions.set_state(action.id, status="open", completed_date="2026-10-16", outcome="Next time.")
    assert (store.actions.get(action.id).status, store.actions.get(action.id).completed_date) == ("open", None)


def test_history_records_raised_and_each_change_with_its_meeting(example):
    store = example.store
    first_actions = example.minute(example.first).actions
    # The example recorded the July actions' outcomes at the October review.
    assert [[(u.status, u.meeting_id, u.note) for u in store.actions.history(a.id)] for a in first_actions] == [
        [("open", example.first, "raised"), ("done", example.review, "No concerns.")],
        [("open", example.first, "raised"), ("done", example.review, "Attending, session 14.")],
        [("open", example.first, "raised"), ("carried", example.review, "Offered, declined; carried forward.")],
    ]
    carried = first_actions[2]
    assert [(u.change, u.previous_target_date, u.target_date) for u in store.actions.history(carried.id)][-1] == (
        "carried", "2026-08-31", CARRIED_TO)
    store.actions.carry(carried.id, target_date=CARRIED_TO, reason="Offered again; declined.", meeting_id=example.review)
    assert len(store.actions.history(carried.id)) == 2  # a new note alone is not a change of state
    assert store.actions.get(carried.id).outcome == "Offered again; declined."
    store.actions.set_state(carried.id, status="done", completed_date="2026-11-02", outcome="Accepted.")
    history = store.actions.history(carried.id)
    assert [(u.status, u.meeting_id, u.note) for u in history][-1] == ("done", None, "Accepted.")
    assert all(u.user_id == example.user_id and u.at for u in history)


def test_action_history_is_append_only(example):
    action = example.minute().actions[0]
    history = example.store.actions.history(action.id)
    for sql in ("UPDATE action_updates SET note = 'changed' WHERE action_id = ?",
                "UPDATE action_updates SET status = 'done' WHERE action_id = ?",
                "DELETE FROM action_updates WHERE action_id = ?"):
        with pytest.raises(IntegrityError, match="read-only"):
            example.store.db.execute(sql, [action.id])
    assert example.store.actions.history(action.id) == history


def test_terms_of_a_draft_action_can_still_change(example):
    action = example.minute().actions[0]
    example.store.actions.update_terms(action.id, {"target_date": "2026-10-17", "owner_person": "DS Fiona McLeish"})
    assert example.store.actions.get(action.id).target_date == "2026-10-17"
    with pytest.raises(ValidationError):
        example.store.actions.update_terms(action.id, {"action_text": " "})


# -- addenda -------------------------------------------------------------------------------------------


def test_addendum_refused_on_a_draft(example):
    with pytest.raises(ValidationError):
        example.store.minutes.add_addendum(example.review, body="Text", reason="Reason")
    _issue(example)
    with pytest.raises(ValidationError):
        example.store.minutes.add_addendum(example.review, body="Text", reason="Reason")
    assert example.count("addenda") == 0
    with pytest.raises(NotFound):
        example.store.minutes.add_addendum(999, body="Text", reason="Reason")


def test_addendum_needs_body_and_reason(final):
    for body, reason, field_name in (("", "Reason", "body"), (" \n ", "Reason", "body"), ("Text", "", "reason"),
                                     ("Text", "  ", "reason"), (None, None, "body")):
        with pytest.raises(ValidationError) as info:
            final.store.minutes.add_addendum(final.review, body=body, reason=reason)
        assert info.value.field == field_name
    assert final.count("addenda") == 1


def test_addenda_appear_in_order_with_who_added_them(final):
    second = final.store.minutes.add_addendum(final.review, body="  Second, as typed.\n", reason=" Typo ")
    third = final.store.minutes.add_addendum(final.review, body="Third.", reason="Late information")
    addenda = final.minute().addenda
    assert [(a.id, a.meeting_id, a.user_id, a.body, a.reason) for a in addenda] == [
        (final.addendum, final.review, final.user_id, ADDENDUM[0], ADDENDUM[1]),
        (second, final.review, final.user_id, "  Second, as typed.\n", "Typo"),
        (third, final.review, final.user_id, "Third.", "Late information"),
    ]
    assert all(a.at for a in addenda)
    # Addenda are not part of the fingerprinted snapshot, which still verifies.
    assert final.store.minutes.snapshot(final.review)[1] == final.digest


# -- the audit log -----------------------------------------------------------------------------------------


def _entries_since(store, count):
    return [(e.kind, e.record_type, e.record_id, e.detail) for e in store.audit.entries()[count:]]


def test_audit_entries_for_each_step(store, session):
    case_id = add_example_case(store)
    n = store.audit.count()
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    assert _entries_since(store, n) == [("collection", "meeting", meeting_id, f"case {case_id}")]

    n = store.audit.count()
    action_id = store.minutes.raise_action(meeting_id, {"action_text": "Check the address", "owner_person": "DS Fiona McLeish"})
    other = store.minutes.raise_action(meeting_id, {"action_text": "Duplicate", "owner_person": "DS Fiona McLeish"})
    store.actions.withdraw(other, "Duplicate of the first.", meeting_id=meeting_id)
    assert _entries_since(store, n) == [
        ("collection", "action", action_id, f"case {case_id}; meeting {meeting_id}"),
        ("collection", "action", other, f"case {case_id}; meeting {meeting_id}"),
        ("alteration", "action", other, "status=withdrawn"),
    ]

    store.minutes.get(meeting_id)  # opened by a person
    assert _entries_since(store, store.audit.count() - 1) == [("consultation", "meeting", meeting_id, "opened")]

    store.minutes.save_fields(meeting_id, "mappa_level", {"level_decision": "up", "new_level": "3"})
    items = check(store=store, meeting_id=meeting_id, today=TODAY)
    n = store.audit.count()
    digest = finalise(store=store, meeting_id=meeting_id, acknowledgements={i.key: "Test." for i in items}, today=TODAY,
                      approval=recorded_approval(store, meeting_id))
    assert _entries_since(store, n) == [
        ("alteration", "case", case_id, "from minute: mappa_level"),
        ("alteration", "meeting", meeting_id,
         f"finalised; approved by the chair (meeting); recorded by user {session.user.id}; sha256 {digest}"),
    ]

    n = store.audit.count()
    addendum = store.minutes.add_addendum(meeting_id, body="Correction.", reason="Typo.")
    (entry,) = _entries_since(store, n)
    assert entry[:3] == ("alteration", "meeting", meeting_id)
    # The addendum's content is sealed in the signed entry (a change behind the triggers shows).
    assert re.fullmatch(rf"addendum {addendum}; sha256 [0-9a-f]{{64}}", entry[3])
    assert all(e.user_id == session.user.id for e in store.audit.entries())
    assert store.audit.verify().ok


def test_autosaves_within_the_coalescing_window_leave_one_entry(example, monkeypatch):
    store = example.store
    n = store.audit.count()
    typed = ""
    for char in "Risk Matrix 2000: high. Stable 2007: moderate; dynamic factors worse. " * 3:
        typed += char  # autosave as each character is typed
        store.minutes.save_fields(example.review, "risk_assessment", {"risk_assessment": typed})
    for _ in range(50):
        store.minutes.save_rows(example.review, "documents", [{"title": "Action register"}])
    store.minutes.save_fields(example.review, "dissent", {"dissent": "None."})
    assert example.minute().values["risk_assessment"] == typed
    assert _entries_since(store, n) == [
        ("alteration", "meeting", example.review, "section risk_assessment"),
        ("alteration", "meeting", example.review, "section documents"),
        ("alteration", "meeting", example.review, "section dissent"),
    ]
    # Once the window has passed, the next save is logged again.
    import time

    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + AUDIT_COALESCE_SECONDS + 1)
    store.minutes.save_fields(example.review, "risk_assessment", {"risk_assessment": typed + " More."})
    store.minutes.save_fields(example.review, "risk_assessment", {"risk_assessment": typed + " More again."})
    assert _entries_since(store, n)[3:] == [("alteration", "meeting", example.review, "section risk_assessment")]
    assert store.audit.verify().ok


def test_no_audit_entry_holds_typed_text(store):
    canary = "Zq7-CANARY-wobble"
    case_id = store.cases.create({"reference": "FS-9", "full_name": f"{canary} Person", "category": "1", "mappa_level": "2",
                                  "address": canary})
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14", "location": canary})
    for section in spec.SECTIONS:
        if section.source is spec.Source.MEETING:
            values = {f.key: canary for f in section.fields if f.kind in (spec.Kind.TEXT, spec.Kind.LONG_TEXT, spec.Kind.PERSON)}
            if values:
                store.minutes.save_fields(meeting_id, section.key, values)
        elif section.source is spec.Source.ROWS:
            store.minutes.save_rows(meeting_id, section.key, [{f.key: canary for f in section.fields
                                                              if f.kind not in (spec.Kind.YES_NO, spec.Kind.DATE, spec.Kind.CHOICE)}])
    kept = store.minutes.raise_action(meeting_id, {"action_text": canary, "owner_person": canary, "owner_agency": canary,
                                                   "target_date": "2026-11-01"})
    dropped = store.minutes.raise_action(meeting_id, {"action_text": canary})
    store.actions.update_terms(kept, {"owner_person": canary + "2"})
    store.actions.withdraw(dropped, canary, meeting_id=meeting_id)
    items = check(store=store, meeting_id=meeting_id, today=TODAY)
    assert items  # the canary is not a valid choice or date everywhere; acknowledge the rest
    finalise(store=store, meeting_id=meeting_id, acknowledgements={i.key: canary for i in items}, today=TODAY,
             approval=recorded_approval(store, meeting_id))
    store.actions.set_state(kept, status="done", completed_date="2026-10-20", outcome=canary)
    store.minutes.add_addendum(meeting_id, body=canary, reason=canary)
    store.minutes.get(meeting_id)
    # The canary is in the store...
    assert canary in json.dumps(store.minutes.snapshot(meeting_id)[0])
    # ...and in no audit entry.
    for entry in store.audit.entries():
        for text in (entry.detail, entry.recipient, entry.purpose):
            assert canary.lower() not in text.lower(), entry
    assert store.audit.verify().ok


# -- the snapshot's fingerprint ----------------------------------------------------------------------------


def test_snapshot_detects_tampering(final, raw_connection):
    content, sha = final.store.minutes.snapshot(final.review)
    assert sha == final.digest
    conn = raw_connection(final.store.paths.store, final.store.key)
    conn.execute("DROP TRIGGER minute_snapshots_no_update")
    conn.execute("UPDATE minute_snapshots SET content = replace(content, 'Ms Joanne Reid', 'Nobody') WHERE meeting_id = ?",
                 [final.review])
    conn.commit()
    stored = final.store.db.execute("SELECT content FROM minute_snapshots WHERE meeting_id = ?", [final.review]).fetchone()[0]
    assert "Nobody" in stored and "Ms Joanne Reid" not in stored
    with pytest.raises(RecordLocked, match="does not match its fingerprint"):
        final.store.minutes.snapshot(final.review)


# -- moving rows into a finalised minute, slipping rows or snapshots in --------------------------------------


@pytest.mark.parametrize("table", ["attendance", "documents_tabled", "agency_updates", "disclosures"])
def test_refused_rows_of_a_draft_moved_into_a_finalised_minute(final, table):
    if not final.count(table, "meeting_id = ?", [final.first]):
        final.store.db.execute(f"INSERT INTO {table} (meeting_id, position) VALUES (?, 0)", [final.first])
    with pytest.raises(IntegrityError, match="read-only"):
        final.store.db.execute(f"UPDATE {table} SET meeting_id = ? WHERE meeting_id = ?", [final.review, final.first])


def test_refused_action_inserted_into_a_finalised_minute(final):
    with pytest.raises(IntegrityError, match="read-only"):
        final.store.db.execute(
            "INSERT INTO actions (case_id, meeting_id, number, raised_date, action_text, status, updated_at) "
            "VALUES (?, ?, 99, '2026-10-14', 'Slipped in', 'open', 'now')", [final.case_id, final.review])


def test_refused_draft_action_moved_into_a_finalised_minute(final):
    draft_action = final.minute(final.first).actions[0]
    with pytest.raises(IntegrityError, match="read-only"):
        final.store.db.execute("UPDATE actions SET meeting_id = ? WHERE id = ?", [final.review, draft_action.id])


def test_refused_second_snapshot_version(final):
    forged = canonical_json({"forged": True})
    with pytest.raises(IntegrityError, match="read-only"):
        final.store.db.execute(
            "INSERT INTO minute_snapshots (meeting_id, version, finalised_at, sha256, content) VALUES (?, 2, 'now', ?, ?)",
            [final.review, hashlib.sha256(forged.encode()).hexdigest(), forged])
