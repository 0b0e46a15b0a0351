"""Rules of the case record, shared by the form (messages beside fields) and the store
(which refuses anything that breaks them). Values are in stored form: ISO dates, choice
values, 1/0 for yes/no."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Sequence

from . import spec
from .dates import from_iso

#: Needed before a case can be saved at all; the rest may come later (the overview says what).
REQUIRED_TO_SAVE = ("reference", "full_name", "category", "mappa_level")
MAX_TEXT = 100_000  # characters in any one field: far above any real address or note


@dataclass(frozen=True)
class Problem:
    """A rule a value breaks: ``field`` is the field key (``orders.N.key`` for order N)."""

    field: str
    message: str


def _check_choice(field: spec.Field, value, problems: list[Problem], prefix: str = "") -> None:
    if value in (None, ""):
        return
    option = field.choice(str(value))
    if option is None:
        problems.append(Problem(prefix + field.key, f"{field.label}: not one of the choices."))
    elif not option.in_use:
        problems.append(Problem(prefix + field.key, f"{option.label} cannot be chosen."))


def _check_kinds(fields, values: Mapping, problems: list[Problem], prefix: str = "") -> None:
    for field in fields:
        value = values.get(field.key)
        if value is None or value == "":
            continue
        if field.kind is spec.Kind.DATE and from_iso(str(value)) is None:
            problems.append(Problem(prefix + field.key, f"{field.label}: not a date."))
        elif field.kind is spec.Kind.CHOICE:
            _check_choice(field, value, problems, prefix)
        elif field.kind is spec.Kind.YES_NO and value not in (0, 1, True, False):
            problems.append(Problem(prefix + field.key, f"{field.label}: yes or no."))
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(
                Problem(prefix + field.key, f"{field.label}: longer than {MAX_TEXT:,} characters.")
            )


def _before(values: Mapping, earlier: str, later: str) -> bool:
    a, b = from_iso(values.get(earlier)), from_iso(values.get(later))
    return a is not None and b is not None and b < a


def validate_case(
    values: Mapping, orders: Sequence[Mapping], today: date
) -> list[Problem]:
    """Every rule the case breaks, in form order. Empty when it can be saved."""
    problems: list[Problem] = []
    for key in REQUIRED_TO_SAVE:
        if not str(values.get(key) or "").strip():
            problems.append(Problem(key, f"{spec.field_of_case(key).label} is needed."))
    _check_kinds(spec.case_fields(), values, problems)

    dob = from_iso(values.get("date_of_birth"))
    if dob and dob > today:
        problems.append(Problem("date_of_birth", "The date of birth is in the future."))
    elif dob and dob < today - timedelta(days=365 * 120):
        problems.append(Problem("date_of_birth", "The date of birth is more than 120 years ago."))
    offence = from_iso(values.get("index_offence_date"))
    if offence and offence > today:
        problems.append(Problem("index_offence_date", "The index offence date is in the future."))
    referral = from_iso(values.get("referral_date"))
    if referral and referral > today:
        problems.append(Problem("referral_date", "The referral date is in the future."))
    if dob and offence and offence < dob:
        problems.append(Problem("index_offence_date", "The index offence is before the date of birth."))
    if values.get("category") == "3" and str(values.get("mappa_level")) == "1":
        problems.append(
            Problem("mappa_level", "Level 1 does not apply to category 3: choose level 2 or 3.")
        )
    if _before(values, "earliest_liberation_date", "licence_expiry_date"):
        problems.append(
            Problem("licence_expiry_date", "Licence expiry is before the earliest date of liberation.")
        )
    if _before(values, "sonr_start_date", "sonr_expiry_date"):
        problems.append(Problem("sonr_expiry_date", "SONR expiry is before SONR start."))
    if values.get("sonr_indefinite") in (1, True) and values.get("sonr_expiry_date"):
        problems.append(
            Problem("sonr_expiry_date", "SONR is marked indefinite: leave the expiry empty.")
        )
    email = str(values.get("lead_email") or "").strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append(Problem("lead_email", "That does not look like an e-mail address."))

    order_fields = spec.section("civil_orders").fields
    for index, order in enumerate(orders):
        prefix = f"orders.{index}."
        if not order.get("order_type"):
            problems.append(Problem(prefix + "order_type", "Choose the type of order."))
        if order.get("order_type") == "other" and not str(order.get("order_detail") or "").strip():
            problems.append(Problem(prefix + "order_detail", "Say what the other order is."))
        _check_kinds(order_fields, order, problems, prefix)
        if _before(order, "granted_date", "expiry_date"):
            problems.append(Problem(prefix + "expiry_date", "The order expires before it was granted."))
        granted = from_iso(order.get("granted_date"))
        if granted and granted > today:
            problems.append(Problem(prefix + "granted_date", "The grant date is in the future."))
    return problems


def missing_for_minute(values: Mapping) -> list[str]:
    """Labels of fields the minute requires that the case does not have yet."""
    return [
        f.label
        for s in spec.CASE_SECTIONS
        if s.source is spec.Source.CASE
        for f in s.fields
        if f.required and not str(values.get(f.key) or "").strip()
    ]


@dataclass(frozen=True)
class Upcoming:
    """A key date that falls soon (or has just passed)."""

    what: str
    on: date
    days: int  # negative when already past


def upcoming_dates(values: Mapping, orders: Sequence[Mapping], today: date, within: int = 90) -> list[Upcoming]:
    """Licence, SONR and order expiries, and the next review, within ``within`` days."""
    candidates = [
        ("Next review", values.get("next_review_date")),
        ("Licence expiry", values.get("licence_expiry_date")),
        ("Earliest date of liberation", values.get("earliest_liberation_date")),
        ("SONR expiry", values.get("sonr_expiry_date")),
    ]
    order_field = spec.section("civil_orders").field("order_type")
    for order in orders:
        label = order_field.label_of(order.get("order_type"))
        candidates.append((f"{label} expiry", order.get("expiry_date")))
    found = []
    for what, iso in candidates:
        when = from_iso(iso)
        if when is None:
            continue
        days = (when - today).days
        if -30 <= days <= within:
            found.append(Upcoming(what, when, days))
    return sorted(found, key=lambda u: u.on)
