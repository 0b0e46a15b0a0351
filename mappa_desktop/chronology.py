"""A case's chronology: meetings, level and risk changes, actions raised and closed, and
the key and order dates, in one dated list; and the series for the risk/level chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from . import spec

#: Event.kind -> what the chronology calls it.
KIND_WORDS = {
    "key_date": "Key date",
    "order": "Civil order",
    "meeting": "Meeting",
    "change": "Decision",
    "plan": "Plan version",
    "action_raised": "Action raised",
    "action_closed": "Action closed",
}


@dataclass(frozen=True)
class Event:
    on: str  # ISO date
    kind: str  # key_date / order / meeting / change / plan / action_raised / action_closed
    text: str
    meeting_id: int | None = None
    action_id: int | None = None


@dataclass(frozen=True)
class Point:
    """Risk of serious harm and MAPPA level as decided at one meeting."""

    on: str
    rosh: str | None
    level: str | None


_KEY_DATES = (
    ("index_offence_date", "Index offence"),
    ("earliest_liberation_date", "Earliest date of liberation"),
    ("licence_expiry_date", "Licence expires"),
    ("sonr_start_date", "SONR starts"),
    ("sonr_expiry_date", "SONR ends"),
)


def case_chronology(case, meetings: Iterable, actions: Iterable, histories: Mapping[int, list],
                    plan_versions: Iterable = ()) -> list[Event]:
    """Every dated fact of the case, oldest first (same-day events keep a sensible order).
    ``plan_versions`` (``model.PlanVersion``): each version of the risk management plan,
    dated by the meeting it was agreed at, with what that meeting changed."""
    events: list[Event] = []
    for key, label in _KEY_DATES:
        if case.get(key):
            events.append(Event(case.get(key), "key_date", label))
    order_type = spec.section("civil_orders").field("order_type")
    for order in case.orders:
        name = order_type.label_of(order.order_type)
        if order.granted_date:
            events.append(Event(order.granted_date, "order", f"{name} granted"))
        if order.expiry_date:
            events.append(Event(order.expiry_date, "order", f"{name} expires"))
    rosh_field = spec.field("rosh.agreed_rosh")
    kind_field = spec.field("purpose.meeting_type")
    previous: Point | None = None
    for meeting in meetings:
        if not meeting.meeting_date:
            continue
        state = "" if meeting.status == "finalised" else " (minute in draft)"
        kind = kind_field.display(meeting.meeting_type) or "MAPPA"
        events.append(Event(meeting.meeting_date, "meeting", f"{kind} meeting{state}", meeting_id=meeting.id))
        point = Point(meeting.meeting_date, meeting.agreed_rosh, meeting.new_level)
        if previous is not None:
            if point.rosh and previous.rosh and point.rosh != previous.rosh:
                events.append(Event(point.on, "change", f"Risk of serious harm {rosh_field.display(previous.rosh)} → {rosh_field.display(point.rosh)}", meeting_id=meeting.id))
            if point.level and previous.level and point.level != previous.level:
                events.append(Event(point.on, "change", f"MAPPA level {previous.level} → {point.level}", meeting_id=meeting.id))
        if point.rosh or point.level:
            previous = point
    for action in actions:
        events.append(Event(action.raised_date, "action_raised", f"Action {action.number} raised: {action.action_text or ''}", meeting_id=action.meeting_id, action_id=action.id))
        if action.status == "done" and action.completed_date:
            events.append(Event(action.completed_date, "action_closed", f"Action {action.number} done: {action.outcome or 'no outcome recorded'}", action_id=action.id))
        elif action.status == "withdrawn":
            when = next((u.at[:10] for u in reversed(histories.get(action.id, [])) if u.status == "withdrawn"), action.raised_date)
            events.append(Event(when, "action_closed", f"Action {action.number} withdrawn: {action.withdrawn_reason or ''}", action_id=action.id))
    events += plan_events(plan_versions)
    order = {"key_date": 0, "order": 1, "meeting": 2, "change": 3, "plan": 4, "action_raised": 5, "action_closed": 6}
    return sorted(events, key=lambda e: (e.on, order[e.kind]))


def plan_events(versions: Iterable) -> list[Event]:
    """One event per version of the risk management plan: its number, and what the meeting
    it was agreed at added, changed and ended."""
    from .plan import changes_words

    out = []
    for version in versions:
        on = version.meeting_date or (version.finalised_at or "")[:10]
        if on:
            out.append(Event(on, "plan", f"Risk management plan version {version.version}: "
                                         f"{changes_words(version.plan)}", meeting_id=version.meeting_id))
    return out


def risk_series(meetings: Iterable) -> list[Point]:
    """The risk of serious harm and level decided at each meeting that recorded them."""
    return [Point(m.meeting_date, m.agreed_rosh, m.new_level) for m in meetings
            if m.meeting_date and (m.agreed_rosh or m.new_level)]
