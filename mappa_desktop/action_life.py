"""An action's life in words: how its target date and owner changed, compactly, for the
printed register, the minute's action tables and the register's history panel.

Pure: it reads the history entries (``model.ActionUpdate``) and the dates of the meetings
they name; the store gathers both (``lines_for``).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .dates import format_date, uk_day
from .model import ActionUpdate


def when_changed(update: ActionUpdate, meeting_dates: Mapping[int, str | None]) -> str:
    """Where a change was made: "at the meeting of 14/10/2026", or "on 02/12/2026"."""
    if update.meeting_id is not None:
        return f"at the meeting of {format_date(meeting_dates.get(update.meeting_id)) or '(no date)'}"
    return f"on {format_date(changed_on(update))}"


def changed_on(update: ActionUpdate, meeting_dates: Mapping[int, str | None] | None = None) -> str:
    """The date (ISO) of a change: its meeting's date when made at one, else the UK day it
    was recorded."""
    if update.meeting_id is not None and meeting_dates and meeting_dates.get(update.meeting_id):
        return meeting_dates[update.meeting_id]
    return uk_day(update.at)


def _owner(person, agency) -> str:
    return " of ".join(x for x in (person, agency) if x) or "no owner"


def _merged(updates: list[ActionUpdate]) -> list[ActionUpdate]:
    """Consecutive carries at one meeting are one decision (a date corrected while the
    minute was typed): keep the first 'before' and the last 'after'."""
    out: list[ActionUpdate] = []
    for update in updates:
        last = out[-1] if out else None
        if (last is not None and update.change == last.change == "carried" and update.meeting_id is not None
                and update.meeting_id == last.meeting_id):
            from dataclasses import replace

            out[-1] = replace(update, previous_target_date=last.previous_target_date,
                              previous_owner_person=last.previous_owner_person,
                              previous_owner_agency=last.previous_owner_agency)
        else:
            out.append(update)
    return out


def history_line(updates: Iterable[ActionUpdate], meeting_dates: Mapping[int, str | None]) -> str:
    """The changes to an action's target and owner, in one line; "" when it has none.

    For example "target 31/08/2026 → carried to 30/11/2026 at the meeting of 14/10/2026;
    owner Dr Nguyễn Thị Lan of NHS health board → Siobhán Ní Bhriain of Justice Social Work
    on 20/10/2026"."""
    parts: list[str] = []
    carried = False
    for update in _merged([u for u in updates if u.changes_terms]):
        where = when_changed(update, meeting_dates)
        if update.target_date != update.previous_target_date or update.change == "carried":
            new = format_date(update.target_date) or "no date"
            if carried:
                parts[-1] += f" → carried to {new} {where}"
            else:
                parts.append(f"target {format_date(update.previous_target_date) or 'none'} → carried to {new} {where}")
            carried = True
        if (update.owner_person, update.owner_agency) != (update.previous_owner_person, update.previous_owner_agency):
            parts.append(f"owner {_owner(update.previous_owner_person, update.previous_owner_agency)} → "
                         f"{_owner(update.owner_person, update.owner_agency)} {where}")
            carried = False
    return "; ".join(parts)


def original_target(action, updates: Iterable[ActionUpdate]) -> str | None:
    """The target date agreed when the action was raised (before any carry)."""
    for update in updates:
        if update.changes_terms:
            return update.previous_target_date
    return action.target_date


def lines_for(store, action_ids: Iterable[int]) -> dict[int, str]:
    """The history line of each of these actions that has one (others are left out)."""
    changes = store.actions.term_changes(list(action_ids))
    meetings = {u.meeting_id for updates in changes.values() for u in updates if u.meeting_id}
    dates = store.minutes.meeting_dates(meetings)
    return {action_id: line for action_id, updates in changes.items() if (line := history_line(updates, dates))}

