"""The risk management plan in the store: one plan per case, versioned by meeting.

A plan carried over two meetings with changes (added, changed, ended, each with a reason),
versions frozen with their minute and unchanged by everything done afterwards, the store's
refusals, the audit log, an action raised from an entry in one step, the conditions the
plan rests on, and the chronology.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from mappa_desktop.chronology import events_of
from mappa_desktop.db.errors import RecordLocked, ValidationError, storage_errors
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import EXAMPLE_CONDITIONS, add_example_case
from mappa_desktop.ops import minute as ops_minute
from mappa_desktop.ops import plan as ops_plan
from mappa_desktop.paths import DataPaths
from mappa_desktop.plan import change_of
from mappa_desktop.security import TEST_KDF
from tests.signoff_helpers import recorded_approval

CLOCK = lambda: datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)  # noqa: E731 (after the meeting)
TODAY = date(2026, 10, 14)

JULY_PLAN = [
    ("supervision", {"what": "Supervision with the supervising officer.", "owner_person": "Siobhán Ní Bhriain",
                     "owner_agency": "Justice Social Work", "frequency": "Weekly", "start_date": "2024-02-12"}),
    ("monitoring", {"what": "Unannounced home visits.", "owner_person": "DS Fiona McLeish",
                    "owner_agency": "Police Scotland", "frequency": "Monthly"}),
    ("interventions", {"what": "Moving Forward Making Changes programme.", "owner_agency": "Justice Social Work",
                       "frequency": "Weekly sessions"}),
    ("victim_safety", {"what": "Victim information scheme kept up to date.", "owner_agency": "Justice Social Work"}),
    ("contingency", {"trigger_event": "Any unsupervised contact with children", "what": "Police visit; recall.",
                     "owner_agency": "Police Scotland"}),
]


@pytest.fixture
def store(tmp_path):
    session = create_store(DataPaths(tmp_path / "data"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    session.store.db.execute("PRAGMA synchronous = OFF")  # about what is stored, not durability
    yield session.store
    session.close()


def _meeting(store, case_id: int, day: str) -> int:
    return store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": day, "meeting_time": "10:00",
                                          "location": "MAPPA unit"})


def _finalise(store, meeting_id: int) -> str:
    """Finalise whatever the check still names (acknowledged): these tests are about the plan."""
    items = ops_minute.check(store=store, meeting_id=meeting_id, today=TODAY)
    return ops_minute.finalise(store=store, meeting_id=meeting_id, acknowledgements={i.key: "Test" for i in items},
                               today=TODAY, approval=recorded_approval(store, meeting_id))


def _july(store):
    """A case whose July meeting agreed a plan of one entry per pillar (version 1)."""
    case_id = add_example_case(store)
    july = _meeting(store, case_id, "2026-07-15")
    ops_plan.open_plan(store=store, meeting_id=july)
    for pillar, values in JULY_PLAN:
        store.plan.add_entry(july, pillar, {**values, "rationale": "First plan."})
    _finalise(store, july)
    return case_id, july


def _by_pillar(entries, pillar):
    return [e for e in entries if e["pillar"] == pillar]


# -- versions -----------------------------------------------------------------------------------


def test_a_plan_carried_over_two_meetings_with_changes(store):
    case_id, july = _july(store)
    [v1] = store.plan.versions(case_id)
    assert (v1.version, v1.meeting_id, v1.meeting_date) == (1, july, "2026-07-15")
    assert [e["change"] for e in v1.plan["entries"]] == ["added"] * 5

    # October: the plan opens as it stood, every entry carried over unchanged.
    october = _meeting(store, case_id, "2026-10-14")
    assert ops_plan.open_plan(store=store, meeting_id=october)
    assert not ops_plan.open_plan(store=store, meeting_id=october)  # once only
    assert store.plan.opened_from(october) == (True, 1)
    entries = store.plan.entries(october)
    assert [e["change"] for e in entries] == ["carried"] * 5
    assert [e["entry_uid"] for e in entries] == [e["entry_uid"] for e in v1.plan["entries"]]
    assert all(e["rationale"] is None for e in entries)  # a reason belongs to one meeting

    supervision, *_ = _by_pillar(entries, "supervision")
    [victims] = _by_pillar(entries, "victim_safety")
    assert ops_plan.save_entry(store=store, meeting_id=october, entry_id=supervision["id"],
                               raw={"frequency": "Twice weekly", "rationale": "New relationship."}) == []
    assert ops_plan.end_entry(store=store, meeting_id=october, entry_id=victims["id"],
                              rationale="The victim liaison officer holds it.") == []
    added = ops_plan.add_entry(store=store, meeting_id=october, pillar="victim_safety")
    ops_plan.save_entry(store=store, meeting_id=october, entry_id=added,
                        raw={"what": "Disclosure to the new partner.", "owner_agency": "Police Scotland",
                             "start_date": "16/10/2026", "rationale": "Her children are at risk."})
    changes = {e["id"]: e["change"] for e in store.plan.entries(october)}
    assert changes[supervision["id"]] == "changed" and changes[victims["id"]] == "ended"
    assert changes[added] == "added" and list(changes.values()).count("carried") == 3
    _finalise(store, october)

    v2 = store.plan.version_of(october)
    assert v2.version == 2 and v2.plan["base_version"] == 1
    by_change = {e["change"]: e for e in v2.plan["entries"] if e["change"] != "carried"}
    assert by_change["changed"]["before"] == {"frequency": "Weekly"}
    assert by_change["changed"]["frequency"] == "Twice weekly"
    assert by_change["ended"]["rationale"] == "The victim liaison officer holds it."
    assert by_change["added"]["start_date"] == "2026-10-16"
    # The finalised minute carries the same version, word for word.
    snapshot, _ = store.minutes.snapshot(october)
    assert snapshot["plan"] == v2.plan

    # January: the ended entry is gone, the changed one carries its new values.
    january = _meeting(store, case_id, "2027-01-13")
    ops_plan.open_plan(store=store, meeting_id=january)
    carried = store.plan.entries(january)
    assert store.plan.opened_from(january) == (True, 2)
    assert len(carried) == 5 and all(change_of(e) == "carried" for e in carried)
    assert victims["entry_uid"] not in {e["entry_uid"] for e in carried}
    assert _by_pillar(carried, "supervision")[0]["frequency"] == "Twice weekly"
    assert store.plan.current(case_id).version == 2


def test_frozen_versions_never_change_after_later_edits(store):
    case_id, july = _july(store)
    frozen = store.plan.version_of(july).plan
    snapshot, sha = store.minutes.snapshot(july)
    october = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=october)
    entry = store.plan.entries(october)[0]
    ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry["id"], raw={"what": "Daily supervision."})
    # The condition an entry rests on is corrected on the case afterwards.
    case = store.cases.get(case_id, consult=False)
    rows = [c.as_values() for c in case.conditions]
    rows[1]["condition_text"] = "Corrected wording."
    ops_plan.save_conditions(store=store, case_id=case_id, raw_rows=rows, uids=[c.uid for c in case.conditions])
    assert store.plan.version_of(july).plan == frozen
    assert store.minutes.snapshot(july) == (snapshot, sha)
    assert _by_pillar(store.plan.entries(july), "supervision")[0]["what"] == "Supervision with the supervising officer."

    # The store itself refuses: the finalised meeting's rows and the version are frozen.
    july_entry = store.plan.entries(july)[0]
    with pytest.raises(RecordLocked):
        store.plan.save_entry(july_entry["id"], {"what": "Rewritten."})
    with pytest.raises(RecordLocked):
        store.plan.add_entry(july, "supervision")
    for statement in ("UPDATE plan_entries SET what = 'x' WHERE meeting_id = ?",
                      "DELETE FROM plan_entries WHERE meeting_id = ?",
                      "INSERT INTO plan_entries (meeting_id, entry_uid, pillar, updated_at) VALUES (?, 'u', 'monitoring', 'now')",
                      "UPDATE plan_versions SET plan = '{}' WHERE meeting_id = ?",
                      "DELETE FROM plan_versions WHERE meeting_id = ?",
                      "INSERT INTO plan_not_needed (meeting_id, pillar, not_needed) VALUES (?, 'monitoring', 'x')",
                      "DELETE FROM plan_openings WHERE meeting_id = ?"):
        with pytest.raises(RecordLocked):
            with storage_errors():
                store.db.execute(statement, [july])
    assert store.plan.version_of(july).plan == frozen


def test_a_minute_with_no_plan_adds_no_version_and_the_next_opens_empty(store):
    case_id = add_example_case(store)
    first = _meeting(store, case_id, "2026-07-15")
    _finalise(store, first)
    assert store.plan.versions(case_id) == []
    assert store.minutes.snapshot(first)[0]["plan"]["entries"] == []
    second = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=second)
    assert store.plan.entries(second) == [] and store.plan.opened_from(second) == (True, None)


def test_a_meeting_opens_with_the_version_before_it_not_a_later_one(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=october)
    ops_plan.add_entry(store=store, meeting_id=october, pillar="monitoring")
    _finalise(store, october)
    # A meeting minuted late, dated between the two, opens from July's version.
    august = _meeting(store, case_id, "2026-08-20")
    ops_plan.open_plan(store=store, meeting_id=august)
    assert store.plan.opened_from(august) == (True, 1) and len(store.plan.entries(august)) == 5


# -- what may be stored -------------------------------------------------------------------------


def test_values_are_refused_by_the_rules_and_the_words_kept(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    entry = ops_plan.add_entry(store=store, meeting_id=october, pillar="supervision")
    problems = ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry,
                                   raw={"what": "Visits.", "start_date": "01/03/2026", "end_date": "31/13/2026"})
    assert [p.field for p in problems] == ["end_date"]
    stored = store.plan.entry(entry)
    assert stored["what"] == "Visits." and stored["end_date"] is None
    assert store.drafts.get(ops_plan.entry_draft_key(october, entry)) == {"end_date": "31/13/2026"}
    problems = ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry, raw={"end_date": "01/01/2026"})
    assert problems[0].message == "End date: cannot be before the start date (01/03/2026)."
    assert ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry, raw={"end_date": "01/01/2027"}) == []
    assert store.drafts.get(ops_plan.entry_draft_key(october, entry)) is None
    # A trigger belongs to contingency only; a condition must be the case's own.
    with pytest.raises(ValidationError, match="not part of a Supervision entry"):
        store.plan.save_entry(entry, {"trigger_event": "Anything"})
    other = store.cases.create({"reference": "FS-2026-0200", "full_name": "Someone Else", "category": "1",
                                "mappa_level": "1"})
    store.conditions.save(other, [{"source": "licence", "condition_text": "Another case's condition."}])
    foreign = store.cases.get(other, consult=False).conditions[0].uid
    with pytest.raises(ValidationError, match="not one of this case's conditions"):
        store.plan.save_entry(entry, {"condition_uid": foreign})
    assert ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry,
                               raw={"condition_uid": foreign})[0].field == "condition_uid"
    with pytest.raises(ValidationError):
        store.plan.add_entry(october, "astrology")
    # The guard triggers made from the spec refuse what bypasses the repository.
    with pytest.raises(ValidationError, match="Pillar: not one of the choices"):
        with storage_errors():
            store.db.execute("UPDATE plan_entries SET pillar = 'astrology' WHERE id = ?", [entry])
    # Ending needs a reason; an entry carried over is ended, never removed.
    carried = store.plan.entries(october)[0]
    assert ops_plan.end_entry(store=store, meeting_id=october, entry_id=carried["id"], rationale=" ")[0].field == \
        "rationale"
    assert ops_plan.remove_entry(store=store, meeting_id=october, entry_id=carried["id"])[0].field == "status"
    assert ops_plan.remove_entry(store=store, meeting_id=october, entry_id=entry) == []
    assert entry not in {e["id"] for e in store.plan.entries(october)}


def test_conditions_keep_their_ids_and_one_the_plan_rests_on_is_never_removed(store):
    case_id, july = _july(store)
    case = store.cases.get(case_id, consult=False)
    assert [c.condition_text for c in case.conditions] == [c["condition_text"] for c in EXAMPLE_CONDITIONS]
    october = _meeting(store, case_id, "2026-10-14")
    entry = ops_plan.add_entry(store=store, meeting_id=october, pillar="monitoring")
    ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry,
                        raw={"condition_uid": case.conditions[4].uid})
    rows, uids = [c.as_values() for c in case.conditions], [c.uid for c in case.conditions]
    problems = ops_plan.save_conditions(store=store, case_id=case_id, raw_rows=rows[:4], uids=uids[:4])
    assert "cannot be removed: the risk management plan rests on it" in problems[0].message
    # Corrected and reordered, each keeps its id; one the plan does not use may go.
    rows[0]["until_date"] = "12/02/2027"
    order = [4, 0, 1, 2, 3]
    assert ops_plan.save_conditions(store=store, case_id=case_id, raw_rows=[rows[i] for i in order][:4] + [rows[3]],
                                    uids=[uids[i] for i in order][:4] + [uids[3]]) == []
    assert [c.uid for c in store.cases.get(case_id, consult=False).conditions] == [uids[i] for i in order]
    problems = ops_plan.save_conditions(store=store, case_id=case_id, raw_rows=[{"source": "other"}], uids=[None])
    assert {p.field for p in problems} == {"conditions.0.source_detail", "conditions.0.condition_text"}


def test_every_change_is_audited_without_its_words(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    start = store.audit.count()
    ops_plan.open_plan(store=store, meeting_id=october)
    entry = ops_plan.add_entry(store=store, meeting_id=october, pillar="interventions")
    for words in ("Alcohol", "Alcohol service", "Alcohol service referral"):  # autosave while typing
        ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry, raw={"what": words})
    carried = store.plan.entries(october)[0]["id"]
    ops_plan.end_entry(store=store, meeting_id=october, entry_id=carried, rationale="Secret reason")
    ops_plan.save_not_needed(store=store, meeting_id=october, pillar="victim_safety", raw="Handled elsewhere")
    details = [(e.kind, e.record_type, e.record_id, e.detail) for e in store.audit.entries()[start:]]
    plan = "risk management plan: "
    assert details == [
        ("alteration", "meeting", october, plan + "opened from version 1: 5 entries carried over"),
        ("alteration", "meeting", october, plan + f"entry {entry} added"),
        ("alteration", "meeting", october, plan + f"entry {entry} changed"),  # once while typing
        ("alteration", "meeting", october, plan + f"entry {carried} ended"),
        ("alteration", "meeting", october, plan + "victim_safety not needed"),
    ]
    assert not any(word in e.detail for e in store.audit.entries() for word in ("Alcohol", "Secret", "elsewhere"))
    assert store.audit.verify().ok


def test_an_entry_raises_an_action_in_one_step(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=october)
    entry = ops_plan.add_entry(store=store, meeting_id=october, pillar="interventions")
    ops_plan.save_entry(store=store, meeting_id=october, entry_id=entry, raw={
        "what": "Refer to the community alcohol service.", "owner_person": "Dr Nguyễn Thị Lan",
        "owner_agency": "NHS health board", "start_date": "01/11/2026"})
    action_id, problems = ops_plan.raise_action(store=store, meeting_id=october, entry_id=entry)
    assert problems == []
    action = store.actions.get(action_id)
    assert (action.meeting_id, action.action_text, action.owner_person, action.owner_agency, action.target_date) == (
        october, "Interventions and treatment: Refer to the community alcohol service.", "Dr Nguyễn Thị Lan",
        "NHS health board", "2026-11-01")
    assert store.plan.entry(entry)["action_number"] == action.number
    assert ops_plan.raise_action(store=store, meeting_id=october, entry_id=entry)[1][0].message.startswith(
        f"Action {action.number} was already raised")
    # A carried entry started long ago: the action is raised, its date left to the chair.
    supervision = _by_pillar(store.plan.entries(october), "supervision")[0]
    action_id, problems = ops_plan.raise_action(store=store, meeting_id=october, entry_id=supervision["id"])
    assert problems == [] and store.actions.get(action_id).target_date is None
    assert store.actions.get(action_id).owner_person == "Siobhán Ní Bhriain"


def test_the_chronology_shows_each_version(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=october)
    ended = store.plan.entries(october)[0]["id"]
    ops_plan.end_entry(store=store, meeting_id=october, entry_id=ended, rationale="Done.")
    _finalise(store, october)
    events = events_of(store, case_id)
    plan_events = [(e.on, e.text, e.meeting_id) for e in events if e.kind == "plan"]
    assert plan_events == [
        ("2026-07-15", "Risk management plan version 1: 5 entries; 5 added", july),
        ("2026-10-14", "Risk management plan version 2: 4 entries; 1 ended", october),
    ]
    # Each comes after its meeting, before the actions of the day.
    kinds = [e.kind for e in events if e.on == "2026-10-14"]
    assert kinds.index("meeting") < kinds.index("plan")


def test_erasure_takes_the_plan_and_conditions_too(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    ops_plan.open_plan(store=store, meeting_id=october)
    store.cases.set_status(case_id, "archived")
    removed = store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")
    assert removed["plan_entries"] == 10 and removed["plan_versions"] == 1 and removed["case_conditions"] == 5
    for table in ("plan_entries", "plan_versions", "plan_openings", "plan_not_needed", "case_conditions"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_the_report_names_refused_plan_values_without_changing_them(store):
    case_id, july = _july(store)
    october = _meeting(store, case_id, "2026-10-14")
    entry = ops_plan.add_entry(store=store, meeting_id=october, pillar="monitoring")
    # As if written before a rule existed: the guards are bypassed for this one write.
    store.db.execute("DROP TRIGGER guard_plan_entries_start_date_u")
    store.db.execute("UPDATE plan_entries SET start_date = '2026-02-30' WHERE id = ?", [entry])
    found = [r for r in store.refused_values() if r.field.startswith("plan.")]
    assert [(r.record_type, r.record_id, r.field) for r in found] == [("meeting", october, "plan.start_date")]
    assert "2026-02-30" not in found[0].message
    assert store.plan.entry(entry)["start_date"] == "2026-02-30"  # reported, never changed


def test_the_plan_tables_and_the_spec_agree(store):
    """Every field of an entry and of a condition has its column, and every other column is
    the store's own bookkeeping (as tests/test_spec.py checks for the minute)."""
    from mappa_desktop import spec

    bookkeeping = {
        "plan_entries": ({"id", "meeting_id", "entry_uid", "position", "status", "action_id", "updated_at", "base"},
                         spec.PLAN_ENTRY.fields),
        "case_conditions": ({"id", "case_id", "uid", "position", "created_at", "updated_at"}, spec.CONDITIONS.fields),
        "plan_not_needed": ({"meeting_id", "pillar"}, (spec.PLAN_NOT_NEEDED,)),
    }
    for table, (own, fields) in bookkeeping.items():
        columns = {row[1]: row[2].upper() for row in store.db.execute(f"PRAGMA table_info({table})")}
        for field in fields:
            assert columns.get(field.key) == ("INTEGER" if field.kind is spec.Kind.YES_NO else "TEXT"), field.key
        assert set(columns) - {f.key for f in fields} == own, table
    assert spec.PLAN_ENTRY.table == "plan_entries" and spec.CONDITIONS.table == "case_conditions"
