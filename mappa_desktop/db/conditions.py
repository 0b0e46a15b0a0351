"""Conditions of the licence and of civil orders, recorded on a case.

Each condition keeps its global id (``uid``) for life: entries of the risk management plan
link to it, and it travels with the case. A condition an entry of the plan rests on (in any
version) is never removed: give it an end date instead.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Mapping, Sequence

from .. import spec
from ..model import Condition
from ..rules.values import record_problems
from .errors import NotFound, ValidationError, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

FIELDS = spec.CONDITIONS.fields
COLUMNS = tuple(f.key for f in FIELDS)


def _clean(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


class ConditionsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def of_case(self, case_id: int) -> tuple[Condition, ...]:
        """The case's conditions, in the order entered."""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT id, uid, {', '.join(COLUMNS)} FROM case_conditions WHERE case_id = ? "
                "ORDER BY position, id", [case_id]).fetchall()
        return tuple(Condition(r[0], r[1], *(dict(zip(COLUMNS, r[2:]))[k] for k in
                                             ("source", "source_detail", "condition_text", "from_date",
                                              "until_date"))) for r in rows)

    def belongs(self, uid: str, case_id: int) -> bool:
        """Whether the condition with this global id is one of the case's."""
        row = self._store.db.execute("SELECT 1 FROM case_conditions WHERE uid = ? AND case_id = ?",
                                     [uid, case_id]).fetchone()
        return row is not None

    def linked(self, uids: Sequence[str]) -> set[str]:
        """Which of these conditions an entry of the plan (any version) rests on."""
        if not uids:
            return set()
        marks = ", ".join("?" * len(uids))
        rows = self._store.db.execute(
            f"SELECT DISTINCT condition_uid FROM plan_entries WHERE condition_uid IN ({marks})", list(uids)).fetchall()
        return {r[0] for r in rows}

    def save(self, case_id: int, rows: Sequence[Mapping], *, adopt: bool = False) -> dict[str, int]:
        """Make the case's conditions these rows, in this order. A row with the ``uid`` of
        one of the case's conditions changes it; a row without one adds a condition (with
        ``adopt``, a row whose ``uid`` is new here is added with it: a case bundle's); a
        condition left out is removed, unless the plan rests on it (refused, naming it).
        Returns how many were added, changed and removed (also audited)."""
        cleaned = [{k: _clean(row.get(k)) for k in COLUMNS} | {"uid": row.get("uid")} for row in rows]
        now = self._store.clock()
        refuse([p for index, row in enumerate(cleaned)
                for p in record_problems(FIELDS, row, now=now, prefix=f"conditions.{index}.")])
        with self._store.transaction():
            if self._store.db.execute("SELECT 1 FROM cases WHERE id = ?", [case_id]).fetchone() is None:
                raise NotFound("that case does not exist")
            existing = {c.uid: c for c in self.of_case(case_id)}
            unknown = [r["uid"] for r in cleaned if r["uid"] and r["uid"] not in existing]
            taken = unknown and self._store.db.execute(
                f"SELECT 1 FROM case_conditions WHERE uid IN ({', '.join('?' * len(unknown))})", unknown).fetchone()
            if unknown and (not adopt or taken):
                raise ValidationError("A condition being changed is not one of this case's.", "conditions")
            kept = {r["uid"] for r in cleaned if r["uid"]}
            removed = [uid for uid in existing if uid not in kept]
            held = self.linked(removed)
            if held:
                from ..plan import condition_label

                first = next(existing[uid] for uid in existing if uid in held)
                raise ValidationError(
                    f"'{condition_label(first.as_values(), 60)}' cannot be removed: the risk management plan "
                    "rests on it. Give it an end date instead.", "conditions")
            stamp = self._store.now_iso()
            added = changed = 0
            db = self._store.db
            for position, row in enumerate(cleaned):
                values = [row[k] for k in COLUMNS]
                if row["uid"] in existing:
                    before = existing[row["uid"]].as_values()
                    differs = any(before.get(k) != row[k] for k in COLUMNS)
                    db.execute(f"UPDATE case_conditions SET position = ?, {', '.join(f'{k} = ?' for k in COLUMNS)}"
                               f"{', updated_at = ?' if differs else ''} WHERE uid = ?",
                               [position, *values, *([stamp] if differs else []), row["uid"]])
                    changed += differs
                else:
                    db.execute(f"INSERT INTO case_conditions (case_id, uid, position, created_at, updated_at, "
                               f"{', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(COLUMNS))})",
                               [case_id, row["uid"] or str(uuid.uuid4()), position, stamp, stamp, *values])
                    added += 1
            for uid in removed:
                db.execute("DELETE FROM case_conditions WHERE uid = ?", [uid])
            result = {"added": added, "changed": changed, "removed": len(removed)}
            if any(result.values()):
                kind = "collection" if not (changed or removed) else "alteration"  # only new ones: collected
                self._store.audit.record(kind, "case", case_id, detail="conditions: " + ", ".join(
                    f"{n} {what}" for what, n in result.items()))
                self._store.note("case", case_id, case_id)
        return result
