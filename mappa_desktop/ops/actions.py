"""Operations on the action register between meetings: carrying an action forward to a new
target date and re-assigning it (done, withdrawn and reviews at a meeting are in
``ops.minute``). Each takes what was typed and returns the problems to show beside the
fields; nothing is stored while a value has a problem."""

from __future__ import annotations

from typing import Mapping

from ..rules.values import Problem, parse_record, record_problems


def carry_action(*, store, action_id: int, raw: Mapping) -> list[Problem]:
    """Carry an action forward between meetings: a new target date (today or later) and the
    reason, as typed. Nothing is stored while a value has a problem."""
    from .. import lifecycle_spec
    from ..db.errors import ValidationError
    from ..rules.values import date_rule_problems

    section = lifecycle_spec.CARRY
    action = store.actions.get(action_id)
    values, problems = parse_record(section.fields, raw)
    parsed = {p.field for p in problems}
    context = {"raised_date": action.raised_date}
    problems += [p for p in record_problems(section.fields, values, now=store.clock(), context=context)
                 if p.field not in parsed]
    problems += [p for p in date_rule_problems(section, values, context, store.today()) if p.field not in parsed]
    if problems:
        return problems
    try:
        store.actions.carry(action_id, target_date=values["target_date"], reason=values["reason"])
    except ValidationError as exc:
        return exc.as_problems("target_date")
    return []


def reassign_action(*, store, action_id: int, raw: Mapping, meeting_id: int | None = None) -> list[Problem]:
    """Give an action to another owner or agency, with the reason, as typed."""
    from .. import lifecycle_spec
    from ..db.errors import ValidationError

    values, problems = parse_record(lifecycle_spec.REASSIGN.fields, raw)
    problems += record_problems(lifecycle_spec.REASSIGN.fields, values, now=store.clock())
    if problems:
        return problems
    try:
        store.actions.reassign(action_id, owner_person=values["owner_person"], owner_agency=values["owner_agency"],
                               reason=values["reason"], meeting_id=meeting_id)
    except ValidationError as exc:
        return exc.as_problems("owner_person")
    return []
