"""The store's own refusals, made from the spec: triggers that refuse a value the spec does
not allow, whoever writes it (the window, the command line, an import, a raw statement).

The repositories check every write against the rules first and say which field is wrong and
why (``rules.values``); these triggers are the last line, for kinds, choices and lengths
(the bounds that need today's date stay with the repositories, which know the clock). They
are derived from the spec like an index from a table: on opening, when the spec's
fingerprint differs from the one the store holds, they are dropped and made again.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from .. import lifecycle_spec, spec
from .actions import STATE_FIELDS, TERM_FIELDS
from .minutes import LONG_FIELDS, ROW_SECTIONS, SHORT_FIELDS

Kind = spec.Kind
PREFIX = "guard_"
REFUSED = "refused:"  # the start of every message (db/errors.py maps it to ValidationError)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _bad(field: spec.Field, ref: str) -> tuple[str, str] | None:
    """(SQL that is true when the value is refused, why) for one field, or None."""
    kind = field.kind
    if kind is Kind.CHOICE:
        allowed = ", ".join(_sql_text(c.value) for c in field.choices if c.in_use)
        return f"{ref} IS NOT NULL AND CAST({ref} AS TEXT) NOT IN ({allowed})", "not one of the choices"
    if kind is Kind.YES_NO:
        return f"{ref} IS NOT NULL AND {ref} NOT IN (0, 1)", "yes or no"
    if kind is Kind.DATE:
        return f"{ref} IS NOT NULL AND (typeof({ref}) != 'text' OR date({ref}) IS NOT {ref})", "not a date"
    if kind is Kind.TIME:
        return (f"{ref} IS NOT NULL AND NOT (typeof({ref}) = 'text' AND {ref} GLOB '[0-2][0-9]:[0-5][0-9]' "
                f"AND {ref} < '24:00')", "not a time (hh:mm, 24-hour)")
    limit = field.limit
    if limit is not None:
        return f"{ref} IS NOT NULL AND length({ref}) > {int(limit)}", f"longer than {limit:,} characters"
    return None


def _guarded() -> Iterator[tuple[str, spec.Field]]:
    """(table, field) for every stored value the spec describes."""
    meeting = {f.key: f for f in spec.meeting_fields()}
    for key in SHORT_FIELDS:
        yield "meetings", meeting[key]
    for key in LONG_FIELDS:
        yield "meeting_text", meeting[key]
    for section in ROW_SECTIONS.values():
        for field in section.fields:
            yield section.table, field
    for field in spec.case_fields():
        yield "cases", field
    for field in spec.section("civil_orders").fields:
        yield "civil_orders", field
    for field in (*TERM_FIELDS, *STATE_FIELDS):
        yield "actions", field
    for field in spec.PLAN_ENTRY.fields:
        yield "plan_entries", field
    yield "plan_not_needed", spec.PLAN_NOT_NEEDED
    for field in spec.CONDITIONS.fields:
        yield "case_conditions", field
    for field in spec.DIRECTORY_AGENCY.fields:
        yield "agencies", field
    for field in spec.DIRECTORY_PERSON.fields:
        yield "people", field
    for table, section in (("minute_issues", lifecycle_spec.ISSUE), ("minute_approvals", lifecycle_spec.APPROVAL),
                           ("case_exits", lifecycle_spec.CASE_EXIT), ("case_addenda", lifecycle_spec.CASE_ADDENDUM)):
        for field in section.fields:
            yield table, field


def statements() -> list[str]:
    """Every guard trigger, in a fixed order. An update is guarded column by column (only
    the columns it sets are looked at: an autosave sets one or two), with the field's own
    words; an insert by one trigger per table (a row of ten fields is one check, not ten)."""
    out = []
    inserts: dict[str, list[str]] = {}
    for table, field in _guarded():
        bad = _bad(field, f"NEW.{field.key}")
        if bad is None:
            continue
        condition, why = bad
        inserts.setdefault(table, []).append(f"({condition})")
        message = _sql_text(f"{REFUSED} {field.label}: {why}.")
        out.append(f"CREATE TRIGGER {PREFIX}{table}_{field.key}_u BEFORE UPDATE OF {field.key} ON {table} "
                   f"WHEN {condition} BEGIN SELECT RAISE(ABORT, {message}); END")
    for table, conditions in inserts.items():
        message = _sql_text(f"{REFUSED} a value of the new {_ROW_WORDS.get(table, table.replace('_', ' '))} "
                            "is not one the rules allow.")
        out.append(f"CREATE TRIGGER {PREFIX}{table}_i BEFORE INSERT ON {table} "
                   f"WHEN {' OR '.join(conditions)} BEGIN SELECT RAISE(ABORT, {message}); END")
    return out


#: How a refused insert names the row (the repositories name the field before it gets here).
_ROW_WORDS = {"meetings": "meeting", "meeting_text": "minute text", "cases": "case", "civil_orders": "civil order",
              "actions": "action", "agencies": "agency", "people": "person", "attendance": "attendance row",
              "agency_updates": "agency update", "disclosures": "disclosure decision",
              "documents_tabled": "document tabled"}


def fingerprint() -> str:
    return hashlib.sha256("\n".join(statements()).encode("utf-8")).hexdigest()


def sync(db) -> bool:
    """Make the guard triggers match the spec (inside the caller's transaction). True when
    they had to be made again."""
    wanted = fingerprint()
    row = db.execute("SELECT fingerprint FROM spec_guards").fetchone()
    if row is not None and row[0] == wanted:
        return False
    for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB ?", [PREFIX + "*"]).fetchall():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in statements():
        db.execute(statement)
    db.execute("DELETE FROM spec_guards")
    db.execute("INSERT INTO spec_guards (fingerprint) VALUES (?)", [wanted])
    return True
