"""The completeness check of a minute: what 5B and the meeting audit form still expect.

Read from the spec's ``required`` marks plus the rules a chair is graded on (FACTS.md):
confidentiality stated, someone present, rationale for every decision, disclosure with
reason and recipient, diversity considered, actions with owners and dates, a review date
after the meeting. Each item names the section and field to jump to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import spec
from .dates import format_date, from_iso
from .model import Minute


@dataclass(frozen=True)
class CheckItem:
    """One gap. ``key`` is stable across runs (acknowledgements are stored by it)."""

    key: str
    message: str
    section: str
    field: str = ""
    row: int | None = None  # for repeating sections: which row (0-based)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_minute(minute: Minute, case_values: dict, today: date) -> list[CheckItem]:
    """Every gap, in minute order."""
    items: list[CheckItem] = []
    values = minute.values
    add = items.append

    for section in spec.SECTIONS:
        if section.source is spec.Source.MEETING:
            for field in section.required_fields:
                if _blank(values.get(field.key)):
                    add(CheckItem(f"required:{field.key}", f"{section.title}: {field.label} is missing.", section.key, field.key))
        elif section.source is spec.Source.CASE:
            for field in section.required_fields:
                if _blank(case_values.get(field.key)):
                    add(CheckItem(f"case:{field.key}", f"{section.title}: {field.label} is missing from the case record.", section.key, field.key))
        elif section.source is spec.Source.ROWS:
            rows = minute.rows.get(section.key, ())
            if len(rows) < section.min_rows:
                add(CheckItem(f"rows:{section.key}", _no_rows_message(section), section.key))
            for index, row in enumerate(rows):
                for field in section.required_fields:
                    if _blank(row.get(field.key)):
                        add(CheckItem(
                            f"row:{section.key}:{row.get('id', index)}:{field.key}",
                            f"{section.title}, {section.row_noun} {index + 1}: {field.label} is missing.",
                            section.key, field.key, index,
                        ))

    # Confidentiality: agreed, with the time.
    if values.get("confidentiality_agreed") == 0:
        add(CheckItem("confidentiality:not_agreed", "The confidentiality statement is recorded as not agreed.", "confidentiality", "confidentiality_agreed"))

    # Someone present.
    attendance = minute.rows.get("attendance", ())
    if attendance and not any(r.get("status") == "present" for r in attendance):
        add(CheckItem("attendance:none_present", "No one is marked present.", "attendance", "status"))

    # Level decision consistent with the level going in.
    decision, new_level, level = values.get("level_decision"), values.get("new_level"), values.get("mappa_level")
    if decision and new_level and level:
        if decision == "stays" and new_level != level:
            add(CheckItem("level:inconsistent", f"The level is said to stay, but the level from now ({new_level}) differs from the level at the meeting ({level}).", "mappa_level", "new_level"))
        if decision == "up" and not new_level > level:
            add(CheckItem("level:inconsistent", "The level is said to move up, but the level from now is not higher.", "mappa_level", "new_level"))
        if decision == "down" and not new_level < level:
            add(CheckItem("level:inconsistent", "The level is said to move down, but the level from now is not lower.", "mappa_level", "new_level"))
    if values.get("category") == "3" and new_level == "1":
        add(CheckItem("level:category3", "Level 1 does not apply to category 3.", "mappa_level", "new_level"))

    # Disclosure: a decision to disclose needs its recipient.
    for index, row in enumerate(minute.rows.get("disclosure", ())):
        if row.get("disclosure_needed") == 1 and _blank(row.get("recipient")):
            add(CheckItem(f"disclosure:{row.get('id', index)}:recipient", f"Disclosure decision {index + 1}: to disclose, but to whom is not recorded.", "disclosure", "recipient", index))

    # Actions agreed here: owner and target date (Prisoner Z: clear owners).
    for action in minute.actions:
        if action.status == "withdrawn":
            continue
        if _blank(action.owner_person) and _blank(action.owner_agency):
            add(CheckItem(f"action:{action.id}:owner", f"Action {action.number} has no owner.", "actions", "owner_person"))
        if _blank(action.target_date):
            add(CheckItem(f"action:{action.id}:target", f"Action {action.number} has no target date.", "actions", "target_date"))
    # Previous actions: each reviewed.
    for action in minute.previous:
        if action.status == "open":
            add(CheckItem(f"previous:{action.id}", f"Previous action {action.number} has not been reviewed (done or carried forward).", "previous_actions", "status"))

    # The next review: after the meeting and not already past.
    review = from_iso(values.get("next_review_date"))
    meeting_day = from_iso(values.get("meeting_date"))
    if review is not None:
        if meeting_day is not None and review <= meeting_day:
            add(CheckItem("review:not_after_meeting", f"The next review date ({format_date(review)}) is not after the meeting.", "next_review", "next_review_date"))
        elif review < today:
            add(CheckItem("review:past", f"The next review date ({format_date(review)}) is in the past.", "next_review", "next_review_date"))
    return items


def _no_rows_message(section: spec.Section) -> str:
    if section.key == "attendance":
        return "Attendance: no one is recorded."
    if section.key == "disclosure":
        return "Disclosure: no decision recorded (record 'no disclosure' with the reason if none is needed)."
    return f"{section.title}: nothing recorded."
