"""The register across all cases and the dashboard: fast queries over ids.

Lists over large sets hand out ids first (cheap: the index answers) and rows on demand,
so a view of tens of thousands of actions opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Sequence

from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class RegisterFilter:
    """What the cross-case register shows. Dates are compared with ``today``."""

    statuses: tuple[str, ...] = ("open", "carried")
    case_id: int | None = None
    case_reference: str = ""  # the start of a case reference
    owner: str = ""  # part of the owner's name, any case
    agency: str = ""  # exact agency
    overdue_only: bool = False
    due_within_days: int | None = None


@dataclass(frozen=True)
class RegisterRow:
    """One action as the register lists it, with its case's reference (never the name)."""

    id: int
    case_id: int
    reference: str
    number: int
    raised_date: str
    action_text: str | None
    owner_person: str | None
    owner_agency: str | None
    target_date: str | None
    status: str
    completed_date: str | None
    outcome: str | None
    withdrawn_reason: str | None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SORT_COLUMNS = {
    "reference": "c.reference COLLATE NOCASE, a.number",
    "number": "a.number",
    "raised_date": "a.raised_date, a.id",
    "action_text": "a.action_text COLLATE NOCASE",
    "owner_person": "a.owner_person COLLATE NOCASE",
    "owner_agency": "a.owner_agency COLLATE NOCASE",
    "target_date": "a.target_date IS NULL, a.target_date, a.id",
    "status": "a.status, a.target_date",
    "completed_date": "a.completed_date",
}


@dataclass(frozen=True)
class DashboardItem:
    """One line of the dashboard; ``meeting_id`` when it opens a meeting, else the case."""

    case_id: int
    reference: str
    what: str
    when: str | None  # ISO date
    meeting_id: int | None = None


@dataclass(frozen=True)
class Dashboard:
    reviews_due: list[DashboardItem]
    reviews_overdue: list[DashboardItem]
    actions_overdue: list[DashboardItem]
    actions_overdue_count: int
    expiring: list[DashboardItem]
    drafts: list[DashboardItem]
    counts: dict  # panel -> how many in all (the lists stop at ``limit``)


class RegisterRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def _where(self, f: RegisterFilter, today: date) -> tuple[str, list]:
        where, params = [], []
        if f.statuses:
            where.append(f"a.status IN ({', '.join('?' * len(f.statuses))})")
            params.extend(f.statuses)
        if f.case_id is not None:
            where.append("a.case_id = ?")
            params.append(f.case_id)
        if f.case_reference.strip():
            where.append("c.reference LIKE ? ESCAPE '\\' COLLATE NOCASE")
            params.append(_escape_like(f.case_reference.strip()) + "%")
        if f.owner.strip():
            where.append("a.owner_person LIKE ? ESCAPE '\\'")
            params.append(f"%{_escape_like(f.owner.strip())}%")
        if f.agency:
            where.append("a.owner_agency = ?")
            params.append(f.agency)
        if f.overdue_only:
            where.append("a.target_date < ? AND a.status IN ('open', 'carried')")
            params.append(today.isoformat())
        if f.due_within_days is not None:
            where.append("a.target_date BETWEEN ? AND ?")
            params.extend([today.isoformat(), (today + timedelta(days=f.due_within_days)).isoformat()])
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def ids(self, f: RegisterFilter, today: date, sort: str = "target_date", descending: bool = False) -> list[int]:
        """The ids of the matching actions, in order."""
        where, params = self._where(f, today)
        order = SORT_COLUMNS.get(sort, SORT_COLUMNS["target_date"])
        if descending:
            order = ", ".join(part.strip() + " DESC" for part in order.split(","))
        # The join to cases only when the reference is needed: without it the index answers.
        join = " JOIN cases c ON c.id = a.case_id" if ("c." in where or "c." in order) else ""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT a.id FROM actions a{join}{where} ORDER BY {order}",
                params,
            ).fetchall()
        return [r[0] for r in rows]

    def rows(self, ids: Sequence[int]) -> dict[int, RegisterRow]:
        """The rows for these ids (any number: fetched in chunks)."""
        found: dict[int, RegisterRow] = {}
        ids = list(ids)
        with storage_errors():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for r in self._store.db.execute(
                    "SELECT a.id, a.case_id, c.reference, a.number, a.raised_date, a.action_text, "
                    "a.owner_person, a.owner_agency, a.target_date, a.status, a.completed_date, "
                    "a.outcome, a.withdrawn_reason FROM actions a JOIN cases c ON c.id = a.case_id "
                    f"WHERE a.id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ):
                    found[r[0]] = RegisterRow(*r)
        return found

    def overdue_count(self, today: date) -> int:
        with storage_errors():
            return self._store.db.execute(
                "SELECT count(*) FROM actions WHERE status IN ('open', 'carried') AND target_date < ?",
                [today.isoformat()],
            ).fetchone()[0]

    def overdue_by_agency(self, today: date) -> list[tuple[str, int]]:
        """Overdue actions counted by the owning agency, most first: the register's own
        "overdue" filter (``RegisterFilter.overdue_only``), so the Strategic Oversight Group's
        figure and the register agree. Counts only: no case, no name."""
        where, params = self._where(RegisterFilter(overdue_only=True), today)
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT coalesce(nullif(trim(a.owner_agency), ''), '(no agency)'), count(*) FROM actions a{where} "
                "GROUP BY 1 ORDER BY 2 DESC, 1", params).fetchall()
        return [(agency, count) for agency, count in rows]

    def agencies(self) -> list[str]:
        """Agencies to filter by: the directory's (a small table), not a scan of actions."""
        return [a.name for a in self._store.directory.agencies(include_inactive=True)]

    # -- the dashboard -----------------------------------------------------------------------

    def dashboard(self, today: date, *, review_days: int = 14, expiry_days: int = 90, limit: int = 200) -> Dashboard:
        db = self._store.db
        t = today.isoformat()
        soon = (today + timedelta(days=review_days)).isoformat()
        later = (today + timedelta(days=expiry_days)).isoformat()
        with storage_errors():
            due = db.execute(
                "SELECT id, reference, next_review_date FROM cases WHERE status = 'active' "
                "AND next_review_date BETWEEN ? AND ? ORDER BY next_review_date, reference LIMIT ?",
                [t, soon, limit],
            ).fetchall()
            # Overdue: the review date has passed and no meeting has been held since it.
            overdue = db.execute(
                "SELECT c.id, c.reference, c.next_review_date FROM cases c WHERE c.status = 'active' "
                "AND c.next_review_date < ? AND NOT EXISTS (SELECT 1 FROM meetings m "
                "WHERE m.case_id = c.id AND m.meeting_date >= c.next_review_date) "
                "ORDER BY c.next_review_date, c.reference LIMIT ?",
                [t, limit],
            ).fetchall()
            actions = db.execute(
                "SELECT a.case_id, c.reference, a.number, a.target_date, a.owner_person, a.owner_agency "
                "FROM actions a JOIN cases c ON c.id = a.case_id "
                "WHERE a.status IN ('open', 'carried') AND a.target_date < ? AND c.status = 'active' "
                "ORDER BY a.target_date, c.reference LIMIT ?",
                [t, limit],
            ).fetchall()
            orders = db.execute(
                "SELECT c.id, c.reference, o.order_type, o.expiry_date FROM civil_orders o "
                "JOIN cases c ON c.id = o.case_id WHERE c.status = 'active' "
                "AND o.expiry_date BETWEEN ? AND ? ORDER BY o.expiry_date LIMIT ?",
                [t, later, limit],
            ).fetchall()
            sonr = db.execute(
                "SELECT id, reference, sonr_expiry_date FROM cases WHERE status = 'active' "
                "AND sonr_expiry_date BETWEEN ? AND ? ORDER BY sonr_expiry_date LIMIT ?",
                [t, later, limit],
            ).fetchall()
            counts = {
                "reviews_due": db.execute(
                    "SELECT count(*) FROM cases WHERE status = 'active' AND next_review_date BETWEEN ? AND ?",
                    [t, soon]).fetchone()[0],
                "reviews_overdue": db.execute(
                    "SELECT count(*) FROM cases c WHERE c.status = 'active' AND c.next_review_date < ? "
                    "AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.case_id = c.id "
                    "AND m.meeting_date >= c.next_review_date)", [t]).fetchone()[0],
                "expiring": db.execute(
                    "SELECT (SELECT count(*) FROM civil_orders o JOIN cases c ON c.id = o.case_id "
                    "WHERE c.status = 'active' AND o.expiry_date BETWEEN ? AND ?) + (SELECT count(*) FROM cases "
                    "WHERE status = 'active' AND sonr_expiry_date BETWEEN ? AND ?)", [t, later, t, later]).fetchone()[0],
                "drafts": db.execute("SELECT count(*) FROM meetings WHERE status IN ('draft', 'issued')").fetchone()[0],
            }
            drafts = db.execute(
                "SELECT m.case_id, c.reference, m.meeting_date, m.id, m.status FROM meetings m "
                "JOIN cases c ON c.id = m.case_id WHERE m.status IN ('draft', 'issued') "
                "ORDER BY m.meeting_date IS NULL, m.meeting_date, m.id LIMIT ?",
                [limit],
            ).fetchall()
        from .. import spec

        order_field = spec.section("civil_orders").field("order_type")
        expiring = [DashboardItem(r[0], r[1], f"{order_field.label_of(r[2])} ends", r[3]) for r in orders]
        expiring += [DashboardItem(r[0], r[1], "SONR ends", r[2]) for r in sonr]
        expiring.sort(key=lambda item: (item.when or "", item.reference))

        def owner(person, agency):
            return ", ".join(x for x in (person, agency) if x) or "no owner"

        return Dashboard(
            reviews_due=[DashboardItem(r[0], r[1], "Review due", r[2]) for r in due],
            reviews_overdue=[DashboardItem(r[0], r[1], "Review overdue", r[2]) for r in overdue],
            actions_overdue=[
                DashboardItem(r[0], r[1], f"Action {r[2]} overdue ({owner(r[4], r[5])})", r[3]) for r in actions
            ],
            actions_overdue_count=self.overdue_count(today),
            counts=counts,
            expiring=expiring,
            drafts=[
                DashboardItem(r[0], r[1], "Minute in draft" + (" (issued)" if r[4] == "issued" else ""), r[2], r[3])
                for r in drafts
            ],
        )
