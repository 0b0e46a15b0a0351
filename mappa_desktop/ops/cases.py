"""Operations on the case record: saving the form, archiving, leaving MAPPA and what is
added to a case afterwards."""

from __future__ import annotations

from typing import Mapping, Sequence

from .. import spec
from ..cases import validate_case
from ..rules.values import Problem, parse_record


def parse_case(raw_values: Mapping, raw_orders: Sequence[Mapping]) -> tuple[dict, list[dict], list[Problem]]:
    """The case form as typed -> stored values, and a problem for each value that does not
    parse (dates typed as dd/mm/yyyy)."""
    values, problems = parse_record(spec.case_fields(), raw_values)
    orders = []
    order_fields = spec.section("civil_orders").fields
    for index, raw in enumerate(raw_orders):
        order, order_problems = parse_record(order_fields, raw, f"orders.{index}.")
        orders.append({f.key: order.get(f.key) for f in order_fields})
        problems += order_problems
    return values, orders, problems


def save_case(*, store, case_id: int | None, raw_values: Mapping, raw_orders: Sequence[Mapping]) -> tuple[int | None, list[Problem]]:
    """Create (``case_id`` None) or change a case from the form as typed. Nothing is stored
    while any value has a problem; every problem is returned, one per field."""
    from ..db.errors import ValidationError

    values, orders, problems = parse_case(raw_values, raw_orders)
    unparsed = {p.field for p in problems}
    problems += [p for p in validate_case(values, orders, store.today()) if p.field not in unparsed]
    if problems:
        return None, problems
    try:
        if case_id is None:
            case_id = store.cases.create(values, orders)
        else:
            store.cases.update(case_id, values, orders)
    except ValidationError as exc:  # e.g. a reference another case already has
        return None, exc.as_problems("reference")
    return case_id, []


def set_status(*, store, case_id: int, status: str) -> None:
    """Archive a case or make it active again (cases are never deleted here)."""
    store.cases.set_status(case_id, status)


def record_exit(*, store, case_id: int, raw: Mapping, meeting_id: int | None) -> list[Problem]:
    """The decision that the person leaves MAPPA, as typed: the date, the reason, the
    meeting that decided it. Nothing is stored while a value has a problem; once stored the
    case is read-only (corrections are addenda)."""
    from .. import lifecycle_spec
    from ..db.errors import ValidationError
    from ..rules.values import record_problems

    fields = lifecycle_spec.CASE_EXIT.fields
    values, problems = parse_record(fields, raw)
    meeting_date = None
    if meeting_id is not None:
        meeting_date = store.minutes.context(meeting_id, (), {}, keys=("meeting_date",)).get("meeting_date")
    parsed = {p.field for p in problems}
    problems += [p for p in record_problems(fields, values, now=store.clock(), context={"meeting_date": meeting_date})
                 if p.field not in parsed]
    if problems:
        return problems
    try:
        store.exits.record_exit(case_id, values, meeting_id=meeting_id)
    except ValidationError as exc:
        return exc.as_problems("exit_date")
    return []


def add_case_addendum(*, store, case_id: int, raw: Mapping) -> list[Problem]:
    """Something added to a case after it left MAPPA: the text and the reason."""
    from ..db.errors import ValidationError

    try:
        store.exits.add_addendum(case_id, body=raw.get("body") or "", reason=raw.get("reason") or "")
    except ValidationError as exc:
        return exc.as_problems("body")
    return []
