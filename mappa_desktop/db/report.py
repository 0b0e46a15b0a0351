"""Stored values that the rules refuse: a report, never a repair.

A store written before a rule existed (or changed behind the application's back) may hold a
value the spec now forbids: an agreed risk that is not one of the levels, a civil order with
no grant date, an action completed before it was raised. Nothing here changes or deletes
them: the report names the record, the field and why (never the value), for the check and
for the person who can put it right (the form shows the same words beside the field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from .. import scr_spec, spec
from ..cases import validate_case
from ..dates import uk_today
from ..rules.values import record_problems
from .actions import STATE_FIELDS, TERM_FIELDS
from .minutes import LONG_FIELDS, ROW_SECTIONS, SHORT_FIELDS


@dataclass(frozen=True)
class Refused:
    """One stored value the rules refuse (no value: record, field and why only)."""

    record_type: str
    record_id: int
    field: str
    message: str


def _present(db, table: str, keys) -> list[str]:
    """The keys that are columns of the table now: the report also runs inside a migration,
    before later migrations have added the columns of newer fields."""
    have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    return [k for k in keys if k in have]


def _has_table(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None


def refused_values(db, now: datetime) -> Iterator[Refused]:
    """Every stored value the rules refuse, record by record (reads only)."""
    case_columns = _present(db, "cases", [f.key for f in spec.case_fields()])
    order_columns = _present(db, "civil_orders", [f.key for f in spec.section("civil_orders").fields])
    orders: dict[int, list[dict]] = {}
    for row in db.execute(f"SELECT case_id, {', '.join(order_columns)} FROM civil_orders ORDER BY case_id, position, id"):
        orders.setdefault(row[0], []).append(dict(zip(order_columns, row[1:])))
    for row in db.execute(f"SELECT id, {', '.join(case_columns)} FROM cases"):
        values = dict(zip(case_columns, row[1:]))
        for problem in validate_case(values, orders.get(row[0], []), uk_today(now)):
            yield Refused("case", row[0], problem.field, problem.message)

    fields = {f.key: f for f in spec.meeting_fields()}
    short, long = _present(db, "meetings", SHORT_FIELDS), _present(db, "meeting_text", LONG_FIELDS)
    columns = [*short, *long]
    sql = (f"SELECT m.id, {', '.join('m.' + c for c in short)}, {', '.join('t.' + c for c in long)} "
           "FROM meetings m LEFT JOIN meeting_text t ON t.meeting_id = m.id")
    for row in db.execute(sql):
        values = dict(zip(columns, row[1:]))
        for problem in record_problems([fields[c] for c in columns], values, now=now):
            yield Refused("meeting", row[0], problem.field, problem.message)
    for section in ROW_SECTIONS.values():
        keys = _present(db, section.table, [f.key for f in section.fields])
        present = [f for f in section.fields if f.key in keys]
        for row in db.execute(f"SELECT meeting_id, id, {', '.join(keys)} FROM {section.table}"):
            for problem in record_problems(present, dict(zip(keys, row[2:])), now=now):
                yield Refused("meeting", row[0], f"{section.key}.{problem.field}", problem.message)

    action_fields = (*TERM_FIELDS, *STATE_FIELDS)
    keys = [f.key for f in action_fields]
    for row in db.execute(f"SELECT id, raised_date, {', '.join(keys)} FROM actions"):
        values = dict(zip(keys, row[2:]))
        if values.get("status") != "done":
            values["completed_date"] = values.get("completed_date") or None
        for problem in record_problems(action_fields, values, now=now, context={"raised_date": row[1]}):
            yield Refused("action", row[0], problem.field, problem.message)

    # The risk management plan: each meeting's entries, and the conditions on each case
    # (tables a store has from migration 0008 on; the report also runs in 0006).
    if _has_table(db, "plan_entries"):
        keys = [f.key for f in spec.PLAN_ENTRY.fields]
        for row in db.execute(f"SELECT meeting_id, {', '.join(keys)} FROM plan_entries"):
            for problem in record_problems(spec.PLAN_ENTRY.fields, dict(zip(keys, row[1:])), now=now):
                yield Refused("meeting", row[0], f"plan.{problem.field}", problem.message)
        keys = [f.key for f in spec.CONDITIONS.fields]
        for row in db.execute(f"SELECT case_id, {', '.join(keys)} FROM case_conditions"):
            for problem in record_problems(spec.CONDITIONS.fields, dict(zip(keys, row[1:])), now=now):
                yield Refused("case", row[0], f"conditions.{problem.field}", problem.message)

    for row in db.execute("SELECT id, incident FROM scr_reviews"):
        for problem in record_problems(scr_spec.INCIDENT.fields, json.loads(row[1] or "{}"), now=now):
            yield Refused("scr_review", row[0], f"incident.{problem.field}", problem.message)
