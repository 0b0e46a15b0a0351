"""The Strategic Oversight Group's figures for a period: numbers only.

Meetings held; the share of minutes that meet each item of the meeting audit (the
auditor's grade where an audit is complete, else the grade the record suggests); initial
meetings held more than 20 working days after referral; reviews held after the date the
previous meeting set; actions overdue, by agency. No offender's name, no case reference:
the group does not need them, and the printout may travel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..dates import from_iso
from . import meeting_audit
from .case_audit import INITIAL_WITHIN_WORKING_DAYS
from .workdays import Rule, working_days_between


@dataclass(frozen=True)
class ItemShare:
    key: str
    title: str
    meeting: int  # minutes graded 3 or 4 on this item
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.meeting / self.of) if self.of else None


@dataclass(frozen=True)
class OversightReport:
    start: str
    end: str
    as_at: str  # the day the figures were made (overdue actions are as at this day)
    meetings_held: int
    initial_held: int
    review_held: int
    in_draft: int  # minutes of meetings in the period not yet finalised
    audited: int  # minutes with a completed meeting audit (their grades are the auditor's)
    items: tuple[ItemShare, ...]
    initial_with_referral: int
    initial_past_limit: int
    initial_without_referral: int
    reviews_with_due_date: int
    reviews_late: int
    actions_overdue: tuple[tuple[str, int], ...]  # (agency, count), most first

    @property
    def actions_overdue_total(self) -> int:
        return sum(n for _, n in self.actions_overdue)


def item_shares(facts, audits: dict) -> tuple[tuple[ItemShare, ...], int]:
    """Per item, how many of the minutes meet it; and how many minutes were audited."""
    meeting = {i.key: 0 for i in meeting_audit.ITEMS}
    audited = 0
    for f in facts:
        confirmed = (audits.get(f.meeting_id) or {}).get("items", {})
        if confirmed:
            audited += 1
        for finding in meeting_audit.assess(f):
            grade = (confirmed.get(finding.key) or {}).get("grade") or finding.suggested
            if grade >= meeting_audit.MEETS:
                meeting[finding.key] += 1
    return tuple(ItemShare(i.key, i.title, meeting[i.key], len(facts)) for i in meeting_audit.ITEMS), audited


def build_report(*, facts, audits: dict, initial_meetings, reviews, overdue_by_agency,
                 start: date, end: date, today: date, rules: tuple[Rule, ...]) -> OversightReport:
    """The figures from what the store read for the period (see ``oversight_report``)."""
    shares, audited = item_shares(facts, audits)
    with_referral = past = without = 0
    for _meeting_id, held, referral in initial_meetings:
        referred = from_iso(referral)
        if referred is None or referred > from_iso(held):
            without += 1
            continue
        with_referral += 1
        if working_days_between(referred, from_iso(held), rules) > INITIAL_WITHIN_WORKING_DAYS:
            past += 1
    due_set = [(held, due) for _id, held, due in reviews if due]
    return OversightReport(
        start=start.isoformat(), end=end.isoformat(), as_at=today.isoformat(),
        meetings_held=len(facts),
        initial_held=sum(1 for f in facts if f.meeting_type == "initial"),
        review_held=sum(1 for f in facts if f.meeting_type == "review"),
        in_draft=sum(1 for f in facts if f.status != "finalised"),
        audited=audited, items=shares,
        initial_with_referral=with_referral, initial_past_limit=past, initial_without_referral=without,
        reviews_with_due_date=len(due_set), reviews_late=sum(1 for held, due in due_set if held > due),
        actions_overdue=tuple(overdue_by_agency),
    )


def oversight_report(*, store, start: date, end: date, today: date) -> OversightReport:
    """The SOG's figures for meetings held from ``start`` to ``end`` (both included)."""
    from ..settings import bank_holiday_rules

    if end < start:
        start, end = end, start
    first, last = start.isoformat(), end.isoformat()
    return build_report(
        facts=store.audits.facts_between(first, last),
        audits=store.audits.completed_between(first, last),
        initial_meetings=store.audits.initial_meetings_between(first, last),
        reviews=store.audits.reviews_between(first, last),
        overdue_by_agency=store.register.overdue_by_agency(today),
        start=start, end=end, today=today, rules=bank_holiday_rules(store),
    )
