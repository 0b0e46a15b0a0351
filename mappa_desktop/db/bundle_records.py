"""A case as the records of a bundle: what each kind of record carries, and reading them.

Each record is a plain dict in the shape the bundle format describes (docs/case-bundle.md):
``type`` and ``uid``, the record's comparable ``fields`` (what a person may have edited on
either laptop), and its provenance (timestamps, who, the store it was made in). Local ids
never leave the store: references between records are global ids (``uid``).

Kinds that are only ever added, never changed (addenda, an action's history, and the risk
management plan versions of issue 15 when they exist) are one :class:`AppendOnlyKind`
declaration each in :data:`APPEND_ONLY`; reading, writing, matching and the format follow
from it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from .cases import CASE_COLUMNS, ORDER_COLUMNS
from .errors import NotFound, storage_errors
from .minutes import LONG_FIELDS, ROW_SECTIONS, SHORT_FIELDS

if TYPE_CHECKING:
    from .store import Store

ACTION_FIELDS = ("action_text", "owner_person", "owner_agency", "target_date", "status",
                 "completed_date", "outcome", "withdrawn_reason")
#: What a finalised meeting agreed; frozen with its minute (the register records progress).
ACTION_TERMS = ("action_text", "owner_person", "owner_agency", "target_date")
ROWS_PREFIX = "rows:"
#: A meeting's version of the risk management plan, one field of the meeting record.
PLAN_FIELD = "plan"
STAGE_PREFIX = "stage:"
INCIDENT_PREFIX = "incident."
_BATCH = 200


@dataclass(frozen=True)
class AppendOnlyKind:
    """Records that are only ever added (never edited, never deleted but by erasure): they
    travel as they are and are added where missing, matched by their global id."""

    key: str  # the record type in bundles and in ``record_uids``
    label: str  # for the preview: "addendum"
    table: str
    parent: str  # the kind it belongs to: "case", "meeting" or "action"
    parent_column: str
    columns: tuple[str, ...]  # carried verbatim
    refs: tuple[tuple[str, str], ...] = ()  # (column, kind): other local ids, carried as uids
    user_column: str | None = "user_id"  # who, carried as a name
    frozen_with: str = ""  # a ref column naming a meeting: added only with that finalised minute


APPEND_ONLY: tuple[AppendOnlyKind, ...] = (
    AppendOnlyKind("addendum", "addendum", "addenda", "meeting", "meeting_id", ("at", "reason", "body")),
    AppendOnlyKind("action_update", "action history entry", "action_updates", "action", "action_id",
                   ("at", "status", "note", "change", "target_date", "owner_person", "owner_agency",
                    "previous_target_date", "previous_owner_person", "previous_owner_agency"),
                   refs=(("meeting_id", "meeting"),)),
    AppendOnlyKind("minute_issue", "issue of a draft for comment", "minute_issues", "meeting", "meeting_id",
                   ("at", "issued_on", "issued_to", "issue_note", "sha256", "content")),
    AppendOnlyKind("minute_approval", "chair's approval", "minute_approvals", "meeting", "meeting_id",
                   ("approved_by", "approved_as", "approval_method", "approved_on", "approval_note", "recorded_at"),
                   user_column="recorded_by"),
    AppendOnlyKind("case_exit", "exit from MAPPA", "case_exits", "case", "case_id",
                   ("exit_date", "exit_reason", "exit_detail", "recorded_at"), refs=(("meeting_id", "meeting"),),
                   user_column="recorded_by"),
    AppendOnlyKind("case_addendum", "addendum to the case", "case_addenda", "case", "case_id",
                   ("at", "reason", "body")),
    # A version of the risk management plan, frozen with a meeting's minute (issue 15).
    AppendOnlyKind("plan_version", "risk management plan version", "plan_versions", "case", "case_id",
                   ("version", "finalised_at", "plan"), refs=(("meeting_id", "meeting"),), frozen_with="meeting_id"),
)
_TABLES = {"case": "cases", "meeting": "meetings", "action": "actions", "scr_review": "scr_reviews"}


def append_only(key: str) -> AppendOnlyKind | None:
    """The declaration of a kind of record that is only ever added (None if unknown)."""
    return next((k for k in APPEND_ONLY if k.key == key), None)


def identified() -> tuple[str, ...]:
    """Kinds whose records have a global id of their own (a snapshot shares its meeting's)."""
    return ("case", "meeting", "action", "scr_review", *(k.key for k in APPEND_ONLY))


def stream_order() -> tuple[str, ...]:
    """The order records are written in a bundle: every record after those it refers to.
    (A meeting's snapshot comes after the actions raised at it: a finalised minute takes no
    new action, so the meeting is finalised only once its actions are in.)"""
    return ("case", "meeting", "action", "snapshot", "scr_review", *(k.key for k in APPEND_ONLY), "audit")


def canonical(record) -> str:
    """The one text of a record: sorted keys, ASCII (any character escaped), no spaces."""
    return json.dumps(record, ensure_ascii=True, sort_keys=True, separators=(",", ":"))


class CaseRecords:
    """Reads one case of this store as bundle records, and gives records their global ids."""

    def __init__(self, store: "Store"):
        self._store = store
        self._users: dict[int, str] | None = None
        self._origin: str | None = None

    # -- identity ----------------------------------------------------------------------------

    def origin_id(self) -> str:
        """This store's origin id: made once, by the migration, never changed."""
        if self._origin is None:
            with storage_errors():
                self._origin = self._store.db.execute("SELECT origin_id FROM store_identity").fetchone()[0]
        return self._origin

    def uid_of(self, record_type: str, local_id: int | None) -> str | None:
        if local_id is None:
            return None
        row = self._store.db.execute(
            "SELECT uid FROM record_uids WHERE record_type = ? AND local_id = ?", [record_type, local_id]
        ).fetchone()
        return row[0] if row else None

    def local_id(self, record_type: str, uid: str | None) -> int | None:
        if uid is None:
            return None
        row = self._store.db.execute(
            "SELECT local_id FROM record_uids WHERE record_type = ? AND uid = ?", [record_type, uid]
        ).fetchone()
        return row[0] if row else None

    def _provenance(self, record_type: str, local_id: int) -> tuple[str, str | None]:
        row = self._store.db.execute(
            "SELECT origin, author FROM record_uids WHERE record_type = ? AND local_id = ?",
            [record_type, local_id],
        ).fetchone()
        return (row[0], row[1]) if row else (self.origin_id(), None)

    def local_ids(self, kind: str, case_id: int) -> list[int]:
        """The local ids of the case's records of one kind."""
        db = self._store.db
        if kind == "case":
            return [case_id]
        if kind in ("meeting", "action", "scr_review"):
            return [r[0] for r in db.execute(f"SELECT id FROM {_TABLES[kind]} WHERE case_id = ? ORDER BY id",
                                              [case_id])]
        spec = append_only(kind)
        ids: list[int] = []
        for chunk in _chunks(self.local_ids(spec.parent, case_id)):
            ids += [r[0] for r in db.execute(
                f"SELECT id FROM {spec.table} WHERE {spec.parent_column} IN ({_marks(chunk)}) ORDER BY id", chunk)]
        return sorted(ids)

    def assign_uids(self, case_id: int) -> int:
        """Give every record of the case that has none a global id (a new UUID, this store
        as its origin). Call inside a transaction. Returns how many were given."""
        origin = self.origin_id()
        given = 0
        for kind in identified():
            for local in self.local_ids(kind, case_id):
                if self.uid_of(kind, local) is None:
                    self._store.db.execute(
                        "INSERT INTO record_uids (record_type, local_id, uid, origin) VALUES (?, ?, ?, ?)",
                        [kind, local, str(uuid.uuid4()), origin])
                    given += 1
        return given

    def forget_case(self, case_id: int) -> None:
        """Erasure: the global ids of the case's records go with them (ids may be reused)."""
        for kind in identified():
            for chunk in _chunks(self.local_ids(kind, case_id)):
                self._store.db.execute(
                    f"DELETE FROM record_uids WHERE record_type = ? AND local_id IN ({_marks(chunk)})",
                    [kind, *chunk])
        for table in ("imported_audit", "bundle_imports", "bundle_exports"):
            self._store.db.execute(f"DELETE FROM {table} WHERE case_id = ?", [case_id])

    def _user_name(self, user_id: int | None) -> str | None:
        if self._users is None:
            self._users = dict(self._store.db.execute("SELECT id, name FROM users").fetchall())
        return self._users.get(user_id) if user_id is not None else None

    def _by(self, user_id: int | None, author: str | None) -> str | None:
        return self._user_name(user_id) or author

    # -- reading -------------------------------------------------------------------------------

    def records(self, case_id: int) -> Iterator[dict]:
        """Every record of the case, in stream order (parents before what refers to them)."""
        with storage_errors():
            yield self.case(case_id)
            meetings = self.local_ids("meeting", case_id)
            for meeting_id in meetings:
                yield self.meeting(meeting_id)
            for action_id in self.local_ids("action", case_id):
                yield self.action(action_id)
            for meeting_id in meetings:
                snapshot = self.snapshot(meeting_id)
                if snapshot is not None:
                    yield snapshot
            for review_id in self.local_ids("scr_review", case_id):
                yield self.review(review_id)
            for kind in APPEND_ONLY:
                for chunk in _chunks(self.local_ids(kind.key, case_id), _BATCH):
                    yield from self.appended(kind, chunk)
            yield from self.audit_entries(case_id)

    def case(self, case_id: int) -> dict:
        db = self._store.db
        row = db.execute(f"SELECT status, created_at, updated_at, {', '.join(CASE_COLUMNS)} FROM cases WHERE id = ?",
                         [case_id]).fetchone()
        if row is None:
            raise NotFound("that case does not exist")
        orders = db.execute(f"SELECT {', '.join(ORDER_COLUMNS)} FROM civil_orders WHERE case_id = ? "
                            "ORDER BY position, id", [case_id]).fetchall()
        origin, _ = self._provenance("case", case_id)
        fields = dict(zip(CASE_COLUMNS, row[3:]))
        fields["status"] = row[0]
        fields["civil_orders"] = [dict(zip(ORDER_COLUMNS, o)) for o in orders]
        # Conditions keep their global ids: the plan's entries link to them on every laptop.
        fields["conditions"] = [c.as_values() for c in self._store.conditions.of_case(case_id)]
        return {"type": "case", "uid": self.uid_of("case", case_id), "origin": origin,
                "created_at": row[1], "updated_at": row[2], "fields": fields}

    def meeting(self, meeting_id: int) -> dict:
        db = self._store.db
        meta = db.execute(
            "SELECT case_id, status, version, created_at, updated_at, issued_at, finalised_at, finalised_by, "
            f"{', '.join(SHORT_FIELDS)} FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        long = db.execute(f"SELECT {', '.join(LONG_FIELDS)} FROM meeting_text WHERE meeting_id = ?",
                          [meeting_id]).fetchone() or [None] * len(LONG_FIELDS)
        fields = {**dict(zip(SHORT_FIELDS, meta[8:])), **dict(zip(LONG_FIELDS, long))}
        for key, section in ROW_SECTIONS.items():
            columns = [f.key for f in section.fields]
            rows = db.execute(f"SELECT {', '.join(columns)} FROM {section.table} WHERE meeting_id = ? "
                              "ORDER BY position, id", [meeting_id]).fetchall()
            fields[ROWS_PREFIX + key] = [dict(zip(columns, r)) for r in rows]
        plan = self._store.plan.for_bundle(meeting_id)
        fields[PLAN_FIELD] = plan if (plan["entries"] or plan["not_needed"]) else None
        sha = db.execute("SELECT sha256 FROM minute_snapshots WHERE meeting_id = ? ORDER BY version DESC LIMIT 1",
                         [meeting_id]).fetchone()
        origin, author = self._provenance("meeting", meeting_id)
        return {"type": "meeting", "uid": self.uid_of("meeting", meeting_id), "origin": origin,
                "case": self.uid_of("case", meta[0]), "created_at": meta[3], "updated_at": meta[4],
                "issued_at": meta[5], "status": meta[1], "version": meta[2], "finalised_at": meta[6],
                "finalised_by": self._by(meta[7], author), "snapshot_sha256": sha[0] if sha else None,
                "fields": fields}

    def snapshot(self, meeting_id: int) -> dict | None:
        db = self._store.db
        row = db.execute("SELECT version, finalised_at, finalised_by, sha256, content FROM minute_snapshots "
                         "WHERE meeting_id = ? ORDER BY version DESC LIMIT 1", [meeting_id]).fetchone()
        if row is None:
            return None
        _, author = self._provenance("meeting", meeting_id)
        acks = db.execute("SELECT item_key, reason, user_id, at FROM check_acknowledgements "
                          "WHERE meeting_id = ? ORDER BY item_key", [meeting_id]).fetchall()
        return {"type": "snapshot", "uid": self.uid_of("meeting", meeting_id), "version": row[0],
                "finalised_at": row[1], "finalised_by": self._by(row[2], author), "sha256": row[3],
                "content": row[4],
                "acknowledgements": [{"item_key": k, "reason": r, "by": self._by(u, author), "at": at}
                                     for k, r, u, at in acks]}

    def action(self, action_id: int) -> dict:
        row = self._store.db.execute(
            f"SELECT a.case_id, a.meeting_id, a.number, a.raised_date, a.updated_at, m.status, "
            f"{', '.join('a.' + c for c in ACTION_FIELDS)} FROM actions a "
            "LEFT JOIN meetings m ON m.id = a.meeting_id WHERE a.id = ?", [action_id]).fetchone()
        origin, _ = self._provenance("action", action_id)
        return {"type": "action", "uid": self.uid_of("action", action_id), "origin": origin,
                "case": self.uid_of("case", row[0]), "meeting": self.uid_of("meeting", row[1]),
                "number": row[2], "raised_date": row[3], "updated_at": row[4],
                "terms_frozen": row[5] == "finalised", "fields": dict(zip(ACTION_FIELDS, row[6:]))}

    def review(self, review_id: int) -> dict:
        db = self._store.db
        row = db.execute("SELECT case_id, incident, status, closed_reason, closed_date, created_at, updated_at "
                         "FROM scr_reviews WHERE id = ?", [review_id]).fetchone()
        stages = db.execute("SELECT stage_key, status, stage_values, completed_at FROM scr_stages "
                            "WHERE review_id = ? ORDER BY stage_key", [review_id]).fetchall()
        recs = db.execute("SELECT number, recommendation, owner_person, owner_agency, target_date, action_id "
                          "FROM scr_recommendations WHERE review_id = ? ORDER BY number", [review_id]).fetchall()
        origin, _ = self._provenance("scr_review", review_id)
        fields: dict = {INCIDENT_PREFIX + k: v for k, v in json.loads(row[1]).items()}
        fields.update(status=row[2], closed_reason=row[3], closed_date=row[4])
        for key, status, values, completed_at in stages:
            fields[STAGE_PREFIX + key] = {"status": status, "values": json.loads(values),
                                          "completed_at": completed_at}
        fields["recommendations"] = [
            {"number": n, "recommendation": r, "owner_person": p, "owner_agency": a, "target_date": t,
             "action": self.uid_of("action", act)} for n, r, p, a, t, act in recs]
        return {"type": "scr_review", "uid": self.uid_of("scr_review", review_id), "origin": origin,
                "case": self.uid_of("case", row[0]), "created_at": row[5], "updated_at": row[6],
                "fields": fields}

    def appended(self, kind: AppendOnlyKind, local_ids: list[int]) -> Iterator[dict]:
        ref_columns = [c for c, _ in kind.refs]
        user = [kind.user_column] if kind.user_column else []
        columns = ["id", kind.parent_column, *ref_columns, *user, *kind.columns]
        rows = self._store.db.execute(
            f"SELECT {', '.join(columns)} FROM {kind.table} WHERE id IN ({_marks(local_ids)}) ORDER BY id",
            local_ids).fetchall()
        for row in rows:
            values = dict(zip(columns, row))
            origin, author = self._provenance(kind.key, values["id"])
            yield {"type": kind.key, "uid": self.uid_of(kind.key, values["id"]), "origin": origin,
                   "parent": self.uid_of(kind.parent, values[kind.parent_column]),
                   "refs": {c: self.uid_of(k, values[c]) for c, k in kind.refs},
                   "by": self._by(values.get(kind.user_column) if kind.user_column else None, author),
                   "values": {c: values[c] for c in kind.columns}}

    def audit_entries(self, case_id: int) -> Iterator[dict]:
        """The case's own audit entries: ours (this store's chain) and those it came with."""
        db = self._store.db
        origin = self.origin_id()
        for record_type in ("case", "meeting", "action", "scr_review"):
            for chunk in _chunks(self.local_ids(record_type, case_id), _BATCH):
                rows = db.execute(
                    "SELECT id, at, user_id, kind, record_type, record_id, detail, recipient, purpose, "
                    f"prev_hash, hash FROM audit_log WHERE record_type = ? AND record_id IN ({_marks(chunk)}) "
                    "ORDER BY id", [record_type, *chunk]).fetchall()
                for _id, at, user_id, kind, rtype, rid, detail, recipient, purpose, prev, digest in rows:
                    yield {"type": "audit", "origin": origin, "hash": digest, "prev_hash": prev, "at": at,
                           "user_id": user_id, "by": self._user_name(user_id), "kind": kind,
                           "record_type": rtype, "record_id": rid, "record_uid": self.uid_of(rtype, rid),
                           "detail": detail, "recipient": recipient, "purpose": purpose}
        rows = db.execute(
            "SELECT origin, hash, prev_hash, at, user_id, user_name, kind, record_type, record_id, record_uid, "
            "detail, recipient, purpose FROM imported_audit WHERE case_id = ? ORDER BY id", [case_id]).fetchall()
        for o, digest, prev, at, user_id, name, kind, rtype, rid, ruid, detail, recipient, purpose in rows:
            yield {"type": "audit", "origin": o, "hash": digest, "prev_hash": prev, "at": at, "user_id": user_id,
                   "by": name, "kind": kind, "record_type": rtype, "record_id": rid, "record_uid": ruid,
                   "detail": detail, "recipient": recipient, "purpose": purpose}

    def has_audit_entry(self, digest: str) -> bool:
        db = self._store.db
        return (db.execute("SELECT 1 FROM audit_log WHERE hash = ?", [digest]).fetchone() is not None
                or db.execute("SELECT 1 FROM imported_audit WHERE hash = ?", [digest]).fetchone() is not None)


def _marks(items) -> str:
    return ", ".join("?" * len(items))


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]
