"""Operations on a minute: every write the editor makes goes through here.

Each takes the store and what was typed (a widget's raw text), parses and checks it against
the spec with ``mappa_desktop.rules``, writes what may be written, keeps the words of what
may not (a draft in the encrypted store, until they are put right), and returns the
problems to show beside the fields. The store checks again and refuses anything the spec
forbids, so no other caller can store what these would refuse. What changed is announced by
the store when the write commits (``mappa_desktop.changes``).
"""

from __future__ import annotations

from datetime import date
from typing import Mapping, Sequence

from .. import spec
from ..model import Action, Minute
from ..plan import plan_content
from ..rules.completeness import CheckItem, check as run_check, facts_of
from ..rules.values import Problem, parse_record, record_problems

ACTION_FIELDS = spec.section("actions").fields
REVIEW = spec.section("previous_actions")
#: What the chair records about an earlier action at a meeting (its text and number stay).
REVIEW_FIELDS = tuple(f for f in REVIEW.fields if f.key != "action_text")


def draft_key(meeting_id: int, unit: str) -> str:
    """Where the words of a unit (a section, an action) wait while they do not parse."""
    return f"minute:{meeting_id}:{unit}"


def _keep_typed(store, key: str, raw, problems) -> None:
    """Keep the words typed while there are problems; forget them once all is saved."""
    if problems:
        store.drafts.put(key, raw)
    elif store.drafts.get(key) is not None:
        store.drafts.discard(key)


# -- starting a meeting --------------------------------------------------------------------------

def start_meeting(*, store, case_id: int, raw: Mapping) -> tuple[int | None, list[Problem]]:
    """A new meeting of the case from its details as typed (type, date, time, place, chair,
    minute taker, and the chair's purpose). Nothing is created while a value has a problem."""
    fields = (*spec.section("purpose").fields, *spec.section("meeting_details").fields)
    values, problems = parse_record(fields, raw)
    problems += record_problems(fields, values, now=store.clock(), only=values)
    if problems:
        return None, problems
    notes = values.pop("purpose_notes", None)
    with store.transaction():
        meeting_id = store.minutes.create(case_id, values)
        if notes:
            store.minutes.save_fields(meeting_id, "purpose", {"purpose_notes": notes})
    return meeting_id, []


# -- sections ----------------------------------------------------------------------------------

def save_section(*, store, meeting_id: int, section_key: str, raw: Mapping) -> list[Problem]:
    """Save the single values of a section as typed. Values that parse and keep the rules
    are stored; the words of the others are kept as typed. Returns the problems."""
    section = spec.section(section_key)
    values, problems = parse_record(section.fields, raw)
    context = store.minutes.context(meeting_id, section.fields, values)
    problems += record_problems(section.fields, values, now=store.clock(), context=context, only=values)
    bad = {p.field for p in problems}
    store.minutes.save_fields(meeting_id, section_key, {k: v for k, v in values.items() if k not in bad})
    _keep_typed(store, draft_key(meeting_id, section_key), {k: raw[k] for k in bad if k in raw}, problems)
    return problems


def save_rows(*, store, meeting_id: int, section_key: str, raw_rows: Sequence[Mapping]) -> list[Problem]:
    """Save the rows of a repeating section as typed. A value with a problem is stored as
    empty and the whole section's words are kept as typed until every row is right."""
    section = spec.section(section_key)
    context = store.minutes.context(meeting_id, section.fields, {})
    rows, problems = [], []
    for index, raw in enumerate(raw_rows):
        prefix = f"{section_key}.{index}."
        values, row_problems = parse_record(section.fields, raw, prefix)
        row_problems += record_problems(section.fields, values, now=store.clock(), context=context,
                                        prefix=prefix, only=values)
        bad = {p.field.rsplit(".", 1)[-1] for p in row_problems}
        rows.append({f.key: (None if f.key in bad else values.get(f.key)) for f in section.fields})
        problems += row_problems
    store.minutes.save_rows(meeting_id, section_key, rows)
    _keep_typed(store, draft_key(meeting_id, section_key), [dict(r) for r in raw_rows], problems)
    return problems


def typed_problems(*, store, meeting_id: int) -> list[tuple[str, Problem]]:
    """Problems with words kept as typed for this minute (the check lists them)."""
    found = []
    for section in spec.SECTIONS:
        raw = store.drafts.get(draft_key(meeting_id, section.key))
        if not raw:
            continue
        if section.source is spec.Source.MEETING:
            found += [(section.key, p) for p in parse_record(section.fields, raw)[1]]
        elif section.source is spec.Source.ROWS:
            for index, row in enumerate(raw):
                found += [(section.key, p) for p in parse_record(section.fields, row, f"{section.key}.{index}.")[1]]
    return found


# -- actions -----------------------------------------------------------------------------------

def raise_action(*, store, meeting_id: int, raw: Mapping) -> tuple[int | None, list[Problem]]:
    """An action agreed at the meeting. Refused (nothing stored) while a value has a problem:
    the capture panel keeps what was typed and says what is wrong."""
    values, problems = parse_record(ACTION_FIELDS, raw)
    raised = store.minutes.context(meeting_id, (), {}, keys=("meeting_date",)).get("meeting_date")
    problems += record_problems(ACTION_FIELDS, values, now=store.clock(), only=values,
                                context={"raised_date": raised or store.today().isoformat()})
    if problems:
        return None, problems
    return store.minutes.raise_action(meeting_id, values), []


def update_action(*, store, meeting_id: int, action_id: int, raw: Mapping) -> list[Problem]:
    """Change what was agreed (words, owner, agency, target) while the minute is a draft.
    Values with a problem are not stored (the agreed words are never blanked) and the
    words typed are kept until they are right."""
    action = store.actions.get(action_id)
    values, problems = parse_record(ACTION_FIELDS, raw)
    problems += record_problems(ACTION_FIELDS, values, now=store.clock(), only=values,
                                context={"raised_date": action.raised_date})
    bad = {p.field for p in problems}
    store.actions.update_terms(action_id, {k: v for k, v in values.items() if k not in bad})
    _keep_typed(store, draft_key(meeting_id, f"action:{action_id}"), {k: raw[k] for k in bad if k in raw}, problems)
    return problems


#: What each decision about an earlier action needs, of the fields of the review.
REVIEW_NEEDS = {"done": ("status", "completed_date", "outcome"),
                "carried": ("status", "target_date", "outcome", "owner_person", "owner_agency"),
                "withdrawn": ("status", "withdrawn_reason")}


def parse_review(raw: Mapping, context: Mapping, *, now, today: date) -> tuple[dict, list[Problem]]:
    """A review of an earlier action as typed -> (values, problems). ``context``: the
    action's ``raised_date`` and, at a meeting, its ``meeting_date`` (a carried action's new
    target falls after it: ``spec.RowDateAfter``). No status means "to review"."""
    from ..rules.values import date_rule_problems

    values, problems = parse_record(REVIEW_FIELDS, raw)
    status = values.get("status")
    if not status:
        return values, problems
    if status != "done" and not problems:
        values["completed_date"] = None  # a date kept only for an action done
    parsed = {p.field for p in problems}
    wanted = REVIEW_NEEDS.get(status, ("status", "outcome"))
    problems += [p for p in record_problems(REVIEW_FIELDS, values, now=now, context=context, only=wanted)
                 if p.field not in parsed]
    if status == "carried":
        if not (values.get("outcome") or "").strip() and "outcome" not in parsed:
            problems.append(Problem("outcome", "Say why the action is carried forward."))
        if context.get("meeting_date"):
            problems += [p for p in date_rule_problems(REVIEW, values, context, today) if p.field not in parsed]
    return values, problems


def review_action(*, store, action_id: int, raw: Mapping, meeting_id: int | None = None) -> list[Problem]:
    """Record what became of an earlier action: done (with the date and outcome), carried
    forward (a new target date, the reason, a new owner if it changes hands), withdrawn
    (the reason), or open again; at a meeting (``meeting_id``) or between meetings. Nothing
    is stored while a value has a problem (the words stay on screen and in a draft); no
    status ("to review") stores nothing."""
    from ..db.errors import ValidationError

    action = store.actions.get(action_id)
    context = {"raised_date": action.raised_date}
    if meeting_id is not None:
        context["meeting_date"] = store.minutes.context(meeting_id, (), {}, keys=("meeting_date",)).get("meeting_date")
    values, problems = parse_review(raw, context, now=store.clock(), today=store.today())
    status = values.get("status")
    if status and not problems:
        try:
            if status == "carried":
                store.actions.carry(action_id, meeting_id=meeting_id, target_date=values["target_date"],
                                    reason=values["outcome"], owner_person=values.get("owner_person"),
                                    owner_agency=values.get("owner_agency"))
            elif status == "withdrawn":
                store.actions.withdraw(action_id, values.get("withdrawn_reason") or "", meeting_id=meeting_id)
            else:
                store.actions.set_state(action_id, meeting_id=meeting_id, status=status,
                                        completed_date=values.get("completed_date"), outcome=values.get("outcome"))
        except ValidationError as exc:
            problems = exc.as_problems("status")
    key = draft_key(meeting_id, f"review:{action_id}") if meeting_id else f"action:{action_id}"
    _keep_typed(store, key, dict(raw), problems)
    return problems


def withdraw_action(*, store, action_id: int, reason: str, meeting_id: int | None = None) -> list[Problem]:
    """Withdraw an action with a reason; it stays in the register."""
    if not (reason or "").strip():
        return [Problem("withdrawn_reason", "Give the reason for withdrawing the action.")]
    store.actions.withdraw(action_id, reason, meeting_id=meeting_id)
    return []


# -- the minute as a whole ---------------------------------------------------------------------

def _action_dict(action: Action) -> dict:
    return {
        "id": action.id,
        "number": action.number,
        "raised_date": action.raised_date,
        "meeting_id": action.meeting_id,
        "action_text": action.action_text,
        "owner_person": action.owner_person,
        "owner_agency": action.owner_agency,
        "target_date": action.target_date,
        "status": action.status,
        "completed_date": action.completed_date,
        "outcome": action.outcome,
        "withdrawn_reason": action.withdrawn_reason,
    }


def minute_content(minute: Minute, case, acknowledgements: Mapping[str, Mapping] | None = None, *,
                   plan_version: int | None = None, plan_base: int | None = None,
                   histories: Mapping[int, str] | None = None) -> dict:
    """Everything the printed minute shows, as plain JSON-able data.

    The case's offender information, key dates, orders and lead authority are copied in, so
    that the finalised minute keeps them as they were at the meeting. ``acknowledgements``:
    check item key -> {"message": the check's words, "reason": the chair's reason}. The
    meeting's version of the risk management plan is in ``plan`` (``plan.plan_content``:
    ``plan_version`` is its number once finalised, ``plan_base`` the version it opened from).
    ``histories``: action id -> its history in one line (``action_life``). Each earlier
    action says whether it was reviewed at this meeting (format 3).
    """
    histories = histories or {}

    def action(a: Action, **more) -> dict:
        return {**_action_dict(a), "history": histories.get(a.id, ""), **more}

    return {
        "format": 3,
        "meeting_id": minute.id,
        "case_id": minute.case_id,
        "meeting": {f.key: minute.values.get(f.key) for f in spec.meeting_fields()},
        "rows": {key: [dict(r) for r in rows] for key, rows in minute.rows.items()},
        "case": {f.key: case.get(f.key) for f in spec.case_fields()},
        "civil_orders": [o.as_values() for o in case.orders],
        "actions": [action(a) for a in minute.actions],
        "previous_actions": [action(a, reviewed=a.id in minute.reviewed) for a in minute.previous],
        "acknowledgements": dict(sorted((acknowledgements or {}).items())),
        "plan": plan_content(getattr(minute, "plan", ()), getattr(minute, "plan_not_needed", None) or {},
                             [c.as_values() for c in getattr(case, "conditions", ())], version=plan_version,
                             base_version=plan_base, meeting_id=minute.id,
                             meeting_date=minute.values.get("meeting_date")),
    }


def level_from_now(values: Mapping) -> str | None:
    """The MAPPA level after the meeting: the new level when it moves; when it stays, the
    level at the meeting (the new level need not be typed again)."""
    if values.get("new_level"):
        return values.get("new_level")
    return values.get("mappa_level") if values.get("level_decision") == "stays" else None


def case_updates_from(minute: Minute) -> dict:
    """What finalising carries to the case: the level from now, the agreed risk, the review."""
    return {
        "mappa_level": level_from_now(minute.values),
        "current_rosh": minute.values.get("agreed_rosh"),
        "next_review_date": minute.values.get("next_review_date"),
    }


def check(*, store, meeting_id: int, today: date) -> list[CheckItem]:
    """The completeness check of the minute as stored, with any words kept as typed."""
    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    return run_check(facts_of(minute, case, typed_problems(store=store, meeting_id=meeting_id)), today)


def content_of(store, meeting_id: int, acknowledgements: Mapping[str, Mapping] | None = None, **plan) -> dict:
    """The minute as it stands, as ``minute_content`` (with each action's history line;
    ``plan``: the plan's version numbers when finalising)."""
    from ..action_life import lines_for

    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    histories = lines_for(store, [a.id for a in (*minute.actions, *minute.previous)])
    return minute_content(minute, case, acknowledgements, histories=histories, **plan)


def issue_draft(*, store, meeting_id: int, raw: Mapping) -> list[Problem]:
    """Issue the draft for comment: to whom and on which date, as typed. The minute as
    issued is kept, so that the corrections made after issue can be shown. It stays
    editable (and may be issued again)."""
    from .signoff import issue_draft as issue

    return issue(store=store, meeting_id=meeting_id, raw=raw)


def finalise(*, store, meeting_id: int, acknowledgements: Mapping[str, str], today: date,
             approval: Mapping, approver_user_id: int | None = None, passphrase: str | None = None) -> str:
    """Lock the minute with the chair's approval (``approval``: the approval's fields as
    typed; for "confirmed here", ``approver_user_id`` and the chair's ``passphrase``).
    Refuses while any gap of the check is neither resolved nor acknowledged with a reason,
    or the approval is not right. The check's words are kept with each acknowledged gap, so
    the printout says exactly what the chair saw; the approval, the issues of the draft, its
    copies and the corrections since issue are kept with the content. The meeting's version
    of the risk management plan is frozen with it (the next version of the case's plan), in
    the same transaction. Returns the SHA-256."""
    from .plan import open_plan
    from .signoff import confirm_approval, sign_off

    confirmed = confirm_approval(store=store, meeting_id=meeting_id, raw=approval,
                                 approver_user_id=approver_user_id, passphrase=passphrase)
    confirmed["recorded_at"] = store.now_iso()
    open_plan(store=store, meeting_id=meeting_id)  # a minute never looked at keeps the plan as it stood
    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    items = run_check(facts_of(minute, case, typed_problems(store=store, meeting_id=meeting_id)), today)
    open_keys = [item.key for item in items]
    reasons = {k: acknowledgements.get(k, "") for k in open_keys}
    acknowledged = {item.key: {"message": item.message, "reason": (reasons[item.key] or "").strip()}
                    for item in items}
    with store.transaction():
        has_plan = bool(minute.plan or minute.plan_not_needed)  # a minute with no plan adds no version
        content = content_of(store, meeting_id, acknowledged,
                             plan_version=store.plan.next_version(case.id) if has_plan else None,
                             plan_base=store.plan.opened_from(meeting_id)[1])
        content["sign_off"] = sign_off(store, meeting_id, content, confirmed)
        if has_plan:
            store.plan.freeze(meeting_id, content["plan"])
        return store.minutes.finalise(
            meeting_id,
            content=content,
            open_items=open_keys,
            acknowledgements=reasons,
            case_updates=case_updates_from(minute),
            approval=confirmed,
        )


def add_addendum(*, store, meeting_id: int, body: str, reason: str) -> list[Problem]:
    """A correction after finalising: text and reason, who and when; never an edit."""
    from ..db.errors import ValidationError

    try:
        store.minutes.add_addendum(meeting_id, body=body, reason=reason)
    except ValidationError as exc:
        return [Problem(exc.field, exc.reason)]
    return []
