"""The register across all cases and the dashboard: fast queries over ids.

Lists over large sets hand out ids first (cheap: the index answers) and rows on demand,
so a view of tens of thousands of actions opens at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Sequence

from ..rules.actions import CHASED_CASE_STATUSES, DUE_SOON_DAYS, OUTSTANDING
from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store


def _quoted(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


#: The rules of ``rules/actions.py`` as SQL (``a``: actions, ``c``: cases), so that every
#: count and filter says "overdue" the same way as the screens and printouts.
OUTSTANDING_SQL = f"a.status IN ({_quoted(OUTSTANDING)})"
CHASED_SQL = f"c.status IN ({_quoted(CHASED_CASE_STATUSES)})"
OVERDUE_SQL = f"{OUTSTANDING_SQL} AND a.target_date < ? AND {CHASED_SQL}"


@dataclass(frozen=True)
class RegisterFilter:
    """What the cross-case register shows. Dates are compared with ``today``."""

    statuses: tuple[str, ...] = OUTSTANDING
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
    case_status: str = "active"
    history: str = ""  # changes of target and owner in one line (``action_life``), for printouts


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
            where.append(OVERDUE_SQL)
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
                    "a.outcome, a.withdrawn_reason, c.status FROM actions a JOIN cases c ON c.id = a.case_id "
                    f"WHERE a.id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                ):
                    found[r[0]] = RegisterRow(*r)
        return found

    def overdue_count(self, today: date) -> int:
        """How many actions are overdue (``rules.actions``: archived cases are not chased)."""
        with storage_errors():
            return self._store.db.execute(
                f"SELECT count(*) FROM actions a JOIN cases c ON c.id = a.case_id WHERE {OVERDUE_SQL}",
                [today.isoformat()],
            ).fetchone()[0]

    def overdue_by_agency(self, today: date) -> list[tuple[str, int]]:
        """Overdue actions counted by the owning agency, most first: the register's own
        "overdue" filter (``RegisterFilter.overdue_only``), so the Strategic Oversight Group's
        figure and the register agree. Counts only: no case, no name."""
        where, params = self._where(RegisterFilter(overdue_only=True), today)
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT coalesce(nullif(trim(a.owner_agency), ''), '(no agency)'), count(*) FROM actions a "
                f"JOIN cases c ON c.id = a.case_id{where} "
                "GROUP BY 1 ORDER BY 2 DESC, 1", params).fetchall()
        return [(agency, count) for agency, count in rows]

    def agencies(self) -> list[str]:
        """Agencies to filter by: the directory's, and every agency an action names (typed
        by hand or since renamed), so that each action can be found by its agency."""
        with storage_errors():
            named = [r[0] for r in self._store.db.execute(
                "SELECT DISTINCT owner_agency FROM actions WHERE owner_agency IS NOT NULL")]
        directory = [a.name for a in self._store.directory.agencies(include_inactive=True)]
        seen = {name.casefold() for name in directory}
        return directory + sorted((n for n in named if n.strip() and n.casefold() not in seen), key=str.casefold)

    # -- the dashboard -----------------------------------------------------------------------

    def dashboard(self, today: date, *, review_days: int = DUE_SOON_DAYS, expiry_days: int = 90, limit: int = 200) -> Dashboard:
        db = self._store.db
        t = today.isoformat()
        soon = (today + timedelta(days=review_days)).isoformat()
        later = (today + timedelta(days=expiry_days)).isoformat()
        # Reviews: "due" within ``review_days``; "overdue" as ``rules.actions.review_overdue``
        # says (the date has passed and no meeting has been held since it).
        review_overdue = (f"{CHASED_SQL} AND c.next_review_date < ? AND NOT EXISTS (SELECT 1 FROM meetings m "
                          "WHERE m.case_id = c.id AND m.meeting_date >= c.next_review_date)")
        review_due = f"{CHASED_SQL} AND c.next_review_date BETWEEN ? AND ?"
        with storage_errors():
            due = db.execute(
                f"SELECT c.id, c.reference, c.next_review_date FROM cases c WHERE {review_due} "
                "ORDER BY c.next_review_date, c.reference LIMIT ?",
                [t, soon, limit],
            ).fetchall()
            overdue = db.execute(
                f"SELECT c.id, c.reference, c.next_review_date FROM cases c WHERE {review_overdue} "
                "ORDER BY c.next_review_date, c.reference LIMIT ?",
                [t, limit],
            ).fetchall()
            actions = db.execute(
                "SELECT a.case_id, c.reference, a.number, a.target_date, a.owner_person, a.owner_agency "
                f"FROM actions a JOIN cases c ON c.id = a.case_id WHERE {OVERDUE_SQL} "
                "ORDER BY a.target_date, c.reference LIMIT ?",
                [t, limit],
            ).fetchall()
            orders = db.execute(
                "SELECT c.id, c.reference, o.order_type, o.expiry_date FROM civil_orders o "
                f"JOIN cases c ON c.id = o.case_id WHERE {CHASED_SQL} "
                "AND o.expiry_date BETWEEN ? AND ? ORDER BY o.expiry_date LIMIT ?",
                [t, later, limit],
            ).fetchall()
            sonr = db.execute(
                f"SELECT c.id, c.reference, c.sonr_expiry_date FROM cases c WHERE {CHASED_SQL} "
                "AND c.sonr_expiry_date BETWEEN ? AND ? ORDER BY c.sonr_expiry_date LIMIT ?",
                [t, later, limit],
            ).fetchall()
            counts = {
                "reviews_due": db.execute(f"SELECT count(*) FROM cases c WHERE {review_due}", [t, soon]).fetchone()[0],
                "reviews_overdue": db.execute(f"SELECT count(*) FROM cases c WHERE {review_overdue}", [t]).fetchone()[0],
                "expiring": db.execute(
                    "SELECT (SELECT count(*) FROM civil_orders o JOIN cases c ON c.id = o.case_id "
                    f"WHERE {CHASED_SQL} AND o.expiry_date BETWEEN ? AND ?) + (SELECT count(*) FROM cases c "
                    f"WHERE {CHASED_SQL} AND c.sonr_expiry_date BETWEEN ? AND ?)", [t, later, t, later]).fetchone()[0],
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
