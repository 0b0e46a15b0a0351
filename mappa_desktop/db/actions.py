"""The action register: actions raised at meetings (or between them), never deleted.

An action is done (with outcome and date), carried forward to a new target date, re-assigned
to another owner or agency, or withdrawn with a reason. Each change appends to
``action_updates``, the action's history; a carry or a re-assignment keeps the terms before
and after it, so the old target and owner stay visible (and the store lets a finalised
meeting's terms change only together with such an entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .. import spec
from ..model import Action, ActionUpdate
from ..rules.actions import OUTSTANDING
from ..rules.values import Problem, record_problems
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
                     if f.key in ("status", "completed_date", "outcome", "withdrawn_reason"))
_HISTORY = ("id, action_id, meeting_id, user_id, at, status, note, change, target_date, owner_person, "
            "owner_agency, previous_target_date, previous_owner_person, previous_owner_agency")
#: A decision about an action recorded at a meeting: what makes it "reviewed" there.
DECISIONS = ("done", "carried", "withdrawn")


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

    def reviewed_at(self, meeting_id: int) -> frozenset[int]:
        """The actions whose latest decision at this meeting is done, carried forward or
        withdrawn: an action carried at an earlier meeting is not reviewed at this one."""
        with storage_errors():
            # The latest decision at this meeting counts (opened again there: to review).
            rows = self._store.db.execute(
                "SELECT u.action_id FROM action_updates u WHERE u.meeting_id = ? AND u.change IS NOT 'reassigned' "
                f"AND u.status IN ({', '.join('?' * len(DECISIONS))}) AND u.id = (SELECT max(id) FROM action_updates "
                "WHERE action_id = u.action_id AND meeting_id = u.meeting_id AND change IS NOT 'reassigned')",
                [meeting_id, *DECISIONS],
            ).fetchall()
        return frozenset(r[0] for r in rows)

    def _reviewed_here(self, action_id: int, meeting_id: int) -> bool:
        """``reviewed_at`` for one action (a save of one row reads one row, not the meeting's)."""
        with storage_errors():
            row = self._store.db.execute(
                "SELECT status FROM action_updates WHERE action_id = ? AND meeting_id = ? "
                "AND change IS NOT 'reassigned' ORDER BY id DESC LIMIT 1", [action_id, meeting_id]).fetchone()
        return row is not None and row[0] in DECISIONS

    def history(self, action_id: int) -> list[ActionUpdate]:
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {_HISTORY} FROM action_updates WHERE action_id = ? ORDER BY id", [action_id]
            ).fetchall()
        return [ActionUpdate(*r) for r in rows]

    def histories(self, action_ids) -> dict[int, list[ActionUpdate]]:
        """The history of each of these actions (any number: read in chunks), oldest first."""
        found: dict[int, list[ActionUpdate]] = {i: [] for i in action_ids}
        ids = list(found)
        with storage_errors():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for row in self._store.db.execute(
                        f"SELECT {_HISTORY} FROM action_updates WHERE action_id IN ({', '.join('?' * len(chunk))}) "
                        "ORDER BY id", chunk):
                    found[row[1]].append(ActionUpdate(*row))
        return found

    def term_changes(self, action_ids) -> dict[int, list[ActionUpdate]]:
        """Only the carries and re-assignments of these actions (what the printed register
        shows under each action), oldest first; actions with none are left out."""
        ids = list(action_ids)
        found: dict[int, list[ActionUpdate]] = {}
        with storage_errors():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                for row in self._store.db.execute(
                        f"SELECT {_HISTORY} FROM action_updates WHERE action_id IN ({', '.join('?' * len(chunk))}) "
                        "AND change IN ('carried', 'reassigned') ORDER BY id", chunk):
                    found.setdefault(row[1], []).append(ActionUpdate(*row))
        return found

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
            self._append_update(action_id, meeting_id, "open", "raised", change="raised")
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
        """Record progress: done (with a date) or open again, with an outcome or note.
        A change of status joins the action's history; editing the note alone does not.
        (Carrying forward needs a new target date: :meth:`carry`.)"""
        if status == "carried":
            raise ValidationError("Carry the action forward with a new target date.", "target_date")
        if status not in STATUSES or status == "withdrawn":
            raise ValidationError("Choose done or open.", "status")
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
            changed = (before.status != status or before.completed_date != completed_date
                       or (meeting_id is not None and status in DECISIONS
                           and not self._reviewed_here(action_id, meeting_id)))
            if changed:
                self._append_update(action_id, meeting_id, status, _text(outcome))
            if changed or before.outcome != _text(outcome):
                self._store.audit.record(
                    "alteration", "action", action_id, detail=f"status={status}"
                )
            self._store.note("action", action_id, before.case_id)

    def carry(self, action_id: int, *, target_date: str, reason: str, meeting_id: int | None = None,
              owner_person: str | None = None, owner_agency: str | None = None) -> None:
        """Carry an outstanding action forward to a new target date, with the reason (and,
        at a meeting, a new owner or agency if it changes hands). The history keeps the old
        target and owner. At a meeting the new date falls after the meeting; between
        meetings it is today or later (the declarations in ``spec`` and ``lifecycle_spec``).
        Saving the same carry again (autosave) changes only the reason shown."""
        from .. import lifecycle_spec
        from ..rules.values import date_rule_problems

        terms = {"target_date": target_date, "reason": _text(reason)}
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            before = self.get(action_id)
            # Done at this very meeting and then thought better of: the decision may change.
            reviewed = meeting_id is not None and self._reviewed_here(action_id, meeting_id)
            changing_mind = before.status == "done" and reviewed
            if before.status not in OUTSTANDING and not changing_mind:
                raise ValidationError("Only an open action can be carried forward.", "status")
            context = {"raised_date": before.raised_date}
            if meeting_id is not None:
                section = spec.section("previous_actions")
                context["meeting_date"] = self._meeting_date(meeting_id)
                row = {"status": "carried", "target_date": target_date, "outcome": terms["reason"]}
                problems = record_problems((section.field("target_date"),), row, now=self._store.clock(),
                                           context=context)
                problems += date_rule_problems(section, row, context, self._store.today())
            else:
                section = lifecycle_spec.CARRY
                problems = record_problems(section.fields, terms, now=self._store.clock(), context=context)
                problems += date_rule_problems(section, terms, context, self._store.today())
            if not terms["reason"]:
                problems.append(Problem("reason", "Reason: say why the action is carried forward."))
            refuse(problems)
            owner = {"owner_person": _text(owner_person) if owner_person is not None else before.owner_person,
                     "owner_agency": _text(owner_agency) if owner_agency is not None else before.owner_agency}
            refuse(record_problems(TERM_FIELDS, owner, now=self._store.clock(), only=owner))
            same = (before.status == "carried" and before.target_date == target_date
                    and before.owner_person == owner["owner_person"] and before.owner_agency == owner["owner_agency"]
                    and (meeting_id is None or reviewed))
            if not same:
                self._append_update(action_id, meeting_id, "carried", terms["reason"], change="carried",
                                    terms={"target_date": target_date, **owner}, before=before)
            self._store.db.execute(
                "UPDATE actions SET status = 'carried', completed_date = NULL, outcome = ?, target_date = ?, "
                "owner_person = ?, owner_agency = ?, updated_at = ? WHERE id = ?",
                [terms["reason"], target_date, owner["owner_person"], owner["owner_agency"],
                 self._store.now_iso(), action_id],
            )
            if not same or before.outcome != terms["reason"]:
                self._store.audit.record("alteration", "action", action_id, detail="status=carried; target_date")
            self._store.note("action", action_id, before.case_id)

    def reassign(self, action_id: int, *, owner_person: str, owner_agency: str, reason: str,
                 meeting_id: int | None = None) -> None:
        """Give an action to another owner or agency, with the reason; the old owner stays
        in its history. Refused when nothing changes."""
        from .. import lifecycle_spec

        values = {"owner_person": _text(owner_person), "owner_agency": _text(owner_agency),
                  "reason": _text(reason)}
        refuse(record_problems(lifecycle_spec.REASSIGN.fields, values, now=self._store.clock()))
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            before = self.get(action_id)
            if before.status == "withdrawn":
                raise ValidationError("This action was withdrawn.", "status")
            if (before.owner_person, before.owner_agency) == (values["owner_person"], values["owner_agency"]):
                raise ValidationError("Name the new owner or agency: they are the same as now.", "owner_person")
            terms = {"target_date": before.target_date, "owner_person": values["owner_person"],
                     "owner_agency": values["owner_agency"]}
            self._append_update(action_id, meeting_id, before.status, values["reason"], change="reassigned",
                                terms=terms, before=before)
            self._store.db.execute(
                "UPDATE actions SET owner_person = ?, owner_agency = ?, updated_at = ? WHERE id = ?",
                [values["owner_person"], values["owner_agency"], self._store.now_iso(), action_id],
            )
            self._store.audit.record("alteration", "action", action_id, detail="owner_person,owner_agency")
            self._store.note("action", action_id, before.case_id)

    def withdraw(self, action_id: int, reason: str, *, meeting_id: int | None = None) -> None:
        """Withdraw with a reason; the action stays in the register. Saving the same
        withdrawal again (autosave at a meeting) changes only the reason shown."""
        if not (reason or "").strip():
            raise ValidationError("Give the reason for withdrawing the action.", "withdrawn_reason")
        refuse(record_problems(STATE_FIELDS, {"status": "withdrawn", "withdrawn_reason": reason.strip()},
                               now=self._store.clock(), only=("withdrawn_reason",)))
        with self._store.transaction():
            self._refuse_finalised(meeting_id)
            before = self.get(action_id)
            self._store.note("action", action_id, before.case_id)
            if before.status == "withdrawn":
                if before.withdrawn_reason != reason.strip():
                    self._store.db.execute("UPDATE actions SET withdrawn_reason = ?, updated_at = ? WHERE id = ?",
                                           [reason.strip(), self._store.now_iso(), action_id])
                    self._store.audit.record("alteration", "action", action_id, detail="withdrawn_reason")
                return
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

    def _meeting_date(self, meeting_id: int) -> str | None:
        row = self._store.db.execute("SELECT meeting_date FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        return row[0] if row else None

    def _append_update(self, action_id: int, meeting_id, status: str, note, *, change: str | None = None,
                       terms: Mapping | None = None, before: Action | None = None) -> None:
        """One entry of the history. A carry or re-assignment (``terms``) keeps the terms after
        it and before it: the store's trigger lets a finalised meeting's terms change only to
        what the latest entry says."""
        terms = terms or {}
        previous = ((before.target_date, before.owner_person, before.owner_agency)
                    if before is not None and terms else (None, None, None))
        self._store.db.execute(
            "INSERT INTO action_updates (action_id, meeting_id, user_id, at, status, note, change, target_date, "
            "owner_person, owner_agency, previous_target_date, previous_owner_person, previous_owner_agency) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [action_id, meeting_id, self._store.acting_user_id(), self._store.now_iso(), status, note, change,
             terms.get("target_date"), terms.get("owner_person"), terms.get("owner_agency"), *previous],
        )
