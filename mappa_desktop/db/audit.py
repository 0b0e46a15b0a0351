"""The audit log (DPA 2018 s.62): append-only and hash-chained.

Each entry holds the SHA-256 of the one before it, so a changed or removed entry breaks the
chain at that point. Triggers refuse UPDATE and DELETE. Entries are written by the same
transaction as the change they record: callers use :meth:`AuditLog.record` inside
``store.transaction()``. ``detail`` carries ids, section keys and field names, never values.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Iterator

from ..model import AUDIT_KINDS, AuditEntry, ChainReport
from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store

GENESIS = "0" * 64
_COLUMNS = (
    "id, at, user_id, kind, record_type, record_id, detail, recipient, purpose, prev_hash, hash"
)


def entry_hash(
    prev_hash: str,
    at: str,
    user_id: int | None,
    kind: str,
    record_type: str,
    record_id: int | None,
    detail: str,
    recipient: str,
    purpose: str,
) -> str:
    canonical = json.dumps(
        [prev_hash, at, user_id, kind, record_type, record_id, detail, recipient, purpose],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, store: "Store"):
        self._store = store

    def record(
        self,
        kind: str,
        record_type: str,
        record_id: int | None = None,
        *,
        detail: str = "",
        recipient: str = "",
        purpose: str = "",
    ) -> None:
        """Append one entry. Call inside the transaction of the change it records."""
        if kind not in AUDIT_KINDS:
            raise ValueError(f"unknown audit kind {kind!r}")
        db = self._store.db
        row = db.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = row[0] if row else GENESIS
        at = self._store.now_iso()
        user_id = self._store.acting_user_id()
        digest = entry_hash(prev, at, user_id, kind, record_type, record_id, detail, recipient, purpose)
        db.execute(
            "INSERT INTO audit_log (at, user_id, kind, record_type, record_id, detail, "
            "recipient, purpose, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [at, user_id, kind, record_type, record_id, detail, recipient, purpose, prev, digest],
        )

    def record_now(self, kind: str, record_type: str, record_id: int | None = None, **kw) -> None:
        """Append one entry in a transaction of its own (for consultations and disclosures)."""
        with self._store.transaction():
            self.record(kind, record_type, record_id, **kw)

    def entries(self, *, after_id: int = 0, limit: int | None = None) -> list[AuditEntry]:
        sql = f"SELECT {_COLUMNS} FROM audit_log WHERE id > ? ORDER BY id"
        params: list = [after_id]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with storage_errors():
            return [AuditEntry(*r) for r in self._store.db.execute(sql, params).fetchall()]

    def _iter_all(self) -> Iterator[AuditEntry]:
        last = 0
        while True:
            batch = self.entries(after_id=last, limit=2000)
            if not batch:
                return
            yield from batch
            last = batch[-1].id

    def verify(self) -> ChainReport:
        """Recompute the chain; report the first entry whose link or content is wrong."""
        prev = GENESIS
        count = 0
        for entry in self._iter_all():
            count += 1
            expected = entry_hash(
                prev,
                entry.at,
                entry.user_id,
                entry.kind,
                entry.record_type,
                entry.record_id,
                entry.detail,
                entry.recipient,
                entry.purpose,
            )
            if entry.prev_hash != prev or entry.hash != expected:
                return ChainReport(count, entry.id)
            prev = entry.hash
        return ChainReport(count, None)

    def count(self) -> int:
        with storage_errors():
            return self._store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


class AuditQuery:
    """Filters for the audit viewer: who, what kind, which record, when (UTC ISO bounds)."""

    def __init__(self, *, user_id=None, kind="", record_type="", record_id=None, since="", until=""):
        self.user_id, self.kind = user_id, kind
        self.record_type, self.record_id = record_type, record_id
        self.since, self.until = since, until

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        for column, value in (("user_id", self.user_id), ("kind", self.kind),
                              ("record_type", self.record_type), ("record_id", self.record_id)):
            if value not in (None, ""):
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.since:
            clauses.append("at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("at < ?")
            params.append(self.until)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def audit_ids(store, query: AuditQuery) -> list[int]:
    """Matching entry ids, newest first."""
    where, params = query.where()
    with storage_errors():
        return [r[0] for r in store.db.execute(f"SELECT id FROM audit_log{where} ORDER BY id DESC", params)]


def audit_rows(store, ids) -> dict[int, AuditEntry]:
    found = {}
    ids = list(ids)
    with storage_errors():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for row in store.db.execute(
                f"SELECT {_COLUMNS} FROM audit_log WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ):
                found[row[0]] = AuditEntry(*row)
    return found
