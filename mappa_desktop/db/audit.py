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
