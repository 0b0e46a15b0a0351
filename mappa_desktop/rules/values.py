"""Whether a value may be stored, read from the spec's declarations and nothing else.

The forms (messages beside the field), the operations layer (what an autosave writes and
what it keeps as typed), the store's own refusals and the report on stored values all call
these functions, so a value refused in one place is refused in every place.

Values are in stored form: ISO dates, ``hh:mm`` times, choice values, 1/0 for yes/no, text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping

from .. import spec
from ..dates import UK, DateError, format_date, from_iso, parse_user_date, parse_user_time, uk_today

Kind = spec.Kind


@dataclass(frozen=True)
class Problem:
    """A rule a value breaks. ``field`` is the field key (``prefix.N.key`` for row N);
    ``message`` says in a chair's words what is wrong, starting with the field's label."""

    field: str
    message: str


#: Words for dates that live in a record's context rather than among its spec fields.
CONTEXT_LABELS = {"raised_date": "the date the action was raised"}


def end_of_day(day: date) -> datetime:
    """The last minute of a UK day: "now" for rules asked about a day rather than a moment."""
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=UK)


def blank(value) -> bool:
    """Nothing there: None, or text that is only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse(field: spec.Field, raw):
    """Text as typed (or a widget's raw value) -> the stored form. Raises
    :class:`DateError` with the reason when a date or time does not parse."""
    if raw is None:
        return None
    if field.kind is Kind.DATE:
        if isinstance(raw, date):
            return raw.isoformat()
        parsed = parse_user_date(str(raw))
        return parsed.isoformat() if parsed else None
    if field.kind is Kind.TIME:
        return parse_user_time(str(raw))
    if field.kind is Kind.YES_NO:
        if raw in ("", None):
            return None
        return 1 if raw in (1, True, "1", "yes", "Yes") else 0 if raw in (0, False, "0", "no", "No") else raw
    if isinstance(raw, str) and not raw.strip():
        return None
    return raw


def parse_record(fields: Iterable[spec.Field], raw: Mapping, prefix: str = "") -> tuple[dict, list[Problem]]:
    """Parse every field given in ``raw``; a field that does not parse is left out of the
    values and named in a problem (its text stays with the caller)."""
    values, problems = {}, []
    for field in fields:
        if field.key not in raw:
            continue
        try:
            values[field.key] = parse(field, raw[field.key])
        except DateError as exc:
            problems.append(Problem(prefix + field.key, f"{field.label}: {exc}"))
    return values, problems


def is_required(field: spec.Field, values: Mapping) -> bool:
    """Whether the check asks for this field, given the record's other values."""
    if field.required:
        return True
    when = field.required_when
    return when is not None and values.get(when.field) in when.values


def _date_words(label: str) -> str:
    """A date field's label as the object of a sentence: "the date granted", "the SONR
    from date", "the date of birth"."""
    words = label if label[1:2].isupper() else label[:1].lower() + label[1:]
    if "date" in words.lower():
        return f"the {words}"
    if " " not in words:
        return f"the date {words}"
    return f"the {words} date"


def _label_of(key: str, fields: Iterable[spec.Field]) -> str:
    """How a bound names the date it refers to."""
    for field in fields:
        if field.key == key:
            return _date_words(field.label)
    if key in CONTEXT_LABELS:
        return CONTEXT_LABELS[key]
    for section in (*spec.SECTIONS, spec.CASE_STATUS):
        for field in section.fields:
            if field.key == key:
                return _date_words(field.label)
    return key.replace("_", " ")


def _moment(values: Mapping, field: spec.Field, value: str) -> datetime | None:
    """A time on its date (UK), when both are known."""
    day = from_iso(values.get(field.on_date)) if field.on_date else None
    if day is None:
        return None
    hours, minutes = (int(p) for p in value.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UK)


def why_refused(field: spec.Field, value, values: Mapping, now: datetime,
                fields: Iterable[spec.Field] = ()) -> str | None:
    """Why ``value`` may not be stored in ``field`` (None when it may). Blank values are
    never refused here: whether a field may be empty is :func:`is_required`'s question.
    ``values`` is the whole record with its context (other fields the bounds refer to)."""
    if blank(value):
        return None
    kind = field.kind
    if kind is Kind.DATE:
        day = from_iso(value) if isinstance(value, str) else None
        if day is None or day.isoformat() != value:
            return "not a date."
        today = uk_today(now)
        if field.past and day > today:
            return "cannot be in the future."
        if field.years_back and day < today - timedelta(days=round(365.25 * field.years_back)):
            return f"more than {field.years_back} years ago."
        for other in field.not_before:
            earlier = from_iso(values.get(other))
            if earlier is not None and day < earlier:
                return f"cannot be before {_label_of(other, fields)} ({format_date(earlier)})."
        return None
    if kind is Kind.TIME:
        if not isinstance(value, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            return "not a time (hh:mm, 24-hour)."
        if field.past:
            moment = _moment(values, field, value)
            if moment is not None and moment > now.astimezone(UK) + timedelta(minutes=1):
                return "that time has not come yet."
        return None
    if kind is Kind.CHOICE:
        option = field.choice(str(value))
        if option is None:
            return "not one of the choices."
        if not option.in_use:
            return f"{option.label} cannot be chosen."
        return None
    if kind is Kind.YES_NO:
        return None if value in (0, 1) and not isinstance(value, float) else "yes or no."
    if not isinstance(value, str):
        return "not text."
    if field.limit is not None and len(value) > field.limit:
        return f"longer than {field.limit:,} characters."
    if field.pattern and not re.fullmatch(field.pattern[0], value.strip()):
        return field.pattern[1]
    return None


def record_problems(
    fields: Iterable[spec.Field],
    values: Mapping,
    *,
    now: datetime,
    context: Mapping | None = None,
    prefix: str = "",
    only: Iterable[str] | None = None,
) -> list[Problem]:
    """Every refusal for a record, in field order: values that break a field's rules, and
    fields the record cannot be saved without (``to_save``). ``context`` holds values of
    other records the bounds may refer to; ``only`` limits the fields looked at."""
    fields = tuple(fields)
    merged = {**(context or {}), **values}
    wanted = None if only is None else set(only)
    problems = []
    for field in fields:
        if wanted is not None and field.key not in wanted:
            continue
        value = values.get(field.key)
        if blank(value):
            if field.to_save and is_required(field, merged):
                problems.append(Problem(prefix + field.key, f"{field.label}: needed before this can be saved."))
            continue
        why = why_refused(field, value, merged, now, fields)
        if why:
            problems.append(Problem(prefix + field.key, f"{field.label}: {why}"))
    return problems


def rule_problems(section: spec.Section, values: Mapping) -> list[Problem]:
    """Refusals from the section's rules that exclude one value given another (level 1 for
    category 3): used where the record must be consistent to be saved (the case)."""
    problems = []
    for rule in section.rules:
        if isinstance(rule, spec.Excludes) and excluded(rule, values):
            problems.append(Problem(rule.other, rule.message))
    return problems


def excluded(rule: spec.Excludes, values: Mapping) -> bool:
    """Whether the values break an Excludes rule (``other_value`` None: any value at all)."""
    if str(values.get(rule.field)) != str(rule.value) or blank(values.get(rule.other)):
        return False
    return rule.other_value is None or str(values.get(rule.other)) == str(rule.other_value)


def date_rule_problems(section: spec.Section, values: Mapping, context: Mapping, today: date) -> list[Problem]:
    """Refusals from the section's rules about dates, for a record about to be stored: a
    date that must not be past (``NotPast``), or must fall after another (``DateAfter``; and
    ``RowDateAfter`` where its condition holds). ``context`` holds the dates of other records
    (the meeting's date). The completeness check reads the same rules (its own words)."""
    merged = {**context, **values}
    problems = []
    for rule in section.rules:
        if isinstance(rule, spec.NotPast):
            day = from_iso(values.get(rule.field))
            if day is not None and day < today:
                problems.append(Problem(rule.field, rule.message.format(date=format_date(day))))
        elif isinstance(rule, (spec.DateAfter, spec.RowDateAfter)):
            if isinstance(rule, spec.RowDateAfter) and merged.get(rule.when.field) not in rule.when.values:
                continue
            day, other = from_iso(values.get(rule.field)), from_iso(merged.get(rule.other))
            if day is not None and other is not None and day <= other:
                label = next((f.label for f in section.fields if f.key == rule.field), rule.field)
                problems.append(Problem(rule.field, f"{label}: must be after {_label_of(rule.other, section.fields)} "
                                                    f"({format_date(other)})."))
    return problems
