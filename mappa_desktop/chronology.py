"""A case's chronology: every dated fact of the case in one time line, and the series for
the risk / level chart, read from the same events.

Meetings (with the risk of serious harm and MAPPA level agreed at each; changes are events
of their own, marked), disclosures (date, to whom), actions raised, carried forward,
re-assigned, done and withdrawn, civil orders granted and ending, notification and licence
dates, incidents and the stages of their reviews, and leaving MAPPA.

Extensible by kind: a kind of event is one :class:`EventKind` in :data:`KINDS`, and a source
of events is one function registered with :func:`source` that reads :class:`CaseFacts`
(gathered from the store once by :func:`gather`). A new kind of record (a risk management
plan's versions) adds a field to ``CaseFacts``, a line to ``gather``, a kind and a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from . import scr_spec, spec
from .action_life import changed_on
from .dates import format_date, uk_day


@dataclass(frozen=True)
class EventKind:
    """A kind of event: what the chronology calls it, its place among same-day events, and
    the filter group it belongs to."""

    key: str
    label: str
    order: int
    group: str


#: Filter groups, in the order the filter lists them.
GROUPS = ("Meetings and decisions", "Disclosures", "Actions", "Orders and key dates",
          "Incidents and reviews", "Leaving MAPPA")

KINDS: dict[str, EventKind] = {}


def kind(key: str, label: str, order: int, group: str) -> EventKind:
    """Declare a kind of event (once, at import)."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    KINDS[key] = EventKind(key, label, order, group)
    return KINDS[key]


kind("key_date", "Key date", 0, "Orders and key dates")
kind("order", "Civil order", 1, "Orders and key dates")
kind("meeting", "Meeting", 2, "Meetings and decisions")
kind("change", "Decision", 3, "Meetings and decisions")
kind("disclosure", "Disclosure", 4, "Disclosures")
kind("action_raised", "Action raised", 5, "Actions")
kind("action_carried", "Action carried forward", 6, "Actions")
kind("action_reassigned", "Action re-assigned", 7, "Actions")
kind("action_closed", "Action closed", 8, "Actions")
kind("incident", "Incident", 9, "Incidents and reviews")
kind("review", "Review stage", 10, "Incidents and reviews")
kind("exit", "Leaving MAPPA", 11, "Leaving MAPPA")
kind("plan", "Plan version", 3, "Meetings and decisions")

@dataclass(frozen=True)
class Event:
    """One dated fact. ``marked``: a change of risk or level (printed and shown in bold).
    A meeting's event carries the risk and level agreed there (the chart reads them)."""

    on: str  # ISO date
    kind: str
    text: str
    meeting_id: int | None = None
    action_id: int | None = None
    marked: bool = False
    rosh: str | None = None
    level: str | None = None

    @property
    def label(self) -> str:
        return label_of(self.kind)


def label_of(key: str) -> str:
    """What the chronology calls a kind of event."""
    found = KINDS.get(key)
    return found.label if found else key


@dataclass(frozen=True)
class Point:
    """Risk of serious harm and MAPPA level as decided at one meeting."""

    on: str
    rosh: str | None
    level: str | None


@dataclass
class CaseFacts:
    """What the chronology reads, gathered from the store once (``gather``)."""

    case: object  # model.Case
    meetings: list = field(default_factory=list)  # model.MeetingRow, oldest first
    actions: list = field(default_factory=list)  # model.Action
    histories: dict = field(default_factory=dict)  # action id -> [model.ActionUpdate]
    disclosures: list = field(default_factory=list)  # (meeting id, disclosure row)
    reviews: list = field(default_factory=list)  # model.ScrReview
    exit: object | None = None  # model.CaseExit
    addenda: list = field(default_factory=list)  # model.CaseAddendum
    plan_versions: list = field(default_factory=list)  # model.PlanVersion, oldest first

    @property
    def meeting_dates(self) -> dict:
        return {m.id: m.meeting_date for m in self.meetings}


Source = Callable[[CaseFacts], Iterable[Event]]
SOURCES: list[Source] = []


def source(fn: Source) -> Source:
    """Register a function that turns the case's facts into events."""
    SOURCES.append(fn)
    return fn


def gather(store, case_id: int) -> CaseFacts:
    """Everything dated about the case, read from the store (nothing audited: the caller
    already consulted the case)."""
    actions = store.actions.of_case(case_id)
    return CaseFacts(
        case=store.cases.get(case_id, consult=False),
        meetings=store.minutes.meetings(case_id),
        actions=actions,
        histories=store.actions.histories([a.id for a in actions]),
        disclosures=store.minutes.disclosures_of_case(case_id),
        reviews=store.scr.of_case(case_id),
        exit=store.exits.exit_of(case_id),
        addenda=store.exits.addenda(case_id),
        plan_versions=store.plan.versions(case_id),
    )


def case_chronology(facts: CaseFacts) -> list[Event]:
    """Every dated fact of the case, oldest first (same-day events in a sensible order)."""
    events = [event for make in SOURCES for event in make(facts) if event.on]
    return sorted(events, key=lambda e: (e.on, KINDS[e.kind].order if e.kind in KINDS else 99))


def events_of(store, case_id: int) -> list[Event]:
    """The case's chronology, from the store."""
    return case_chronology(gather(store, case_id))


def in_groups(events: Iterable[Event], groups: Iterable[str] | None) -> list[Event]:
    """The events of these filter groups (None: all)."""
    if groups is None:
        return list(events)
    wanted = set(groups)
    return [e for e in events if e.kind in KINDS and KINDS[e.kind].group in wanted]


def risk_series(events: Iterable[Event]) -> list[Point]:
    """The risk of serious harm and level decided at each meeting that recorded them (read
    from the chronology's own meeting events)."""
    return [Point(e.on, e.rosh, e.level) for e in events if e.kind == "meeting" and (e.rosh or e.level)]


# -- the sources ----------------------------------------------------------------------------

_KEY_DATES = (
    ("index_offence_date", "Index offence"),
    ("earliest_liberation_date", "Earliest date of liberation"),
    ("licence_expiry_date", "Licence expires"),
    ("sonr_start_date", "Notification requirements (SONR) start"),
    ("sonr_expiry_date", "Notification requirements (SONR) end"),
)


@source
def key_dates(facts: CaseFacts) -> Iterable[Event]:
    case = facts.case
    for key, label in _KEY_DATES:
        if case.get(key):
            if key == "sonr_start_date" and case.get("sonr_indefinite"):
                label += " (indefinite)"
            yield Event(case.get(key), "key_date", label)


@source
def orders(facts: CaseFacts) -> Iterable[Event]:
    order_type = spec.section("civil_orders").field("order_type")
    for order in facts.case.orders:
        name = order_type.label_of(order.order_type) + (f" ({order.order_detail})" if order.order_detail else "")
        if order.granted_date:
            yield Event(order.granted_date, "order", f"{name} granted")
        if order.expiry_date:
            yield Event(order.expiry_date, "order", f"{name} ends")


_ROSH_RANK = {c.value: i for i, c in enumerate(reversed(spec.ROSH_LEVELS))}  # low 0 .. very high 3


def level_after(meeting) -> str | None:
    """The MAPPA level a meeting decided (the level it started at when it stays)."""
    if meeting.new_level:
        return meeting.new_level
    return meeting.mappa_level if meeting.level_decision == "stays" else None


@source
def meetings(facts: CaseFacts) -> Iterable[Event]:
    rosh_field = spec.field("rosh.agreed_rosh")
    kind_field = spec.field("purpose.meeting_type")
    decision_field = spec.field("mappa_level.level_decision")
    last_rosh = None
    for meeting in facts.meetings:
        if not meeting.meeting_date:
            continue
        level = level_after(meeting)
        agreed = []
        if meeting.agreed_rosh:
            agreed.append(f"risk of serious harm {rosh_field.display(meeting.agreed_rosh)}"
                          + (f" (to {meeting.rosh_to_whom})" if meeting.rosh_to_whom else ""))
        if level:
            decision = decision_field.display(meeting.level_decision).lower()
            agreed.append(f"MAPPA level {level}" + (f" ({decision})" if decision else ""))
        state = "" if meeting.status == "finalised" else " (minute in draft)"
        kind_words = kind_field.display(meeting.meeting_type) or "MAPPA"
        text = f"{kind_words} meeting{state}" + (": " + "; ".join(agreed) if agreed else "")
        yield Event(meeting.meeting_date, "meeting", text, meeting_id=meeting.id, rosh=meeting.agreed_rosh, level=level)
        if meeting.agreed_rosh and last_rosh and meeting.agreed_rosh != last_rosh:
            way = "raised" if _ROSH_RANK.get(meeting.agreed_rosh, 0) > _ROSH_RANK.get(last_rosh, 0) else "lowered"
            yield Event(meeting.meeting_date, "change", f"Risk of serious harm {way}: {rosh_field.display(last_rosh)} "
                        f"→ {rosh_field.display(meeting.agreed_rosh)}", meeting_id=meeting.id, marked=True)
        if level and meeting.mappa_level and level != meeting.mappa_level:
            way = "raised" if level > meeting.mappa_level else "lowered"
            yield Event(meeting.meeting_date, "change", f"MAPPA level {way}: {meeting.mappa_level} → {level}",
                        meeting_id=meeting.id, marked=True)
        last_rosh = meeting.agreed_rosh or last_rosh


@source
def disclosures(facts: CaseFacts) -> Iterable[Event]:
    dates = facts.meeting_dates
    for meeting_id, row in facts.disclosures:
        held = dates.get(meeting_id)
        decided = f"decided at the meeting of {format_date(held)}" if held else "decided at a meeting"
        if row.get("decided_by"):
            decided += f" by {row['decided_by']}"
        if row.get("disclosure_needed") == 1:
            to_whom = row.get("recipient") or "recipient not recorded"
            by = f", by {row['disclosed_by']}" if row.get("disclosed_by") else ""
            when = row.get("disclosure_date")
            text = f"Disclosure to {to_whom}{by} ({decided})" if when else \
                f"Disclosure to {to_whom} agreed ({decided}; date of disclosure not recorded)"
            yield Event(when or held, "disclosure", text, meeting_id=meeting_id)
        elif row.get("disclosure_needed") == 0:
            yield Event(held, "disclosure", f"No disclosure needed ({decided})", meeting_id=meeting_id)


def _owner(person, agency) -> str:
    return ", ".join(x for x in (person, agency) if x) or "no owner"


@source
def actions(facts: CaseFacts) -> Iterable[Event]:
    dates = facts.meeting_dates
    for action in facts.actions:
        history = facts.histories.get(action.id, [])
        first = next((u for u in history if u.changes_terms), None)
        target = first.previous_target_date if first else action.target_date
        owner = _owner(first.previous_owner_person, first.previous_owner_agency) if first else \
            _owner(action.owner_person, action.owner_agency)
        yield Event(action.raised_date, "action_raised",
                    f"Action {action.number} raised: {action.action_text or ''} ({owner}; target "
                    f"{format_date(target) or 'none'})", meeting_id=action.meeting_id, action_id=action.id)
        for update in history:
            on = changed_on(update, dates)
            note = f": {update.note}" if update.note else ""
            if update.change == "carried":
                yield Event(on, "action_carried", f"Action {action.number} carried forward to "
                            f"{format_date(update.target_date)} (target was {format_date(update.previous_target_date) or 'none'})"
                            f"{note}", meeting_id=update.meeting_id, action_id=action.id)
            if update.changes_terms and (update.owner_person, update.owner_agency) != (
                    update.previous_owner_person, update.previous_owner_agency):
                yield Event(on, "action_reassigned", f"Action {action.number} re-assigned: "
                            f"{_owner(update.previous_owner_person, update.previous_owner_agency)} → "
                            f"{_owner(update.owner_person, update.owner_agency)}"
                            f"{note if update.change == 'reassigned' else ''}",
                            meeting_id=update.meeting_id, action_id=action.id)
        if action.status == "done" and action.completed_date:
            yield Event(action.completed_date, "action_closed",
                        f"Action {action.number} done: {action.outcome or 'no outcome recorded'}", action_id=action.id)
        elif action.status == "withdrawn":
            withdrawn = next((u for u in reversed(history) if u.status == "withdrawn"), None)
            on = changed_on(withdrawn, dates) if withdrawn else action.raised_date
            yield Event(on, "action_closed", f"Action {action.number} withdrawn: {action.withdrawn_reason or ''}",
                        action_id=action.id)


@source
def reviews(facts: CaseFacts) -> Iterable[Event]:
    for review in facts.reviews:
        incident = review.incident
        if incident.get("incident_date"):
            reported = f"; reported on {format_date(incident.get('reported_date'))}" if incident.get("reported_date") else ""
            criteria = scr_spec.criteria_met(incident)
            met = f" Criteria: {'; '.join(criteria)}." if criteria else ""
            yield Event(incident["incident_date"], "incident", f"Incident{reported}.{met}")
        for key in scr_spec.STAGE_KEYS:
            stage = review.stages.get(key)
            if stage is None or stage.status != "completed":
                continue
            section = scr_spec.stage(key)
            decision = section.field("decision").display(stage.values.get("decision"))
            when = stage.values.get("completed_date") or uk_day(stage.completed_at)
            yield Event(when, "review", f"{section.title} completed" + (f": {decision}" if decision else ""))
        if review.closed and review.closed_date:
            yield Event(review.closed_date, "review", f"Review closed: {review.closed_reason or ''}".rstrip(": "))


@source
def leaving(facts: CaseFacts) -> Iterable[Event]:
    from . import lifecycle_spec
    from .cases import expected_exit

    if facts.exit is not None:
        reason = lifecycle_spec.CASE_EXIT.field("exit_reason").display(facts.exit.exit_reason)
        held = facts.meeting_dates.get(facts.exit.meeting_id) if facts.exit.meeting_id else None
        decided = f" (decided at the meeting of {format_date(held)})" if held else ""
        yield Event(facts.exit.exit_date, "exit", f"Left MAPPA: {reason}{decided}", meeting_id=facts.exit.meeting_id,
                    marked=True)
    else:
        expected = expected_exit(facts.case.values, [o.as_values() for o in facts.case.orders])
        if expected.on is not None:
            yield Event(expected.on.isoformat(), "exit", f"Expected to leave MAPPA: {expected.basis}")
    for addendum in facts.addenda:
        yield Event(uk_day(addendum.at), "exit", f"Addendum to the case: {addendum.reason}")


@source
def plan_versions(facts: CaseFacts) -> Iterable[Event]:
    """One event per version of the risk management plan: its number, and what the meeting
    it was agreed at added, changed and ended."""
    from .plan import changes_words

    for version in facts.plan_versions:
        on = version.meeting_date or uk_day(version.finalised_at)
        if on:
            yield Event(on, "plan", f"Risk management plan version {version.version}: {changes_words(version.plan)}",
                        meeting_id=version.meeting_id)
