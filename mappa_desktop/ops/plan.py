"""Operations on the risk management plan: every write the window makes to it goes through
here, as for the rest of the minute (``ops.minute``).

Each takes the store and what was typed, parses and checks it against ``spec.PLAN_ENTRY``
(or ``spec.CONDITIONS``) with ``mappa_desktop.rules``, writes what may be written, keeps the
words of what may not in a draft until they are put right, and returns the problems to show
beside the fields. The store checks again and refuses what the spec forbids.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from .. import spec
from ..plan import action_terms, fields_for
from ..rules.values import Problem, parse_record, record_problems
from .minute import _keep_typed, draft_key

NOT_NEEDED = spec.PLAN_NOT_NEEDED


def entry_draft_key(meeting_id: int, entry_id: int) -> str:
    return draft_key(meeting_id, f"plan:{entry_id}")


def pillar_draft_key(meeting_id: int, pillar: str) -> str:
    return draft_key(meeting_id, f"pillar:{pillar}")


def open_plan(*, store, meeting_id: int) -> bool:
    """Open the meeting's version of the plan as the plan stood (once; a finalised minute
    keeps what it has). Returns True when it was opened now."""
    if store.minutes.get(meeting_id, consult=False, with_actions=False).status == "finalised":
        return False
    if store.plan.opened_from(meeting_id)[0]:
        return False
    return store.plan.open(meeting_id)


def parse_entry(pillar: str, raw: Mapping, context: Mapping, now) -> tuple[dict, list[Problem]]:
    """An entry as typed -> stored values of the fields its pillar has, and the problems
    (parsing first, then the rules for the values that parsed)."""
    fields = fields_for(pillar)
    raw = {k: v for k, v in raw.items() if k in {f.key for f in fields}}
    values, problems = parse_record(fields, raw)
    parsed = {p.field for p in problems}
    problems += [p for p in record_problems(fields, values, now=now, context=context, only=values)
                 if p.field not in parsed]
    return values, problems


def add_entry(*, store, meeting_id: int, pillar: str) -> int:
    """A new, empty entry under ``pillar`` (added at this meeting)."""
    return store.plan.add_entry(meeting_id, pillar)


def save_entry(*, store, meeting_id: int, entry_id: int, raw: Mapping) -> list[Problem]:
    """Save an entry as typed. Values that parse and keep the rules are stored; the words
    of the others are kept as typed (and the stored value left as it was)."""
    stored = store.plan.entry(entry_id)
    values, problems = parse_entry(stored["pillar"], raw, stored, store.clock())
    uid = values.get("condition_uid")
    if uid and uid != stored.get("condition_uid") and not store.conditions.belongs(uid, stored["case_id"]):
        problems.append(Problem("condition_uid", "Rests on condition: not one of this case's conditions."))
    bad = {p.field for p in problems}
    store.plan.save_entry(entry_id, {k: v for k, v in values.items() if k not in bad})
    _keep_typed(store, entry_draft_key(meeting_id, entry_id), {k: raw[k] for k in bad if k in raw}, problems)
    return problems


def end_entry(*, store, meeting_id: int, entry_id: int, rationale: str) -> list[Problem]:
    """End an entry at this meeting, with the reason (it stays in this version, marked ended,
    and is not carried into the next)."""
    rationale_field = spec.PLAN_ENTRY.field("rationale")
    if not (rationale or "").strip():
        return [Problem("rationale", f"{rationale_field.label}: give the reason for ending the entry.")]
    problems = record_problems((rationale_field,), {"rationale": rationale}, now=store.clock())
    if problems:
        return problems
    store.plan.set_status(entry_id, "ended", rationale)
    return []


def keep_entry(*, store, meeting_id: int, entry_id: int) -> None:
    """Take back the ending of an entry: it stays in the plan."""
    store.plan.set_status(entry_id, "live")


def remove_entry(*, store, meeting_id: int, entry_id: int) -> list[Problem]:
    """Take back an entry added at this meeting by mistake (a carried one is ended instead)."""
    from ..db.errors import ValidationError

    try:
        store.plan.remove_entry(entry_id)
    except ValidationError as exc:
        return [Problem(exc.field, exc.reason)]
    store.drafts.discard(entry_draft_key(meeting_id, entry_id))
    return []


def save_not_needed(*, store, meeting_id: int, pillar: str, raw) -> list[Problem]:
    """Why nothing is needed under a pillar at this meeting, as typed."""
    values, problems = parse_record((NOT_NEEDED,), {"not_needed": raw})
    problems += record_problems((NOT_NEEDED,), values, now=store.clock())
    if not problems:
        store.plan.set_not_needed(meeting_id, pillar, values.get("not_needed"))
    _keep_typed(store, pillar_draft_key(meeting_id, pillar), {"not_needed": raw}, problems)
    return problems


def raise_action(*, store, meeting_id: int, entry_id: int) -> tuple[int | None, list[Problem]]:
    """An action from a plan entry in one step: its words, owner and agency carried over,
    and its target the date the entry starts (or ends) if that is not before the meeting.
    The action joins the actions agreed at this meeting; the entry shows its number."""
    from .minute import raise_action as raise_minute_action

    entry = store.plan.entry(entry_id)
    if entry.get("action_id"):
        return None, [Problem("action", f"Action {entry.get('action_number')} was already raised from this entry.")]
    if not (entry.get("what") or "").strip():
        return None, [Problem("what", "What is done: say what the entry does before raising an action from it.")]
    meeting = store.minutes.get(meeting_id, consult=False, with_actions=False)
    terms = action_terms(entry, meeting.values.get("meeting_date"))
    with store.transaction():
        action_id, problems = raise_minute_action(store=store, meeting_id=meeting_id, raw=terms)
        if action_id is None:  # a carried-over date the action may not have: leave it to the chair
            action_id, problems = raise_minute_action(store=store, meeting_id=meeting_id,
                                                      raw={**terms, "target_date": None})
        if action_id is not None:
            store.plan.link_action(entry_id, action_id)
    return action_id, problems


def save_conditions(*, store, case_id: int, raw_rows: Sequence[Mapping],
                    uids: Sequence[str | None]) -> list[Problem]:
    """The case's conditions as typed (``uids``: each row's global id, None for a new one).
    Nothing is stored while any value has a problem; each is returned beside its field."""
    from ..db.errors import ValidationError

    fields = spec.CONDITIONS.fields
    rows, problems = [], []
    for index, raw in enumerate(raw_rows):
        prefix = f"conditions.{index}."
        values, row_problems = parse_record(fields, raw, prefix)
        parsed = {p.field for p in row_problems}
        row_problems += [p for p in record_problems(fields, values, now=store.clock(), prefix=prefix)
                         if p.field not in parsed]
        rows.append({**values, "uid": uids[index] if index < len(uids) else None})
        problems += row_problems
    if problems:
        return problems
    try:
        store.conditions.save(case_id, rows)
    except ValidationError as exc:
        return exc.as_problems("conditions")
    return []
