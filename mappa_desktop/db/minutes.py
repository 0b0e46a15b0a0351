"""Meetings and their minutes: starting one, saving sections as they are typed, the
life cycle (draft -> issued -> finalised) and addenda.

Where each spec field lives is decided here, once: single-valued long text in
``meeting_text`` (so lists of meetings never decrypt prose), other single values in
``meetings``, repeating sections in the section's own table, actions in the register.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Mapping, Sequence

from .. import spec
from ..model import Addendum, Minute, MeetingRow
from ..rules.values import record_problems
from .actions import ActionsRepo
from .errors import NotFound, RecordLocked, ValidationError, refuse, storage_errors
from ..words import plural

if TYPE_CHECKING:
    from .store import Store

# Where each single-valued meeting field is stored.
SHORT_FIELDS = tuple(f.key for f in spec.meeting_fields() if f.kind is not spec.Kind.LONG_TEXT)
LONG_FIELDS = tuple(f.key for f in spec.meeting_fields() if f.kind is spec.Kind.LONG_TEXT)
ROW_SECTIONS = {s.key: s for s in spec.SECTIONS if s.source is spec.Source.ROWS}
_META = "id, case_id, status, version, created_at, updated_at, issued_at, finalised_at, finalised_by"


def _clean(value):
    if isinstance(value, str) and not value.strip():
        return None
    return value


def canonical_json(content) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class MinutesRepo:
    def __init__(self, store: "Store", actions: ActionsRepo):
        self._store = store
        self._actions = actions

    # -- starting a meeting ------------------------------------------------------------------

    def create(self, case_id: int, values: Mapping) -> int:
        """Start a meeting: its details from ``values``, category and level from the case,
        invitees and standing papers from the case's last meeting."""
        case = self._store.cases.get(case_id, consult=False)
        previous = self.meetings(case_id)
        details = {k: _clean(values.get(k)) for k in SHORT_FIELDS if k in values}
        refuse(record_problems(spec.meeting_fields(), details, now=self._store.clock(), only=details))
        details.setdefault("category", case.get("category"))
        details.setdefault("mappa_level", case.get("mappa_level"))
        if "meeting_type" not in details:
            details["meeting_type"] = "review" if previous else "initial"
        now = self._store.now_iso()
        with self._store.transaction():
            meeting_id = self._store.db.execute(
                f"INSERT INTO meetings (case_id, status, created_at, updated_at, {', '.join(details)}) "
                f"VALUES (?, 'draft', ?, ?, {', '.join('?' * len(details))})",
                [case_id, now, now, *details.values()],
            ).lastrowid
            self._store.db.execute("INSERT INTO meeting_text (meeting_id) VALUES (?)", [meeting_id])
            if previous:
                last = previous[-1]
                self._copy_invitees(last.id, meeting_id)
                documents = [{"title": f"Minute of the meeting of {_dmy(last.meeting_date)}"},
                             {"title": "Action register"}]
                self._write_rows(meeting_id, ROW_SECTIONS["documents"], documents)
            self._store.audit.record("collection", "meeting", meeting_id, detail=f"case {case_id}")
            self._store.note("meeting", meeting_id, case_id)
        return meeting_id

    def _copy_invitees(self, from_meeting: int, to_meeting: int) -> None:
        self._store.db.execute(
            "INSERT INTO attendance (meeting_id, position, name, agency, role) "
            "SELECT ?, position, name, agency, role FROM attendance WHERE meeting_id = ? "
            "ORDER BY position",
            [to_meeting, from_meeting],
        )

    # -- reading ------------------------------------------------------------------------------

    def meetings(self, case_id: int) -> list[MeetingRow]:
        """The case's meetings, oldest first."""
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT id, case_id, meeting_type, meeting_date, status, version, agreed_rosh, "
                "new_level, next_review_date, mappa_level, level_decision, rosh_to_whom "
                "FROM meetings WHERE case_id = ? "
                "ORDER BY meeting_date IS NULL, meeting_date, id",
                [case_id],
            ).fetchall()
        return [MeetingRow(*r) for r in rows]

    def meeting_dates(self, meeting_ids) -> dict[int, str | None]:
        """The date of each of these meetings (for an action's history: "at the meeting of")."""
        ids = list(meeting_ids)
        found: dict[int, str | None] = {}
        with storage_errors():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                found.update(self._store.db.execute(
                    f"SELECT id, meeting_date FROM meetings WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def disclosures_of_case(self, case_id: int) -> list[tuple[int, dict]]:
        """Every disclosure decision recorded in the case's minutes: (meeting id, row)."""
        section = ROW_SECTIONS["disclosure"]
        columns = [f.key for f in section.fields]
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT d.meeting_id, {', '.join('d.' + c for c in columns)} FROM disclosures d "
                "JOIN meetings m ON m.id = d.meeting_id WHERE m.case_id = ? ORDER BY m.meeting_date, d.position, d.id",
                [case_id]).fetchall()
        return [(r[0], dict(zip(columns, r[1:]))) for r in rows]

    def get(self, meeting_id: int, *, consult: bool = True, with_actions: bool = True) -> Minute:
        db = self._store.db
        with storage_errors():
            meta = db.execute(f"SELECT {_META} FROM meetings WHERE id = ?", [meeting_id]).fetchone()
            if meta is None:
                raise NotFound("that meeting does not exist")
            short = db.execute(
                f"SELECT {', '.join(SHORT_FIELDS)} FROM meetings WHERE id = ?", [meeting_id]
            ).fetchone()
            long = db.execute(
                f"SELECT {', '.join(LONG_FIELDS)} FROM meeting_text WHERE meeting_id = ?", [meeting_id]
            ).fetchone() or [None] * len(LONG_FIELDS)
            rows = {}
            for key, section in ROW_SECTIONS.items():
                columns = [f.key for f in section.fields]
                found = db.execute(
                    f"SELECT id, {', '.join(columns)} FROM {section.table} WHERE meeting_id = ? "
                    "ORDER BY position, id",
                    [meeting_id],
                ).fetchall()
                rows[key] = tuple({"id": r[0], **dict(zip(columns, r[1:]))} for r in found)
            addenda = db.execute(
                "SELECT id, meeting_id, at, user_id, reason, body FROM addenda WHERE meeting_id = ? "
                "ORDER BY at, id",
                [meeting_id],
            ).fetchall()
        values = {**dict(zip(SHORT_FIELDS, short)), **dict(zip(LONG_FIELDS, long))}
        minute = Minute(
            id=meta[0],
            case_id=meta[1],
            status=meta[2],
            version=meta[3],
            values=values,
            rows=rows,
            actions=tuple(self._actions.raised_at(meeting_id)) if with_actions else (),
            previous=tuple(self._actions.for_review_at(meeting_id, meta[1])) if with_actions else (),
            addenda=tuple(Addendum(*a) for a in addenda),
            created_at=meta[4],
            updated_at=meta[5],
            issued_at=meta[6],
            finalised_at=meta[7],
            finalised_by=meta[8],
            plan=tuple(self._store.plan.entries(meeting_id)),
            plan_not_needed=self._store.plan.not_needed(meeting_id),
            reviewed=self._actions.reviewed_at(meeting_id) if with_actions else frozenset(),
        )
        if consult:
            self._store.audit.record_now("consultation", "meeting", meeting_id, detail="opened")
        return minute

    def last_before(self, case_id: int, meeting_id: int) -> Minute | None:
        """The case's previous meeting, for reference while minuting this one."""
        meetings = self.meetings(case_id)
        mine = next((m for m in meetings if m.id == meeting_id), None)
        earlier = [m for m in meetings if m.id != meeting_id
                   and (mine is None or (m.meeting_date or "") <= (mine.meeting_date or "9999"))]
        # Its decisions are what is shown: its actions come with this meeting's review.
        return self.get(earlier[-1].id, consult=False, with_actions=False) if earlier else None

    # -- saving as the chair types ---------------------------------------------------------------

    def _require_editable(self, meeting_id: int) -> int:
        row = self._store.db.execute(
            "SELECT status, case_id FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()
        if row is None:
            raise NotFound("that meeting does not exist")
        if row[0] == "finalised":
            raise RecordLocked("this minute is finalised; add an addendum instead")
        return row[1]

    def _audit_alteration(self, meeting_id: int, section_key: str) -> None:
        self._store.audit.record_coalesced(("meeting", meeting_id, section_key), "meeting", meeting_id,
                                           detail=f"section {section_key}")

    def context(self, meeting_id: int, fields, values: Mapping, keys: Sequence[str] = ()) -> dict:
        """The meeting's stored values that the bounds of ``fields`` refer to (the meeting
        date of a confirmation time...) and that ``values`` does not hold, plus ``keys``."""
        wanted = ({k for f in fields for k in (*f.not_before, f.on_date) if k} | set(keys)) - set(values)
        wanted &= set(SHORT_FIELDS)
        if not wanted:
            return {}
        columns = sorted(wanted)
        row = self._store.db.execute(
            f"SELECT {', '.join(columns)} FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()
        return dict(zip(columns, row)) if row else {}

    def save_fields(self, meeting_id: int, section_key: str, values: Mapping) -> None:
        """Save some single-valued fields of one section (only those given). Refuses, with
        :class:`ValidationError` naming each field, any value the spec does not allow."""
        section = spec.section(section_key)
        if section.source is not spec.Source.MEETING:
            raise ValueError(f"{section_key} is not a meeting section")
        allowed = {f.key for f in section.fields}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"not fields of {section_key}: {sorted(unknown)}")
        cleaned = {k: _clean(v) for k, v in values.items()}
        short = {k: v for k, v in cleaned.items() if k in SHORT_FIELDS}
        long = {k: v for k, v in cleaned.items() if k in LONG_FIELDS}
        with self._store.transaction():
            case_id = self._require_editable(meeting_id)
            refuse(record_problems(section.fields, cleaned, now=self._store.clock(), only=cleaned,
                                   context=self.context(meeting_id, section.fields, cleaned)))
            now = self._store.now_iso()
            self._store.db.execute(
                f"UPDATE meetings SET {''.join(f'{k} = ?, ' for k in short)}updated_at = ? WHERE id = ?",
                [*short.values(), now, meeting_id],
            )
            if long:
                self._store.db.execute(
                    f"UPDATE meeting_text SET {', '.join(f'{k} = ?' for k in long)} WHERE meeting_id = ?",
                    [*long.values(), meeting_id],
                )
            self._audit_alteration(meeting_id, section_key)
            self._store.note("meeting", meeting_id, case_id)

    def _write_rows(self, meeting_id: int, section: spec.Section, rows: Sequence[Mapping]) -> None:
        columns = [f.key for f in section.fields]
        self._store.db.execute(f"DELETE FROM {section.table} WHERE meeting_id = ?", [meeting_id])
        for position, row in enumerate(rows):
            self._store.db.execute(
                f"INSERT INTO {section.table} (meeting_id, position, {', '.join(columns)}) "
                f"VALUES (?, ?, {', '.join('?' * len(columns))})",
                [meeting_id, position, *(_clean(row.get(c)) for c in columns)],
            )

    def save_rows(self, meeting_id: int, section_key: str, rows: Sequence[Mapping]) -> None:
        """Replace the rows of a repeating section (attendance, documents, updates...)."""
        section = ROW_SECTIONS.get(section_key)
        if section is None:
            raise ValueError(f"{section_key} is not a repeating meeting section")
        rows = [{f.key: _clean(row.get(f.key)) for f in section.fields} for row in rows]
        with self._store.transaction():
            case_id = self._require_editable(meeting_id)
            context = self.context(meeting_id, section.fields, {})
            now = self._store.clock()
            refuse([problem for index, row in enumerate(rows)
                    for problem in record_problems(section.fields, row, now=now, context=context,
                                                   prefix=f"{section_key}.{index}.")])
            self._write_rows(meeting_id, section, rows)
            self._store.db.execute(
                "UPDATE meetings SET updated_at = ? WHERE id = ?", [self._store.now_iso(), meeting_id]
            )
            self._audit_alteration(meeting_id, section_key)
            self._store.note("meeting", meeting_id, case_id)

    # -- actions from the minute -----------------------------------------------------------------

    def raise_action(self, meeting_id: int, values: Mapping) -> int:
        with storage_errors():
            case_id = self._require_editable(meeting_id)
            date = self._store.db.execute(
                "SELECT meeting_date FROM meetings WHERE id = ?", [meeting_id]
            ).fetchone()[0]
        return self._actions.raise_action(
            case_id=case_id,
            meeting_id=meeting_id,
            raised_date=date or self._store.today().isoformat(),
            values=values,
        )

    # -- life cycle ------------------------------------------------------------------------------

    def acknowledgements(self, meeting_id: int) -> dict[str, str]:
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT item_key, reason FROM check_acknowledgements WHERE meeting_id = ?", [meeting_id]
            ).fetchall()
        return dict(rows)

    def finalise(
        self,
        meeting_id: int,
        *,
        content: Mapping,
        open_items: Sequence[str],
        acknowledgements: Mapping[str, str],
        case_updates: Mapping,
        approval: Mapping,
    ) -> str:
        """Freeze the minute with the chair's approval: every open check item must be
        acknowledged with a reason.

        ``content`` is the complete minute as it will be printed (built by the caller from
        this store); its canonical JSON and SHA-256 are kept as an immutable snapshot.
        ``approval`` is what ``signoff.confirm`` returned (who approved, as what, when, how);
        it is recorded in the same transaction. Returns the SHA-256.
        """
        missing = [k for k in open_items if not (acknowledgements.get(k) or "").strip()]
        if missing:
            raise ValidationError(
                f"Of the check, {plural(len(missing), 'item')} neither resolved nor acknowledged "
                "with a reason.",
                missing[0],
            )
        payload = canonical_json(content)
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        now = self._store.now_iso()
        user_id = self._store.acting_user_id()
        with self._store.transaction():
            case_id = self._require_editable(meeting_id)
            approved = self._store.signoff.record(meeting_id, approval)
            for key in open_items:
                self._store.db.execute(
                    "INSERT INTO check_acknowledgements (meeting_id, item_key, reason, user_id, at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, item_key) DO UPDATE SET "
                    "reason = excluded.reason, user_id = excluded.user_id, at = excluded.at",
                    [meeting_id, key, acknowledgements[key].strip(), user_id, now],
                )
            self._store.db.execute(
                "INSERT INTO minute_snapshots (meeting_id, version, finalised_at, finalised_by, "
                "sha256, content) VALUES (?, 1, ?, ?, ?, ?)",
                [meeting_id, now, user_id, digest, payload],
            )
            self._store.db.execute(
                "UPDATE meetings SET status = 'finalised', version = 1, finalised_at = ?, "
                "finalised_by = ?, updated_at = ? WHERE id = ?",
                [now, user_id, now, meeting_id],
            )
            updates = {k: v for k, v in case_updates.items() if v not in (None, "")}
            if updates and self._later_finalised(case_id, meeting_id):
                updates = {}  # a later meeting's decisions already stand; keep them
            refuse(record_problems(spec.CASE_STATUS.fields, updates, now=self._store.clock(), only=updates))
            self._store.note("meeting", meeting_id, case_id)
            if updates:
                self._store.note("case", case_id, case_id)
                self._store.db.execute(
                    f"UPDATE cases SET {', '.join(f'{k} = ?' for k in updates)}, updated_at = ? "
                    "WHERE id = ?",
                    [*updates.values(), now, case_id],
                )
                self._store.audit.record(
                    "alteration", "case", case_id, detail="from minute: " + ",".join(updates)
                )
            from .signoff import audit_words

            self._store.audit.record(
                "alteration", "meeting", meeting_id, detail=f"finalised; {audit_words(approved)}; sha256 {digest}"
            )
        return digest

    def _case_of(self, meeting_id: int) -> int | None:
        row = self._store.db.execute("SELECT case_id FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        return row[0] if row else None

    def _later_finalised(self, case_id: int, meeting_id: int) -> bool:
        """Whether a meeting of the case held after this one is already finalised."""
        return self._store.db.execute(
            "SELECT 1 FROM meetings AS later, meetings AS this WHERE this.id = ? "
            "AND later.case_id = ? AND later.id != this.id AND later.status = 'finalised' "
            "AND (coalesce(later.meeting_date, '') > coalesce(this.meeting_date, '') "
            "     OR (coalesce(later.meeting_date, '') = coalesce(this.meeting_date, '') "
            "         AND later.id > this.id)) LIMIT 1",
            [meeting_id, case_id],
        ).fetchone() is not None

    def snapshot(self, meeting_id: int) -> tuple[dict, str] | None:
        """The finalised content and its SHA-256 (verified against the stored text)."""
        with storage_errors():
            row = self._store.db.execute(
                "SELECT content, sha256 FROM minute_snapshots WHERE meeting_id = ? "
                "ORDER BY version DESC LIMIT 1",
                [meeting_id],
            ).fetchone()
        if row is None:
            return None
        if hashlib.sha256(row[0].encode("utf-8")).hexdigest() != row[1]:
            raise RecordLocked("the finalised minute does not match its fingerprint")
        return json.loads(row[0]), row[1]

    def add_addendum(self, meeting_id: int, *, body: str, reason: str) -> int:
        """A correction after finalising: text, reason, who and when; never an edit."""
        if not (body or "").strip():
            raise ValidationError("Write the addendum.", "body")
        if not (reason or "").strip():
            raise ValidationError("Give the reason for the addendum.", "reason")
        with self._store.transaction():
            status = self._store.db.execute(
                "SELECT status FROM meetings WHERE id = ?", [meeting_id]
            ).fetchone()
            if status is None:
                raise NotFound("that meeting does not exist")
            if status[0] != "finalised":
                raise ValidationError("Only a finalised minute takes addenda; edit the draft.", "body")
            addendum_id = self._store.db.execute(
                "INSERT INTO addenda (meeting_id, at, user_id, reason, body) VALUES (?, ?, ?, ?, ?)",
                [meeting_id, self._store.now_iso(), self._store.acting_user_id(), reason.strip(), body],
            ).lastrowid
            self._store.audit.record("alteration", "meeting", meeting_id, detail=f"addendum {addendum_id}",
                                     seal=("addendum", addendum_id))
            self._store.note("meeting", meeting_id, self._case_of(meeting_id))
        return addendum_id


def _dmy(iso: str | None) -> str:
    from ..dates import format_date

    return format_date(iso) or "(date not recorded)"
