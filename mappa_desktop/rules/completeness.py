"""The completeness check of a minute, and each section's mark, from the spec alone.

What 5B and the meeting audit form still expect: every required field (and every field
required by a condition, such as a recipient when disclosure is needed), the rows a section
needs, values the rules refuse (a stored value from before a rule existed, or typed text
that does not parse), and the rules across a section's fields (someone present, the level
decision consistent, the review after the meeting...). Each item names the section, field
and row to jump to, and has a stable key (acknowledgements are stored by it).

A section's mark is derived from the same items: complete when it has content and no item,
started when it has content and an item, empty when it has nothing. So the editor's marks,
the check, and the printout's list of what is still open can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Mapping, Sequence

from .. import spec
from ..dates import format_date, from_iso
from ..plan import change_of, fields_for, is_live, section_entries
from .values import Problem, blank, end_of_day, excluded, is_required, why_refused

Source = spec.Source


@dataclass(frozen=True)
class CheckItem:
    """One gap. ``key`` is stable across runs (acknowledgements are stored by it)."""

    key: str
    message: str
    section: str
    field: str = ""
    row: int | None = None  # for repeating sections: which row (0-based)


@dataclass(frozen=True)
class MinuteFacts:
    """What the check reads, from the store or from a finalised snapshot alike.

    ``values``: the meeting's single values by field key; ``rows``: repeating sections by
    key, each row a mapping with its ``id``; ``actions`` / ``previous``: mappings or
    records with ``get`` (raised here / under review here); ``case``: the case's values;
    ``orders``: the case's civil orders as mappings; ``typed``: problems with text typed in
    the editor that does not parse yet, as (section key, Problem); ``plan``: this meeting's
    version of the risk management plan (entries with ``pillar``, ``status`` or ``change``);
    ``plan_not_needed``: pillar -> why nothing is needed under it."""

    values: Mapping
    rows: Mapping
    actions: Sequence
    previous: Sequence
    case: Mapping
    orders: Sequence[Mapping] = ()
    typed: tuple = ()
    plan: Sequence[Mapping] = ()
    plan_not_needed: Mapping | None = None


def facts_of(minute, case, typed: Iterable[tuple[str, Problem]] = ()) -> MinuteFacts:
    """Facts from a stored minute (``model.Minute``) and its case (``model.Case``)."""
    previous = tuple({**{f.key: a.get(f.key) for f in _REVIEW.fields}, "id": a.id, "number": a.number,
                      "raised_date": a.raised_date, "reviewed": a.id in minute.reviewed}
                     for a in minute.previous)
    return MinuteFacts(minute.values, minute.rows, minute.actions, previous, case.values,
                       tuple(o.as_values() for o in case.orders), tuple(typed),
                       tuple(getattr(minute, "plan", ())), dict(getattr(minute, "plan_not_needed", None) or {}))


_REVIEW = spec.section("previous_actions")
#: What the chair may record about an earlier action at a meeting (``AllReviewed``).
DECISIONS = ("done", "carried", "withdrawn")


def reviewed(action) -> bool:
    """Whether an earlier action under review has been reviewed at this meeting. A minute
    stored before reviews were recorded per meeting has no such mark: there, anything not
    left open counted as reviewed."""
    mark = action.get("reviewed")
    if mark is None:
        return action.get("status") != "open"
    return bool(mark)


def to_review(action) -> bool:
    """Still outstanding and not yet reviewed at this meeting: the check asks for it."""
    from .actions import is_outstanding

    return is_outstanding(action.get("status")) and not reviewed(action)


def facts_of_content(content: Mapping) -> MinuteFacts:
    """Facts from a minute's printable content (a finalised snapshot)."""
    plan = content.get("plan") or {}
    return MinuteFacts(content.get("meeting") or {}, content.get("rows") or {},
                       content.get("actions") or (), content.get("previous_actions") or (),
                       content.get("case") or {}, content.get("civil_orders") or (), (),
                       tuple(plan.get("entries") or ()), dict(plan.get("not_needed") or {}))


def _field_items(section: spec.Section, fields, record: Mapping, context: Mapping, now: datetime,
                 *, missing_key: str, invalid_key: str, where: str, row: int | None = None) -> list[CheckItem]:
    """Items for one record's fields: missing when required, refused when present."""
    merged = {**context, **record}
    items = []
    for field in fields:
        value = record.get(field.key)
        if blank(value):
            if is_required(field, merged):
                items.append(CheckItem(missing_key.format(field=field.key), f"{where}: {field.label} is missing"
                                       + (" from the case record." if section.source in (Source.CASE, Source.CASE_ROWS) else "."),
                                       section.key, field.key, row))
            continue
        why = why_refused(field, value, merged, now, fields)
        if why:
            items.append(CheckItem(invalid_key.format(field=field.key), f"{where}: {field.label}: {why}",
                                   section.key, field.key, row))
    return items


def _rule_items(section: spec.Section, facts: MinuteFacts, today: date, found: list[CheckItem]) -> list[CheckItem]:
    values = facts.case if section.source is Source.CASE else facts.values
    items = []
    for rule in section.rules:
        if isinstance(rule, spec.MustBe):
            value = values.get(rule.field)
            if not blank(value) and value != rule.value:
                items.append(CheckItem(rule.key, rule.message, section.key, rule.field))
        elif isinstance(rule, spec.SomeRow):
            rows = facts.rows.get(section.key, ())
            if rows and not any(r.get(rule.field) == rule.value for r in rows):
                items.append(CheckItem(rule.key, rule.message, section.key, rule.field))
        elif isinstance(rule, spec.Excludes):
            if excluded(rule, values):
                items.append(CheckItem(rule.key, rule.message, section.key, rule.other))
        elif isinstance(rule, spec.LevelChange):
            item = _level_item(rule, section, values)
            if item:
                items.append(item)
        elif isinstance(rule, spec.DateAfter):
            day, other = from_iso(values.get(rule.field)), from_iso(values.get(rule.other))
            if day is not None and other is not None and day <= other:
                items.append(CheckItem(rule.key, rule.message.format(date=format_date(day)), section.key, rule.field))
        elif isinstance(rule, spec.NotPast):
            day = from_iso(values.get(rule.field))
            already = any(i.field == rule.field and i.section == section.key for i in (*found, *items))
            if day is not None and day < today and not already:
                items.append(CheckItem(rule.key, rule.message.format(date=format_date(day)), section.key, rule.field))
        elif isinstance(rule, (spec.PillarsConsidered, spec.SomeEntry, spec.OtherAgency)):
            items += _plan_rule_items(rule, section, facts, values, (*found, *items))
        elif isinstance(rule, spec.AllReviewed):
            for index, action in enumerate(facts.previous):
                if to_review(action):
                    items.append(CheckItem(f"{rule.key}:{action.get('id')}",
                                           rule.message.format(number=action.get("number")),
                                           section.key, "status", index))
        elif isinstance(rule, spec.RowDateAfter):
            other = from_iso(facts.values.get(rule.other))
            for index, action in enumerate(facts.previous):
                if action.get(rule.when.field) not in rule.when.values or not reviewed(action):
                    continue
                day = from_iso(action.get(rule.field))
                if other is not None and (day is None or day <= other):
                    items.append(CheckItem(f"{rule.key}:{action.get('id')}",
                                           rule.message.format(number=action.get("number")),
                                           section.key, rule.field, index))
    return items


def _same_agency(a: str, b: str) -> bool:
    """Whether two typed names are one agency: the lead authority is often written in full
    ("Forthside Council Justice Social Work Service") and the plan's agency from the
    directory ("Justice Social Work")."""
    a, b = " ".join(a.casefold().split()), " ".join(b.casefold().split())
    return bool(a and b) and (a == b or a in b or b in a)


def _plan_rule_items(rule, section: spec.Section, facts: MinuteFacts, values: Mapping, found) -> list[CheckItem]:
    """The plan's rules across its entries: each pillar considered, a trigger, more than the
    lead agency at level 2 or 3."""
    live = [e for e in facts.plan if is_live(e)]
    not_needed = facts.plan_not_needed or {}
    items = []
    if isinstance(rule, spec.PillarsConsidered):
        for index, key in enumerate(section.pillars):
            label = spec.pillar(key).label
            has_entry = any(e.get("pillar") == key for e in live)
            has_reason = not blank(not_needed.get(key))
            if not has_entry and not has_reason:
                items.append(CheckItem(f"{rule.key}:{key}", rule.message.format(pillar=label), section.key,
                                       "not_needed", index))
            elif has_entry and has_reason:
                items.append(CheckItem(f"{rule.key}:{key}:both", rule.both.format(pillar=label), section.key,
                                       "not_needed", index))
    elif isinstance(rule, spec.SomeEntry):
        said = any(i.section == section.key and i.field == rule.field for i in found)
        if not said and not any(e.get("pillar") == rule.pillar and not blank(e.get(rule.field)) for e in live):
            items.append(CheckItem(rule.key, rule.message, section.key, rule.field))
    elif isinstance(rule, spec.OtherAgency):
        level = values.get("new_level") or values.get("mappa_level")
        if level is not None and str(level) in rule.levels:
            lead = facts.case.get("lead_authority") or ""
            others = [e for e in live if not blank(e.get("owner_agency")) and not _same_agency(e["owner_agency"], lead)]
            if not others:
                items.append(CheckItem(rule.key, rule.message.format(level=level), section.key, "owner_agency"))
    return items


def _plan_entry_items(section: spec.Section, facts: MinuteFacts, now: datetime) -> list[CheckItem]:
    """Each entry of the plan under the section's pillars: what it needs (a rationale for
    what the meeting changed), and values the rules refuse. Rows count in the order the
    section shows them (pillar by pillar)."""
    items = []
    for row, entry in enumerate(section_entries(section, facts.plan)):
        change = entry.get("change") or change_of(entry)
        key = entry.get("entry_uid") or entry.get("id")
        pillar = spec.pillar(entry.get("pillar"))
        number = [e.get("entry_uid") or e.get("id") for e in facts.plan if e.get("pillar") == pillar.value].index(key) + 1
        fields = [spec.PLAN_ENTRY.field("rationale")] if change == "ended" else list(fields_for(pillar.value))
        record = {**{f.key: entry.get(f.key) for f in spec.PLAN_ENTRY.fields}, "change": change}
        items += _field_items(section, fields, record, {}, now, missing_key=f"plan:{key}:{{field}}",
                              invalid_key=f"plan-invalid:{key}:{{field}}", where=f"{pillar.label}, entry {number}",
                              row=row)
    return items


def _level_item(rule: spec.LevelChange, section: spec.Section, values: Mapping) -> CheckItem | None:
    decision, new, current = values.get(rule.decision), values.get(rule.new_level), values.get(rule.current)
    if not decision or not current or blank(new):
        return None
    if decision == "stays" and new != current:
        why = f"The level is said to stay, but the level from now ({new}) differs from the level at the meeting ({current})."
    elif decision == "up" and not str(new) > str(current):
        why = "The level is said to move up, but the level from now is not higher."
    elif decision == "down" and not str(new) < str(current):
        why = "The level is said to move down, but the level from now is not lower."
    else:
        return None
    return CheckItem(rule.key, why, section.key, rule.new_level)


def check(facts: MinuteFacts, today: date) -> list[CheckItem]:
    """Every gap of the minute, in minute order."""
    return [item for section in spec.SECTIONS for item in section_items(section, facts, today)]


def section_items(section: spec.Section, facts: MinuteFacts, today: date) -> list[CheckItem]:
    """The gaps of one section (what its mark is read from): the check is these, section
    after section, so a section's mark never needs the whole check."""
    now = end_of_day(today)
    typed = [problem for key, problem in facts.typed if key == section.key]
    found: list[CheckItem] = []
    typed_fields = {p.field.rsplit(".", 1)[-1] for p in typed}
    if section.source is Source.MEETING:
        fields = [f for f in section.fields if f.key not in typed_fields]
        found += _field_items(section, fields, facts.values, {}, now, missing_key="required:{field}",
                              invalid_key="invalid:{field}", where=section.title)
    elif section.source is Source.CASE:
        found += _field_items(section, section.fields, facts.case, {}, now, missing_key="case:{field}",
                              invalid_key="case-invalid:{field}", where=section.title)
    elif section.source is Source.CASE_ROWS:
        for index, order in enumerate(facts.orders):
            found += _field_items(section, section.fields, order, facts.case, now,
                                  missing_key=f"case-row:{section.key}:{index}:{{field}}",
                                  invalid_key=f"case-row-invalid:{section.key}:{index}:{{field}}",
                                  where=f"{section.title}, {section.row_noun} {index + 1}", row=index)
    elif section.source is Source.ROWS:
        rows = facts.rows.get(section.key, ())
        if len(rows) < section.min_rows:
            found.append(CheckItem(f"rows:{section.key}",
                                   section.empty_message or f"{section.title}: nothing recorded.", section.key))
        for index, row in enumerate(rows):
            row_id = row.get("id", index)
            found += _field_items(section, section.fields, row, facts.values, now,
                                  missing_key=f"row:{section.key}:{row_id}:{{field}}",
                                  invalid_key=f"row-invalid:{section.key}:{row_id}:{{field}}",
                                  where=f"{section.title}, {section.row_noun} {index + 1}", row=index)
    elif section.page is spec.Form.ACTIONS:
        for index, action in enumerate(facts.actions):
            if action.get("status") == "withdrawn":
                continue
            record = {f.key: action.get(f.key) for f in section.fields}
            found += _field_items(section, section.fields, record, {"raised_date": action.get("raised_date")}, now,
                                  missing_key=f"action:{action.get('id')}:{{field}}",
                                  invalid_key=f"action-invalid:{action.get('id')}:{{field}}",
                                  where=f"Action {action.get('number')}", row=index)
    elif section.page is spec.Form.REVIEW:
        for index, action in enumerate(facts.previous):
            record = {f.key: action.get(f.key) for f in section.fields}
            # What a decision at this meeting needs (the outcome, the reason); the date
            # completed of one done between meetings too.
            decided = reviewed(action) and action.get("status") in DECISIONS
            keys = ("completed_date", "outcome", "withdrawn_reason") if decided else ("completed_date",)
            fields = [f for f in section.fields if f.key in keys]
            found += _field_items(section, fields, record, {"raised_date": action.get("raised_date")}, now,
                                  missing_key=f"previous-missing:{action.get('id')}:{{field}}",
                                  invalid_key=f"previous-invalid:{action.get('id')}:{{field}}",
                                  where=f"Previous action {action.get('number')}", row=index)
    if section.pillars:
        found += _plan_entry_items(section, facts, now)
    for problem in typed:
        parts = problem.field.split(".")
        row = int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
        found.append(CheckItem(f"typed:{section.key}:{problem.field}", f"{section.title}: {problem.message}",
                               section.key, parts[-1], row))
    found += _rule_items(section, facts, today, found)
    return found


def has_content(section: spec.Section, facts: MinuteFacts) -> bool:
    """Whether anything is recorded in the section (typed text that does not parse counts)."""
    if any(key == section.key for key, _ in facts.typed):
        return True
    if section.pillars and (section_entries(section, facts.plan)
                            or any(not blank((facts.plan_not_needed or {}).get(p)) for p in section.pillars)):
        return True
    if section.source is Source.MEETING:
        return any(not blank(facts.values.get(f.key)) for f in section.fields)
    if section.source is Source.CASE:
        return any(not blank(facts.case.get(f.key)) for f in section.fields)
    if section.source is Source.CASE_ROWS:
        return bool(facts.orders)
    if section.source is Source.ROWS:
        return bool(facts.rows.get(section.key))
    if section.page is spec.Form.ACTIONS:
        return bool(facts.actions)
    return True  # earlier actions: with none to review there is nothing left to do


def section_state(section: spec.Section, facts: MinuteFacts, items: Iterable[CheckItem]) -> str:
    """"empty", "started" or "complete": from the check's items and nothing else."""
    if not has_content(section, facts):
        return "empty"
    return "started" if any(item.section == section.key for item in items) else "complete"


def section_states(facts: MinuteFacts, today: date) -> dict[str, str]:
    """Every section's mark at once (one run of the check)."""
    items = check(facts, today)
    return {section.key: section_state(section, facts, items) for section in spec.SECTIONS}


# Keys written by versions before the check was derived from the spec, as they may be stored
# with a finalised minute's acknowledgements.
_LEGACY_MESSAGES = {
    "owner": "Action {number} has no owner.",
    "target": "Action {number} has no target date.",
}


def describe(key: str, content: Mapping, today: date | None = None) -> str:
    """The check's words for an item stored by key with a finalised minute that predates
    storing the words (the check is run again over the snapshot)."""
    facts = facts_of_content(content)
    day = today or from_iso(facts.values.get("meeting_date")) or date.today()
    for item in check(facts, day):
        if item.key == key:
            return item.message
    kind, _, rest = key.partition(":")
    numbers = {a.get("id"): a.get("number") for a in (*facts.actions, *facts.previous)}
    if kind == "action":
        action_id, _, what = rest.partition(":")
        template = _LEGACY_MESSAGES.get(what)
        if template:
            return template.format(number=numbers.get(_int(action_id), "?"))
    if kind == "disclosure":
        return "A decision to disclose does not say to whom."
    for section in spec.SECTIONS:
        if kind in ("required", "case") and any(f.key == rest for f in section.fields):
            return f"{section.title}: {section.field(rest).label} is missing."
        if kind == "rows" and section.key == rest:
            return section.empty_message or f"{section.title}: nothing recorded."
        for rule in section.rules:
            if getattr(rule, "key", None) == key:
                message = getattr(rule, "message", section.title)
                return message.replace(" ({date})", "").format(number="?")
    return f"A gap named by the check at finalising ({key})."


def _int(text: str):
    try:
        return int(text)
    except ValueError:
        return text
