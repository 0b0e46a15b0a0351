"""What an action's state means on a given day: outstanding, overdue, due soon.

Decided once, here, for every consumer: the register and its filters, the dashboard, the
navigation count, a case's register tab, the previous actions of a minute and the printouts
(the SQL that counts them is built from these constants in ``db/register.py``).

- *Outstanding*: open or carried forward.
- *Overdue*: outstanding, and its target date is before today (the UK date).
- *Due soon*: outstanding, and its target date is today or within ``DUE_SOON_DAYS``.
- An action of a case that is not active (archived, or left MAPPA) is never overdue or due
  soon: the case is no longer managed, nobody chases its actions, and no count includes
  them. The action still shows in the register, as open, with its case's state beside it.
"""

from __future__ import annotations

from datetime import date

from ..dates import from_iso
from ..words import plural

OUTSTANDING = ("open", "carried")
DUE_SOON_DAYS = 14
#: Cases whose actions are chased (counted overdue or due soon).
CHASED_CASE_STATUSES = ("active",)


def is_outstanding(status: str | None) -> bool:
    return status in OUTSTANDING


def days_late(status: str | None, target_date: str | None, today: date,
              case_status: str | None = "active") -> int:
    """How many days past its target an outstanding action is (0: not overdue)."""
    if not is_outstanding(status) or (case_status or "active") not in CHASED_CASE_STATUSES:
        return 0
    target = from_iso(target_date)
    if target is None or target >= today:
        return 0
    return (today - target).days


def is_overdue(status, target_date, today: date, case_status="active") -> bool:
    return days_late(status, target_date, today, case_status) > 0


def due_words(status, target_date, today: date, case_status="active") -> str:
    """Overdue and due soon in words, so that colour is never the only signal. Empty for
    an action that is not outstanding, or whose case is not chased."""
    if not is_outstanding(status):
        return ""
    if (case_status or "active") not in CHASED_CASE_STATUSES:
        return "case left MAPPA" if case_status == "exited" else "case archived"
    target = from_iso(target_date)
    if target is None:
        return "NO TARGET DATE"
    days = (target - today).days
    if days < 0:
        return f"OVERDUE by {plural(-days, 'day')}"
    if days == 0:
        return "due today"
    if days <= DUE_SOON_DAYS:
        return f"due in {plural(days, 'day')}"
    return ""


def review_overdue(next_review_date: str | None, last_meeting_date: str | None, today: date,
                   case_status: str | None = "active") -> bool:
    """A case's review is overdue when its review date has passed and no meeting has been
    held on or after it (the same rule the dashboard's query applies)."""
    if (case_status or "active") not in CHASED_CASE_STATUSES:
        return False
    review = from_iso(next_review_date)
    if review is None or review >= today:
        return False
    held = from_iso(last_meeting_date)
    return held is None or held < review
