"""The audits' evidence from the record, and the meeting audits themselves.

Evidence is read as counts and flags (words typed per field, attendance statuses, documents,
the pre-meeting packs printed): never the minute's text. Meeting audits are kept in their
own table, one per meeting, as JSON keyed by ``oversight.meeting_audit.ITEMS``; saving one
never touches the minute (a finalised minute can be audited).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from ..dates import UK
from ..oversight.case_audit import MeetingHeld
from ..oversight.meeting_audit import AttendanceFact, MeetingFacts
from ..printouts import PACK_KIND
from .errors import NotFound, storage_errors

if TYPE_CHECKING:
    from .store import Store

#: Text fields whose words the meeting audit counts: (table alias, column).
WORD_FIELDS = (
    ("t", "purpose_notes"), ("t", "dissent"), ("t", "level_rationale"), ("t", "rosh_rationale"),
    ("t", "victim_issues"), ("t", "diversity_offender"), ("t", "diversity_victims"), ("t", "chair_summary"),
    ("m", "rosh_to_whom"), ("m", "confidentiality_reaffirmed"),
)


def _words_sql(alias: str, column: str) -> str:
    """About how many words: spaces plus one (a new paragraph without a space after the
    break counts with the word before it; the audit says "n words" as evidence, not a tally)."""
    text = f"{alias}.{column}"
    return (f"CASE WHEN trim(coalesce({text}, '')) = '' THEN 0 "
            f"ELSE length(trim({text})) - length(replace(trim({text}), ' ', '')) + 1 END")


_FACTS = (
    "SELECT m.id, m.case_id, m.status, m.meeting_type, m.meeting_date, m.meeting_time, "
    "(SELECT max(p.meeting_date) FROM meetings p WHERE p.case_id = m.case_id AND p.id != m.id "
    " AND p.meeting_date < m.meeting_date), "
    "m.confidentiality_agreed, m.confidentiality_time, m.level_decision, m.agreed_rosh, m.next_review_date, "
    "coalesce(substr(t.dissent, 1, 40), ''), "
    + ", ".join(_words_sql(a, c) for a, c in WORD_FIELDS)
    + " FROM meetings m LEFT JOIN meeting_text t ON t.meeting_id = m.id"
)


@dataclass(frozen=True)
class SavedAudit:
    id: int
    meeting_id: int
    auditor_id: int | None
    status: str  # draft / completed
    record: dict
    created_at: str
    updated_at: str


def _chunks(ids: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class AuditsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    # -- evidence -------------------------------------------------------------------------------

    def facts(self, meeting_id: int) -> MeetingFacts:
        found = self._facts("WHERE m.id = ?", [meeting_id])
        if not found:
            raise NotFound("that meeting does not exist")
        return found[0]

    def facts_between(self, start: str, end: str) -> list[MeetingFacts]:
        """Every meeting held from ``start`` to ``end`` (ISO dates, both included)."""
        return self._facts("WHERE m.meeting_date BETWEEN ? AND ? ORDER BY m.meeting_date, m.id", [start, end])

    def _facts(self, where: str, params: list) -> list[MeetingFacts]:
        db = self._store.db
        with storage_errors():
            rows = db.execute(f"{_FACTS} {where}", params).fetchall()
            ids = [r[0] for r in rows]
            documents: dict[int, list[str]] = {}
            people: dict[int, list[AttendanceFact]] = {}
            for chunk in _chunks(ids):
                marks = ", ".join("?" * len(chunk))
                for meeting_id, title in db.execute(
                        f"SELECT meeting_id, title FROM documents_tabled WHERE meeting_id IN ({marks}) "
                        "ORDER BY position", chunk):
                    if title:
                        documents.setdefault(meeting_id, []).append(title)
                for meeting_id, status, agency, role, report in db.execute(
                        f"SELECT meeting_id, status, trim(coalesce(agency, '')) != '', "
                        f"trim(coalesce(role, '')) != '', report_received FROM attendance "
                        f"WHERE meeting_id IN ({marks}) ORDER BY position", chunk):
                    people.setdefault(meeting_id, []).append(AttendanceFact(status, bool(agency), bool(role), report))
            packs = self._packs({r[1] for r in rows})
        out = []
        for row in rows:
            (meeting_id, case_id, status, kind, day, time, previous, agreed, agreed_at, decision, rosh,
             review, dissent, *words) = row
            out.append(MeetingFacts(
                meeting_id=meeting_id, case_id=case_id, status=status, meeting_type=kind, meeting_date=day,
                meeting_time=time, previous_date=previous, confidentiality_agreed=agreed,
                confidentiality_time=agreed_at, level_decision=decision, agreed_rosh=rosh,
                next_review_date=review, dissent_start=dissent,
                words={column: n for (_a, column), n in zip(WORD_FIELDS, words)},
                documents=tuple(documents.get(meeting_id, ())),
                attendance=tuple(people.get(meeting_id, ())),
                packs=tuple(at for at in packs.get(case_id, ()) if _between(at, previous, day)),
            ))
        return out

    def _packs(self, case_ids: set[int]) -> dict[int, list[str]]:
        """When each case's pre-meeting pack was printed or saved (logged as disclosures;
        a preview is a consultation and does not count)."""
        out: dict[int, list[str]] = {}
        pattern = PACK_KIND.lower() + " %"
        for chunk in _chunks(sorted(case_ids)):
            for case_id, at in self._store.db.execute(
                    "SELECT record_id, at FROM audit_log WHERE record_type = 'case' "
                    f"AND record_id IN ({', '.join('?' * len(chunk))}) AND kind = 'disclosure' "
                    "AND detail LIKE ? ORDER BY id", [*chunk, pattern]):
                out.setdefault(case_id, []).append(at)
        return out

    def meetings_held(self, case_id: int) -> list[MeetingHeld]:
        """The case's meetings with who was on each list and whether reports came."""
        db = self._store.db
        with storage_errors():
            meetings = db.execute("SELECT id, meeting_date, meeting_type FROM meetings WHERE case_id = ? "
                                  "ORDER BY meeting_date, id", [case_id]).fetchall()
            statuses: dict[int, list] = {}
            for meeting_id, status, report in db.execute(
                    "SELECT a.meeting_id, a.status, a.report_received FROM attendance a "
                    "JOIN meetings m ON m.id = a.meeting_id WHERE m.case_id = ? ORDER BY a.position", [case_id]):
                statuses.setdefault(meeting_id, []).append((status, report))
        return [MeetingHeld(m, d, k, tuple(statuses.get(m, ()))) for m, d, k in meetings]

    def initial_meetings_between(self, start: str, end: str) -> list[tuple[int, str, str | None]]:
        """(meeting id, meeting date, the case's referral date) of initial meetings held."""
        with storage_errors():
            return [tuple(r) for r in self._store.db.execute(
                "SELECT m.id, m.meeting_date, c.referral_date FROM meetings m JOIN cases c ON c.id = m.case_id "
                "WHERE m.meeting_type = 'initial' AND m.meeting_date BETWEEN ? AND ? ORDER BY m.meeting_date",
                [start, end])]

    def reviews_between(self, start: str, end: str) -> list[tuple[int, str, str | None]]:
        """(meeting id, meeting date, the review date the case's previous meeting set) of
        review meetings held."""
        with storage_errors():
            return [tuple(r) for r in self._store.db.execute(
                "SELECT m.id, m.meeting_date, (SELECT p.next_review_date FROM meetings p "
                "  WHERE p.case_id = m.case_id AND p.meeting_date IS NOT NULL AND (p.meeting_date < m.meeting_date "
                "  OR (p.meeting_date = m.meeting_date AND p.id < m.id)) ORDER BY p.meeting_date DESC, p.id DESC "
                "  LIMIT 1) FROM meetings m WHERE m.meeting_type = 'review' AND m.meeting_date BETWEEN ? AND ? "
                "ORDER BY m.meeting_date", [start, end])]

    # -- the meeting audits ---------------------------------------------------------------------

    def get(self, meeting_id: int) -> SavedAudit | None:
        with storage_errors():
            row = self._store.db.execute(
                "SELECT id, meeting_id, auditor_id, status, items, created_at, updated_at FROM meeting_audits "
                "WHERE meeting_id = ?", [meeting_id]).fetchone()
        if row is None:
            return None
        return SavedAudit(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6])

    def save(self, meeting_id: int, record: dict, *, completed: bool) -> int:
        """Keep the auditor's grades (one audit per meeting; saving again replaces it, and
        the audit log keeps who did it and when). Returns the audit's id."""
        payload = json.dumps(record, ensure_ascii=False, sort_keys=True)
        status = "completed" if completed else "draft"
        now = self._store.now_iso()
        db = self._store.db
        with self._store.transaction():
            if db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone() is None:
                raise NotFound("that meeting does not exist")
            row = db.execute("SELECT id FROM meeting_audits WHERE meeting_id = ?", [meeting_id]).fetchone()
            if row is None:
                audit_id = db.execute(
                    "INSERT INTO meeting_audits (meeting_id, auditor_id, status, items, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [meeting_id, self._store.acting_user_id(), status, payload, now, now]).lastrowid
                kind = "collection"
            else:
                audit_id = row[0]
                db.execute("UPDATE meeting_audits SET auditor_id = ?, status = ?, items = ?, updated_at = ? "
                           "WHERE id = ?", [self._store.acting_user_id(), status, payload, now, audit_id])
                kind = "alteration"
            self._store.audit.record(kind, "meeting_audit", audit_id, detail=f"meeting {meeting_id}; {status}")
        return audit_id

    def completed_between(self, start: str, end: str) -> dict[int, dict]:
        """The completed audits of meetings held in the period, by meeting id."""
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT a.meeting_id, a.items FROM meeting_audits a JOIN meetings m ON m.id = a.meeting_id "
                "WHERE a.status = 'completed' AND m.meeting_date BETWEEN ? AND ?", [start, end]).fetchall()
        return {meeting_id: json.loads(items) for meeting_id, items in rows}


def _between(at: str, previous: str | None, day: str | None) -> bool:
    """Whether a pack printed at ``at`` (UTC) belongs to the meeting on ``day``: after the
    previous meeting's day, and not after this one's."""
    printed = datetime.fromisoformat(at).astimezone(UK).date().isoformat()
    return (previous is None or printed > previous) and (day is None or printed <= day)
