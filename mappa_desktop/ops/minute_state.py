"""The minute as the editor holds it: what is stored, plus what is on screen and not saved.

The editor is a view of this object. It reports what is typed in a unit (a section, an
action agreed, an earlier action under review); this object parses it, keeps the values on
screen, and answers every question the screen asks with the rules: each section's mark, the
check, whether the minute may still change. Saving goes through ``ops.minute``. No Qt: the
editor's logic is tested without a window.
"""

from __future__ import annotations

from datetime import date
from typing import Mapping

from .. import spec
from ..plan import change_of, changes_words, section_entries, section_of_pillar
from ..rules.completeness import CheckItem, MinuteFacts, check, section_items, section_state
from ..rules.values import Problem, parse_record, record_problems
from . import minute as ops
from . import plan as plan_ops

Source = spec.Source

#: A unit of the minute: "section:<key>", "action:<id>" (agreed here), "review:<id>", and of
#: the risk management plan "plan:<section>:<entry id>" (an entry) and
#: "pillar:<section>:<pillar>" (why nothing is needed under a pillar).
ACTIONS = spec.section("actions")
REVIEW = spec.section("previous_actions")


def unit_section(unit: str) -> str:
    """The section a unit belongs to."""
    kind, _, rest = unit.partition(":")
    if kind in ("plan", "pillar"):
        return rest.partition(":")[0]
    return {"action": ACTIONS.key, "review": REVIEW.key}.get(kind, rest)


def plan_unit(section_key: str, entry_id: int) -> str:
    return f"plan:{section_key}:{entry_id}"


def pillar_unit(section_key: str, pillar: str) -> str:
    return f"pillar:{section_key}:{pillar}"


def _unit_tail(unit: str) -> str:
    """The entry id or pillar of a plan unit."""
    return unit.split(":", 2)[2]


class MinuteState:
    """One meeting's minute, stored and on screen. ``today`` is a callable (the store's)."""

    def __init__(self, store, meeting_id: int, *, consult: bool = True):
        self.store = store
        self.meeting_id = meeting_id
        self.reload(consult=consult)

    # -- loading ------------------------------------------------------------------------------

    def reload(self, *, consult: bool = False) -> None:
        """Read the minute and its case again (after a change made elsewhere). A draft's
        risk management plan opens here, as the plan stood, the first time it is read."""
        self.minute = self.store.minutes.get(self.meeting_id, consult=consult)
        if self.minute.editable and not self.store.plan.opened_from(self.meeting_id)[0]:
            plan_ops.open_plan(store=self.store, meeting_id=self.meeting_id)
            self.minute = self.store.minutes.get(self.meeting_id, consult=False)
        self.plan_base = self.store.plan.opened_from(self.meeting_id)[1]
        self.plan = {e["id"]: dict(e) for e in self.minute.plan}
        self.not_needed = dict(self.minute.plan_not_needed)
        self.case = self.store.cases.get(self.minute.case_id, consult=False)
        self.values = dict(self.minute.values)
        self.rows = {key: [dict(r) for r in rows] for key, rows in self.minute.rows.items()}
        self.actions = {a.id: a for a in self.minute.actions}
        self.previous = {a.id: a for a in self.minute.previous}
        self._action_values = {a.id: {k: a.get(k) for k in ("id", "number", "raised_date", "status",
                                                             *(f.key for f in ACTIONS.fields))}
                               for a in self.minute.actions}
        self._review_values = {a.id: self._review_of(a) for a in self.minute.previous}
        self.typed: dict[str, list[Problem]] = {}
        for section_key, problem in ops.typed_problems(store=self.store, meeting_id=self.meeting_id):
            self.typed.setdefault(f"section:{section_key}", []).append(problem)
        self._items: list[CheckItem] | None = None

    def refresh_actions(self) -> None:
        """Re-read the actions (raised here and under review) after a change elsewhere,
        keeping what is on screen for the units still being typed."""
        fresh = self.store.minutes.get(self.meeting_id, consult=False)
        self.minute = fresh
        for action in fresh.actions:
            self.actions[action.id] = action
            if f"action:{action.id}" not in self.typed:
                self._action_values[action.id] = {k: action.get(k) for k in
                                                  ("id", "number", "raised_date", "status", *(f.key for f in ACTIONS.fields))}
        self.previous = {a.id: a for a in fresh.previous}
        for action in fresh.previous:
            if f"review:{action.id}" not in self.typed:
                self._review_values[action.id] = self._review_of(action)
        self._refresh_plan(fresh)
        self._items = None

    def _refresh_plan(self, fresh) -> None:
        """The plan as stored, keeping what is on screen for entries still being typed."""
        typed = {int(_unit_tail(u)) for u in self.typed if u.startswith("plan:")}
        self.plan = {e["id"]: (self.plan[e["id"]] if e["id"] in typed and e["id"] in self.plan else dict(e))
                     for e in fresh.plan}
        for entry_id in typed & set(self.plan):
            stored = next(e for e in fresh.plan if e["id"] == entry_id)
            self.plan[entry_id].update({k: stored[k] for k in ("status", "action_id", "action_number")})
        typed_pillars = {_unit_tail(u) for u in self.typed if u.startswith("pillar:")}
        self.not_needed = {**dict(fresh.plan_not_needed), **{p: self.not_needed.get(p) for p in typed_pillars}}
        self.plan_base = self.store.plan.opened_from(self.meeting_id)[1]

    def _review_of(self, action) -> dict:
        """An earlier action as the review shows it, with whether it was reviewed here."""
        return {**{k: action.get(k) for k in ("id", "number", "raised_date", *(f.key for f in REVIEW.fields))},
                "reviewed": action.id in self.minute.reviewed}

    def reviewed(self, action_id: int) -> bool:
        """Whether a decision about this earlier action is recorded at this meeting."""
        return action_id in self.minute.reviewed

    # -- what the minute is --------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        return self.minute.editable

    @property
    def status(self) -> str:
        return self.minute.status

    def today(self) -> date:
        return self.store.today()

    def facts(self) -> MinuteFacts:
        typed = tuple((unit_section(unit), p) for unit, problems in self.typed.items() for p in problems)
        actions = [self._action_values[i] for i in self.actions]
        previous = [self._review_values[i] for i in self.previous]
        return MinuteFacts(self.values, self.rows, actions, previous, self.case.values,
                           tuple(o.as_values() for o in self.case.orders), typed,
                           tuple(self.plan.values()), self.not_needed)

    def items(self) -> list[CheckItem]:
        """The completeness check of the minute as it is on screen."""
        if self._items is None:
            self._items = check(self.facts(), self.today())
        return self._items

    def mark(self, section_key: str) -> str:
        """The section's mark: "empty", "started" or "complete", from the check's items for
        that section (the whole check is those, section after section)."""
        section = spec.section(section_key)
        if self._items is not None:
            return section_state(section, self.facts(), self._items)
        facts = self.facts()
        return section_state(section, facts, section_items(section, facts, self.today()))

    def marks(self) -> dict[str, str]:
        """Every section's mark, from one run of the check."""
        facts, items = self.facts(), self.items()
        return {section.key: section_state(section, facts, items) for section in spec.SECTIONS}

    # -- what is on screen -------------------------------------------------------------------

    def _problems(self, fields, values: Mapping, raw_problems: list[Problem], context: Mapping, prefix="",
                  whole: bool = False) -> list[Problem]:
        """Problems of parsing, then of the rules for the values that parsed (``whole``: the
        record is complete, so fields it cannot be saved without count too)."""
        parsed = {p.field for p in raw_problems}
        return raw_problems + [p for p in record_problems(fields, values, now=self.store.clock(), context=context,
                                                          prefix=prefix, only=None if whole else values)
                               if p.field not in parsed]

    def edit(self, unit: str, raw) -> list[Problem]:
        """What is typed in a unit now (not saved yet); returns the problems it has."""
        kind, _, rest = unit.partition(":")
        self._items = None
        if kind == "section":
            section = spec.section(rest)
            if section.source is Source.MEETING:
                values, problems = parse_record(section.fields, raw)
                problems = self._problems(section.fields, values, problems, self.values)
                bad = {p.field for p in problems}
                self.values.update({k: (None if k in bad else v) for k, v in values.items()})
            else:
                problems, rows = [], []
                for index, row in enumerate(raw):
                    prefix = f"{rest}.{index}."
                    values, row_problems = parse_record(section.fields, row, prefix)
                    row_problems = self._problems(section.fields, values, row_problems, self.values, prefix)
                    bad = {p.field.rsplit(".", 1)[-1] for p in row_problems}
                    rows.append({**{f.key: (None if f.key in bad else values.get(f.key)) for f in section.fields},
                                 "id": index})
                    problems += row_problems
                self.rows[rest] = rows
        elif kind == "plan":
            entry = self.plan[int(_unit_tail(unit))]
            values, problems = plan_ops.parse_entry(entry["pillar"], raw, entry, self.store.clock())
            bad = {p.field for p in problems}
            entry.update({k: v for k, v in values.items() if k not in bad})
            entry["change"] = change_of(entry)
        elif kind == "pillar":
            values, problems = parse_record((spec.PLAN_NOT_NEEDED,), {"not_needed": raw})
            problems += record_problems((spec.PLAN_NOT_NEEDED,), values, now=self.store.clock())
            if not problems:
                self.not_needed[_unit_tail(unit)] = values.get("not_needed")
        elif kind == "action":
            action = self._action_values[int(rest)]
            values, problems = parse_record(ACTIONS.fields, raw)
            problems = self._problems(ACTIONS.fields, values, problems, {"raised_date": action["raised_date"]})
            bad = {p.field for p in problems}
            action.update({k: v for k, v in values.items() if k not in bad})
        else:
            review = self._review_values[int(rest)]
            context = {"raised_date": review["raised_date"], "meeting_date": self.values.get("meeting_date")}
            values, problems = ops.parse_review(raw, context, now=self.store.clock(), today=self.today())
            bad = {p.field for p in problems}
            if values.get("status"):
                review.update({k: v for k, v in values.items() if k not in bad}, reviewed=True)
        self._keep(unit, problems)
        return problems

    def _keep(self, unit: str, problems: list[Problem]) -> None:
        """``typed`` holds the units whose words on screen have problems (and only those)."""
        if problems:
            self.typed[unit] = problems
        else:
            self.typed.pop(unit, None)

    # -- saving ------------------------------------------------------------------------------

    def save(self, unit: str, raw) -> list[Problem]:
        """Save a unit as typed (through ``ops.minute``); returns the problems to show."""
        kind, _, rest = unit.partition(":")
        if kind == "section":
            section = spec.section(rest)
            if section.source is Source.MEETING:
                problems = ops.save_section(store=self.store, meeting_id=self.meeting_id, section_key=rest, raw=raw)
            else:
                problems = ops.save_rows(store=self.store, meeting_id=self.meeting_id, section_key=rest, raw_rows=raw)
        elif kind == "plan":
            problems = plan_ops.save_entry(store=self.store, meeting_id=self.meeting_id,
                                           entry_id=int(_unit_tail(unit)), raw=raw)
        elif kind == "pillar":
            problems = plan_ops.save_not_needed(store=self.store, meeting_id=self.meeting_id,
                                                pillar=_unit_tail(unit), raw=raw)
        elif kind == "action":
            problems = ops.update_action(store=self.store, meeting_id=self.meeting_id, action_id=int(rest), raw=raw)
        else:
            problems = ops.review_action(store=self.store, meeting_id=self.meeting_id, action_id=int(rest), raw=raw)
        self.edit(unit, raw)  # the values on screen are what is stored, bar the problems
        self._keep(unit, problems)
        self._items = None
        return problems

    def raise_action(self, raw: Mapping) -> tuple[int | None, list[Problem]]:
        """An action agreed at this meeting (Ctrl+Shift+A)."""
        action_id, problems = ops.raise_action(store=self.store, meeting_id=self.meeting_id, raw=raw)
        if action_id is not None:
            self.refresh_actions()
        return action_id, problems

    def withdraw(self, action_id: int, reason: str) -> list[Problem]:
        problems = ops.withdraw_action(store=self.store, action_id=action_id, reason=reason, meeting_id=self.meeting_id)
        if not problems:
            self.refresh_actions()
        return problems

    def kept_words(self, unit: str):
        """The words of a unit kept as typed (a draft), to put back on screen."""
        kind, _, rest = unit.partition(":")
        if kind == "plan":
            key = plan_ops.entry_draft_key(self.meeting_id, int(_unit_tail(unit)))
        elif kind == "pillar":
            key = plan_ops.pillar_draft_key(self.meeting_id, _unit_tail(unit))
        else:
            key = ops.draft_key(self.meeting_id, rest if kind == "section" else unit)
        return self.store.drafts.get(key)

    # -- the risk management plan ----------------------------------------------------------------

    def plan_entries(self, section_key: str) -> list[dict]:
        """The entries a plan section shows, pillar by pillar, as they are on screen."""
        ordered = sorted(self.plan.values(), key=lambda e: (e.get("position", 0), e["id"]))
        return section_entries(spec.section(section_key), ordered)

    def _plan_changed(self) -> None:
        self.refresh_actions()

    def add_plan_entry(self, pillar: str) -> int:
        """A new entry under a pillar (added at this meeting)."""
        entry_id = plan_ops.add_entry(store=self.store, meeting_id=self.meeting_id, pillar=pillar)
        self._plan_changed()
        return entry_id

    def end_plan_entry(self, entry_id: int, rationale: str) -> list[Problem]:
        problems = plan_ops.end_entry(store=self.store, meeting_id=self.meeting_id, entry_id=entry_id,
                                      rationale=rationale)
        if not problems:
            self.typed.pop(self._entry_unit(entry_id), None)
            self._plan_changed()
        return problems

    def keep_plan_entry(self, entry_id: int) -> None:
        plan_ops.keep_entry(store=self.store, meeting_id=self.meeting_id, entry_id=entry_id)
        self._plan_changed()

    def remove_plan_entry(self, entry_id: int) -> list[Problem]:
        problems = plan_ops.remove_entry(store=self.store, meeting_id=self.meeting_id, entry_id=entry_id)
        if not problems:
            self.typed.pop(self._entry_unit(entry_id), None)
            self._plan_changed()
        return problems

    def raise_action_from_plan(self, entry_id: int) -> tuple[int | None, list[Problem]]:
        """An action from a plan entry in one step (owner and date carried over)."""
        action_id, problems = plan_ops.raise_action(store=self.store, meeting_id=self.meeting_id, entry_id=entry_id)
        self._plan_changed()
        return action_id, problems

    def _entry_unit(self, entry_id: int) -> str:
        entry = self.plan.get(entry_id) or self.store.plan.entry(entry_id)
        return plan_unit(section_of_pillar(entry["pillar"]), entry_id)


def last_meeting_lines(store, case_id: int, meeting_id: int) -> list[str]:
    """The previous minute's decisions, shown beside the form while this one is taken."""
    last = store.minutes.last_before(case_id, meeting_id)
    if last is None:
        return []
    v = last.values
    field = spec.field
    lines = [f"Last meeting, {field('meeting_details.meeting_date').display(v.get('meeting_date')) or 'no date'}"
             f" ({'finalised' if last.status == 'finalised' else 'minute in draft'}):"]
    if v.get("agreed_rosh"):
        lines.append(f"• Risk of serious harm: {field('rosh.agreed_rosh').display(v.get('agreed_rosh'))}"
                     + (f" ({v['rosh_to_whom']})" if v.get("rosh_to_whom") else ""))
    if v.get("level_decision"):
        level = ops.level_from_now(v)
        lines.append(f"• MAPPA level: {field('mappa_level.level_decision').display(v.get('level_decision'))}, "
                     f"level {level or '?'}")
    needed = spec.section("disclosure").field("disclosure_needed")
    for row in last.rows.get("disclosure", ()):
        lines.append(f"• Disclosure needed: {needed.display(row.get('disclosure_needed')) or '?'}"
                     + (f", to {row['recipient']}" if row.get("recipient") else ""))
    version = store.plan.version_of(last.id)
    if version is not None:
        lines.append(f"• Risk management plan version {version.version}: {changes_words(version.plan)}")
    if v.get("next_review_date"):
        lines.append(f"• Next review set for {field('next_review.next_review_date').display(v.get('next_review_date'))}")
    if v.get("chair_summary"):
        lines.append(f"• Summary: {v['chair_summary']}")
    return lines

