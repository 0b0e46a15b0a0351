"""The risk management plan travels with a case bundle: the conditions with their global
ids, each meeting's version (a draft's entries compared and chosen like its other fields),
and the frozen versions, added only with the finalised minute they belong to."""

from __future__ import annotations

import pytest

from mappa_desktop.ops import plan as ops_plan
from mappa_desktop.ops.minute import finalise
from mappa_desktop.transfer import compare, exchange

from .bundle_helpers import PASSPHRASE, TODAY, case_state, example_case, export, import_all, laptop
from tests.signoff_helpers import recorded_approval


@pytest.fixture
def two(tmp_path):
    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b", user="Bea Deputy")
    yield a.store, b.store
    a.close()
    b.close()


def _local(b, a, kind, local_a):
    return b.bundles.records.local_id(kind, a.bundles.records.uid_of(kind, local_a))


def test_the_plan_and_its_conditions_arrive_whole_and_the_next_meeting_opens_from_them(two, tmp_path):
    a, b = two
    case = example_case(a)  # October finalised: its plan is version 1
    version_a = a.plan.version_of(case.review)
    _, result = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    assert result.added["plan_version"] == 1
    review_b = _local(b, a, "meeting", case.review)
    version_b = b.plan.version_of(review_b)
    assert (version_b.version, version_b.plan) == (version_a.version, version_a.plan)
    assert b.bundles.author("plan_version", version_b.id) == "Ann Admin"
    assert [c.as_values() for c in b.cases.get(result.case_id, consult=False).conditions] == \
        [c.as_values() for c in a.cases.get(case.case_id, consult=False).conditions]
    assert [(e["entry_uid"], e["what"]) for e in b.plan.entries(review_b)] == \
        [(e["entry_uid"], e["what"]) for e in a.plan.entries(case.review)]
    assert case_state(b, result.case_id) == case_state(a, case.case_id)

    # On B the next meeting opens from that version, its links to conditions intact.
    january = b.minutes.create(result.case_id, {"meeting_date": "2027-01-13", "meeting_time": "10:00",
                                                "location": "MAPPA unit"})
    ops_plan.open_plan(store=b, meeting_id=january)
    carried = b.plan.entries(january)
    assert len(carried) == len(version_a.plan["entries"]) and {e["change"] for e in carried} == {"carried"}
    uids = {c.uid for c in b.cases.get(result.case_id, consult=False).conditions}
    assert {e["condition_uid"] for e in carried if e["condition_uid"]} <= uids

    # Once more: nothing new, nothing duplicated.
    plan, again = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    assert plan.differences == [] and "plan_version" not in again.added
    assert plan.already["plan_version"] == 1


def test_a_draft_plan_edited_on_both_laptops_is_one_choice(two, tmp_path):
    a, b = two
    case = example_case(a, finalised=False)
    import_all(b, export(a, case.case_id, tmp_path / "a1"))
    review_b = _local(b, a, "meeting", case.review)
    entry_a = next(e for e in a.plan.entries(case.review) if e["pillar"] == "supervision")
    entry_b = next(e for e in b.plan.entries(review_b) if e["entry_uid"] == entry_a["entry_uid"])
    ops_plan.save_entry(store=a, meeting_id=case.review, entry_id=entry_a["id"], raw={"frequency": "Daily"})
    ops_plan.save_entry(store=b, meeting_id=review_b, entry_id=entry_b["id"], raw={"frequency": "Fortnightly"})

    bundle = exchange.open_bundle(export(a, case.case_id, tmp_path / "a2"), PASSPHRASE)
    plan = exchange.preview_import(store=b, bundle=bundle)
    [difference] = plan.differences
    assert (difference.field, difference.label, difference.choosable) == ("plan", "Risk management plan", True)
    assert "Daily" in compare.display(difference, difference.theirs)
    assert "Fortnightly" in compare.display(difference, difference.ours)
    exchange.import_case(store=b, bundle=bundle, plan=plan, choices={difference.key: "theirs"})
    assert next(e for e in b.plan.entries(review_b) if e["entry_uid"] == entry_a["entry_uid"])["frequency"] == "Daily"
    assert any(e.detail == "risk management plan: from a case bundle" for e in b.audit.entries())


def test_a_version_is_left_out_when_the_minute_was_finalised_here_without_it(two, tmp_path):
    a, b = two
    case = example_case(a, finalised=False)
    import_all(b, export(a, case.case_id, tmp_path / "a1"))
    review_b = _local(b, a, "meeting", case.review)
    finalise(store=b, meeting_id=review_b, acknowledgements={}, today=TODAY, approval=recorded_approval(b, review_b))  # B's own version 1
    finalise(store=a, meeting_id=case.review, acknowledgements={}, today=TODAY, approval=recorded_approval(a, case.review))  # and A's
    plan, _ = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    assert "plan_version" not in plan.added
    assert any("risk management plan version was left out" in note for note in plan.notes)
    assert len(b.plan.versions(b.minutes.get(review_b, consult=False).case_id)) == 1


def test_a_format_1_bundle_says_nothing_about_conditions_or_plans(two, tmp_path, monkeypatch):
    """A bundle written before plans existed neither clears ours nor shows a difference."""
    from mappa_desktop.db import bundle_records
    from mappa_desktop.transfer import format as bundle_format

    a, b = two
    case = example_case(a, finalised=False)
    import_all(b, export(a, case.case_id, tmp_path / "a1"))
    # A writes as the version before issue 15 did: format 1, no conditions, no plans.
    real_case, real_meeting = bundle_records.CaseRecords.case, bundle_records.CaseRecords.meeting

    def old_case(self, case_id):
        record = real_case(self, case_id)
        record["fields"].pop("conditions")
        return record

    def old_meeting(self, meeting_id):
        record = real_meeting(self, meeting_id)
        record["fields"].pop("plan")
        return record

    monkeypatch.setattr(bundle_records.CaseRecords, "case", old_case)
    monkeypatch.setattr(bundle_records.CaseRecords, "meeting", old_meeting)
    monkeypatch.setattr(bundle_records, "APPEND_ONLY", bundle_records.APPEND_ONLY[:2])
    monkeypatch.setattr(bundle_format, "FORMAT", 1)
    path = export(a, case.case_id, tmp_path / "a2")
    monkeypatch.undo()
    assert bundle_format.FORMAT == 2
    review_b = _local(b, a, "meeting", case.review)
    before = (b.cases.get(b.minutes.get(review_b, consult=False).case_id, consult=False).conditions,
              b.plan.entries(review_b))
    plan, _ = import_all(b, path)
    assert [d.field for d in plan.differences] == []
    after = (b.cases.get(b.minutes.get(review_b, consult=False).case_id, consult=False).conditions,
             b.plan.entries(review_b))
    assert after == before and len(after[0]) == 5 and after[1]
