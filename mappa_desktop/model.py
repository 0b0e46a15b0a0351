"""Plain records the store hands out. No Qt, no SQL: frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """Someone who can unlock the store. Admins can add users and re-issue slots."""

    id: int
    name: str
    agency: str
    role: str
    is_admin: bool
    active: bool
    slot_id: str
    created_at: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log (DPA 2018 s.62): who did what kind of thing to which record.

    ``detail`` holds ids, section keys and field names, never the values themselves.
    """

    id: int
    at: str  # UTC, ISO 8601
    user_id: int | None
    kind: str
    record_type: str
    record_id: int | None
    detail: str
    recipient: str
    purpose: str
    prev_hash: str
    hash: str


AUDIT_KINDS = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
)


@dataclass(frozen=True)
class ChainReport:
    """The result of verifying the audit log's hash chain."""

    entries: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None
