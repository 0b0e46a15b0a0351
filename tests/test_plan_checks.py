"""The completeness check's items for the risk management plan, one rule at a time.

Each test starts from the complete example review meeting (its plan has an entry under
every pillar, two contingency triggers and several agencies: the check is empty), takes
away exactly one thing, and asserts exactly which item the check reports, where it points,
and that the section's mark says the same (marks and check come from the same items).
"""

from __future__ import annotations

from datetime import date

import pytest

from mappa_desktop import spec
from mappa_desktop.ops import minute as ops_minute
from mappa_desktop.ops import plan as ops_plan
from mappa_desktop.ops.minute_state import MinuteState
from mappa_desktop.rules.completeness import check, facts_of_content, section_state

from .test_checks import _build
from tests.signoff_helpers import recorded_approval

TODAY = date(2026, 10, 14)


@pytest.fixture
def example(session):
    session.store.db.execute("PRAGMA synchronous = OFF")
    return _build(session.store)


def _items(example):
    return ops_minute.check(store=example.store, meeting_id=example.review, today=TODAY)


def _only(example, key, section, field="", row=None):
    items = _items(example)
    assert [i.key for i in items] == [key], items
    item = items[0]
    assert (item.section, item.field, item.row) == (section, field, row), item
    # The mark of that section agrees: started, never complete, while the item stands.
    state = MinuteState(example.store, example.review, consult=False)
    assert state.mark(section) == "started"
    return item


def _entries(example, pillar):
    return [e for e in example.store.plan.entries(example.review) if e["pillar"] == pillar]


def test_the_example_plan_is_complete(example):
    assert _items(example) == []
    state = MinuteState(example.store, example.review, consult=False)
    assert state.mark("risk_management") == state.mark("contingency") == "complete"


def test_each_pillar_is_considered_an_entry_or_not_needed_with_a_reason(example):
    store, review = example.store, example.review
    for entry in _entries(example, "interventions"):
        ops_plan.end_entry(store=store, meeting_id=review, entry_id=entry["id"], rationale="Programme completed.")
    item = _only(example, "plan:considered:interventions", "risk_management", "not_needed", 2)
    assert item.message == ("Interventions and treatment: not considered at this meeting (add an entry, or say why "
                            "it is not needed).")
    assert ops_plan.save_not_needed(store=store, meeting_id=review, pillar="interventions",
                                    raw="Programme completed; no further work needed now.") == []
    assert _items(example) == []
    # A reason beside entries contradicts them: the check says so.
    ops_plan.keep_entry(store=store, meeting_id=review, entry_id=_entries(example, "interventions")[0]["id"])
    _only(example, "plan:considered:interventions:both", "risk_management", "not_needed", 2)


def test_contingency_needs_a_trigger(example):
    store, review = example.store, example.review
    for entry in _entries(example, "contingency"):
        ops_plan.end_entry(store=store, meeting_id=review, entry_id=entry["id"], rationale="Replaced.")
    item = _only(example, "plan:no_trigger", "contingency", "trigger_event")
    assert item.message == "Contingency: the plan names no trigger (what happens if the plan fails)."
    # An entry without its trigger is named once, as that entry's gap.
    entry = ops_plan.add_entry(store=store, meeting_id=review, pillar="contingency")
    ops_plan.save_entry(store=store, meeting_id=review, entry_id=entry,
                        raw={"what": "Recall.", "owner_agency": "Justice Social Work", "rationale": "New."})
    added = next(e for e in store.plan.entries(review) if e["id"] == entry)
    item = _only(example, f"plan:{added['entry_uid']}:trigger_event", "contingency", "trigger_event", 2)
    assert item.message == "Contingency, entry 3: What triggers it is missing."


def test_a_level_2_plan_names_an_agency_besides_the_lead(example):
    store, review = example.store, example.review
    lead = "Forthside Council Justice Social Work Service"
    for entry in store.plan.entries(review):
        if entry["owner_agency"] not in ("Justice Social Work",):
            ops_plan.save_entry(store=store, meeting_id=review, entry_id=entry["id"],
                                raw={"owner_agency": "Justice Social Work", "rationale": "Test."})
    # "Justice Social Work" is the lead authority written short: it does not count.
    assert lead.casefold().endswith("justice social work service")
    item = _only(example, "plan:one_agency", "risk_management", "owner_agency")
    assert item.message == "At level 2 the plan names no agency besides the lead authority."
    store.minutes.save_fields(review, "mappa_level", {"level_decision": "down", "new_level": "1"})
    assert _items(example) == []  # level 1: one lead agency can manage the risk


def test_what_the_meeting_changed_needs_its_reason(example):
    store, review = example.store, example.review
    entry = _entries(example, "monitoring")[0]
    ops_plan.save_entry(store=store, meeting_id=review, entry_id=entry["id"], raw={"rationale": ""})
    item = _only(example, f"plan:{entry['entry_uid']}:rationale", "risk_management", "rationale", 1)
    assert item.message == "Monitoring and control, entry 1: Why (at this meeting) is missing."


def test_a_value_the_rules_refuse_is_named(example):
    store, review = example.store, example.review
    entry = _entries(example, "supervision")[0]
    store.db.execute("DROP TRIGGER guard_plan_entries_end_date_u")  # as if stored before the rule
    store.db.execute("UPDATE plan_entries SET end_date = '2020-01-01' WHERE id = ?", [entry["id"]])
    item = _only(example, f"plan-invalid:{entry['entry_uid']}:end_date", "risk_management", "end_date", 0)
    assert item.message == "Supervision, entry 1: End date: cannot be before the start date (12/02/2024)."


def test_a_finalised_minute_is_checked_again_from_its_snapshot_alike(example):
    store, review = example.store, example.review
    for entry in _entries(example, "victim_safety"):
        ops_plan.end_entry(store=store, meeting_id=review, entry_id=entry["id"], rationale="Moved.")
    live = [i.key for i in _items(example)]
    ops_minute.finalise(store=store, meeting_id=review, acknowledgements={k: "Reviewed." for k in live}, today=TODAY, approval=recorded_approval(store, review))
    content, _ = store.minutes.snapshot(review)
    facts = facts_of_content(content)
    assert [i.key for i in check(facts, TODAY)] == live == ["plan:considered:victim_safety"]
    items = check(facts, TODAY)
    assert section_state(spec.section("risk_management"), facts, items) == "started"
    assert content["acknowledgements"]["plan:considered:victim_safety"]["reason"] == "Reviewed."
