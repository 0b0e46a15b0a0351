"""Operations on a minute's sign-off: issuing the draft for comment, confirming the chair's
approval, and the record of both that the printed minute carries.

The sign-off record (``sign_off``) is plain data kept in the finalised minute's content, so
the paper shows it and its fingerprint covers it: every issue of the draft (to whom, when,
by whom), every copy of the draft printed or saved (from the audit log's disclosures), the
corrections made after the last issue, section by section, and the approval.
"""

from __future__ import annotations

from typing import Mapping

from .. import lifecycle_spec
from ..corrections import as_data, corrections
from ..rules.values import Problem, parse_record, record_problems


def _names(store) -> dict:
    return {u.id: u.name for u in store.users.all()}


def issue_draft(*, store, meeting_id: int, raw: Mapping) -> list[Problem]:
    """Record that the draft went out for comment (to whom, on which date), as typed."""
    from ..db.errors import ValidationError
    from .minute import content_of

    fields = lifecycle_spec.ISSUE.fields
    values, problems = parse_record(fields, raw)
    meeting_date = store.minutes.context(meeting_id, (), {}, keys=("meeting_date",)).get("meeting_date")
    parsed = {p.field for p in problems}
    problems += [p for p in record_problems(fields, values, now=store.clock(), context={"meeting_date": meeting_date})
                 if p.field not in parsed]
    if problems:
        return problems
    try:
        store.signoff.issue(meeting_id, values, content_of(store, meeting_id))
    except ValidationError as exc:
        return exc.as_problems("issued_to")
    return []


def confirm_approval(*, store, meeting_id: int, raw: Mapping, approver_user_id: int | None = None,
                     passphrase: str | None = None) -> dict:
    """The chair's approval as typed, checked (and, for "confirmed here", the chair's own
    passphrase tried on their key slot). Raises ``ValidationError`` naming each problem."""
    from ..db.errors import refuse

    from ..db.errors import ValidationError

    values, problems = parse_record(lifecycle_spec.APPROVAL.fields, raw)
    if values.get("approval_method") == "passphrase":
        if approver_user_id is None:
            raise ValidationError("Choose the chair among the users of this laptop.", "approver")
        values["approved_by"] = store.users.get(approver_user_id).name
    refuse(problems)
    return store.signoff.confirm(meeting_id, values, approver_user_id=approver_user_id, passphrase=passphrase)


def approval_sentence(approval: Mapping, *, with_names: bool = True) -> str:
    """"Approved by DI Euan MacDhòmhnaill (chair) on 20/10/2026; recorded by Lorna Petrie"
    (without names for a copy that goes outside MAPPA)."""
    from ..dates import format_date

    who = f" by {approval.get('approved_by')}" if with_names and approval.get("approved_by") else ""
    as_what = f" ({approval.get('approved_as')})" if approval.get("approved_as") else ""
    sentence = f"Approved{who}{as_what} on {format_date(approval.get('approved_on'))}"
    if with_names and approval.get("recorded_by"):
        sentence += f"; recorded by {approval['recorded_by']}"
    return sentence


def how_approved(approval: Mapping) -> str:
    """How the approval was given, in words."""
    method = approval.get("approval_method")
    if method == "passphrase":
        return "Confirmed on this laptop by the chair, with their own passphrase."
    label = lifecycle_spec.APPROVAL.field("approval_method").label_of(method)
    note = f" ({approval['approval_note']})" if approval.get("approval_note") else ""
    return f"{label}{note}, and recorded here by the person named."


def sign_off(store, meeting_id: int, content: Mapping, approval: Mapping | None = None) -> dict:
    """The sign-off record of a minute as plain data: issues of the draft, copies of it
    disclosed, corrections since the last issue, and (when finalising) the approval."""
    names = _names(store)

    def who(user_id, record_type=None, record_id=None) -> str:
        author = store.bundles.author(record_type, record_id) if record_type else None
        return names.get(user_id) or author or ""

    issues = store.signoff.issues(meeting_id)
    data = {
        "issues": [{"issued_on": i.issued_on, "issued_to": i.issued_to, "issue_note": i.issue_note,
                    "by": who(i.user_id), "at": i.at} for i in issues],
        "copies": [{"at": e.at, "by": who(e.user_id), "recipient": e.recipient, "purpose": e.purpose,
                    "what": e.detail} for e in store.signoff.copies(meeting_id)],
        "corrections": as_data(corrections(store.signoff.issued_content(issues[-1].id), content)) if issues else [],
        "approval": None,
    }
    if approval is not None:
        data["approval"] = {
            "approved_by": approval["approved_by"], "approved_as": approval["approved_as"],
            "approval_method": approval["approval_method"], "approved_on": approval["approved_on"],
            "approval_note": approval.get("approval_note"), "confirmed_here": approval["approval_method"] == "passphrase",
            "recorded_by": store.user.name if store.user else "", "recorded_at": approval.get("recorded_at"),
        }
    return data
