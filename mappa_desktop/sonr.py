"""A helper for the sex offender notification requirements (SONR) period.

Sexual Offences Act 2003 s.82, as summarised in FACTS.md. The police hold the authoritative
date: this only *proposes* one, and the form never overwrites what the user typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Disposal:
    """What the court imposed, as far as the period depends on it."""

    custody_months: float | None = None  # imprisonment or detention, in months
    lifelong_restriction: bool = False  # Order for Lifelong Restriction
    hospital_with_restriction: bool = False
    hospital_without_restriction: bool = False
    under_18: bool = False  # at conviction


@dataclass(frozen=True)
class Proposal:
    indefinite: bool
    years: float | None  # None when indefinite
    expiry: date | None  # None when indefinite
    explanation: str


def _add_years(start: date, years: float) -> date:
    whole = int(years)
    months = round((years - whole) * 12)
    year, month = start.year + whole, start.month + months
    if month > 12:
        year, month = year + 1, month - 12
    day = start.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:  # 29 February, or 31st of a short month
            day -= 1


def propose(start: date, disposal: Disposal) -> Proposal:
    """The notification period for this disposal, and the expiry it gives from ``start``."""
    months = disposal.custody_months
    if disposal.lifelong_restriction or disposal.hospital_with_restriction or (
        months is not None and months >= 30
    ):
        review = 8 if disposal.under_18 else 15
        return Proposal(
            True,
            None,
            None,
            "Indefinite: 30 months' custody or more, an Order for Lifelong Restriction, or "
            f"hospital with a restriction order. It can be reviewed after {review} years.",
        )
    if months is not None and months > 6:
        years, why = 10.0, "more than 6 and less than 30 months' custody"
    elif (months is not None and months > 0) or disposal.hospital_without_restriction:
        years, why = 7.0, "6 months' custody or less, or hospital without a restriction order"
    else:
        years, why = 5.0, "any other disposal"
    if disposal.under_18:
        years /= 2
        why += ", halved because under 18 at conviction"
    expiry = _add_years(start, years)
    shown = f"{years:g} years"
    return Proposal(False, years, expiry, f"{shown}: {why}.")
