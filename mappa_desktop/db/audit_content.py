"""The finished content the signed audit log seals: finalised minutes (their snapshots),
addenda and completed review stages. One place computes each digest, for the entry that
records it and for the check that compares it later."""

from __future__ import annotations

import hashlib
import json

from ..audit_chain import content_digest


def addendum_digest(db, addendum_id: int) -> str | None:
    row = db.execute("SELECT meeting_id, at, user_id, reason, body FROM addenda WHERE id = ?",
                     [addendum_id]).fetchone()
    if row is None:
        return None
    return content_digest(dict(zip(("meeting_id", "at", "user_id", "reason", "body"), row)))


def stage_digest(db, review_id: int, stage_key: str) -> str | None:
    """None when the stage is missing or not completed."""
    row = db.execute("SELECT status, stage_values, completed_at FROM scr_stages WHERE review_id = ? "
                     "AND stage_key = ?", [review_id, stage_key]).fetchone()
    if row is None or row[0] != "completed":
        return None
    return content_digest({"review_id": review_id, "stage_key": stage_key,
                           "values": json.loads(row[1]), "completed_at": row[2]})


def sealed_digest(db, seal: tuple) -> str:
    """The digest an entry carries for ``("addendum", id)`` or ``("stage", review, key)``."""
    kind, *ids = seal
    digest = addendum_digest(db, *ids) if kind == "addendum" else stage_digest(db, *ids) if kind == "stage" else None
    if digest is None:
        raise ValueError(f"nothing to seal for {kind}")
    return digest


def snapshot_digest(db, meeting_id: int) -> tuple[str, str] | None:
    """(stored sha256, sha256 of the stored content) of a finalised minute's snapshot."""
    row = db.execute("SELECT sha256, content FROM minute_snapshots WHERE meeting_id = ? ORDER BY version DESC "
                     "LIMIT 1", [meeting_id]).fetchone()
    if row is None:
        return None
    return row[0], hashlib.sha256(row[1].encode("utf-8")).hexdigest()


def legacy_digest(db, addenda: list[int], stages: list[tuple[int, str]]) -> str:
    """One digest over the addenda and completed stages recorded before signatures, for the
    entry that seals the legacy log (missing ones count as missing, so removal shows)."""
    items = [["addendum", a, addendum_digest(db, a)] for a in sorted(set(addenda))]
    items += [["stage", r, k, stage_digest(db, r, k)] for r, k in sorted(set(stages))]
    return content_digest({"legacy": items})
