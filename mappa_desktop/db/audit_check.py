"""Verifying the audit log against the store: the chain and its signatures (rules in
``audit_chain``), then what the signed entries promise about the tables: finalised minutes,
addenda and completed review stages unchanged, users as the log made them, and every
anchor taken from outside (backup manifests, printouts) still in the log.

Reads only: it runs on a read-only connection in ``check`` and on the worker in the app.
"""

from __future__ import annotations

from typing import Callable, Iterable

from ..audit_chain import Anchor, ChainFacts, ChainVerifier, anchor_problem
from ..model import ChainReport
from .audit_content import addendum_digest, legacy_digest, snapshot_digest, stage_digest
from .errors import storage_errors
from ..words import plural


def verify_log(store, *, anchors: Iterable[Anchor] = (), progress: Callable[[int, int], None] | None = None,
               anchor_sources: dict | None = None) -> ChainReport:
    """Check everything the log can prove. ``anchors`` come from outside the store;
    ``anchor_sources`` may name where each came from (anchor -> words) for the report."""
    anchors = list(anchors)
    verifier = ChainVerifier(want_hashes={a.seq for a in anchors})
    total = store.audit.count()
    done = 0
    for entry in store.audit.iter_all():
        if not verifier.feed(entry):
            break
        done += 1
        if progress is not None and done % 5000 == 0:
            progress(done, total)
    facts = verifier.facts
    if progress is not None:
        progress(total, total)
    problems: list[str] = []
    notices: list[str] = []
    if facts.ok:
        with storage_errors():
            problems += _content_problems(store.db, facts)
            problems += _user_problems(store.db, facts)
    for anchor in anchors:
        where = (anchor_sources or {}).get(anchor, "an anchor")
        if not facts.ok and anchor.seq >= (facts.first_bad_id or 0):
            problems.append(f"{where} (entry {anchor.seq}): cannot be checked past the broken entry")
            continue
        problem, notice = anchor_problem(anchor, facts)
        if problem:
            (notices if notice else problems).append(f"{where}: {problem}")
    if facts.ok and anchors and not problems:
        notices.append(f"{plural(len(anchors), 'anchor')} from outside the store found in the log")
    return ChainReport(facts.entries, facts.first_bad_id, facts.reason, facts.legacy_up_to,
                       facts.sealed_at_id, tuple(problems), tuple(notices))


def _erased(facts: ChainFacts, meeting_id: int | None = None, review_id: int | None = None) -> bool:
    case = facts.meeting_case.get(meeting_id) if meeting_id is not None else facts.review_case.get(review_id)
    return case is not None and case in facts.erased_cases


def _content_problems(db, facts: ChainFacts) -> list[str]:
    """Finished content changed, removed or added behind the triggers."""
    problems = []
    for meeting_id, digest in sorted(facts.finalised.items()):
        status = db.execute("SELECT status FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if status is None:
            if not _erased(facts, meeting_id=meeting_id):
                problems.append(f"meeting {meeting_id}: its finalised minute was removed from the store")
            continue
        snap = snapshot_digest(db, meeting_id)
        if snap is None or snap[0] != digest or snap[1] != digest:
            problems.append(f"meeting {meeting_id}: the finalised minute no longer matches the fingerprint "
                            "its finalising entry recorded; it was changed behind the triggers")
        if status[0] != "finalised":
            problems.append(f"meeting {meeting_id}: finalised in the log but no longer marked finalised in "
                            "the store; it was reopened behind the triggers")
    for (meeting_id,) in db.execute("SELECT meeting_id FROM minute_snapshots ORDER BY meeting_id"):
        if meeting_id not in facts.finalised:
            problems.append(f"meeting {meeting_id}: has a finalised snapshot that no entry of the log records")
    meeting_of = dict(db.execute("SELECT id, meeting_id FROM addenda").fetchall())
    for addendum_id, digest in sorted(facts.addenda.items()):
        held = addendum_digest(db, addendum_id)
        if held is None:
            if not _erased(facts, meeting_id=facts.addendum_meeting.get(addendum_id)):
                problems.append(f"addendum {addendum_id}: removed from the store behind the triggers")
        elif held != digest:
            problems.append(f"addendum {addendum_id}: changed behind the triggers")
    for (review_id, stage_key), digest in sorted(facts.stages.items()):
        held = stage_digest(db, review_id, stage_key)
        if held != digest and not (held is None and _erased(facts, review_id=review_id)):
            problems.append(f"review {review_id}, stage {stage_key}: the completed stage was changed or "
                            "reopened behind the triggers")
    known = set(facts.addenda) | set(facts.legacy_addenda)
    for addendum_id in sorted(set(meeting_of) - known):
        problems.append(f"addendum {addendum_id}: in the store but not in the log")
    if facts.legacy_content_sha256 and facts.legacy_content_sha256 != legacy_digest(
            db, [a for a in facts.legacy_addenda if not _erased(facts, meeting_id=facts.addendum_meeting.get(a))],
            [s for s in facts.legacy_stages if not _erased(facts, review_id=s[0])]):
        problems.append("addenda or completed review stages recorded before signatures were changed since "
                        "the log was sealed")
    return problems


def _user_problems(db, facts: ChainFacts) -> list[str]:
    """Users whose administrator or active flag the signed log does not back."""
    if facts.sealed_at_id is None:
        return []
    problems = []
    for user_id, is_admin, active in db.execute("SELECT id, is_admin, active FROM users ORDER BY id"):
        if user_id not in facts.active:
            problems.append(f"user {user_id}: in the users table, but the signed log never created them")
            continue
        if is_admin and user_id not in facts.admins:
            problems.append(f"user {user_id}: an administrator in the users table, but the signed log never "
                            "made them one")
        if active and not facts.active[user_id]:
            problems.append(f"user {user_id}: active in the users table, but the signed log disabled them")
    return problems
