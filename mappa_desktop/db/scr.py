"""Significant Case Reviews in the store: the incident, its stages and recommendations.

Plain storage; what may be saved when (no skipped stages, rationale for every decision,
"no SCR" closes the record) is decided in ``mappa_desktop/scr.py``. Every change is audited
in its own transaction with ids and stage keys only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from .. import scr_spec
from ..model import ScrRecommendation, ScrReview, ScrStage
from ..rules.values import record_problems
from .errors import NotFound, RecordLocked, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

_COLUMNS = "id, case_id, incident, status, closed_reason, closed_date, created_at, updated_at"
_REC_COLUMNS = "id, number, recommendation, owner_person, owner_agency, target_date, action_id"


@dataclass(frozen=True)
class ScrListRow:
    """One review in the cross-case list."""

    id: int
    case_id: int
    reference: str
    incident_date: str | None
    status: str
    completed: tuple[str, ...]  # keys of the completed stages, in order


def _clean(values: Mapping) -> dict:
    out = {}
    for key, value in values.items():
        if isinstance(value, str) and not value.strip():
            value = None
        out[key] = value
    return out


def write_stage(db, review_id: int, stage_key: str, status: str, values: Mapping, completed_at: str | None,
                updated_at: str) -> None:
    """Write a stage's row: an UPDATE of the row there is, else an INSERT. Not an UPSERT: an
    UPSERT's conflict handling overrides the ``INSERT OR IGNORE`` of the search index's
    triggers, and a second save before the index caught up failed on ``search_pending``."""
    params = [status, json.dumps(values), completed_at, updated_at, review_id, stage_key]
    updated = db.execute("UPDATE scr_stages SET status = ?, stage_values = ?, completed_at = ?, updated_at = ? "
                         "WHERE review_id = ? AND stage_key = ?", params).rowcount
    if not updated:
        db.execute("INSERT INTO scr_stages (status, stage_values, completed_at, updated_at, review_id, stage_key) "
                   "VALUES (?, ?, ?, ?, ?, ?)", params)


class ScrRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- reading ------------------------------------------------------------------------------

    def get(self, review_id: int) -> ScrReview:
        db = self._store.db
        with storage_errors():
            row = db.execute(f"SELECT {_COLUMNS} FROM scr_reviews WHERE id = ?", [review_id]).fetchone()
            if row is None:
                raise NotFound("that review does not exist")
            stages = db.execute(
                "SELECT stage_key, status, stage_values, completed_at FROM scr_stages WHERE review_id = ?",
                [review_id]).fetchall()
            recs = db.execute(
                f"SELECT {_REC_COLUMNS} FROM scr_recommendations WHERE review_id = ? ORDER BY number",
                [review_id]).fetchall()
        return ScrReview(
            row[0], row[1], json.loads(row[2]), *row[3:],
            stages={k: ScrStage(k, s, json.loads(v), at) for k, s, v, at in stages},
            recommendations=tuple(ScrRecommendation(*r) for r in recs),
        )

    def of_case(self, case_id: int) -> list[ScrReview]:
        with storage_errors():
            ids = [r[0] for r in self._store.db.execute(
                "SELECT id FROM scr_reviews WHERE case_id = ? ORDER BY id", [case_id])]
        return [self.get(i) for i in ids]

    def listing(self) -> list[ScrListRow]:
        """Every review across cases, open ones first, newest incident first."""
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT r.id, r.case_id, c.reference, json_extract(r.incident, '$.incident_date'), r.status, "
                "(SELECT group_concat(stage_key) FROM scr_stages s WHERE s.review_id = r.id "
                " AND s.status = 'completed') "
                "FROM scr_reviews r JOIN cases c ON c.id = r.case_id "
                "ORDER BY r.status = 'closed', json_extract(r.incident, '$.incident_date') DESC, r.id DESC"
            ).fetchall()
        return [ScrListRow(*r[:5], tuple((r[5] or "").split(",")) if r[5] else ()) for r in rows]

    # -- writing ------------------------------------------------------------------------------

    def create(self, case_id: int, incident: Mapping) -> int:
        """A new review from an incident on the case."""
        now = self._store.now_iso()
        refuse(record_problems(scr_spec.INCIDENT.fields, _clean(incident), now=self._store.clock()))
        with self._store.transaction():
            if self._store.db.execute("SELECT 1 FROM cases WHERE id = ?", [case_id]).fetchone() is None:
                raise NotFound("that case does not exist")
            review_id = self._store.db.execute(
                "INSERT INTO scr_reviews (case_id, incident, created_at, updated_at) VALUES (?, ?, ?, ?)",
                [case_id, json.dumps(_clean(incident)), now, now]).lastrowid
            self._store.audit.record("collection", "scr_review", review_id, detail=f"case {case_id}; incident")
            self._store.note("review", review_id, case_id)
        return review_id

    def _open(self, review_id: int) -> None:
        """Refuse changes to a closed review; note that this transaction changes it."""
        row = self._store.db.execute("SELECT status, case_id FROM scr_reviews WHERE id = ?", [review_id]).fetchone()
        if row is None:
            raise NotFound("that review does not exist")
        if row[0] == "closed":
            raise RecordLocked("read-only: this review is closed")
        self._store.note("review", review_id, row[1])

    def _touch(self, review_id: int) -> None:
        self._store.db.execute("UPDATE scr_reviews SET updated_at = ? WHERE id = ?",
                               [self._store.now_iso(), review_id])

    def save_incident(self, review_id: int, values: Mapping) -> None:
        refuse(record_problems(scr_spec.INCIDENT.fields, _clean(values), now=self._store.clock()))
        with self._store.transaction():
            self._open(review_id)
            self._store.db.execute("UPDATE scr_reviews SET incident = ? WHERE id = ?",
                                   [json.dumps(_clean(values)), review_id])
            self._touch(review_id)
            self._store.audit.record("alteration", "scr_review", review_id,
                                     detail="incident: " + ",".join(sorted(values)))

    def save_stage(self, review_id: int, stage_key: str, values: Mapping, *, complete: bool = False) -> None:
        """Store a stage's values; ``complete`` marks it completed (the rules checked it)."""
        now = self._store.now_iso()
        status = "completed" if complete else "draft"
        refuse(record_problems(scr_spec.stage(stage_key).fields, _clean(values), now=self._store.clock()))
        with self._store.transaction():
            self._open(review_id)
            row = self._store.db.execute(
                "SELECT status FROM scr_stages WHERE review_id = ? AND stage_key = ?", [review_id, stage_key]
            ).fetchone()
            if row is not None and row[0] == "completed":
                raise RecordLocked("read-only: this stage is already completed")
            write_stage(self._store.db, review_id, stage_key, status, _clean(values), now if complete else None, now)
            self._touch(review_id)
            # A draft saved as it is typed is logged once in a while (as a minute's sections
            # are); completing a stage always is, sealed.
            fields = ",".join(sorted(k for k, v in values.items() if v not in (None, "")))
            self._store.audit.record_coalesced(("review", review_id, stage_key), "scr_review", review_id,
                                               detail=f"stage {stage_key}; {status}; fields {fields}",
                                               always=complete, seal=("stage", review_id, stage_key) if complete else None)

    def save_recommendations(self, review_id: int, rows: Iterable[Mapping]) -> None:
        """Replace the recommendations not yet in the register (those in it stay as raised)."""
        rows = [_clean(row) for row in rows]
        refuse([problem for index, row in enumerate(rows)
                for problem in record_problems(scr_spec.RECOMMENDATIONS.fields, row, now=self._store.clock(),
                                               prefix=f"recommendations.{index}.")])
        with self._store.transaction():
            self._open(review_id)
            db = self._store.db
            db.execute("DELETE FROM scr_recommendations WHERE review_id = ? AND action_id IS NULL", [review_id])
            number = db.execute("SELECT coalesce(max(number), 0) FROM scr_recommendations WHERE review_id = ?",
                                [review_id]).fetchone()[0]
            for row in rows:
                row = _clean(row)
                if not any(row.values()):
                    continue
                number += 1
                db.execute(
                    "INSERT INTO scr_recommendations (review_id, number, recommendation, owner_person, "
                    "owner_agency, target_date) VALUES (?, ?, ?, ?, ?, ?)",
                    [review_id, number, row.get("recommendation"), row.get("owner_person"),
                     row.get("owner_agency"), row.get("target_date")])
            self._touch(review_id)
            self._store.audit.record_coalesced(("review", review_id, "recommendations"), "scr_review", review_id,
                                               detail=f"recommendations {number}")

    def link_action(self, recommendation_id: int, action_id: int) -> None:
        with self._store.transaction():
            self._store.db.execute("UPDATE scr_recommendations SET action_id = ? WHERE id = ?",
                                   [action_id, recommendation_id])
            self._store.audit.record("combination", "scr_recommendation", recommendation_id,
                                     detail=f"action {action_id}")

    def close(self, review_id: int, *, reason: str, on: str) -> None:
        with self._store.transaction():
            self._open(review_id)
            self._store.db.execute(
                "UPDATE scr_reviews SET status = 'closed', closed_reason = ?, closed_date = ? WHERE id = ?",
                [reason, on, review_id])
            self._touch(review_id)
            self._store.audit.record("alteration", "scr_review", review_id, detail="closed")
