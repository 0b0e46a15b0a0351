"""Working days in Scotland: Monday to Friday, less the bank holidays.

The holidays are a setting (``bank_holidays``): rules that give the dates of any year, not a
list of dates that runs out. Scotland's differ from England's (2 January, St Andrew's Day,
the summer holiday on the first Monday of August, no Easter Monday), and areas add local
holidays. One rule per line:

- ``25/12 Christmas Day``: the same date every year; on a Saturday or Sunday the holiday
  moves to the next weekday that is not already one (Christmas on a Saturday: Monday 27th,
  Boxing Day Tuesday 28th);
- ``Easter -2 Good Friday``: so many days from Easter Sunday;
- ``first Monday of May Early May bank holiday`` (also second, third, fourth, last);
- ``08/05/2023 Coronation``: one date in one year only.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter

DEFAULT_RULES = (
    "01/01 New Year's Day",
    "02/01 2 January",
    "Easter -2 Good Friday",
    "first Monday of May Early May bank holiday",
    "last Monday of May Spring bank holiday",
    "first Monday of August Summer bank holiday",
    "30/11 St Andrew's Day",
    "25/12 Christmas Day",
    "26/12 Boxing Day",
)

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_DAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_FIXED = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?:\s+(.*))?")
_EASTER = re.compile(r"easter\s*([+-]\s*\d+)?(?:\s+(.*))?", re.IGNORECASE)
_NTH = re.compile(r"(\w+)\s+(\w+)\s+(?:of|in)\s+(\w+)(?:\s*:?\s+(.*))?", re.IGNORECASE)


class RuleError(ValueError):
    """A line that is not a rule; the message quotes it and says what a rule looks like."""


@dataclass(frozen=True)
class Rule:
    """One line of the setting, read. ``kind``: fixed, once, easter or nth."""

    kind: str
    name: str
    month: int = 0
    day: int = 0
    year: int = 0
    offset: int = 0  # days from Easter Sunday
    ordinal: int = 0  # 1 to 4, or -1 for the last
    weekday: int = 0  # Monday 0

    def dates(self, year: int) -> list[date]:
        """This rule's date in ``year`` before any moving off a weekend (none or one)."""
        if self.kind == "once":
            return [date(self.year, self.month, self.day)] if self.year == year else []
        if self.kind == "fixed":
            if self.month == 2 and self.day == 29 and not calendar.isleap(year):
                return []
            return [date(year, self.month, self.day)]
        if self.kind == "easter":
            return [easter(year) + timedelta(days=self.offset)]
        days = [d for d in calendar.Calendar().itermonthdates(year, self.month)
                if d.month == self.month and d.weekday() == self.weekday]
        return [days[self.ordinal - 1] if self.ordinal > 0 else days[-1]]


_HELP = ('Write a rule as "25/12 Christmas Day", "Easter -2 Good Friday", '
         '"first Monday of May Early May bank holiday" or "08/05/2023 Coronation".')


def parse_rule(line: str) -> Rule:
    """One rule from its line; :class:`RuleError` when it is not one."""
    text = " ".join(line.split())
    if match := _FIXED.fullmatch(text):
        day, month, year, name = int(match[1]), int(match[2]), int(match[3] or 0), match[4] or ""
        try:
            date(year or 2000, month, day)  # 2000: a leap year, so 29/02 is allowed
        except ValueError:
            raise RuleError(f'"{text}": that day and month do not exist. {_HELP}') from None
        return Rule("once" if year else "fixed", name, month=month, day=day, year=year)
    if match := _EASTER.fullmatch(text):
        offset = int((match[1] or "0").replace(" ", ""))
        if abs(offset) > 60:
            raise RuleError(f'"{text}": more than 60 days from Easter. {_HELP}')
        return Rule("easter", match[2] or "", offset=offset)
    if match := _NTH.fullmatch(text):
        ordinal, weekday, month = (match[i].lower() for i in (1, 2, 3))
        if ordinal in _ORDINALS and weekday in _DAYS and month in _MONTHS:
            return Rule("nth", match[4] or "", ordinal=_ORDINALS[ordinal], weekday=_DAYS[weekday],
                        month=_MONTHS[month])
    raise RuleError(f'"{text}" is not a rule. {_HELP}')


def parse_rules(lines) -> tuple[Rule, ...]:
    """Every non-empty line as a rule; :class:`RuleError` names the first that is not."""
    return tuple(parse_rule(line) for line in lines if line.strip())


@lru_cache(maxsize=256)
def holidays_in(year: int, rules: tuple[Rule, ...]) -> dict[date, str]:
    """The bank holidays of ``year``, a holiday on a weekend moved to the next free weekday
    (in the order of the rules, so Boxing Day follows a moved Christmas)."""
    found: dict[date, str] = {}
    moving = []
    for rule in rules:
        for day in rule.dates(year):
            if rule.kind == "fixed" and day.weekday() >= 5:
                moving.append((day, rule.name))
            else:
                found.setdefault(day, rule.name)
    for day, name in sorted(moving):
        substitute = day
        while substitute.weekday() >= 5 or substitute in found:
            substitute += timedelta(days=1)
        found[substitute] = f"{name} (substitute day)" if name else "substitute day"
    return found


def is_working_day(day: date, rules: tuple[Rule, ...]) -> bool:
    return day.weekday() < 5 and day not in holidays_in(day.year, rules)


def working_days_between(start: date, end: date, rules: tuple[Rule, ...]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not
    later): a referral on a Friday and a meeting on the Monday after is 1 working day."""
    if end <= start:
        return 0
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, rules):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int, rules: tuple[Rule, ...]) -> date:
    """The date ``days`` working days after ``start`` (the last day a deadline allows)."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, rules):
            days -= 1
    return day
