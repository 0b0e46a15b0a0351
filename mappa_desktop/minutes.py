"""Use cases of the live minute: what finalising means, and the minute's printable content.

Takes a store (any object with the repositories), returns data; no widgets, no SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

from . import spec
from .checks import CheckItem, check_minute
from .model import Action, Minute


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


def minute_content(minute: Minute, case, acknowledgements: Mapping[str, str] | None = None) -> dict:
    """Everything the printed minute shows, as plain JSON-able data.

    The case's offender information, key dates, orders and lead authority are copied in, so
    that the finalised minute keeps them as they were at the meeting.
    """
    return {
        "format": 1,
        "meeting_id": minute.id,
        "case_id": minute.case_id,
        "meeting": {f.key: minute.values.get(f.key) for f in spec.meeting_fields()},
        "rows": {key: [dict(r) for r in rows] for key, rows in minute.rows.items()},
        "case": {f.key: case.get(f.key) for f in spec.case_fields()},
        "civil_orders": [o.as_values() for o in case.orders],
        "actions": [_action_dict(a) for a in minute.actions],
        "previous_actions": [_action_dict(a) for a in minute.previous],
        "acknowledgements": dict(sorted((acknowledgements or {}).items())),
    }


def case_updates_from(minute: Minute) -> dict:
    """What finalising carries to the case: the level from now, the agreed risk, the review."""
    return {
        "mappa_level": minute.values.get("new_level"),
        "current_rosh": minute.values.get("agreed_rosh"),
        "next_review_date": minute.values.get("next_review_date"),
    }


def check(*, store, meeting_id: int, today: date) -> list[CheckItem]:
    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    return check_minute(minute, case.values, today)


def finalise(*, store, meeting_id: int, acknowledgements: Mapping[str, str], today: date) -> str:
    """Lock the minute after the chair's approval; refuses while any gap of the check is
    neither resolved nor acknowledged with a reason. Returns the snapshot's SHA-256."""
    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    items = check_minute(minute, case.values, today)
    open_keys = [item.key for item in items]
    acknowledged = {k: acknowledgements.get(k, "") for k in open_keys}
    content = minute_content(minute, case, acknowledged)
    return store.minutes.finalise(
        meeting_id,
        content=content,
        open_items=open_keys,
        acknowledgements=acknowledged,
        case_updates=case_updates_from(minute),
    )
