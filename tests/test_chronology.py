"""A chronology worth reading: every dated fact of a seeded case in one time line (meetings
with the risk and level agreed, changes marked, disclosures, actions raised / done /
carried / re-assigned / withdrawn, orders, key dates, the incident and its review stages,
the exit), filtered by kind, printed with the same content, and the chart read from the
same events."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from mappa_desktop import chronology, printing, scr
from mappa_desktop.chronology import GROUPS, events_of, in_groups, risk_series
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops.actions import reassign_action
from mappa_desktop.ops.cases import record_exit
from mappa_desktop.ops.minute import check, finalise
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import print_meta
from mappa_desktop.security import TEST_KDF

from .signoff_helpers import recorded_approval
from .test_scr import FRAME, INCIDENT, STAGE_VALUES


def _finalise(store, meeting):
    items = check(store=store, meeting_id=meeting, today=store.today())
    finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "ok" for i in items}, today=store.today(),
             approval=recorded_approval(store, meeting))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The example case through to its exit: July and October meetings (the October review
    keeps risk High and level 2, agrees a disclosure, carries action 3 to 30/11/2026), a
    December meeting that raises the risk to Very High and the level to 3, a re-assigned
    and a withdrawn action, an incident with its 13A stage, and the exit in March 2027."""
    moment = {"now": datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)}
    session = create_store(DataPaths(tmp_path_factory.mktemp("chronology") / "d"), name="Lorna Petrie",
                           agency="MAPPA unit", role="", passphrase="granite otter lantern violet", kdf=TEST_KDF,
                           clock=lambda: moment["now"])
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    store.minutes.save_fields(first, "rosh", {"agreed_rosh": "medium"})
    store.minutes.save_fields(first, "mappa_level", {"level_decision": "stays"})
    _finalise(store, first)
    _finalise(store, review)
    actions = {a.number: a for a in store.actions.of_case(case_id)}
    assert reassign_action(store=store, action_id=actions[5].id, raw={
        "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work",
        "reason": "Children's services passed it to JSW."}) == []
    store.actions.withdraw(actions[7].id, "The provider's report arrived.")
    moment["now"] = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)
    december = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2026-12-09"})
    store.minutes.save_fields(december, "rosh", {"agreed_rosh": "very_high", "rosh_to_whom": "Children",
                                                 "rosh_rationale": "Unsupervised contact."})
    store.minutes.save_fields(december, "mappa_level", {"level_decision": "up", "new_level": "3",
                                                        "level_rationale": "Senior resources needed."})
    _finalise(store, december)
    review_id, problems = scr.report_incident(store=store, case_id=case_id, values={
        **INCIDENT, "incident_date": "2026-12-01", "reported_date": "2026-12-02"})
    assert problems == []
    assert scr.complete_stage(store=store, review_id=review_id, stage_key="initial_notification",
                              values={**FRAME, "started_date": "2026-12-03", "completed_date": "2026-12-04",
                                      **STAGE_VALUES["initial_notification"]}) == []
    moment["now"] = datetime(2027, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert record_exit(store=store, case_id=case_id, raw={"exit_date": "01/03/2027", "exit_reason": "transferred"},
                       meeting_id=december) == []
    yield store, case_id, events_of(store, case_id)
    session.close()


def _texts(events, kind):
    return [(e.on, e.text) for e in events if e.kind == kind]


def test_meetings_carry_the_risk_and_level_agreed_and_changes_are_marked(seeded):
    _store, _case_id, events = seeded
    assert _texts(events, "meeting") == [
        ("2026-07-15", "Review meeting: risk of serious harm Medium; MAPPA level 2 (stays at the current level)"),
        ("2026-10-14", "Review meeting: risk of serious harm High (to Children); MAPPA level 2 "
                       "(stays at the current level)"),
        ("2026-12-09", "Review meeting: risk of serious harm Very High (to Children); MAPPA level 3 (moves up)"),
    ]
    changes = [e for e in events if e.kind == "change"]
    assert [(e.on, e.text, e.marked) for e in changes] == [
        ("2026-10-14", "Risk of serious harm raised: Medium → High", True),
        ("2026-12-09", "Risk of serious harm raised: High → Very High", True),
        ("2026-12-09", "MAPPA level raised: 2 → 3", True),
    ]


def test_disclosures_say_when_and_to_whom(seeded):
    _store, _case_id, events = seeded
    assert _texts(events, "disclosure") == [
        ("2026-10-16", "Disclosure to Ms Joanne Reid, by DS Fiona McLeish and Siobhán Ní Bhriain (decided at the "
                       "meeting of 14/10/2026 by DI Euan MacDhòmhnaill)")]


def test_actions_raised_done_carried_reassigned_and_withdrawn(seeded):
    _store, _case_id, events = seeded
    raised = _texts(events, "action_raised")
    assert len(raised) == 7 and raised[0] == (
        "2026-07-15", "Action 1 raised: Examine newly declared devices (DS Fiona McLeish, Police Scotland; "
                      "target 31/10/2026)")
    assert ("2026-10-14", "Action 3 carried forward to 30/11/2026 (target was 31/08/2026): Offered, declined; "
                          "carried forward.") in _texts(events, "action_carried")
    assert _texts(events, "action_reassigned") == [
        ("2026-10-20", "Action 5 re-assigned: Grzegorz Wiśniewski, Children's Services → Siobhán Ní Bhriain, "
                       "Justice Social Work: Children's services passed it to JSW.")]
    closed = _texts(events, "action_closed")
    assert ("2026-10-02", "Action 1 done: No concerns.") in closed
    assert ("2026-10-20", "Action 7 withdrawn: The provider's report arrived.") in closed
    # Action 5 was raised with its first owner: the raised line keeps the terms as agreed.
    assert any(t.startswith("Action 5 raised:") and "Grzegorz Wiśniewski" in t for _on, t in raised)


def test_orders_key_dates_the_incident_its_review_and_the_exit(seeded):
    _store, _case_id, events = seeded
    assert ("2020-08-28", "Sexual Harm Prevention Order (SHPO) granted") in _texts(events, "order")
    assert ("2030-08-28", "Sexual Harm Prevention Order (SHPO) ends") in _texts(events, "order")
    key_dates = _texts(events, "key_date")
    assert ("2019-11-05", "Notification requirements (SONR) start (indefinite)") in key_dates
    assert ("2027-02-12", "Licence expires") in key_dates
    [incident] = _texts(events, "incident")
    assert incident[0] == "2026-12-01" and "reported on 02/12/2026" in incident[1]
    assert _texts(events, "review") == [("2026-12-04", "13A Initial notification / initial case review completed: "
                                                       "An SCR appears merited")]
    exits = [e for e in events if e.kind == "exit"]
    assert [(e.on, e.text, e.marked) for e in exits] == [
        ("2027-03-01", "Left MAPPA: Transferred to another area (decided at the meeting of 09/12/2026)", True)]


def test_events_are_in_date_order_and_every_kind_has_a_group(seeded):
    _store, _case_id, events = seeded
    assert [e.on for e in events] == sorted(e.on for e in events)
    assert {e.kind for e in events} <= set(chronology.KINDS)
    assert {chronology.KINDS[e.kind].group for e in events} == set(GROUPS)


def test_the_filter_by_kind(seeded):
    _store, _case_id, events = seeded
    assert in_groups(events, None) == events
    disclosures = in_groups(events, ("Disclosures",))
    assert [e.kind for e in disclosures] == ["disclosure"]
    decisions = in_groups(events, ("Meetings and decisions",))
    # Versions of the risk management plan are decisions of the meeting too (issue 15).
    assert {e.kind for e in decisions} == {"meeting", "change", "plan"}
    assert len([e for e in decisions if e.kind != "plan"]) == 6


def test_the_chart_reads_the_same_events(seeded):
    _store, _case_id, events = seeded
    assert [(p.on, p.rosh, p.level) for p in risk_series(events)] == [
        ("2026-07-15", "medium", "2"), ("2026-10-14", "high", "2"), ("2026-12-09", "very_high", "3")]


def test_the_printout_has_the_same_content(seeded):
    store, case_id, events = seeded
    result = printing.render_chronology(events, print_meta(store, reference="FS-2026-0147"))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(result.pdf)).pages).split())
    assert f"{len(events)} entries" in text
    for event in events:
        assert " ".join(event.text.split()) in text, event.text
    only = in_groups(events, ("Disclosures",))
    filtered = printing.render_chronology(only, print_meta(store, reference="FS-2026-0147"), shown="Disclosures")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(filtered.pdf)).pages).split())
    assert "1 entry" in text and "only Disclosures" in text and "Ms Joanne Reid" in text
    assert "Action 1 raised" not in text


def test_a_new_kind_of_event_is_one_declaration_and_one_source(seeded, monkeypatch):
    """How the risk management plan's versions (issue 15) join the time line."""
    store, case_id, _events = seeded
    monkeypatch.setitem(chronology.KINDS, "plan_version",
                        chronology.EventKind("plan_version", "Risk management plan", 3, "Meetings and decisions"))
    monkeypatch.setattr(chronology, "SOURCES", [*chronology.SOURCES,
                                                lambda facts: [chronology.Event("2026-10-21", "plan_version",
                                                                                "Plan version 2 saved")]])
    events = events_of(store, case_id)
    [plan] = [e for e in events if e.kind == "plan_version"]
    assert plan.label == "Risk management plan" and plan in in_groups(events, ("Meetings and decisions",))
