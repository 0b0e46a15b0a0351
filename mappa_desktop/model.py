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


@dataclass(frozen=True)
class CivilOrder:
    id: int
    order_type: str
    order_detail: str | None
    granted_date: str | None
    expiry_date: str | None

    def as_values(self) -> dict:
        return {
            "order_type": self.order_type,
            "order_detail": self.order_detail,
            "granted_date": self.granted_date,
            "expiry_date": self.expiry_date,
        }


@dataclass(frozen=True)
class Case:
    """The offender's record. ``values`` holds every field of ``spec.CASE_SECTIONS`` by key
    (ISO dates, choice values, 1/0 for yes/no); orders are in the order entered."""

    id: int
    status: str
    values: dict
    orders: tuple[CivilOrder, ...]
    created_at: str
    updated_at: str

    @property
    def reference(self) -> str:
        return self.values.get("reference") or ""

    @property
    def full_name(self) -> str:
        return self.values.get("full_name") or ""

    def get(self, key: str, default=None):
        return self.values.get(key, default)


@dataclass(frozen=True)
class CaseRow:
    """One line of the cases list: short values only (lists never decrypt narrative)."""

    id: int
    reference: str
    full_name: str
    category: str | None
    mappa_level: str | None
    current_rosh: str | None
    lead_authority: str | None
    next_review_date: str | None
    status: str


@dataclass(frozen=True)
class Agency:
    id: int
    name: str
    kind: str  # responsible_authority / duty_to_cooperate / other
    active: bool


@dataclass(frozen=True)
class Person:
    """Someone who attends meetings or owns actions (not an offender)."""

    id: int
    name: str
    agency: str
    role: str
    contact: str
    active: bool
