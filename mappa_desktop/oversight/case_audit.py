"""The case audit (national document 11): timeliness, invitations, attendance and reports.

An initial level 2 meeting in the community is expected within 20 working days of the
referral (FACTS.md). The working days come from ``workdays`` with the area's bank holidays.
Invitations and attendance are read from each meeting's attendance list: everyone on it was
invited; those not present are asked for a written report (``report_received``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..dates import from_iso
from .workdays import Rule, add_working_days, working_days_between

#: Working days from referral within which the initial meeting is expected.
INITIAL_WITHIN_WORKING_DAYS = 20


@dataclass(frozen=True)
class MeetingHeld:
    """A meeting of the case as the case audit needs it (no text)."""

    meeting_id: int
    meeting_date: str | None
    meeting_type: str | None
    statuses: tuple[tuple[str | None, int | None], ...] = ()  # (attendance, report received) per person


@dataclass(frozen=True)
class Timeliness:
    """From referral to the initial meeting. ``working_days`` counts to the meeting, or to
    ``today`` while there is none; ``late`` when more than the expected 20."""

    referral_date: str | None
    initial_meeting_id: int | None
    initial_meeting_date: str | None
    working_days: int | None
    due_by: str | None  # the last working day within the expectation
    late: bool

    def words(self) -> str:
        """One line for the screen and the printout."""
        if not self.referral_date:
            return "No referral date on the case: the time to the initial meeting cannot be counted."
        if self.initial_meeting_date is None:
            return (f"No initial meeting recorded since the referral: {self.working_days} working days so far"
                    + (f", past the {INITIAL_WITHIN_WORKING_DAYS} expected." if self.late else "."))
        verdict = (f"more than the {INITIAL_WITHIN_WORKING_DAYS} expected" if self.late
                   else f"within the {INITIAL_WITHIN_WORKING_DAYS} expected")
        return f"{self.working_days} working days from referral to the initial meeting, {verdict}."


def timeliness(referral_date: str | None, meetings: list[MeetingHeld], today: date,
               rules: tuple[Rule, ...]) -> Timeliness:
    """Referral to the first initial meeting held on or after it."""
    referral = from_iso(referral_date)
    if referral is None:
        return Timeliness(referral_date, None, None, None, None, False)
    due = add_working_days(referral, INITIAL_WITHIN_WORKING_DAYS, rules).isoformat()
    initial = sorted((m for m in meetings if m.meeting_type == "initial" and from_iso(m.meeting_date)
                      and from_iso(m.meeting_date) >= referral), key=lambda m: m.meeting_date)
    if initial:
        first = initial[0]
        days = working_days_between(referral, from_iso(first.meeting_date), rules)
        return Timeliness(referral_date, first.meeting_id, first.meeting_date, days, due,
                          days > INITIAL_WITHIN_WORKING_DAYS)
    days = working_days_between(referral, today, rules)
    return Timeliness(referral_date, None, None, days, due, days > INITIAL_WITHIN_WORKING_DAYS)


@dataclass(frozen=True)
class Attendance:
    """Invitations and attendance of one meeting, and the reports of those not there."""

    meeting_id: int
    meeting_date: str | None
    meeting_type: str | None
    invited: int
    present: int
    apologies: int
    did_not_attend: int
    not_marked: int
    reports_received: int  # from those not present
    reports_not_received: int
    reports_not_recorded: int

    @property
    def not_present(self) -> int:
        return self.apologies + self.did_not_attend


def attendance(meeting: MeetingHeld) -> Attendance:
    statuses = [s for s, _ in meeting.statuses]
    absent = [r for s, r in meeting.statuses if s in ("apologies", "did_not_attend")]
    return Attendance(
        meeting.meeting_id, meeting.meeting_date, meeting.meeting_type,
        invited=len(statuses),
        present=statuses.count("present"),
        apologies=statuses.count("apologies"),
        did_not_attend=statuses.count("did_not_attend"),
        not_marked=sum(1 for s in statuses if not s),
        reports_received=sum(1 for r in absent if r == 1),
        reports_not_received=sum(1 for r in absent if r == 0),
        reports_not_recorded=sum(1 for r in absent if r is None),
    )


@dataclass(frozen=True)
class CaseAudit:
    timeliness: Timeliness
    meetings: tuple[Attendance, ...]  # newest first


def case_audit(referral_date: str | None, meetings: list[MeetingHeld], today: date,
               rules: tuple[Rule, ...]) -> CaseAudit:
    """The case audit's timeliness section for one case."""
    ordered = sorted(meetings, key=lambda m: (m.meeting_date or "", m.meeting_id), reverse=True)
    return CaseAudit(timeliness(referral_date, meetings, today, rules), tuple(attendance(m) for m in ordered))


def for_case(*, store, case_id: int, today: date) -> CaseAudit:
    """The case audit of one case from the store (not a consultation of the minutes)."""
    from ..settings import bank_holiday_rules

    case = store.cases.get(case_id, consult=False)
    return case_audit(case.get("referral_date"), store.audits.meetings_held(case_id), today,
                      bank_holiday_rules(store))
