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

__all__ = ["Problem", "validate_case", "missing_for_minute", "upcoming_dates", "Upcoming", "expected_exit",
           "ExpectedExit"]


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


#: Civil orders that carry notification requirements of their own, so a registered sex
#: offender stays in category 1 while one runs (``FACTS.md``: SHPO, legacy SOPO, and
#: Notification Orders).
NOTIFYING_ORDERS = ("shpo", "sopo", "notification_order")


@dataclass(frozen=True)
class ExpectedExit:
    """When the person is due to leave MAPPA (None: on a decision, or indefinite) and what
    that rests on, in words. The police hold the authoritative notification dates."""

    on: date | None
    basis: str


def expected_exit(values: Mapping, orders: Sequence[Mapping]) -> ExpectedExit:
    """The point at which the person is due to exit MAPPA (the updated national guidance
    asks the co-ordinator to see it), from the category and the case's dates:

    - category 1: the end of the notification requirements, or of a later order that carries
      its own (SHPO, SOPO, Notification Order); none while notification is indefinite or an
      order has no end date;
    - category 3: the end of the licence (statutory supervision), unless the risk is reduced
      first (a decision);
    - restricted patients: a decision (the restriction order ending, or absolute discharge).
    """
    category = values.get("category")
    order_type = spec.section("civil_orders").field("order_type")
    if category == "1":
        if values.get("sonr_indefinite"):
            return ExpectedExit(None, "notification is indefinite (it can be reviewed after 15 years, 8 for "
                                      "under-18s)")
        ends = []
        if from_iso(values.get("sonr_expiry_date")):
            ends.append((from_iso(values["sonr_expiry_date"]), "the end of the notification requirements (SONR)"))
        for order in orders:
            if order.get("order_type") not in NOTIFYING_ORDERS:
                continue
            label = order_type.label_of(order.get("order_type"))
            if not order.get("expiry_date"):
                return ExpectedExit(None, f"the {label} has no end date")
            ends.append((from_iso(order["expiry_date"]), f"the end of the {label}"))
        ends = [(day, why) for day, why in ends if day is not None]
        if not ends:
            return ExpectedExit(None, "no SONR expiry is recorded (the exit follows the end of the notification "
                                      "requirements)")
        return ExpectedExit(*max(ends, key=lambda e: e[0]))
    if category == "3":
        licence = from_iso(values.get("licence_expiry_date"))
        if licence is not None:
            return ExpectedExit(licence, "the end of the licence (statutory supervision), unless the risk is "
                                         "reduced before then")
        return ExpectedExit(None, "no licence expiry is recorded (the exit follows the end of statutory "
                                  "supervision, or a decision that the risk is reduced)")
    if category == "restricted_patient":
        return ExpectedExit(None, "the exit follows a decision: the restriction order ending, or absolute discharge")
    return ExpectedExit(None, "no category is recorded")
