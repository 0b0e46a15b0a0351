"""Significant Case Reviews: the rules of the stages and the use cases that apply them.

An incident on a case opens a review; its stages (``scr_spec.STAGES``) are completed in
order, none skipped; every decision carries its rationale; a "no SCR" decision by the SOG
closes the record with its reasons; completing the review stage puts each recommendation
in the case's action register, with its owner and target date. Takes a store, returns data;
no widgets, no SQL.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from . import scr_spec
from .rules.values import Problem, is_required, parse_record, record_problems
from .chronology import Event, events_of
from .model import ScrReview
from .spec import Kind, Section

RATIONALE_MESSAGE = "A decision needs its rationale: say why it was made."


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def next_stage(review: ScrReview) -> str | None:
    """The first stage not yet completed (None once the review is closed)."""
    if review.closed:
        return None
    for key in scr_spec.STAGE_KEYS:
        stage = review.stages.get(key)
        if stage is None or stage.status != "completed":
            return key
    return None


def stage_words(review: ScrReview) -> str:
    """The stage a review is at, in words ("Closed" once closed)."""
    key = next_stage(review)
    return "Closed" if key is None else scr_spec.stage_title(key)


def stage_status(review: ScrReview, key: str) -> str:
    """"completed", "draft", "not started", or "not needed" (after a closing decision)."""
    stage = review.stages.get(key)
    if stage is not None:
        return stage.status
    return "not needed" if review.closed else "not started"


def waiting_on(review: ScrReview) -> str:
    """Who the review is waiting on, in words for the cross-case list."""
    if review.closed:
        return "Nobody: closed"
    key = next_stage(review)
    who = scr_spec.WAITING_ON.get(key, "")
    stage = review.stages.get(key)
    author = stage.values.get("author") if stage else None
    return f"{who}: {author}" if author else who


def order_problems(review: ScrReview, stage_key: str) -> list[Problem]:
    """Refusals that do not depend on the values: closed record, skipped or finished stage."""
    if stage_key not in scr_spec.STAGE_KEYS:
        return [Problem("stage", f"There is no stage {stage_key!r}.")]
    if review.closed:
        return [Problem("stage", "This review is closed; its stages can no longer change.")]
    index = scr_spec.STAGE_KEYS.index(stage_key)
    if index:
        before = scr_spec.STAGE_KEYS[index - 1]
        done = review.stages.get(before)
        if done is None or done.status != "completed":
            return [Problem("stage", f"Complete '{scr_spec.stage_title(before)}' first: "
                                     "stages cannot be skipped.")]
    current = review.stages.get(stage_key)
    if current is not None and current.status == "completed":
        return [Problem("stage", "This stage is already completed.")]
    return []


def _required(section: Section, values: Mapping, prefix: str = "", *, now=None) -> list[Problem]:
    """What the section asks for (``required``, or ``required_when`` its condition holds)
    and what its values break (dates in the future, completed before started...)."""
    problems = []
    for field in section.fields:
        if field.key == "rationale":
            continue  # its own message below
        if _empty(values.get(field.key)) and is_required(field, values):
            label = field.label + (" (needed for this decision)" if field.required_when else "")
            problems.append(Problem(prefix + field.key, f"{label}: required."))
    if now is not None:
        problems += record_problems(section.fields, values, now=now, prefix=prefix)
    return problems


def stage_problems(review: ScrReview, stage_key: str, values: Mapping,
                   recommendations: Iterable[Mapping] = (), now=None) -> list[Problem]:
    """Why a stage cannot be completed with these values (empty when it can)."""
    problems = order_problems(review, stage_key)
    if problems:
        return problems
    section = scr_spec.stage(stage_key)
    problems = _required(section, values, now=now)
    if not _empty(values.get("decision")) and _empty(values.get("rationale")):
        problems.append(Problem("rationale", RATIONALE_MESSAGE))
    elif _empty(values.get("rationale")):
        problems.append(Problem("rationale", f"{section.field('rationale').label}: required."))
    if stage_key == "review":
        for index, row in enumerate(recommendations):
            problems += _required(scr_spec.RECOMMENDATIONS, row, f"recommendations.{index}.", now=now)
    return problems


def incident_problems(values: Mapping, now=None) -> list[Problem]:
    """What an incident report still needs: its required fields and at least one criterion;
    and what its values break (an incident cannot be in the future)."""
    problems = _required(scr_spec.INCIDENT, values, now=now)
    if not scr_spec.criteria_met(values):
        problems.append(Problem("criterion_other", "Tick the criteria the incident appears to meet "
                                                   "(or other significant professional concern)."))
    return problems


# -- use cases ---------------------------------------------------------------------------------

def report_incident(*, store, case_id: int, values: Mapping) -> tuple[int | None, list[Problem]]:
    """Open a review of the case from an incident; refuses an incomplete report."""
    problems = incident_problems(values, now=store.clock())
    if problems:
        return None, problems
    return store.scr.create(case_id, values), []


def save_draft(*, store, review_id: int, stage_key: str, values: Mapping,
               recommendations: Iterable[Mapping] | None = None) -> list[Problem]:
    """Keep a stage's work in progress; refused when the stage may not be worked on yet."""
    problems = order_problems(store.scr.get(review_id), stage_key)
    if not problems:  # a draft may be incomplete, but not wrong
        problems = record_problems(scr_spec.stage(stage_key).fields, values, now=store.clock())
        for index, row in enumerate(recommendations or ()):
            problems += record_problems(scr_spec.RECOMMENDATIONS.fields, row, now=store.clock(),
                                        prefix=f"recommendations.{index}.")
    if problems:
        return problems
    with store.transaction():
        store.scr.save_stage(review_id, stage_key, values)
        if recommendations is not None and stage_key == "review":
            store.scr.save_recommendations(review_id, recommendations)
    return []


# -- what is typed in a stage, kept as it is typed ------------------------------------------------

def stage_draft_key(review_id: int, stage_key: str) -> str:
    """Where the words of a stage wait while some do not parse or break a rule."""
    return f"scr:{review_id}:{stage_key}"


def typed_stage(stage_key: str, raw: Mapping, raw_rows: Iterable[Mapping] | None = None, *,
                now=None) -> tuple[dict, list[dict] | None, list[Problem]]:
    """A stage's values and recommendations as typed (a widget's words), parsed: the stored
    form of each, and a problem for each value that does not parse or breaks its bounds."""
    section = scr_spec.stage(stage_key)
    values, problems = parse_record(section.fields, raw)
    values = {f.key: values.get(f.key) for f in section.fields}
    bad = {p.field for p in problems}
    problems += record_problems(section.fields, values, now=now, only=[k for k in values if k not in bad])
    rows = None
    if raw_rows is not None:
        rows = []
        for index, row_raw in enumerate(raw_rows):
            prefix = f"recommendations.{index}."
            row, row_problems = parse_record(scr_spec.RECOMMENDATIONS.fields, row_raw, prefix)
            rows.append({f.key: row.get(f.key) for f in scr_spec.RECOMMENDATIONS.fields})
            problems += row_problems
    return values, rows, problems


def keep_stage(*, store, review_id: int, stage_key: str, raw: Mapping,
               raw_rows: Iterable[Mapping] | None = None) -> list[Problem]:
    """Autosave of a stage being worked on: when every value parses and keeps its rules it
    is saved as the stage's draft; while any does not, the words are kept as typed (in the
    encrypted store, until they are put right) and the problems returned. Nothing typed is
    lost either way."""
    raw_rows = None if raw_rows is None else [dict(r) for r in raw_rows]
    values, rows, problems = typed_stage(stage_key, raw, raw_rows, now=store.clock())
    if not problems:
        problems = save_draft(store=store, review_id=review_id, stage_key=stage_key, values=values,
                              recommendations=rows)
    key = stage_draft_key(review_id, stage_key)
    if problems:
        store.drafts.put(key, {"values": dict(raw), "rows": raw_rows})
    elif store.drafts.get(key) is not None:
        store.drafts.discard(key)
    return problems


def kept_stage(store, review_id: int, stage_key: str) -> dict | None:
    """The words of a stage kept as typed (``{"values": ..., "rows": ...}``), if any."""
    return store.drafts.get(stage_draft_key(review_id, stage_key))


def complete_stage(*, store, review_id: int, stage_key: str, values: Mapping,
                   recommendations: Iterable[Mapping] | None = None) -> list[Problem]:
    """Complete a stage, all or nothing. A "no SCR" decision and closure close the record;
    the review stage puts its recommendations in the case's action register."""
    review = store.scr.get(review_id)
    recommendations = list(recommendations if recommendations is not None
                           else (r.as_values() for r in review.recommendations if r.action_id is None))
    problems = stage_problems(review, stage_key, values, recommendations, now=store.clock())
    if problems:
        return problems
    with store.transaction():
        store.scr.save_stage(review_id, stage_key, values, complete=True)
        if stage_key == "review":
            _raise_recommendations(store, review, values, recommendations)
        closes = stage_key == "closure" or (stage_key == "sog_decision" and values.get("decision") == "no_scr")
        if closes:
            label = scr_spec.stage(stage_key).field("decision").label_of(values.get("decision"))
            store.scr.close(review_id, reason=f"{label}: {values.get('rationale')}",
                            on=values.get("completed_date"))
        if store.drafts.get(stage_draft_key(review_id, stage_key)) is not None:
            store.drafts.discard(stage_draft_key(review_id, stage_key))
    return []


def _raise_recommendations(store, review: ScrReview, values: Mapping, rows: list[Mapping]) -> None:
    store.scr.save_recommendations(review.id, rows)
    for rec in store.scr.get(review.id).recommendations:
        if rec.action_id is not None:
            continue
        action_id = store.actions.raise_action(
            case_id=review.case_id, meeting_id=None, raised_date=values.get("completed_date"),
            values={"action_text": f"SCR recommendation {rec.number}: {rec.recommendation}",
                    "owner_person": rec.owner_person, "owner_agency": rec.owner_agency,
                    "target_date": rec.target_date})
        store.scr.link_action(rec.id, action_id)


def prior_chronology(events: Iterable[Event], incident_date: str | None) -> list[Event]:
    """The case's chronology up to the incident: what the reviewer starts from."""
    if not incident_date:
        return list(events)
    return [e for e in events if e.on < incident_date]


def review_chronology(store, review: ScrReview) -> list[Event]:
    return prior_chronology(events_of(store, review.case_id), review.incident.get("incident_date"))


def _display(section: Section, values: Mapping) -> list[tuple[str, str, bool]]:
    return [(f.label, f.display(values.get(f.key)), f.kind is Kind.LONG_TEXT) for f in section.fields]


def review_content(store, review: ScrReview) -> dict:
    """Everything the printouts show, as plain data: labels and display values."""
    case = store.cases.get(review.case_id, consult=False)
    stages = []
    for section in scr_spec.STAGES:
        stage = review.stages.get(section.key)
        stages.append({"key": section.key, "title": section.title,
                       "status": stage_status(review, section.key),
                       "fields": _display(section, stage.values) if stage else []})
    return {
        "reference": case.reference,
        "status": review.status,
        "closed_reason": review.closed_reason,
        "closed_date": review.closed_date,
        "incident": [row for row, field in zip(_display(scr_spec.INCIDENT, review.incident),
                                                 scr_spec.INCIDENT.fields) if field not in scr_spec.CRITERIA],
        "criteria": scr_spec.criteria_met(review.incident),
        "stages": stages,
        "recommendations": [
            {"number": r.number, "recommendation": r.recommendation, "owner_person": r.owner_person,
             "owner_agency": r.owner_agency, "target_date": r.target_date, "action_id": r.action_id}
            for r in review.recommendations],
        "chronology": [{"on": e.on, "kind": e.kind, "text": e.text, "marked": e.marked}
                       for e in review_chronology(store, review)],
    }
