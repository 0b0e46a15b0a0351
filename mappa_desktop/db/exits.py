"""Leaving MAPPA in the store: the exit decision of a case, and what is added afterwards.

Recording the exit makes the case ``exited``: from then on the store's triggers refuse any
change to its record, meetings, civil orders and actions. What may still be added is an
addendum to the case (here) or to one of its finalised minutes (``minutes``). The case is
kept, and comes under the retention review like an archived case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .. import lifecycle_spec
from ..dates import format_date
from ..model import CaseAddendum, CaseExit
from ..rules.values import record_problems
from .errors import NotFound, ValidationError, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

_EXIT = "case_id, exit_date, exit_reason, exit_detail, meeting_id, recorded_by, recorded_at"


def _text(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class ExitsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def record_exit(self, case_id: int, values: Mapping, *, meeting_id: int | None) -> None:
        """The decision that the person leaves MAPPA: date, reason, detail, and the meeting
        that decided it (a finalised minute of the case, or None when no meeting did, for
        example after a death). Refused while a minute of the case is still a draft: an
        exited case is read-only."""
        values = {f.key: _text(values.get(f.key)) for f in lifecycle_spec.CASE_EXIT.fields}
        db = self._store.db
        with self._store.transaction():
            row = db.execute("SELECT status FROM cases WHERE id = ?", [case_id]).fetchone()
            if row is None:
                raise NotFound("that case does not exist")
            if row[0] == "exited":
                raise ValidationError("This case has already left MAPPA.", "exit_date")
            meeting_date = None
            if meeting_id is not None:
                found = db.execute("SELECT case_id, status, meeting_date FROM meetings WHERE id = ?",
                                   [meeting_id]).fetchone()
                if found is None or found[0] != case_id:
                    raise ValidationError("Choose a meeting of this case.", "meeting")
                if found[1] != "finalised":
                    raise ValidationError("Finalise the minute of that meeting first.", "meeting")
                meeting_date = found[2]
            refuse(record_problems(lifecycle_spec.CASE_EXIT.fields, values, now=self._store.clock(),
                                   context={"meeting_date": meeting_date}))
            draft = db.execute("SELECT meeting_date FROM meetings WHERE case_id = ? AND status != 'finalised' "
                               "ORDER BY meeting_date LIMIT 1", [case_id]).fetchone()
            if draft is not None:
                raise ValidationError(
                    f"The minute of the meeting of {format_date(draft[0]) or '(no date)'} is not finalised: "
                    "finalise it first, because a case that has left MAPPA is read-only.", "meeting")
            now = self._store.now_iso()
            db.execute(f"INSERT INTO case_exits ({_EXIT}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [case_id, values["exit_date"], values["exit_reason"], values["exit_detail"], meeting_id,
                        self._store.acting_user_id(), now])
            db.execute("UPDATE cases SET status = 'exited', updated_at = ? WHERE id = ?", [now, case_id])
            self._store.audit.record("alteration", "case", case_id,
                                     detail=f"left MAPPA: exit_reason={values['exit_reason']}; meeting {meeting_id}")
            self._store.note("case", case_id, case_id)

    def exit_of(self, case_id: int) -> CaseExit | None:
        with storage_errors():
            row = self._store.db.execute(f"SELECT {_EXIT} FROM case_exits WHERE case_id = ?", [case_id]).fetchone()
        return CaseExit(*row) if row else None

    def add_addendum(self, case_id: int, *, body: str, reason: str) -> int:
        """Something added to a case after it left MAPPA: the text and the reason, who and
        when (the record itself no longer changes)."""
        values = {"body": body if (body or "").strip() else None, "reason": _text(reason)}
        refuse(record_problems(lifecycle_spec.CASE_ADDENDUM.fields, values, now=self._store.clock()))
        with self._store.transaction():
            row = self._store.db.execute("SELECT status FROM cases WHERE id = ?", [case_id]).fetchone()
            if row is None:
                raise NotFound("that case does not exist")
            if row[0] != "exited":
                raise ValidationError("Correct the case itself: it has not left MAPPA.", "body")
            addendum_id = self._store.db.execute(
                "INSERT INTO case_addenda (case_id, at, user_id, reason, body) VALUES (?, ?, ?, ?, ?)",
                [case_id, self._store.now_iso(), self._store.acting_user_id(), values["reason"], body]).lastrowid
            self._store.audit.record("alteration", "case", case_id, detail=f"case addendum {addendum_id}")
            self._store.note("case", case_id, case_id)
        return addendum_id

    def addenda(self, case_id: int) -> list[CaseAddendum]:
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT id, case_id, at, user_id, reason, body FROM case_addenda WHERE case_id = ? ORDER BY at, id",
                [case_id]).fetchall()
        return [CaseAddendum(*r) for r in rows]
