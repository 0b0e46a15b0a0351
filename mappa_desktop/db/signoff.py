"""A minute's sign-off in the store: each issue of the draft for comment (with the minute as
issued), the copies of the draft disclosed meanwhile (from the audit log), and the chair's
approval, recorded when the minute is finalised.

The approval says who approved, as what, when and how. "Confirmed here" is only stored after
the chair's own key slot has opened with the passphrase typed now (``session.reauthenticate``):
the login of whoever is at the keyboard is not the chair's approval.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Mapping

from .. import lifecycle_spec
from ..model import AuditEntry, MinuteApproval, MinuteIssue
from ..rules.values import record_problems
from .errors import NotFound, RecordLocked, ValidationError, refuse, storage_errors

if TYPE_CHECKING:
    from .store import Store

_ISSUE = "id, meeting_id, at, user_id, issued_on, issued_to, issue_note, sha256"
_APPROVAL = ("meeting_id, approved_by, approved_as, approval_method, approved_on, approval_note, "
             "approver_user_id, recorded_by, recorded_at")
_AUDIT = "id, at, user_id, kind, record_type, record_id, detail, recipient, purpose, prev_hash, hash"


def _text(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class SignOffRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def _meeting(self, meeting_id: int) -> tuple[str, int, str | None]:
        row = self._store.db.execute(
            "SELECT status, case_id, meeting_date FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound("that meeting does not exist")
        return row

    # -- issued for comment ----------------------------------------------------------------

    def issue(self, meeting_id: int, values: Mapping, content: Mapping) -> int:
        """Record that the draft went out for comment (to whom, on which date) with the minute
        as issued (``content``, built by the caller from this store). The minute stays
        editable; it may be issued again after corrections."""
        values = {f.key: _text(values.get(f.key)) for f in lifecycle_spec.ISSUE.fields}
        payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        with self._store.transaction():
            status, case_id, meeting_date = self._meeting(meeting_id)
            if status == "finalised":
                raise RecordLocked("this minute is finalised; add an addendum instead")
            refuse(record_problems(lifecycle_spec.ISSUE.fields, values, now=self._store.clock(),
                                   context={"meeting_date": meeting_date}))
            now = self._store.now_iso()
            issue_id = self._store.db.execute(
                "INSERT INTO minute_issues (meeting_id, at, user_id, issued_on, issued_to, issue_note, sha256, "
                "content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [meeting_id, now, self._store.acting_user_id(), values["issued_on"], values["issued_to"],
                 values["issue_note"], digest, payload]).lastrowid
            self._store.db.execute("UPDATE meetings SET status = 'issued', issued_at = ? WHERE id = ?",
                                   [now, meeting_id])
            self._store.audit.record("alteration", "meeting", meeting_id, detail=f"issued for comment (issue {issue_id})")
            self._store.note("meeting", meeting_id, case_id)
        return issue_id

    def issues(self, meeting_id: int) -> list[MinuteIssue]:
        """Every issue of the draft, oldest first."""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {_ISSUE} FROM minute_issues WHERE meeting_id = ? ORDER BY id", [meeting_id]).fetchall()
        return [MinuteIssue(*r) for r in rows]

    def issued_content(self, issue_id: int) -> dict:
        """The minute as it was issued (checked against its fingerprint)."""
        with storage_errors():
            row = self._store.db.execute("SELECT content, sha256 FROM minute_issues WHERE id = ?",
                                         [issue_id]).fetchone()
        if row is None:
            raise NotFound("that issue of the minute does not exist")
        if hashlib.sha256(row[0].encode("utf-8")).hexdigest() != row[1]:
            raise RecordLocked("the issued draft does not match its fingerprint")
        return json.loads(row[0])

    def copies(self, meeting_id: int) -> list[AuditEntry]:
        """Every printed or saved copy of the minute, as the audit log has them (disclosures,
        with the recipient and the purpose), oldest first."""
        with storage_errors():
            rows = self._store.db.execute(
                f"SELECT {_AUDIT} FROM audit_log WHERE record_type = 'meeting' AND record_id = ? "
                "AND kind = 'disclosure' ORDER BY id", [meeting_id]).fetchall()
        return [AuditEntry(*r) for r in rows]

    # -- the chair's approval ------------------------------------------------------------------

    def check_approval(self, meeting_id: int, values: Mapping) -> dict:
        """The approval as it will be stored, or :class:`ValidationError` naming the field."""
        values = {f.key: _text(values.get(f.key)) for f in lifecycle_spec.APPROVAL.fields}
        _status, _case, meeting_date = self._meeting(meeting_id)
        refuse(record_problems(lifecycle_spec.APPROVAL.fields, values, now=self._store.clock(),
                               context={"meeting_date": meeting_date}))
        return values

    def confirm(self, meeting_id: int, values: Mapping, *, approver_user_id: int | None = None,
                passphrase: str | None = None) -> dict:
        """Check an approval before it is recorded (outside any transaction: confirming a
        passphrase takes the key derivation's time).

        ``approval_method`` "passphrase": ``approver_user_id`` is the chair as a user, and
        ``passphrase`` must open their own key slot now; a wrong passphrase, or another
        user's, is refused (:class:`ValidationError` on "passphrase"). Any other method
        records an approval given elsewhere; whoever is signed in is named as recording it."""
        from ..security import WrongPassphrase
        from .session import UserDisabled, reauthenticate

        values = self.check_approval(meeting_id, values)
        if values["approval_method"] != "passphrase":
            return {**values, "approver_user_id": None}
        if approver_user_id is None:
            raise ValidationError("Choose the chair among the users of this laptop.", "approver")
        try:
            chair = reauthenticate(self._store, approver_user_id, passphrase or "")
        except WrongPassphrase:
            raise ValidationError("That is not the passphrase of the chair's user: nothing is approved.",
                                  "passphrase") from None
        except UserDisabled:
            raise ValidationError("That user has been disabled and cannot approve.", "approver") from None
        return {**values, "approved_by": chair.name, "approver_user_id": chair.id}

    def record(self, meeting_id: int, confirmed: Mapping) -> MinuteApproval:
        """Store an approval from :meth:`confirm` (inside the transaction that finalises,
        whose audit entry says it: :func:`audit_words`)."""
        now = confirmed.get("recorded_at") or self._store.now_iso()
        recorded_by = self._store.acting_user_id()
        approval = MinuteApproval(meeting_id, confirmed["approved_by"], confirmed["approved_as"],
                                  confirmed["approval_method"], confirmed["approved_on"], confirmed["approval_note"],
                                  confirmed["approver_user_id"], recorded_by, now)
        with self._store.transaction():
            self._store.db.execute(
                f"INSERT INTO minute_approvals ({_APPROVAL}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [getattr(approval, c.strip()) for c in _APPROVAL.split(",")])
        return approval

    def approval(self, meeting_id: int) -> MinuteApproval | None:
        with storage_errors():
            row = self._store.db.execute(f"SELECT {_APPROVAL} FROM minute_approvals WHERE meeting_id = ?",
                                         [meeting_id]).fetchone()
        return MinuteApproval(*row) if row else None


def audit_words(approval: MinuteApproval) -> str:
    """The approval as the audit log says it: how, and which users (ids, never names)."""
    who = f", confirmed by user {approval.approver_user_id}" if approval.approver_user_id else ""
    return f"approved by the chair ({approval.approval_method}{who}); recorded by user {approval.recorded_by}"
