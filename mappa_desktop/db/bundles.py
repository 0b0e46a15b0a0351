"""Case bundles in the store: the export sequence, the bundles imported, and every write an
import makes.

Edits a person chooses (case fields, a draft minute's sections) go through the repositories,
which validate and audit them. What must keep its provenance (a finalised minute's snapshot,
an action and its history, a review as it stood, addenda, other stores' audit entries) is
written here, raw, and nowhere else: this module is the one place to route through the
validation layer. Every method is called inside the import's one transaction.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Mapping

from .. import scr_spec, spec
from ..rules.values import record_problems
from .actions import STATE_FIELDS, TERM_FIELDS
from .bundle_records import (ACTION_FIELDS, INCIDENT_PREFIX, PLAN_FIELD, ROWS_PREFIX, STAGE_PREFIX,
                             CaseRecords, append_only, canonical)
from .cases import CASE_COLUMNS
from .errors import RecordLocked, ValidationError, refuse, storage_errors
from .minutes import LONG_FIELDS, ROW_SECTIONS, SHORT_FIELDS
from .scr import write_stage

if TYPE_CHECKING:
    from .store import Store

_SECTION_OF = {f.key: s.key for s in spec.SECTIONS if s.source is spec.Source.MEETING for f in s.fields}
_MEETING_FIELDS = {f.key: f for f in spec.meeting_fields()}


def _refused_from_bundle(problems) -> None:
    """The rules apply to what a bundle brings as to what is typed: refuse the import,
    saying which field and why (the store is left as it was: one transaction)."""
    if problems:
        first = problems[0]
        raise ValidationError(f"The bundle holds a value this store's rules refuse: {first.message}",
                              first.field, tuple(problems))


class BundleStore:
    """What the store knows about bundles, and the writes of an import."""

    def __init__(self, store: "Store"):
        self._store = store
        self.records = CaseRecords(store)

    def append_only_kind(self, key: str):
        """The declaration of a kind of record that is only ever added (None if unknown)."""
        return append_only(key)

    def author(self, record_type: str, local_id: int | None) -> str | None:
        """Who made a record that came from another store (its user is not one of ours)."""
        if local_id is None:
            return None
        with storage_errors():
            row = self._store.db.execute("SELECT author FROM record_uids WHERE record_type = ? AND local_id = ?",
                                         [record_type, local_id]).fetchone()
        return row[0] if row else None

    # -- export ------------------------------------------------------------------------------

    def begin_export(self, case_id: int) -> int:
        """Give the case's records their global ids and take the case's next export number
        (a receiver refuses an export older than one it has). Returns the number."""
        db = self._store.db
        with self._store.transaction():
            self.records.case(case_id)  # NotFound for a case that is not there
            self.records.assign_uids(case_id)
            sequence = db.execute("SELECT coalesce(max(sequence), 0) + 1 FROM bundle_exports WHERE case_id = ?",
                                  [case_id]).fetchone()[0]
            db.execute("INSERT INTO bundle_exports (case_id, sequence, at, user_id) VALUES (?, ?, ?, ?)",
                       [case_id, sequence, self._store.now_iso(), self._store.acting_user_id()])
        return sequence

    def case_by_reference(self, reference: str) -> int | None:
        with storage_errors():
            row = self._store.db.execute("SELECT id FROM cases WHERE reference = ?", [reference]).fetchone()
        return row[0] if row else None

    # -- what was imported before ----------------------------------------------------------------

    def last_import(self, origin: str, case_uid: str) -> dict | None:
        """The newest bundle of this case from that store already imported here."""
        with storage_errors():
            row = self._store.db.execute(
                "SELECT sequence, exported_at, at FROM bundle_imports WHERE origin = ? AND case_uid = ? "
                "ORDER BY sequence DESC LIMIT 1", [origin, case_uid]).fetchone()
        return {"sequence": row[0], "exported_at": row[1], "imported_at": row[2]} if row else None

    def log_import(self, case_id: int, manifest: Mapping) -> int:
        return self._store.db.execute(
            "INSERT INTO bundle_imports (case_id, origin, case_uid, sequence, exported_at, manifest, at, user_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [case_id, manifest["origin"], manifest["case_uid"], manifest["sequence"], manifest["exported_at"],
             canonical(dict(manifest)), self._store.now_iso(), self._store.acting_user_id()]).lastrowid

    def _adopt(self, kind: str, local_id: int, record: Mapping, author: str | None = None) -> None:
        """Remember the record's global id and the store it was made in."""
        self._store.db.execute(
            "INSERT INTO record_uids (record_type, local_id, uid, origin, author) VALUES (?, ?, ?, ?, ?)",
            [kind, local_id, record["uid"], record.get("origin") or "", author])

    # -- the case ------------------------------------------------------------------------------

    def add_case(self, record: Mapping) -> int:
        """A case new to this store, through the cases repository (validated, indexed)."""
        fields = record["fields"]
        case_id = self._store.cases.create({k: fields.get(k) for k in CASE_COLUMNS}, fields.get("civil_orders") or [])
        if fields.get("conditions"):
            self._store.conditions.save(case_id, fields["conditions"], adopt=True)
        db = self._store.db
        # A case that has left MAPPA is read-only: it comes in active and leaves once all of
        # it is in (``mark_exited``).
        status = fields.get("status") or "active"
        db.execute("UPDATE cases SET created_at = ?, status = ? WHERE id = ?",
                   [record.get("created_at") or self._store.now_iso(), "active" if status == "exited" else status,
                    case_id])
        self._adopt("case", case_id, record)
        return case_id

    def has_approval(self, meeting_id: int | None) -> bool:
        """Whether the minute already has the chair's approval here."""
        return meeting_id is not None and self._store.db.execute(
            "SELECT 1 FROM minute_approvals WHERE meeting_id = ?", [meeting_id]).fetchone() is not None

    def mark_exited(self, case_id: int) -> None:
        """The imported case has left MAPPA (its exit decision came with it): read-only now."""
        self._store.db.execute("UPDATE cases SET status = 'exited', updated_at = ? WHERE id = ?",
                               [self._store.now_iso(), case_id])

    def update_case(self, case_id: int, chosen: Mapping) -> None:
        """Fields of the case taken from the bundle (the person chose theirs)."""
        current = self.records.case(case_id)["fields"]
        merged = {**current, **chosen}
        if "conditions" in chosen:
            self._store.conditions.save(case_id, chosen["conditions"] or [], adopt=True)
        if any(k not in ("status", "conditions") for k in chosen):
            self._store.cases.update(case_id, {k: merged.get(k) for k in CASE_COLUMNS}, merged["civil_orders"])
        if "status" in chosen and chosen["status"] != "exited":  # leaving comes last (mark_exited)
            self._store.cases.set_status(case_id, chosen["status"])

    # -- meetings ----------------------------------------------------------------------------

    def add_meeting(self, case_id: int, record: Mapping) -> int:
        """A meeting new to this store. A finalised one comes in as it was before finalising;
        :meth:`add_snapshot` finalises it once the actions raised at it are in."""
        fields = record["fields"]
        status = "issued" if record.get("issued_at") else "draft"
        now = self._store.clock()
        values = {k: fields.get(k) for k in (*SHORT_FIELDS, *LONG_FIELDS)}
        problems = record_problems([_MEETING_FIELDS[k] for k in values], values, now=now)
        for key, section in ROW_SECTIONS.items():
            for index, row in enumerate(fields.get(ROWS_PREFIX + key) or []):
                problems += record_problems(section.fields, row, now=now, prefix=f"{key}.{index}.")
        _refused_from_bundle(problems)
        db = self._store.db
        meeting_id = db.execute(
            f"INSERT INTO meetings (case_id, status, issued_at, created_at, updated_at, {', '.join(SHORT_FIELDS)}) "
            f"VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(SHORT_FIELDS))})",
            [case_id, status, record.get("issued_at"), record["created_at"], record["updated_at"],
             *(fields.get(k) for k in SHORT_FIELDS)]).lastrowid
        db.execute(f"INSERT INTO meeting_text (meeting_id, {', '.join(LONG_FIELDS)}) "
                   f"VALUES (?, {', '.join('?' * len(LONG_FIELDS))})", [meeting_id, *(fields.get(k) for k in LONG_FIELDS)])
        for key, section in ROW_SECTIONS.items():
            columns = [f.key for f in section.fields]
            for position, row in enumerate(fields.get(ROWS_PREFIX + key) or []):
                db.execute(f"INSERT INTO {section.table} (meeting_id, position, {', '.join(columns)}) "
                           f"VALUES (?, ?, {', '.join('?' * len(columns))})",
                           [meeting_id, position, *(row.get(c) for c in columns)])
        if fields.get(PLAN_FIELD):
            self._store.plan.write_from_bundle(meeting_id, fields[PLAN_FIELD])
        self._adopt("meeting", meeting_id, record, record.get("finalised_by") if record.get("status") == "finalised" else None)
        self._store.audit.record("collection", "meeting", meeting_id, detail=f"case {case_id}; from a case bundle")
        self._store.note("meeting", meeting_id, case_id)
        return meeting_id

    def update_meeting(self, meeting_id: int, chosen: Mapping) -> None:
        """Fields of a draft minute taken from the bundle, through the minutes repository."""
        by_section: dict[str, dict] = {}
        for key, value in chosen.items():
            if key == PLAN_FIELD:
                with self._store.transaction():
                    self._store.plan.write_from_bundle(meeting_id, value or {})
                    self._store.audit.record("alteration", "meeting", meeting_id,
                                             detail="risk management plan: from a case bundle")
                    self._store.note("meeting", meeting_id, self._store.db.execute(
                        "SELECT case_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0])
            elif key.startswith(ROWS_PREFIX):
                self._store.minutes.save_rows(meeting_id, key.removeprefix(ROWS_PREFIX), value or [])
            else:
                by_section.setdefault(_SECTION_OF[key], {})[key] = value
        for section_key, values in by_section.items():
            self._store.minutes.save_fields(meeting_id, section_key, values)

    def add_snapshot(self, meeting_id: int, record: Mapping) -> None:
        """Finalise a minute as it was finalised in the other store: the same snapshot (its
        fingerprint checked), when and by whom, and the check items acknowledged."""
        import hashlib

        if hashlib.sha256(record["content"].encode("utf-8")).hexdigest() != record["sha256"]:
            raise ValidationError("A finalised minute in the bundle does not match its fingerprint.", "snapshot")
        db = self._store.db
        status = db.execute("SELECT status FROM meetings WHERE id = ?", [meeting_id]).fetchone()[0]
        if status == "finalised":
            raise RecordLocked("this minute is already finalised here")
        for ack in record.get("acknowledgements") or []:
            db.execute("INSERT INTO check_acknowledgements (meeting_id, item_key, reason, user_id, at) "
                       "VALUES (?, ?, ?, NULL, ?) ON CONFLICT (meeting_id, item_key) DO UPDATE SET "
                       "reason = excluded.reason, user_id = NULL, at = excluded.at",
                       [meeting_id, ack["item_key"], ack["reason"], ack["at"]])
        db.execute("INSERT INTO minute_snapshots (meeting_id, version, finalised_at, finalised_by, sha256, content) "
                   "VALUES (?, ?, ?, NULL, ?, ?)",
                   [meeting_id, record["version"], record["finalised_at"], record["sha256"], record["content"]])
        db.execute("UPDATE meetings SET status = 'finalised', version = ?, finalised_at = ?, finalised_by = NULL "
                   "WHERE id = ?", [record["version"], record["finalised_at"], meeting_id])
        db.execute("UPDATE record_uids SET author = ? WHERE record_type = 'meeting' AND local_id = ?",
                   [record.get("finalised_by"), meeting_id])
        self._store.audit.record("alteration", "meeting", meeting_id,
                                 detail=f"finalised in another store; sha256 {record['sha256']}")

    # -- actions --------------------------------------------------------------------------------

    def add_action(self, case_id: int, meeting_id: int | None, record: Mapping) -> int:
        """An action new to this store, with its state; its history follows as records of its
        own. Keeps its number unless this store already uses it for the case."""
        db = self._store.db
        number = record["number"]
        if db.execute("SELECT 1 FROM actions WHERE case_id = ? AND number = ?", [case_id, number]).fetchone():
            number = db.execute("SELECT max(number) + 1 FROM actions WHERE case_id = ?", [case_id]).fetchone()[0]
        fields = record["fields"]
        _refused_from_bundle(record_problems((*TERM_FIELDS, *STATE_FIELDS), {k: fields.get(k) for k in ACTION_FIELDS},
                                             now=self._store.clock(), context={"raised_date": record["raised_date"]}))
        action_id = db.execute(
            f"INSERT INTO actions (case_id, meeting_id, number, raised_date, updated_at, {', '.join(ACTION_FIELDS)}) "
            f"VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(ACTION_FIELDS))})",
            [case_id, meeting_id, number, record["raised_date"], record["updated_at"],
             *(fields.get(k) for k in ACTION_FIELDS)]).lastrowid
        self._adopt("action", action_id, record)
        self._store.audit.record("collection", "action", action_id,
                                 detail=f"case {case_id}; meeting {meeting_id}; from a case bundle")
        self._store.note("action", action_id, case_id)
        return action_id

    def update_action(self, action_id: int, chosen: Mapping) -> None:
        unknown = set(chosen) - set(ACTION_FIELDS)
        if unknown:
            raise ValueError(f"not fields of an action: {sorted(unknown)}")
        row = self._store.db.execute("SELECT raised_date, case_id FROM actions WHERE id = ?", [action_id]).fetchone()
        _refused_from_bundle(record_problems((*TERM_FIELDS, *STATE_FIELDS), chosen, now=self._store.clock(),
                                             context={"raised_date": row[0]}, only=chosen))
        self._store.note("action", action_id, row[1])
        self._store.db.execute(
            f"UPDATE actions SET {', '.join(f'{k} = ?' for k in chosen)}, updated_at = ? WHERE id = ?",
            [*chosen.values(), self._store.now_iso(), action_id])

    # -- reviews ------------------------------------------------------------------------------

    def add_review(self, case_id: int, record: Mapping) -> int:
        fields = record["fields"]
        incident = {k.removeprefix(INCIDENT_PREFIX): v for k, v in fields.items() if k.startswith(INCIDENT_PREFIX)}
        _refused_from_bundle(record_problems(scr_spec.INCIDENT.fields, incident, now=self._store.clock()))
        review_id = self._store.db.execute(
            "INSERT INTO scr_reviews (case_id, incident, status, closed_reason, closed_date, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [case_id, json.dumps(incident), fields.get("status") or "open", fields.get("closed_reason"),
             fields.get("closed_date"), record["created_at"], record["updated_at"]]).lastrowid
        self._write_review_parts(review_id, fields)
        self._adopt("scr_review", review_id, record)
        self._store.audit.record("collection", "scr_review", review_id, detail=f"case {case_id}; from a case bundle")
        self._store.note("review", review_id, case_id)
        return review_id

    def update_review(self, review_id: int, chosen: Mapping) -> None:
        db = self._store.db
        case_id = db.execute("SELECT case_id FROM scr_reviews WHERE id = ?", [review_id]).fetchone()[0]
        self._store.note("review", review_id, case_id)
        incident_keys = {k.removeprefix(INCIDENT_PREFIX): v for k, v in chosen.items() if k.startswith(INCIDENT_PREFIX)}
        if incident_keys:
            incident = json.loads(db.execute("SELECT incident FROM scr_reviews WHERE id = ?", [review_id]).fetchone()[0])
            incident.update(incident_keys)
            db.execute("UPDATE scr_reviews SET incident = ? WHERE id = ?",
                       [json.dumps({k: v for k, v in incident.items() if v is not None}), review_id])
        for column in ("status", "closed_reason", "closed_date"):
            if column in chosen:
                db.execute(f"UPDATE scr_reviews SET {column} = ? WHERE id = ?", [chosen[column], review_id])
        self._write_review_parts(review_id, chosen)
        db.execute("UPDATE scr_reviews SET updated_at = ? WHERE id = ?", [self._store.now_iso(), review_id])

    def _write_review_parts(self, review_id: int, fields: Mapping) -> None:
        db = self._store.db
        for key, stage in fields.items():
            if not key.startswith(STAGE_PREFIX):
                continue
            stage_key = key.removeprefix(STAGE_PREFIX)
            if stage is None:
                db.execute("DELETE FROM scr_stages WHERE review_id = ? AND stage_key = ?", [review_id, stage_key])
                continue
            write_stage(db, review_id, stage_key, stage["status"], stage["values"], stage.get("completed_at"),
                        self._store.now_iso())
            if stage["status"] == "completed":  # finished content: sealed in the signed log
                self._store.audit.record("alteration", "scr_review", review_id,
                                         detail=f"stage {stage_key}; completed in another store",
                                         seal=("stage", review_id, stage_key))
        if "recommendations" in fields:
            db.execute("DELETE FROM scr_recommendations WHERE review_id = ?", [review_id])
            for rec in fields["recommendations"] or []:
                db.execute(
                    "INSERT INTO scr_recommendations (review_id, number, recommendation, owner_person, owner_agency, "
                    "target_date, action_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [review_id, rec["number"], rec.get("recommendation"), rec.get("owner_person"),
                     rec.get("owner_agency"), rec.get("target_date"), self.records.local_id("action", rec.get("action"))])

    # -- records only ever added ------------------------------------------------------------------

    def add_appended(self, record: Mapping, parent_id: int) -> int:
        """An addendum, an action's history entry...: as it was made, by whom, in the other store."""
        kind = append_only(record["type"])
        values = record["values"]
        refs = {column: self.records.local_id(ref_kind, (record.get("refs") or {}).get(column))
                for column, ref_kind in kind.refs}
        columns = [kind.parent_column, *refs, *kind.columns]
        local_id = self._store.db.execute(
            f"INSERT INTO {kind.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [parent_id, *refs.values(), *(values.get(c) for c in kind.columns)]).lastrowid
        self._adopt(kind.key, local_id, record, record.get("by"))
        if kind.table == "addenda":  # finished content: the signed log seals it here too
            self._store.audit.record("alteration", "meeting", parent_id,
                                     detail=f"addendum {local_id}; from a case bundle", seal=("addendum", local_id))
        return local_id

    def add_audit_entry(self, import_id: int, case_id: int, record: Mapping) -> None:
        """Another store's audit entry, kept as it came (it cannot join our chain)."""
        self._store.db.execute(
            "INSERT INTO imported_audit (import_id, case_id, origin, hash, prev_hash, at, user_id, user_name, kind, "
            "record_type, record_id, record_uid, detail, recipient, purpose) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [import_id, case_id, record["origin"], record["hash"], record["prev_hash"], record["at"],
             record.get("user_id"), record.get("by"), record["kind"], record["record_type"], record.get("record_id"),
             record.get("record_uid"), record.get("detail") or "", record.get("recipient") or "",
             record.get("purpose") or ""])

    def imported_audit_count(self, case_id: int) -> int:
        with storage_errors():
            return self._store.db.execute("SELECT count(*) FROM imported_audit WHERE case_id = ?",
                                          [case_id]).fetchone()[0]


def worker_store(store: "Store") -> "Store":
    """The same store through a connection of its own, for an export or import on the worker
    thread (as backups do): the window's connection stays on the window's thread. The same
    user and clock; close it when the work is done."""
    from .connection import apply_pragmas, connect, wrap
    from .store import Store

    with storage_errors():
        conn = connect(store.paths.store, store.key, check_same_thread=False)
        apply_pragmas(conn)
    sibling = Store(wrap(conn), store.paths, store.key, store.clock)
    sibling.user = store.user
    sibling.signer = store.signer  # its audit entries are signed by the same user
    # What the import changes is announced to the window's views too (they hear of it on
    # their own thread: ui/changes.py queues it).
    sibling.changes.subscribe(store.changes.relay)
    return sibling
