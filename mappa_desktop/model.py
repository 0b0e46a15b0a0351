"""Plain records the store hands out. No Qt, no SQL: frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field

from .words import plural


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
    signature: str | None = None  # the author's Ed25519 signature (base64); None: legacy


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
    """The result of verifying the audit log: its chain, its signatures, the finished
    content it seals and the anchors it was given. ``first_broken_id`` names the first
    entry that is wrong and ``reason`` says how; ``problems`` lists what else is wrong
    (content changed behind the triggers, users who differ from the log, anchors the log
    no longer holds); ``notices`` are facts worth saying that are not faults."""

    entries: int
    first_broken_id: int | None
    reason: str = ""
    legacy_up_to: int = 0
    sealed_at_id: int | None = None
    problems: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.problems

    def lines(self) -> list[str]:
        """What to tell a person, first the verdict, then each finding."""
        out = []
        if self.first_broken_id is not None:
            out.append(f"entry {self.first_broken_id} is wrong: {self.reason}")
        else:
            out.append(f"{plural(self.entries, 'entry')}, chain and signatures verified")
        if self.legacy_up_to:
            sealed = f", sealed at entry {self.sealed_at_id}" if self.sealed_at_id else ", not yet sealed"
            out.append(f"unsigned legacy entries up to {self.legacy_up_to} (written before signatures "
                       f"existed{sealed}; only changes made after the seal can be detected in them)")
        out.extend(self.problems)
        out.extend(self.notices)
        return out


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
class Condition:
    """A condition of the licence or of a civil order, recorded on the case. ``uid`` is its
    global id: plan entries link to it, and it travels with the case."""

    id: int
    uid: str
    source: str
    source_detail: str | None
    condition_text: str | None
    from_date: str | None
    until_date: str | None

    def as_values(self) -> dict:
        return {"uid": self.uid, "source": self.source, "source_detail": self.source_detail,
                "condition_text": self.condition_text, "from_date": self.from_date,
                "until_date": self.until_date}


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
    conditions: tuple[Condition, ...] = ()

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


@dataclass(frozen=True)
class Action:
    """One row of a case's action register."""

    id: int
    case_id: int
    meeting_id: int | None  # the meeting that raised it (None: raised between meetings)
    number: int  # 1, 2, 3... within the case
    raised_date: str
    action_text: str | None
    owner_person: str | None
    owner_agency: str | None
    target_date: str | None
    status: str  # open / done / carried / withdrawn
    completed_date: str | None
    outcome: str | None
    withdrawn_reason: str | None
    updated_at: str

    def get(self, key: str, default=None):
        return getattr(self, key, default)


@dataclass(frozen=True)
class ActionUpdate:
    """A change in an action's state: at a meeting (``meeting_id``) or between meetings.

    ``change``: None for a change of status; "raised"; "carried" (a new target date) or
    "reassigned" (a new owner or agency), which keep the terms after the change and before
    it (``previous_*``), so the old target and owner stay visible."""

    id: int
    action_id: int
    meeting_id: int | None
    user_id: int | None
    at: str
    status: str
    note: str | None
    change: str | None = None
    target_date: str | None = None
    owner_person: str | None = None
    owner_agency: str | None = None
    previous_target_date: str | None = None
    previous_owner_person: str | None = None
    previous_owner_agency: str | None = None

    @property
    def changes_terms(self) -> bool:
        return self.change in ("carried", "reassigned")


@dataclass(frozen=True)
class MeetingRow:
    """A meeting in a case's list of meetings (short values only)."""

    id: int
    case_id: int
    meeting_type: str | None
    meeting_date: str | None
    status: str
    version: int
    agreed_rosh: str | None
    new_level: str | None
    next_review_date: str | None
    mappa_level: str | None = None  # the level the meeting started at
    level_decision: str | None = None
    rosh_to_whom: str | None = None


@dataclass(frozen=True)
class Addendum:
    id: int
    meeting_id: int
    at: str
    user_id: int | None
    reason: str
    body: str


@dataclass(frozen=True)
class Minute:
    """A meeting's whole minute as stored now.

    ``values``: every single-valued field of the meeting's sections, by key.
    ``rows``: the rows of each repeating section of the meeting, by section key; each row
    is a dict of field values plus ``id``. ``actions``: raised at this meeting.
    ``previous``: earlier actions of the case under review at this meeting.
    ``plan``: this meeting's version of the risk management plan, its entries in order, each
    a dict of ``spec.PLAN_ENTRY`` values plus ``id``, ``entry_uid``, ``status`` (live /
    ended), ``base`` (the entry as the version it came from had it; None: added here),
    ``change`` (carried / added / changed / ended), ``action_id`` and ``action_number``.
    ``plan_not_needed``: pillar -> why nothing is needed under it at this meeting.
    """

    id: int
    case_id: int
    status: str  # draft / issued / finalised
    version: int
    values: dict
    rows: dict
    actions: tuple
    previous: tuple
    addenda: tuple
    created_at: str
    updated_at: str
    issued_at: str | None
    finalised_at: str | None
    finalised_by: int | None
    plan: tuple = ()
    plan_not_needed: dict = field(default_factory=dict)
    reviewed: frozenset = frozenset()  # ids of ``previous`` reviewed at this meeting

    @property
    def editable(self) -> bool:
        return self.status != "finalised"

    def get(self, key: str, default=None):
        return self.values.get(key, default)


@dataclass(frozen=True)
class MinuteIssue:
    """One issue of a draft for comment: to whom, when, by whom, and the minute as issued."""

    id: int
    meeting_id: int
    at: str  # when it was recorded (UTC)
    user_id: int | None
    issued_on: str  # the date the draft went out
    issued_to: str
    issue_note: str | None
    sha256: str


@dataclass(frozen=True)
class MinuteApproval:
    """The chair's approval of a minute: who, as what, when and how, and who recorded it.
    ``approver_user_id`` is set when the chair confirmed with their own passphrase here."""

    meeting_id: int
    approved_by: str
    approved_as: str
    approval_method: str
    approved_on: str
    approval_note: str | None
    approver_user_id: int | None
    recorded_by: int | None
    recorded_at: str


@dataclass(frozen=True)
class CaseExit:
    """The decision that a person leaves MAPPA."""

    case_id: int
    exit_date: str
    exit_reason: str
    exit_detail: str | None
    meeting_id: int | None
    recorded_by: int | None
    recorded_at: str


@dataclass(frozen=True)
class CaseAddendum:
    id: int
    case_id: int
    at: str
    user_id: int | None
    reason: str
    body: str


@dataclass(frozen=True)
class ScrStage:
    """One stage of a Significant Case Review: its values (keyed by ``scr_spec``) and status."""

    key: str
    status: str  # draft / completed
    values: dict
    completed_at: str | None = None


@dataclass(frozen=True)
class ScrRecommendation:
    """A recommendation of a review; ``action_id`` once it is in the case's register."""

    id: int
    number: int
    recommendation: str | None
    owner_person: str | None
    owner_agency: str | None
    target_date: str | None
    action_id: int | None = None

    def as_values(self) -> dict:
        return {"recommendation": self.recommendation, "owner_person": self.owner_person,
                "owner_agency": self.owner_agency, "target_date": self.target_date}


@dataclass(frozen=True)
class ScrReview:
    """A Significant Case Review of one case, from the incident to closure."""

    id: int
    case_id: int
    incident: dict
    status: str  # open / closed
    closed_reason: str | None
    closed_date: str | None
    created_at: str
    updated_at: str
    stages: dict  # stage key -> ScrStage (only stages begun)
    recommendations: tuple = ()

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class PlanVersion:
    """A version of a case's risk management plan, frozen when a meeting's minute was
    finalised. ``plan`` is the version as printed (``mappa_desktop.plan.plan_content``)."""

    id: int
    case_id: int
    meeting_id: int
    version: int
    finalised_at: str
    meeting_date: str | None
    plan: dict
