"""The risk management plan in the store: each meeting's version, and the frozen versions.

A meeting's version is its own rows (``plan_entries``, ``plan_not_needed``), opened once
from the last version frozen before the meeting (``plan_openings``) and frozen with the
minute by the same triggers as its other rows. Finalising keeps the version as printed in
``plan_versions`` (append-only) and in the minute's snapshot. Every write is checked
against ``spec.PLAN_ENTRY`` with the same rules as the window's, audited as an alteration
of the meeting, and announced (``store.note``).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Mapping

from .. import spec
from ..model import PlanVersion
from ..plan import change_of, terms_of
from ..rules.values import record_problems
from .errors import NotFound, RecordLocked, ValidationError, refuse, storage_errors


if TYPE_CHECKING:
    from .store import Store

ENTRY = spec.PLAN_ENTRY
COLUMNS = tuple(f.key for f in ENTRY.fields)
PILLARS = tuple(c.value for c in spec.PLAN_PILLARS)
_SELECT = (f"p.id, p.entry_uid, p.position, p.status, p.action_id, p.base, a.number, "
           f"{', '.join('p.' + c for c in COLUMNS)}")


def _clean(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def canonical(content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class PlanRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- reading --------------------------------------------------------------------------------

    def _entry(self, row) -> dict:
        entry = {"id": row[0], "entry_uid": row[1], "position": row[2], "status": row[3], "action_id": row[4],
                 "base": json.loads(row[5]) if row[5] else None, "action_number": row[6],
                 **dict(zip(COLUMNS, row[7:]))}
        entry["change"] = change_of(entry)
        return entry

    def entries(self, meeting_id: int) -> list[dict]:
        """This meeting's version of the plan: every entry, ended ones too, in order."""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {_SELECT} FROM plan_entries p LEFT JOIN actions a ON a.id = p.action_id "
                "WHERE p.meeting_id = ? ORDER BY p.position, p.id", [meeting_id]).fetchall()
        return [self._entry(r) for r in rows]

    def entry(self, entry_id: int) -> dict:
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT {_SELECT}, p.meeting_id, m.case_id FROM plan_entries p "
                "LEFT JOIN actions a ON a.id = p.action_id JOIN meetings m ON m.id = p.meeting_id "
                "WHERE p.id = ?", [entry_id]).fetchone()
        if row is None:
            raise NotFound("that entry of the plan does not exist")
        return self._entry(row[:-2]) | {"meeting_id": row[-2], "case_id": row[-1]}

    def not_needed(self, meeting_id: int) -> dict[str, str]:
        """Pillar -> why nothing is needed under it at this meeting."""
        with storage_errors():
            rows = self._store.db.execute("SELECT pillar, not_needed FROM plan_not_needed WHERE meeting_id = ?",
                                          [meeting_id]).fetchall()
        return {p: text for p, text in rows if text}

    def opened_from(self, meeting_id: int) -> tuple[bool, int | None]:
        """(whether the meeting's plan is open, the version it opened from)."""
        with storage_errors():
            row = self._store.db.execute("SELECT base_version FROM plan_openings WHERE meeting_id = ?",
                                         [meeting_id]).fetchone()
        return (row is not None, row[0] if row else None)

    def _version(self, row) -> PlanVersion:
        return PlanVersion(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]))

    _VERSIONS = ("SELECT v.id, v.case_id, v.meeting_id, v.version, v.finalised_at, m.meeting_date, v.plan "
                 "FROM plan_versions v JOIN meetings m ON m.id = v.meeting_id ")

    def versions(self, case_id: int) -> list[PlanVersion]:
        """Every frozen version of the case's plan, oldest first."""
        with storage_errors():
            rows = self._store.db.execute(self._VERSIONS + "WHERE v.case_id = ? ORDER BY v.version, v.id",
                                          [case_id]).fetchall()
        return [self._version(r) for r in rows]

    def version_of(self, meeting_id: int) -> PlanVersion | None:
        """The version frozen with this meeting's minute (None: not finalised with a plan)."""
        with storage_errors():
            row = self._store.db.execute(self._VERSIONS + "WHERE v.meeting_id = ?", [meeting_id]).fetchone()
        return self._version(row) if row else None

    def current(self, case_id: int, *, before_meeting: int | None = None) -> PlanVersion | None:
        """The plan as it stands: the version of the latest finalised meeting (by meeting
        date), or as it stood before ``before_meeting`` (an earlier meeting's)."""
        sql = self._VERSIONS + "WHERE v.case_id = ?"
        params: list = [case_id]
        with storage_errors():
            if before_meeting is not None:
                row = self._store.db.execute("SELECT meeting_date FROM meetings WHERE id = ?",
                                             [before_meeting]).fetchone()
                sql += " AND v.meeting_id != ?"
                params.append(before_meeting)
                if row and row[0]:
                    sql += " AND coalesce(m.meeting_date, '') <= ?"
                    params.append(row[0])
            sql += " ORDER BY coalesce(m.meeting_date, '') DESC, v.version DESC LIMIT 1"
            row = self._store.db.execute(sql, params).fetchone()
        return self._version(row) if row else None

    def next_version(self, case_id: int) -> int:
        with storage_errors():
            return self._store.db.execute("SELECT coalesce(max(version), 0) + 1 FROM plan_versions WHERE case_id = ?",
                                          [case_id]).fetchone()[0]

    # -- writing --------------------------------------------------------------------------------

    def _meeting(self, meeting_id: int) -> tuple[int, str]:
        """(case id, status) of a meeting whose plan may change; refuses a finalised one."""
        row = self._store.db.execute("SELECT case_id, status FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound("that meeting does not exist")
        if row[1] == "finalised":
            raise RecordLocked("this minute is finalised; add an addendum instead")
        return row

    def _audit(self, meeting_id: int, what: str, key: int = 0) -> None:
        """An alteration of the meeting's plan; saves of one entry (``key``) as it is typed
        are logged once in a while, as a minute's sections are."""
        self._store.audit.record_coalesced(("plan", meeting_id, key), "meeting", meeting_id,
                                           detail=f"risk management plan: {what}", always=not key)

    def open(self, meeting_id: int) -> bool:
        """Open the meeting's version of the plan as the plan stood: the entries of the last
        version frozen before the meeting, not ended, carried over unchanged. Once only;
        returns True when it was opened now."""
        with self._store.transaction():
            case_id, _ = self._meeting(meeting_id)
            if self.opened_from(meeting_id)[0]:
                return False
            base = self.current(case_id, before_meeting=meeting_id)
            db = self._store.db
            db.execute("INSERT INTO plan_openings (meeting_id, base_version, opened_at) VALUES (?, ?, ?)",
                       [meeting_id, base.version if base else None, self._store.now_iso()])
            carried = [e for e in (base.plan.get("entries") if base else ()) if e.get("change") != "ended"]
            for position, entry in enumerate(carried):
                terms = terms_of(entry)
                self._insert(meeting_id, position, entry["entry_uid"], terms, base=terms)
            if carried:  # an empty opening writes nothing of the record worth logging
                self._audit(meeting_id, f"opened from version {base.version}: {len(carried)} entries carried over")
            self._store.note("meeting", meeting_id, case_id)
        return True

    def _insert(self, meeting_id: int, position: int, uid: str, values: Mapping, *, base=None) -> int:
        columns = [k for k in COLUMNS if k in values]
        return self._store.db.execute(
            f"INSERT INTO plan_entries (meeting_id, entry_uid, position, updated_at, base, {', '.join(columns)}) "
            f"VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(columns))})",
            [meeting_id, uid, position, self._store.now_iso(), canonical(base) if base else None,
             *(_clean(values[k]) for k in columns)]).lastrowid

    def _check(self, case_id: int, pillar: str, values: Mapping, stored: Mapping) -> None:
        """Refuse what the spec forbids, a field the pillar does not have, or a condition
        that is not the case's."""
        fields = {f.key: f for f in ENTRY.fields}
        unknown = [k for k in values if k not in fields or k == "pillar"]
        if unknown:
            raise ValueError(f"not fields of a plan entry: {sorted(unknown)}")
        for key, value in values.items():
            if value is not None and not fields[key].applies({"pillar": pillar}):
                raise ValidationError(f"{fields[key].label}: not part of a {spec.pillar(pillar).label} entry.", key)
        refuse(record_problems(ENTRY.fields, dict(values), now=self._store.clock(), context=dict(stored),
                               only=values))
        uid = values.get("condition_uid")
        if uid and uid != stored.get("condition_uid") and not self._store.conditions.belongs(uid, case_id):
            raise ValidationError("Rests on condition: not one of this case's conditions.", "condition_uid")

    def add_entry(self, meeting_id: int, pillar: str, values: Mapping | None = None) -> int:
        """A new entry under ``pillar`` at this meeting (added: its rationale is asked for)."""
        if pillar not in PILLARS:
            raise ValidationError("Pillar: not one of the choices.", "pillar")
        values = {k: _clean(v) for k, v in (values or {}).items()}
        with self._store.transaction():
            case_id, _ = self._meeting(meeting_id)
            if not self.opened_from(meeting_id)[0]:
                self.open(meeting_id)
            self._check(case_id, pillar, values, {})
            position = self._store.db.execute("SELECT coalesce(max(position), -1) + 1 FROM plan_entries "
                                              "WHERE meeting_id = ?", [meeting_id]).fetchone()[0]
            entry_id = self._insert(meeting_id, position, str(uuid.uuid4()), {"pillar": pillar, **values})
            self._audit(meeting_id, f"entry {entry_id} added")
            self._store.note("meeting", meeting_id, case_id)
        return entry_id

    def save_entry(self, entry_id: int, values: Mapping) -> None:
        """Change some values of an entry (only those given), as typed at the meeting."""
        values = {k: _clean(v) for k, v in values.items()}
        with self._store.transaction():
            stored = self.entry(entry_id)
            case_id, _ = self._meeting(stored["meeting_id"])
            self._check(case_id, stored["pillar"], values, stored)
            if values:
                self._store.db.execute(
                    f"UPDATE plan_entries SET {', '.join(f'{k} = ?' for k in values)}, updated_at = ? WHERE id = ?",
                    [*values.values(), self._store.now_iso(), entry_id])
            self._audit(stored["meeting_id"], f"entry {entry_id} changed", key=entry_id)
            self._store.note("meeting", stored["meeting_id"], case_id)

    def set_status(self, entry_id: int, status: str, rationale: str | None = None) -> None:
        """End an entry at this meeting (with the reason), or take the ending back."""
        if status not in ("live", "ended"):
            raise ValueError(status)
        if status == "ended" and not (rationale or "").strip():
            raise ValidationError("Why (at this meeting): give the reason for ending the entry.", "rationale")
        with self._store.transaction():
            stored = self.entry(entry_id)
            case_id, _ = self._meeting(stored["meeting_id"])
            refuse(record_problems(ENTRY.fields, {"rationale": rationale}, now=self._store.clock(), only=("rationale",)))
            self._store.db.execute("UPDATE plan_entries SET status = ?, rationale = coalesce(?, rationale), "
                                   "updated_at = ? WHERE id = ?",
                                   [status, _clean(rationale), self._store.now_iso(), entry_id])
            self._audit(stored["meeting_id"], f"entry {entry_id} {'ended' if status == 'ended' else 'kept'}")
            self._store.note("meeting", stored["meeting_id"], case_id)

    def remove_entry(self, entry_id: int) -> None:
        """Take back an entry added at this meeting (one carried over is ended, never removed)."""
        with self._store.transaction():
            stored = self.entry(entry_id)
            case_id, _ = self._meeting(stored["meeting_id"])
            if stored["base"] is not None:
                raise ValidationError("An entry carried over from the plan is ended with a reason, not removed.",
                                      "status")
            self._store.db.execute("DELETE FROM plan_entries WHERE id = ?", [entry_id])
            self._audit(stored["meeting_id"], f"entry {entry_id} added at this meeting taken back")
            self._store.note("meeting", stored["meeting_id"], case_id)

    def set_not_needed(self, meeting_id: int, pillar: str, text: str | None) -> None:
        """Why nothing is needed under a pillar at this meeting (None: clear it)."""
        if pillar not in PILLARS:
            raise ValidationError("Pillar: not one of the choices.", "pillar")
        text = _clean(text)
        refuse(record_problems((spec.PLAN_NOT_NEEDED,), {"not_needed": text}, now=self._store.clock()))
        with self._store.transaction():
            case_id, _ = self._meeting(meeting_id)
            self._store.db.execute(
                "INSERT INTO plan_not_needed (meeting_id, pillar, not_needed) VALUES (?, ?, ?) "
                "ON CONFLICT (meeting_id, pillar) DO UPDATE SET not_needed = excluded.not_needed",
                [meeting_id, pillar, text])
            self._audit(meeting_id, f"{pillar} not needed", key=-(PILLARS.index(pillar) + 1))
            self._store.note("meeting", meeting_id, case_id)

    def link_action(self, entry_id: int, action_id: int) -> None:
        """The action raised from this entry (shown beside it, printed with it)."""
        with self._store.transaction():
            stored = self.entry(entry_id)
            case_id, _ = self._meeting(stored["meeting_id"])
            self._store.db.execute("UPDATE plan_entries SET action_id = ? WHERE id = ?", [action_id, entry_id])
            self._audit(stored["meeting_id"], f"entry {entry_id} raised action {action_id}")
            self._store.note("meeting", stored["meeting_id"], case_id)

    def freeze(self, meeting_id: int, plan: Mapping) -> int:
        """Keep the meeting's version as finalised (``plan`` as printed); call inside the
        transaction that finalises the minute. Returns the version number."""
        with self._store.transaction():
            case_id, _ = self._meeting(meeting_id)
            version = plan.get("version") or self.next_version(case_id)
            self._store.db.execute(
                "INSERT INTO plan_versions (case_id, meeting_id, user_id, version, finalised_at, plan) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [case_id, meeting_id, self._store.acting_user_id(), version, self._store.now_iso(),
                 canonical({**plan, "version": version})])
            # Logged by the minute's own 'finalised' entry: the version is part of that minute.
            self._store.note("meeting", meeting_id, case_id)
        return version

    # -- case bundles (``db/bundle_records.py``, ``db/bundles.py``) -----------------------------------

    def for_bundle(self, meeting_id: int) -> dict:
        """A meeting's version of the plan as a case bundle carries it: the entries (by global
        id, with the version they came from), the pillars not needed, whether it was opened
        and from which version. (Which action an entry raised stays here: the action travels
        on its own.)"""
        opened, base = self.opened_from(meeting_id)
        entries = [{"entry_uid": e["entry_uid"], "status": e["status"], "base": e["base"],
                    **{k: e.get(k) for k in COLUMNS}} for e in self.entries(meeting_id)]
        return {"opened": opened, "base_version": base, "entries": entries,
                "not_needed": self.not_needed(meeting_id)}

    def write_from_bundle(self, meeting_id: int, plan: Mapping) -> None:
        """Make a draft meeting's version of the plan the one a case bundle brings (a new
        meeting, or theirs chosen over ours). Call inside the import's transaction; the values
        are checked against the spec first."""
        now = self._store.clock()
        problems = []
        for index, entry in enumerate(plan.get("entries") or ()):
            problems += record_problems(ENTRY.fields, {k: entry.get(k) for k in COLUMNS}, now=now,
                                        prefix=f"plan.{index}.")
        refuse(problems)
        self._meeting(meeting_id)
        db = self._store.db
        for table in ("plan_entries", "plan_not_needed", "plan_openings"):
            db.execute(f"DELETE FROM {table} WHERE meeting_id = ?", [meeting_id])
        if plan.get("opened") or plan.get("entries"):
            db.execute("INSERT INTO plan_openings (meeting_id, base_version, opened_at) VALUES (?, ?, ?)",
                       [meeting_id, plan.get("base_version"), self._store.now_iso()])
        for position, entry in enumerate(plan.get("entries") or ()):
            entry_id = self._insert(meeting_id, position, entry["entry_uid"], {k: entry.get(k) for k in COLUMNS},
                                    base=entry.get("base"))
            if entry.get("status") == "ended":
                db.execute("UPDATE plan_entries SET status = 'ended' WHERE id = ?", [entry_id])
        for pillar, text in (plan.get("not_needed") or {}).items():
            db.execute("INSERT INTO plan_not_needed (meeting_id, pillar, not_needed) VALUES (?, ?, ?)",
                       [meeting_id, pillar, text])
