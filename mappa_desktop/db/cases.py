"""Cases: the offender record, its civil orders, and finding a case fast (FTS5)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping, Sequence

from .. import spec
from ..cases import validate_case
from ..model import Case, CaseRow, CivilOrder
from .errors import NotFound, ValidationError, storage_errors

if TYPE_CHECKING:
    from .store import Store

CASE_COLUMNS = tuple(f.key for f in spec.case_fields())
ORDER_COLUMNS = tuple(f.key for f in spec.section("civil_orders").fields)
_ROW_COLUMNS = (
    "id, reference, full_name, category, mappa_level, current_rosh, lead_authority, "
    "next_review_date, status"
)
_SORTABLE = {
    "reference": "reference COLLATE NOCASE",
    "name": "full_name COLLATE NOCASE",
    "review": "next_review_date IS NULL, next_review_date",
}


def _rank_of(field_key: str, column: str) -> str:
    """A choice column sorted in the spec's order of its choices (very high before high)."""
    choices = [c.value for c in spec.field(field_key).choices]
    whens = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(choices) if "'" not in value)
    return f"CASE {column} {whens} ELSE {len(choices)} END"


#: The cases list's columns, sorted in SQL (the list holds ids only). Empty values last;
#: the reference breaks ties so that the order is the same every time.
LIST_SORT = {
    "reference": "cases.reference COLLATE NOCASE",
    "full_name": "cases.full_name COLLATE NOCASE",
    "category": "cases.category IS NULL, cases.category",
    "mappa_level": "cases.mappa_level IS NULL, cases.mappa_level",
    "current_rosh": _rank_of("rosh.agreed_rosh", "cases.current_rosh"),
    "lead_authority": "cases.lead_authority IS NULL, cases.lead_authority COLLATE NOCASE",
    "next_review_date": "cases.next_review_date IS NULL, cases.next_review_date",
}


def _clean(value):
    """Text as typed, except that whitespace-only is nothing."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _search_text(values: Mapping) -> tuple[str, str, str]:
    names = "\n".join(str(values.get(k) or "") for k in ("full_name", "aliases"))
    ids = [str(values.get(k) or "") for k in ("reference", "visor_number", "pnc_number", "chs_number", "other_identifiers")]
    # "81/123456X" is also found as "81123456X": identifiers are typed every which way.
    compact = " ".join(re.sub(r"[\W_]+", "", part) for i in ids for part in i.split("\n"))
    return names, "\n".join(ids), compact


def match_expression(query: str) -> str | None:
    """An FTS5 query for text typed in the search box: every word as a prefix, all required;
    or the whole thing as one compact identifier. None when there is nothing to search for."""
    words = re.findall(r"\w+", query.casefold())
    if not words:
        return None
    every = " AND ".join(f'"{w}"*' for w in words)
    compact = re.sub(r"[\W_]+", "", query.casefold())
    if len(words) > 1 and compact:
        return f'({every}) OR (compact : "{compact}"*)'
    return every


class CasesRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- writing --------------------------------------------------------------------------

    def _validated(self, values: Mapping, orders: Sequence[Mapping]) -> tuple[dict, list[dict]]:
        values = {k: _clean(values.get(k)) for k in CASE_COLUMNS}
        orders = [{k: _clean(o.get(k)) for k in ORDER_COLUMNS} for o in orders]
        problems = validate_case(values, orders, self._store.today())
        if problems:
            raise ValidationError(problems[0].message, problems[0].field)
        return values, orders

    def _unique_reference(self, reference: str, case_id: int | None) -> None:
        row = self._store.db.execute(
            "SELECT id FROM cases WHERE reference = ? AND id IS NOT ?", [reference, case_id]
        ).fetchone()
        if row:
            raise ValidationError("Another case already has this reference.", "reference")

    def _write_orders(self, case_id: int, orders: list[dict]) -> None:
        db = self._store.db
        db.execute("DELETE FROM civil_orders WHERE case_id = ?", [case_id])
        for position, order in enumerate(orders):
            db.execute(
                f"INSERT INTO civil_orders (case_id, position, {', '.join(ORDER_COLUMNS)}) "
                f"VALUES (?, ?, {', '.join('?' * len(ORDER_COLUMNS))})",
                [case_id, position, *(order[k] for k in ORDER_COLUMNS)],
            )

    def _index(self, case_id: int, values: Mapping) -> None:
        db = self._store.db
        db.execute("DELETE FROM case_search WHERE rowid = ?", [case_id])
        db.execute(
            "INSERT INTO case_search (rowid, names, identifiers, compact) VALUES (?, ?, ?, ?)",
            [case_id, *_search_text(values)],
        )

    def create(self, values: Mapping, orders: Sequence[Mapping] = ()) -> int:
        """Add a case; refuses with :class:`ValidationError` naming the field at fault."""
        values, orders = self._validated(values, orders)
        now = self._store.now_iso()
        with self._store.transaction():
            self._unique_reference(values["reference"], None)
            cursor = self._store.db.execute(
                f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}, status, created_at, updated_at) "
                f"VALUES ({', '.join('?' * len(CASE_COLUMNS))}, 'active', ?, ?)",
                [*(values[k] for k in CASE_COLUMNS), now, now],
            )
            case_id = cursor.lastrowid
            self._write_orders(case_id, orders)
            self._index(case_id, values)
            self._store.audit.record(
                "collection", "case", case_id, detail=f"created; {len(orders)} civil orders"
            )
            self._store.note("case", case_id, case_id)
        return case_id

    def update(self, case_id: int, values: Mapping, orders: Sequence[Mapping]) -> list[str]:
        """Change a case; returns the keys of the fields that changed (also audited)."""
        values, orders = self._validated(values, orders)
        with self._store.transaction():
            before = self.get(case_id, consult=False)
            if before.status == "exited":
                raise ValidationError("This case has left MAPPA: it is read-only; add an addendum instead.",
                                      "reference")
            self._unique_reference(values["reference"], case_id)
            changed = [k for k in CASE_COLUMNS if before.values.get(k) != values[k]]
            old_orders = [o.as_values() for o in before.orders]
            if old_orders != orders:
                changed.append("civil_orders")
            if not changed:
                return []
            self._store.db.execute(
                f"UPDATE cases SET {', '.join(f'{k} = ?' for k in CASE_COLUMNS)}, updated_at = ? "
                "WHERE id = ?",
                [*(values[k] for k in CASE_COLUMNS), self._store.now_iso(), case_id],
            )
            self._write_orders(case_id, orders)
            self._index(case_id, values)
            self._store.audit.record("alteration", "case", case_id, detail=",".join(changed))
            self._store.note("case", case_id, case_id)
        return changed

    def set_status(self, case_id: int, status: str) -> None:
        """Archive or re-activate. Cases are never deleted here (erasure is a retention step);
        a case that has left MAPPA stays so (``exits``)."""
        if status not in ("active", "archived"):
            raise ValueError(status)
        with self._store.transaction():
            if self.get(case_id, consult=False).status == "exited":
                raise ValidationError("This case has left MAPPA: it is read-only.", "status")
            self._store.db.execute(
                "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?",
                [status, self._store.now_iso(), case_id],
            )
            self._store.audit.record("alteration", "case", case_id, detail=f"status={status}")
            self._store.note("case", case_id, case_id)

    # -- reading --------------------------------------------------------------------------

    def get(self, case_id: int, *, consult: bool = True) -> Case:
        """The whole record. ``consult=True`` (opening it for a person) is audited."""
        with storage_errors():
            row = self._store.db.execute(
                f"SELECT status, created_at, updated_at, {', '.join(CASE_COLUMNS)} "
                "FROM cases WHERE id = ?",
                [case_id],
            ).fetchone()
            if row is None:
                raise NotFound("that case does not exist")
            orders = self._store.db.execute(
                f"SELECT id, {', '.join(ORDER_COLUMNS)} FROM civil_orders "
                "WHERE case_id = ? ORDER BY position, id",
                [case_id],
            ).fetchall()
        case = Case(
            id=case_id,
            status=row[0],
            values=dict(zip(CASE_COLUMNS, row[3:])),
            orders=tuple(CivilOrder(*o) for o in orders),
            created_at=row[1],
            updated_at=row[2],
            conditions=self._store.conditions.of_case(case_id),
        )
        if consult:
            self._store.audit.record_now("consultation", "case", case_id, detail="opened")
        return case

    def rows(
        self,
        *,
        search: str = "",
        category: str | None = None,
        level: str | None = None,
        status: str | None = "active",
        limit: int | None = None,
    ) -> list[CaseRow]:
        """The cases list, filtered; ranked by relevance when searching, else by reference."""
        where, params = [], []
        if category:
            where.append("cases.category = ?")
            params.append(category)
        if level:
            where.append("cases.mappa_level = ?")
            params.append(level)
        if status:
            where.append("cases.status = ?")
            params.append(status)
        columns = ", ".join(f"cases.{c.strip()}" for c in _ROW_COLUMNS.split(","))
        expression = match_expression(search) if search else None
        if search and expression is None:
            return []
        if expression:
            sql = (
                f"SELECT {columns} FROM case_search JOIN cases ON cases.id = case_search.rowid "
                f"WHERE case_search MATCH ? {''.join(' AND ' + w for w in where)} "
                "ORDER BY case_search.rank"
            )
            params.insert(0, expression)
        else:
            sql = f"SELECT {columns} FROM cases"
            if where:
                sql += " WHERE " + " AND ".join(where)
            sql += " ORDER BY " + _SORTABLE["reference"]
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with storage_errors():
            return [CaseRow(*r) for r in self._store.db.execute(sql, params).fetchall()]

    def ids(
        self,
        *,
        search: str = "",
        category: str | None = None,
        level: str | None = None,
        status: str | None = "active",
        sort: str | None = "reference",
        descending: bool = False,
    ) -> list[int]:
        """The ids of the cases list, filtered and sorted in SQL (the list fetches the rows
        it shows a page at a time, :meth:`rows_by_id`). ``sort=None`` while searching ranks
        by relevance; a column key of :data:`LIST_SORT` sorts the matches by that column."""
        where, params = [], []
        for column, value in (("category", category), ("mappa_level", level), ("status", status)):
            if value:
                where.append(f"cases.{column} = ?")
                params.append(value)
        expression = match_expression(search) if search else None
        if search and expression is None:
            return []
        if sort is not None:
            direction = " DESC" if descending else ""
            order = ", ".join(part.strip() + direction for part in LIST_SORT.get(sort, LIST_SORT["reference"]).split(","))
            order += f", cases.id{direction}"
        if expression:
            order = "case_search.rank, cases.id" if sort is None else order
            sql = (f"SELECT cases.id FROM case_search JOIN cases ON cases.id = case_search.rowid "
                   f"WHERE case_search MATCH ? {''.join(' AND ' + w for w in where)} ORDER BY {order}")
            params.insert(0, expression)
        else:
            if sort is None:
                order = LIST_SORT["reference"] + ", cases.id"
            sql = "SELECT cases.id FROM cases" + (" WHERE " + " AND ".join(where) if where else "")
            sql += f" ORDER BY {order}"
        with storage_errors():
            return [r[0] for r in self._store.db.execute(sql, params).fetchall()]

    def rows_by_id(self, ids: Sequence[int]) -> dict[int, CaseRow]:
        """The list rows for these ids (one page of the list; any number, in chunks)."""
        columns = ", ".join(c.strip() for c in _ROW_COLUMNS.split(","))
        found: dict[int, CaseRow] = {}
        ids = list(ids)
        with storage_errors():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for r in self._store.db.execute(
                        f"SELECT {columns} FROM cases WHERE id IN ({', '.join('?' * len(chunk))})", chunk):
                    found[r[0]] = CaseRow(*r)
        return found

    def count(self, status: str | None = "active") -> int:
        with storage_errors():
            if status:
                sql, params = "SELECT count(*) FROM cases WHERE status = ?", [status]
            else:
                sql, params = "SELECT count(*) FROM cases", []
            return self._store.db.execute(sql, params).fetchone()[0]
