"""The action register: actions raised at meetings (or between them), never deleted.

An action is done (with outcome and date), carried forward, or withdrawn with a reason.
Each change of state appends to ``action_updates``, the action's history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .. import spec
from ..model import Action, ActionUpdate
from ..rules.actions import OUTSTANDING
from ..rules.values import record_problems
from .errors import NotFound, RecordLocked, ValidationError, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

COLUMNS = (
    "id, case_id, meeting_id, number, raised_date, action_text, owner_person, owner_agency, "
    "target_date, status, completed_date, outcome, withdrawn_reason, updated_at"
)
TERMS = ("action_text", "owner_person", "owner_agency", "target_date")
STATUSES = tuple(c.value for c in spec.ACTION_STATUSES)
#: What was agreed, and what became of it: the declarations every write is checked against.
TERM_FIELDS = spec.section("actions").fields
STATE_FIELDS = tuple(f for f in spec.section("previous_actions").fields
                     if f.key in ("status", "completed_date", "outcome"))


def _action(row) -> Action:
    return Action(*row)


def _text(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


class ActionsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- reading ------------------------------------------------------------------------------

    def get(self, action_id: int) -> Action:
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT {COLUMNS} FROM actions WHERE id = ?", [action_id]
            ).fetchone()
        if row is None:
            raise NotFound("that action does not exist")
        return _action(row)

    def of_case(self, case_id: int) -> list[Action]:
        """Every action of the case, in the order raised."""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {COLUMNS} FROM actions WHERE case_id = ? ORDER BY number", [case_id]
            ).fetchall()
        return [_action(r) for r in rows]

    def count_of_case(self, case_id: int) -> tuple[int, int]:
        """How many actions the case has, and how many of them are outstanding
        (``rules.actions.OUTSTANDING``)."""
        marks = ", ".join("?" * len(OUTSTANDING))
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT count(*), count(*) FILTER (WHERE status IN ({marks})) FROM actions "
                "WHERE case_id = ?", [*OUTSTANDING, case_id]).fetchone()
        return row[0], row[1]

    def raised_at(self, meeting_id: int) -> list[Action]:
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {COLUMNS} FROM actions WHERE meeting_id = ? ORDER BY number", [meeting_id]
            ).fetchall()
        return [_action(r) for r in rows]

    def for_review_at(self, meeting_id: int, case_id: int) -> list[Action]:
        """Earlier actions under review at this meeting: those still open or carried; those
        closed between meetings since the previous meeting (the meeting sees what was done);
        and those already reviewed here (marking one done does not make it vanish)."""
        db = self._store.db
        with storage_errors():
            row = db.execute("SELECT meeting_date FROM meetings WHERE id = ?", [meeting_id]).fetchone()
            this_date = (row[0] if row else None) or "9999-12-31"
            previous = db.execute(
                "SELECT max(meeting_date) FROM meetings WHERE case_id = ? AND id != ? AND meeting_date <= ?",
                [case_id, meeting_id, this_date],
            ).fetchone()[0] or "0000-01-01"
            rows = db.execute(
                f"SELECT {COLUMNS} FROM actions WHERE case_id = ? AND meeting_id IS NOT ? "
                "AND raised_date <= ? AND ("
                "  status IN ('open', 'carried')"
                "  OR id IN (SELECT action_id FROM action_updates WHERE meeting_id = ?)"
                "  OR id IN (SELECT action_id FROM action_updates WHERE meeting_id IS NULL"
                "            AND status != 'open' AND substr(at, 1, 10) >= ?)"
                ") ORDER BY number",
                [case_id, meeting_id, this_date, meeting_id, previous],
            ).fetchall()
        return [_action(r) for r in rows]

    def history(self, action_id: int) -> list[ActionUpdate]:
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT id, action_id, meeting_id, user_id, at, status, note FROM action_updates "
                "WHERE action_id = ? ORDER BY id",
                [action_id],
            ).fetchall()
        return [ActionUpdate(*r) for r in rows]

    # -- writing ------------------------------------------------------------------------------

    def raise_action(
        self, *, case_id: int, meeting_id: int | None, raised_date: str, values: Mapping
    ) -> int:
        """A new action; owner and target may still be empty (the minute's check flags it)."""
        terms = {k: _text(values.get(k)) for k in TERMS}
        if not terms["action_text"]:
            raise ValidationError("Say what the action is.", "action_text")
        refuse(record_problems(TERM_FIELDS, terms, now=self._store.clock(), context={"raised_date": raised_date}))
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            number = self._store.db.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM actions WHERE case_id = ?", [case_id]
            ).fetchone()[0]
            now = self._store.now_iso()
            action_id = self._store.db.execute(
                "INSERT INTO actions (case_id, meeting_id, number, raised_date, action_text, "
                "owner_person, owner_agency, target_date, status, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                [case_id, meeting_id, number, raised_date, *(terms[k] for k in TERMS), now],
            ).lastrowid
            self._append_update(action_id, meeting_id, "open", "raised")
            self._store.audit.record(
                "collection", "action", action_id, detail=f"case {case_id}; meeting {meeting_id}"
            )
            self._store.note("action", action_id, case_id)
        return action_id

    def update_terms(self, action_id: int, values: Mapping) -> None:
        """Change what was agreed (text, owner, target) while its minute is not final."""
        terms = {k: _text(values.get(k)) for k in TERMS if k in values}
        if "action_text" in terms and not terms["action_text"]:
            raise ValidationError("Say what the action is.", "action_text")
        if not terms:
            return
        with self._store.transaction():
            before = self.get(action_id)
            refuse(record_problems(TERM_FIELDS, terms, now=self._store.clock(), only=terms,
                                   context={"raised_date": before.raised_date}))
            self._store.db.execute(
                f"UPDATE actions SET {', '.join(f'{k} = ?' for k in terms)}, updated_at = ? "
                "WHERE id = ?",
                [*terms.values(), self._store.now_iso(), action_id],
            )
            self._store.audit.record("alteration", "action", action_id, detail=",".join(terms))
            self._store.note("action", action_id, before.case_id)

    def set_state(
        self,
        action_id: int,
        *,
        status: str,
        completed_date: str | None = None,
        outcome: str | None = None,
        meeting_id: int | None = None,
    ) -> None:
        """Record progress: done (with a date), carried, open again, with an outcome or note.
        A change of status joins the action's history; editing the note alone does not."""
        if status not in STATUSES or status == "withdrawn":
            raise ValidationError("Choose done, carried forward or open.", "status")
        if status == "done" and not completed_date:
            raise ValidationError("Give the date the action was completed.", "completed_date")
        if status != "done":
            completed_date = None
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            before = self.get(action_id)
            if before.status == "withdrawn":
                raise ValidationError("This action was withdrawn.", "status")
            refuse(record_problems(
                STATE_FIELDS, {"status": status, "completed_date": completed_date, "outcome": _text(outcome)},
                now=self._store.clock(), context={"raised_date": before.raised_date}))
            self._store.db.execute(
                "UPDATE actions SET status = ?, completed_date = ?, outcome = ?, updated_at = ? "
                "WHERE id = ?",
                [status, completed_date, _text(outcome), self._store.now_iso(), action_id],
            )
            changed = before.status != status or before.completed_date != completed_date
            if changed:
                self._append_update(action_id, meeting_id, status, _text(outcome))
            if changed or before.outcome != _text(outcome):
                self._store.audit.record(
                    "alteration", "action", action_id, detail=f"status={status}"
                )
            self._store.note("action", action_id, before.case_id)

    def withdraw(self, action_id: int, reason: str, *, meeting_id: int | None = None) -> None:
        """Withdraw with a reason; the action stays in the register."""
        if not (reason or "").strip():
            raise ValidationError("Give the reason for withdrawing the action.", "withdrawn_reason")
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            before = self.get(action_id)
            self._store.note("action", action_id, before.case_id)
            self._store.db.execute(
                "UPDATE actions SET status = 'withdrawn', withdrawn_reason = ?, completed_date = NULL, "
                "updated_at = ? WHERE id = ?",
                [reason.strip(), self._store.now_iso(), action_id],
            )
            self._append_update(action_id, meeting_id, "withdrawn", reason.strip())
            self._store.audit.record("alteration", "action", action_id, detail="status=withdrawn")

    def _refuse_finalised(self, meeting_id: int | None) -> None:
        """Nothing is raised or recorded *at* a finalised meeting: its minute is closed.
        (Progress between meetings, with no meeting, is always allowed.)"""
        if meeting_id is None:
            return
        row = self._store.db.execute("SELECT status FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound("that meeting does not exist")
        if row[0] == "finalised":
            raise RecordLocked("this minute is finalised; record progress between meetings instead")

    def _append_update(self, action_id: int, meeting_id, status: str, note) -> None:
        self._store.db.execute(
            "INSERT INTO action_updates (action_id, meeting_id, user_id, at, status, note) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [action_id, meeting_id, self._store.acting_user_id(), self._store.now_iso(), status, note],
        )
