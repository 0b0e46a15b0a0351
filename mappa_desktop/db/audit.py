"""The audit log (DPA 2018 s.62): append-only, hash-chained and signed by each author.

Each entry holds the SHA-256 of the one before it and, since signatures began, its
author's Ed25519 signature (the rules are in ``mappa_desktop/audit_chain.py``). Triggers
refuse UPDATE and DELETE, but anyone holding the database key can drop triggers: the
signatures and the anchors outside the store are what make a change visible. Entries are
written by the same transaction as the change they record: callers use
:meth:`AuditLog.record` inside ``store.transaction()``. ``detail`` carries ids, section
keys and field names, never values.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Iterator

from ..audit_chain import GENESIS, Anchor, entry_hash_v1, entry_hash_v2, signing_message
from ..model import AUDIT_KINDS, AuditEntry, ChainReport
from .errors import storage_errors

#: Saves of one thing as it is typed are logged once per this many seconds.
AUDIT_COALESCE_SECONDS = 300

if TYPE_CHECKING:
    from .store import Store

_COLUMNS = (
    "id, at, user_id, kind, record_type, record_id, detail, recipient, purpose, prev_hash, hash, signature"
)


class NotSigned(RuntimeError):
    """A bug: something tried to write to a signed log without the author's key (a store
    opened without unlocking a slot). Never shown to users as a storage problem."""


class AuditLog:
    def __init__(self, store: "Store"):
        self._store = store
        self._sealed: bool | None = None
        self._coalesced: dict[tuple, float] = {}  # key -> when it was last logged (monotonic)

    def record_coalesced(self, key: tuple, record_type: str, record_id: int, *, detail: str,
                         always: bool = False, seal: tuple | None = None) -> None:
        """An alteration saved as it is typed (a section, a plan entry, a review stage):
        logged once per ``AUDIT_COALESCE_SECONDS`` for ``key`` (``always``: every time).
        Counted as logged only once the transaction commits, so that a save the disk
        refused leaves the next one to be logged."""
        now = time.monotonic()
        last = self._coalesced.get(key)
        if not always and last is not None and now - last < AUDIT_COALESCE_SECONDS:
            return
        self.record("alteration", record_type, record_id, detail=detail, seal=seal)
        self._store.after_commit(lambda: self._coalesced.__setitem__(key, now))

    @property
    def sealed(self) -> bool:
        """Whether signatures have begun (every new entry must then be signed). Asked once
        per open store (read from the end: in a signed log the last entry is signed)."""
        if self._sealed is None:
            if "NULL AS" in self.columns():
                self._sealed = False
            else:
                with storage_errors():
                    self._sealed = self._store.db.execute(
                        "SELECT 1 FROM audit_log WHERE signature IS NOT NULL ORDER BY id DESC LIMIT 1"
                    ).fetchone() is not None
        return self._sealed

    def record(
        self,
        kind: str,
        record_type: str,
        record_id: int | None = None,
        *,
        detail: str = "",
        recipient: str = "",
        purpose: str = "",
        seal: tuple | None = None,
    ) -> int:
        """Append one entry, signed by the acting user. Call inside the transaction of the
        change it records. ``seal`` names finished content whose SHA-256 the entry carries
        (``("addendum", id)`` or ``("stage", review_id, stage_key)``), so that a later
        change to it behind the triggers shows. Returns the entry's number."""
        if kind not in AUDIT_KINDS:
            raise ValueError(f"unknown audit kind {kind!r}")
        db = self._store.db
        if seal is not None:
            from .audit_content import sealed_digest

            detail = f"{detail}; sha256 {sealed_digest(db, seal)}"
        row = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        at = self._store.now_iso()
        user_id = self._store.acting_user_id()
        signer = self._store.signer
        values = [at, user_id, kind, record_type, record_id, detail, recipient, purpose]
        if signer is not None:
            digest = entry_hash_v2(seq, prev, *values)
            signature = base64.b64encode(signer.sign(signing_message(digest))).decode("ascii")
            self._sealed = True
        elif self.sealed:
            raise NotSigned("the audit log is signed, and this store was opened without a signing key")
        else:
            digest, signature = entry_hash_v1(prev, *values), None
        db.execute(
            "INSERT INTO audit_log (id, at, user_id, kind, record_type, record_id, detail, "
            "recipient, purpose, prev_hash, hash, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [seq, *values, prev, digest, signature],
        )
        return seq

    def record_now(self, kind: str, record_type: str, record_id: int | None = None, **kw) -> int:
        """Append one entry in a transaction of its own (for consultations and disclosures)."""
        with self._store.transaction():
            return self.record(kind, record_type, record_id, **kw)

    def head(self) -> tuple[int, str]:
        """(sequence number, hash) of the last entry: (0, genesis) for an empty log."""
        with storage_errors():
            row = self._store.db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def anchor(self) -> Anchor:
        """The head of the chain now, signed by the acting user (unsigned before signatures
        began): for a backup's manifest and the foot of a printout."""
        return make_anchor(*self.head(), self._store.acting_user_id(), self._store.signer)

    def columns(self) -> str:
        """The columns to read (a store not yet migrated to signatures, read by ``check``,
        has no signature column: its entries all read as unsigned)."""
        if getattr(self, "_columns", None) is None:
            with storage_errors():
                names = {r[1] for r in self._store.db.execute("PRAGMA table_info(audit_log)")}
            self._columns = _COLUMNS if "signature" in names else _COLUMNS.replace(
                ", signature", ", NULL AS signature")
        return self._columns

    def entries(self, *, after_id: int = 0, limit: int | None = None) -> list[AuditEntry]:
        sql = f"SELECT {self.columns()} FROM audit_log WHERE id > ? ORDER BY id"
        params: list = [after_id]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with storage_errors():
            return [AuditEntry(*r) for r in self._store.db.execute(sql, params).fetchall()]

    def iter_all(self, batch: int = 5000) -> Iterator[AuditEntry]:
        last = 0
        while True:
            rows = self.entries(after_id=last, limit=batch)
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def verify(self, anchors=(), progress=None, anchor_sources=None) -> ChainReport:
        """The whole check: chain, signatures, sealed content, users, anchors. Names the
        first entry that is wrong (see ``audit_check``)."""
        from .audit_check import verify_log

        return verify_log(self._store, anchors=anchors, progress=progress, anchor_sources=anchor_sources)

    def count(self) -> int:
        with storage_errors():
            return self._store.db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def make_anchor(seq: int, digest: str, user_id: int | None, signer) -> Anchor:
    if signer is None or user_id is None:
        return Anchor(seq, digest)
    anchor = Anchor(seq, digest, user_id)
    return Anchor(seq, digest, user_id, signer.sign(anchor.message()))


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


def key_directory(store):
    """Who holds which public keys, as the signed log says (``audit_chain.key_directory``)."""
    from ..audit_chain import key_directory as build

    with storage_errors():
        rows = store.db.execute(
            f"SELECT {store.audit.columns()} FROM audit_log WHERE record_type IN ('user', 'audit_log') "
            "ORDER BY id").fetchall()
    return build(AuditEntry(*r) for r in rows)
