"""Property tests over generated cases: whatever people type (any script, markup, control
characters, long text), a case survives the round trip between two laptops unchanged, and
two edits of the same field are always shown as one conflict whose chosen side wins."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from mappa_desktop import spec
from mappa_desktop.ops.minute import finalise

from .bundle_helpers import TODAY, case_state, export, import_all, laptop
from .signoff_helpers import recorded_approval

# Any character a person might paste, except lone surrogates (no text file can hold them).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
SOME_TEXT = TEXT.filter(lambda t: t.strip())
LONG_FIELDS = [f.key for s in spec.SECTIONS if s.source is spec.Source.MEETING for f in s.fields
               if f.kind is spec.Kind.LONG_TEXT]
SECTION_OF = {f.key: s.key for s in spec.SECTIONS if s.source is spec.Source.MEETING for f in s.fields}


@st.composite
def cases(draw):
    values = {
        "reference": draw(st.from_regex(r"[A-Z]{2}-20[0-9]{2}-[0-9]{4}", fullmatch=True)),
        "full_name": draw(SOME_TEXT),
        "aliases": draw(TEXT),
        "address": draw(TEXT),
        "category": draw(st.sampled_from(["1", "restricted_patient"])),
        "mappa_level": draw(st.sampled_from(["1", "2", "3"])),
        "date_of_birth": draw(st.dates(date(1930, 1, 1), date(2005, 1, 1))).isoformat(),
    }
    orders = draw(st.lists(st.fixed_dictionaries({"order_type": st.sampled_from(["shpo", "sro"]),
                                                  "order_detail": TEXT,
                                                  "granted_date": st.dates(date(2015, 1, 1), date(2024, 1, 1))
                                                  .map(date.isoformat)}), max_size=2))
    meetings = draw(st.lists(st.fixed_dictionaries({
        "date": st.dates(date(2020, 1, 1), date(2026, 10, 1)),
        "texts": st.dictionaries(st.sampled_from(LONG_FIELDS), TEXT, max_size=4),
        "attendance": st.lists(st.fixed_dictionaries({"name": TEXT, "agency": TEXT,
                                                      "status": st.sampled_from(["present", "apologies"])}),
                               max_size=3),
        "actions": st.lists(SOME_TEXT, max_size=3),
        "finalise": st.booleans(),
    }), min_size=1, max_size=3))
    return values, orders, meetings


def _build(store, generated) -> int:
    values, orders, meetings = generated
    case_id = store.cases.create(values, orders)
    for m in sorted(meetings, key=lambda m: m["date"]):
        meeting_id = store.minutes.create(case_id, {"meeting_date": m["date"].isoformat()})
        for key, text in m["texts"].items():
            store.minutes.save_fields(meeting_id, SECTION_OF[key], {key: text})
        store.minutes.save_rows(meeting_id, "attendance", m["attendance"])
        for text in m["actions"]:
            store.minutes.raise_action(meeting_id, {"action_text": text})
        if m["finalise"]:
            from mappa_desktop.ops.minute import check

            items = check(store=store, meeting_id=meeting_id, today=TODAY)
            finalise(store=store, meeting_id=meeting_id, today=TODAY,
                     acknowledgements={i.key: "Accepted for the test." for i in items},
                     approval=recorded_approval(store, meeting_id))
    return case_id


SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_any_case_survives_the_round_trip_unchanged(generated):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        a, b = laptop(root, "a"), laptop(root, "b", user="Bea Deputy")
        try:
            case_id = _build(a.store, generated)
            first = export(a.store, case_id, root / "a1")
            before = case_state(a.store, case_id)
            plan, result = import_all(b.store, first)
            assert plan.new_case and case_state(b.store, result.case_id) == before
            plan, _ = import_all(a.store, export(b.store, result.case_id, root / "b1"))
            assert plan.differences == [] and set(plan.added) <= {"audit"}
            assert case_state(a.store, case_id) == before
        finally:
            a.close()
            b.close()


@SETTINGS
@given(cases(), st.sampled_from(LONG_FIELDS), SOME_TEXT, SOME_TEXT, st.sampled_from(["theirs", "ours"]))
def test_the_same_field_edited_on_both_sides_is_one_conflict_and_the_choice_wins(generated, key, mine, yours, side):
    values, orders, meetings = generated
    meetings = [{**m, "finalise": False} for m in meetings]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        a, b = laptop(root, "a"), laptop(root, "b", user="Bea Deputy")
        try:
            case_id = _build(a.store, (values, orders, meetings))
            _, result = import_all(b.store, export(a.store, case_id, root / "a1"))
            meeting_a = a.store.minutes.meetings(case_id)[0].id
            meeting_b = b.store.bundles.records.local_id("meeting", a.store.bundles.records.uid_of("meeting", meeting_a))
            a.store.minutes.save_fields(meeting_a, SECTION_OF[key], {key: mine})
            b.store.minutes.save_fields(meeting_b, SECTION_OF[key], {key: yours})
            ours_before = b.store.minutes.get(meeting_b, consult=False).get(key)
            theirs = a.store.minutes.get(meeting_a, consult=False).get(key)
            plan, _ = import_all(b.store, export(a.store, case_id, root / "a2"), prefer=side)
            if theirs == ours_before:
                assert plan.differences == []
            else:
                assert [(d.field, d.theirs, d.ours) for d in plan.differences] == [(key, theirs, ours_before)]
            expected = theirs if side == "theirs" else ours_before
            assert b.store.minutes.get(meeting_b, consult=False).get(key) == expected
        finally:
            a.close()
            b.close()
