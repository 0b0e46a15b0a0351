"""Rules of the case record, shared by the form (messages beside fields) and the store
(which refuses anything that breaks them). Values are in stored form: ISO dates, choice
values, 1/0 for yes/no."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Sequence

from . import spec
from .dates import from_iso
from .rules.values import Problem, blank, end_of_day, is_required, record_problems, rule_problems

__all__ = ["Problem", "validate_case", "missing_for_minute", "upcoming_dates", "Upcoming"]


def validate_case(
    values: Mapping, orders: Sequence[Mapping], today: date
) -> list[Problem]:
    """Every rule the case breaks, in form order (empty when it can be saved): the case's
    fields and civil orders against their declarations in the spec, and the rules across
    its fields (level 1 does not apply to category 3)."""
    now = end_of_day(today)
    problems = record_problems(spec.case_fields(), values, now=now)
    for section in spec.CASE_SECTIONS:
        problems += rule_problems(section, values)
    order_fields = spec.section("civil_orders").fields
    for index, order in enumerate(orders):
        problems += record_problems(order_fields, order, now=now, context=values, prefix=f"orders.{index}.")
    return problems


def missing_for_minute(values: Mapping) -> list[str]:
    """Labels of fields the minute requires that the case does not have yet."""
    return [
        f.label
        for s in spec.CASE_SECTIONS
        if s.source is spec.Source.CASE
        for f in s.fields
        if is_required(f, values) and blank(values.get(f.key))
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
