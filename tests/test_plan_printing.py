"""The risk management plan in print, read back with pypdf: the plan as its own document
(a frozen version and a draft), inside the full minute, in the pre-meeting pack, and left
out of the executive summary unless the area's setting keeps it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_desktop import printing, spec
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops import minute as ops_minute
from mappa_desktop.ops import plan as ops_plan
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import minute_job, pack_job, plan_job, summary_plan, summary_sections
from mappa_desktop.security import TEST_KDF
from mappa_desktop.settings import SettingError

from .test_printing import MARKING, PdfReader_, page_texts, squash
from tests.signoff_helpers import recorded_approval

CLOCK = lambda: datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)  # noqa: E731
TODAY = date(2026, 10, 14)
MARKUP = "Alcohol use rising; <b>partner</b> & children <img src='/etc/passwd'/>"


def _finalise(store, meeting_id):
    items = ops_minute.check(store=store, meeting_id=meeting_id, today=TODAY)
    ops_minute.finalise(store=store, meeting_id=meeting_id, acknowledgements={i.key: "Test" for i in items},
                        today=TODAY, approval=recorded_approval(store, meeting_id))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The example case: October's plan finalised as version 1, a January draft that
    changes one entry (with markup in its reason), ends one and adds one."""
    session = create_store(DataPaths(tmp_path_factory.mktemp("plan-print") / "data"), name="Lorna Petrie",
                           agency="MAPPA unit", role="", passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    _finalise(store, first)
    _finalise(store, review)
    before = {"plan": printing.render_plan(*_without_anchor(plan_job(store, meeting_id=review))).pdf}
    january = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2027-01-13",
                                             "meeting_time": "10:00", "location": "MAPPA unit"})
    ops_plan.open_plan(store=store, meeting_id=january)
    entries = store.plan.entries(january)
    supervision = next(e for e in entries if e["pillar"] == "supervision")
    ops_plan.save_entry(store=store, meeting_id=january, entry_id=supervision["id"],
                        raw={"frequency": "Twice weekly", "rationale": MARKUP})
    disclosure = next(e for e in entries if (e["what"] or "").startswith("Disclosure"))
    ops_plan.end_entry(store=store, meeting_id=january, entry_id=disclosure["id"], rationale="Made on 16/10/2026.")
    added = ops_plan.add_entry(store=store, meeting_id=january, pillar="interventions")
    ops_plan.save_entry(store=store, meeting_id=january, entry_id=added, raw={
        "what": "Alcohol counselling.", "owner_person": "Dr Nguyễn Thị Lan", "owner_agency": "NHS health board",
        "frequency": "Fortnightly", "start_date": "20/01/2027", "rationale": "He accepted the referral."})
    # Corrected on the case after October: the frozen version keeps the words of its day.
    case = store.cases.get(case_id, consult=False)
    rows = [c.as_values() for c in case.conditions]
    rows[3]["condition_text"] = "Reworded after the order was varied."
    assert ops_plan.save_conditions(store=store, case_id=case_id, raw_rows=rows,
                                    uids=[c.uid for c in case.conditions]) == []
    yield store, case_id, review, january, before
    session.close()


def _text(pdf: bytes) -> str:
    return squash("".join(page_texts(pdf)))


def _framed(pdf: bytes) -> list[str]:
    texts = page_texts(pdf)
    for number, text in enumerate(texts, 1):
        assert text.strip().startswith(MARKING) and text.strip().endswith(MARKING)
        assert f"Page {number} of {len(texts)}" in text
    return texts


def _without_anchor(job):
    import dataclasses

    plan, meta = job
    return plan, dataclasses.replace(meta, audit_anchor="")


def test_the_plan_as_its_own_document_names_its_version_and_meeting(world):
    store, case_id, review, january, before = world
    plan, meta = plan_job(store, meeting_id=review)
    result = printing.render_plan(plan, meta)
    texts = _framed(result.pdf)
    assert result.pages == len(texts) >= 2
    text = _text(result.pdf)
    for words in ("Risk management plan", "Version 1, agreed at the meeting of 14/10/2026",
                  "Plan version 1 · minute of 14/10/2026, fingerprint " + meta.sha256[:12],
                  "Supervision", "Monitoring and control", "Interventions and treatment", "Victim safety planning",
                  "Contingency", "If:Any unsupervised contact with children", "Siobhán Ní Bhriain",
                  "Rests on Licence condition 3", "Conditions of the licence and orders",
                  "No unsupervised contact with any child under 16"):
        assert squash(words) in text, words
    assert "DRAFT" not in "".join(texts)
    info = PdfReader_(result.pdf).metadata
    assert info["/Title"].startswith("MAPPA risk management plan FS-2026-0147")
    assert not any(name in str(value) for value in info.values() for name in ("AIRD", "Kenneth", "Siobhán"))


def test_a_frozen_version_prints_the_same_after_later_edits(world):
    store, case_id, review, january, before = world
    # Byte for byte (the footer's audit anchor aside, which names the log's head at printing):
    # the January draft and the new wording changed nothing.
    again = printing.render_plan(*_without_anchor(plan_job(store, meeting_id=review))).pdf
    assert again == before["plan"]
    assert squash("Reworded after the order was varied") not in _text(again)


def test_a_draft_version_shows_what_the_meeting_changed_with_its_reasons(world):
    store, case_id, review, january, before = world
    plan, meta = plan_job(store, meeting_id=january)
    result = printing.render_plan(plan, meta)
    _framed(result.pdf)
    text = _text(result.pdf)
    for words in ("Draft at the meeting of 13/01/2027 (opened from version 1)", "DRAFT", "Changed",
                  "How often was: Weekly", "Twice weekly", "Ended", "Made on 16/10/2026.", "Added",
                  "He accepted the referral.", "Carried over", "Reworded after the order was varied"):
        assert squash(words) in text, words
    # Markup typed by a person is printed as typed, never obeyed.
    assert squash("<b>partner</b> & children <img src='/etc/passwd'/>") in text


def test_the_full_minute_holds_the_plan_in_its_sections(world):
    store, case_id, review, january, before = world
    content, meta = minute_job(store, review)
    text = _text(printing.render_minute(content, meta).pdf)
    assert squash("The risk management plan: Version 1, agreed at the meeting of 14/10/2026.") in text
    start, end = text.index(squash("Risk management discussion")), text.index(squash("MAPPA level discussion"))
    section = text[start:end]
    for words in ("Supervision with the supervising officer", "Disclosure of his conviction to his new partner",
                  "If:Failure to attend supervision", "Added", "Agreed at this meeting.",
                  "Supervision stays weekly"):  # the discussion too
        assert squash(words) in section, words


def test_the_executive_summary_leaves_the_plan_out_unless_the_setting_keeps_it(world):
    store, case_id, review, january, before = world
    content, meta = minute_job(store, review)
    assert summary_plan(store) == ()  # the safe default
    default = _text(printing.render_minute(content, meta, summary_sections=summary_sections(store),
                                           summary_plan=summary_plan(store)).pdf)
    for words in ("Disclosure of his conviction", "Supervision with the supervising officer", "Contingency",
                  "Risk management"):
        assert squash(words) not in default, words

    store.settings.set("summary_plan", "supervision\ncontingency")
    kept = _text(printing.render_minute(content, meta, summary_sections=summary_sections(store),
                                        summary_plan=summary_plan(store)).pdf)
    assert squash("Supervision with the supervising officer") in kept
    assert squash("If:Any unsupervised contact with children") in kept
    # Not the pillars it leaves out, nor who does it, why, or what condition it rests on.
    for words in ("Disclosure of his conviction", "Victim safety planning", "Siobhán", "McLeish",
                  "Agreed at this meeting", "Rests on"):
        assert squash(words) not in kept, words
    with pytest.raises(SettingError, match="'horoscope' is not a pillar"):
        store.settings.set("summary_plan", "supervision\nhoroscope")
    store.settings.set("summary_plan", "")


def test_the_pack_shows_the_plan_as_it_stands(world):
    store, case_id, review, january, before = world
    content, meta, actions, documents = pack_job(store, case_id)
    text = _text(printing.render_pack(content, meta, open_actions=actions, documents=documents).pdf)
    start = text.index(squash("4 The risk management plan as it stands"))
    plan = text[start:text.index(squash("5 Open actions"))]
    assert squash("Version 1, agreed at the meeting of 14/10/2026") in plan
    assert squash("Disclosure of his conviction") in plan  # October's plan: January's draft is not agreed yet
    assert squash("Alcohol counselling") not in plan and squash("At this meeting") not in plan


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400).filter(
    lambda t: t.strip())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(what=TEXT, trigger=TEXT, reason=TEXT)
def test_any_text_in_an_entry_is_stored_exactly_and_prints(world, what, trigger, reason):
    store, case_id, review, january, before = world
    entry = ops_plan.add_entry(store=store, meeting_id=january, pillar="contingency")
    try:
        problems = ops_plan.save_entry(store=store, meeting_id=january, entry_id=entry, raw={
            "what": what, "trigger_event": trigger, "owner_agency": "Police Scotland", "rationale": reason})
        limit = spec.PLAN_ENTRY.field("trigger_event").limit
        assert [p.field for p in problems] == (["trigger_event"] if len(trigger) > limit else [])
        stored = store.plan.entry(entry)
        assert stored["what"] == what and stored["rationale"] == reason
        plan, meta = plan_job(store, meeting_id=january)
        result = printing.render_plan(plan, meta)
        assert result.pages >= 1 and PdfReader_(result.pdf).pages
    finally:
        ops_plan.remove_entry(store=store, meeting_id=january, entry_id=entry)
