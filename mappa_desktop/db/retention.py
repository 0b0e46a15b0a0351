"""Retention: cases past their agency's retention period, and their erasure.

Erasure removes every row of the case (secure_delete is on, so the pages are overwritten),
checkpoints the WAL so nothing of it stays there, and leaves one audit entry that says a
case was erased, by whom and when, but holds none of the erased data. Older audit entries
about the case keep only ids and kinds, as they always did. Backups taken before the
erasure still hold the case until rotation removes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..rules.actions import CHASED_CASE_STATUSES
from .errors import NotFound, ValidationError, storage_errors

if TYPE_CHECKING:
    from .store import Store

MEETING_CHILDREN = ("meeting_text", "attendance", "agency_updates", "disclosures", "documents_tabled",
                    "check_acknowledgements", "addenda", "minute_snapshots", "minute_issues", "minute_approvals",
                    "meeting_audits", "plan_entries", "plan_not_needed", "plan_openings", "plan_versions")
#: Cases no longer managed (archived, or left MAPPA): the retention review covers them.
_NOT_MANAGED = f"status NOT IN ({', '.join(repr(status) for status in CHASED_CASE_STATUSES)})"


@dataclass(frozen=True)
class PastRetention:
    case_id: int
    reference: str
    last_activity: str  # ISO date


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class RetentionRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def past_retention(self, today: date, years: int) -> list[PastRetention]:
        """Cases no longer managed (archived, or left MAPPA) with no activity (case, meeting
        or action change) for ``years``."""
        cutoff = _years_before(today, years).isoformat()
        sql = f"""
            SELECT c.id, c.reference, max(substr(c.updated_at, 1, 10),
                   coalesce((SELECT max(substr(m.updated_at, 1, 10)) FROM meetings m WHERE m.case_id = c.id), ''),
                   coalesce((SELECT max(substr(a.updated_at, 1, 10)) FROM actions a WHERE a.case_id = c.id), ''))
                   AS last
            FROM cases c WHERE c.{_NOT_MANAGED}
        """
        with storage_errors():
            rows = self._store.db.execute(f"SELECT * FROM ({sql}) WHERE last < ? ORDER BY last", [cutoff]).fetchall()
        return [PastRetention(*r) for r in rows]

    def erase_case(self, case_id: int, *, confirm_reference: str) -> dict:
        """Erase a case no longer managed (archived, or left MAPPA) entirely. ``confirm_reference`` must match the case's
        reference (the person typed it). Returns how many rows went, by table."""
        db = self._store.db
        removed: dict[str, int] = {}
        with self._store.transaction():
            row = db.execute("SELECT reference, status FROM cases WHERE id = ?", [case_id]).fetchone()
            if row is None:
                raise NotFound("that case does not exist")
            if row[1] in CHASED_CASE_STATUSES:
                raise ValidationError("Only an archived case, or one that has left MAPPA, can be erased.", "status")
            if (confirm_reference or "").strip() != row[0]:
                raise ValidationError("Type the case reference exactly to confirm the erasure.", "reference")
            db.execute("INSERT INTO erasure_grants (case_id) VALUES (?)", [case_id])
            # Global ids, bundle records and other stores' audit entries of the case go too.
            self._store.bundles.records.forget_case(case_id)
            # The exit decision names the meeting that decided it: it goes first.
            removed["case_exits"] = db.execute("DELETE FROM case_exits WHERE case_id = ?", [case_id]).rowcount
            removed["case_addenda"] = db.execute("DELETE FROM case_addenda WHERE case_id = ?", [case_id]).rowcount
            meetings = [r[0] for r in db.execute("SELECT id FROM meetings WHERE case_id = ?", [case_id])]
            marks = ", ".join("?" * len(meetings))
            if meetings:
                for table in MEETING_CHILDREN:
                    removed[table] = db.execute(f"DELETE FROM {table} WHERE meeting_id IN ({marks})", meetings).rowcount
            # Reviews of the case first: their recommendations point at its actions.
            scr = "SELECT id FROM scr_reviews WHERE case_id = ?"
            for (review_id,) in db.execute(scr, [case_id]).fetchall():  # a stage's words kept as typed
                db.execute("DELETE FROM drafts WHERE key GLOB ?", [f"scr:{review_id}:*"])
            removed["scr_recommendations"] = db.execute(
                f"DELETE FROM scr_recommendations WHERE review_id IN ({scr})", [case_id]).rowcount
            removed["scr_stages"] = db.execute(f"DELETE FROM scr_stages WHERE review_id IN ({scr})", [case_id]).rowcount
            removed["scr_reviews"] = db.execute("DELETE FROM scr_reviews WHERE case_id = ?", [case_id]).rowcount
            removed["action_updates"] = db.execute(
                "DELETE FROM action_updates WHERE action_id IN (SELECT id FROM actions WHERE case_id = ?)", [case_id]
            ).rowcount
            removed["actions"] = db.execute("DELETE FROM actions WHERE case_id = ?", [case_id]).rowcount
            removed["meetings"] = db.execute("DELETE FROM meetings WHERE case_id = ?", [case_id]).rowcount
            removed["civil_orders"] = db.execute("DELETE FROM civil_orders WHERE case_id = ?", [case_id]).rowcount
            removed["case_conditions"] = db.execute("DELETE FROM case_conditions WHERE case_id = ?", [case_id]).rowcount
            db.execute("DELETE FROM case_search WHERE rowid = ?", [case_id])
            # A deleted entry can linger in the search index's segments until they merge:
            # rebuild them now so the erased names are gone from the index too.
            db.execute("INSERT INTO case_search (case_search) VALUES ('optimize')")
            # The same for the minutes' text: the triggers noted each row as it went;
            # catching up removes their entries, merging drops them from the segments.
            self._store.search.catch_up()
            self._store.search.optimize()
            db.execute("DELETE FROM drafts WHERE key = ?", [f"case_form:{case_id}"])
            db.execute("DELETE FROM drafts WHERE key GLOB ?", [f"dialog:{case_id}:*"])  # ui/kept_typing.py
            for meeting_id in meetings:
                db.execute("DELETE FROM drafts WHERE key GLOB ?", [f"minute:{meeting_id}:*"])
            removed["cases"] = db.execute("DELETE FROM cases WHERE id = ?", [case_id]).rowcount
            db.execute("DELETE FROM erasure_grants WHERE case_id = ?", [case_id])
            counts = ", ".join(f"{n} {t}" for t, n in removed.items() if n)
            self._store.audit.record("erasure", "case", case_id, detail=f"erased under retention: {counts}")
            self._store.note("case", case_id, case_id)
        with storage_errors():
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed
