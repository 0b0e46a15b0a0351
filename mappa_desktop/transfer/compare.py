"""Comparing a bundle's records with ours: every difference, side by side, and whether the
person may choose (a finalised minute, a completed review stage and the terms of an action
agreed at a finalised meeting are never overwritten: ours is kept and the difference shown).

Pure functions over the records of ``db/bundle_records.py``; no store, no widgets.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import spec
from ..dates import format_date

ROWS_PREFIX = "rows:"
STAGE_PREFIX = "stage:"
INCIDENT_PREFIX = "incident."
ACTION_TERMS = ("action_text", "owner_person", "owner_agency", "target_date")
WHOLE_MINUTE = "minute"
PLAN_FIELD = "plan"
_RECORD_TYPES = {"case": "case", "meeting": "meeting", "action": "action", "scr_review": "scr_review"}


@dataclass(frozen=True)
class Difference:
    """One value that differs between the bundle (theirs) and this store (ours)."""

    kind: str  # case / meeting / action / scr_review
    uid: str
    record: str  # "Meeting of 03/02/2025"
    field: str
    label: str  # "Risk management"
    theirs: object
    ours: object
    choosable: bool = True
    note: str = ""  # why it cannot be chosen, or what choosing theirs means

    @property
    def key(self) -> str:
        """What a choice is recorded against: ``kind:uid:field``."""
        return f"{self.kind}:{self.uid}:{self.field}"

    @property
    def record_type(self) -> str:
        return _RECORD_TYPES[self.kind]


@dataclass(frozen=True)
class Addition:
    """A record of the bundle that this store does not have yet, to be added."""

    kind: str
    uid: str
    label: str


def _field_label(kind: str, field: str) -> str:
    if kind == "case":
        if field == "civil_orders":
            return spec.section("civil_orders").title
        if field == "conditions":
            return spec.CONDITIONS.title
        if field == "status":
            return "Case status (active, archived or left MAPPA)"
        return spec.field_of_case(field).label
    if kind == "meeting":
        if field == WHOLE_MINUTE:
            return "The whole minute"
        if field == PLAN_FIELD:
            return "Risk management plan"
        if field.startswith(ROWS_PREFIX):
            return spec.section(field.removeprefix(ROWS_PREFIX)).title
        for section in spec.SECTIONS:
            if section.source is spec.Source.MEETING:
                for item in section.fields:
                    if item.key == field:
                        return f"{section.title}: {item.label}"
    if kind == "action":
        return {"action_text": "Action", "owner_person": "Owner", "owner_agency": "Agency",
                "target_date": "Target date", "status": "Status", "completed_date": "Date completed",
                "outcome": "Outcome or note", "withdrawn_reason": "Reason withdrawn"}.get(field, field)
    if kind == "scr_review":
        if field.startswith(INCIDENT_PREFIX):
            return "Incident: " + field.removeprefix(INCIDENT_PREFIX).replace("_", " ")
        if field.startswith(STAGE_PREFIX):
            return "Stage: " + field.removeprefix(STAGE_PREFIX).replace("_", " ")
        return field.replace("_", " ").capitalize()
    return field


def meeting_label(record: dict) -> str:
    return f"Meeting of {format_date(record['fields'].get('meeting_date')) or '(no date)'}"


def action_label(record: dict) -> str:
    text = (record["fields"].get("action_text") or "").split("\n")[0]
    return f"Action {record.get('number')}: {text[:60]}"


def review_label(record: dict) -> str:
    when = format_date(record["fields"].get(INCIDENT_PREFIX + "incident_date"))
    return f"Significant case review ({'incident of ' + when if when else 'incident'})"


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _differ(kind: str, uid: str, record: str, theirs: dict, ours: dict, frozen=lambda field: "",
            unknown=()) -> list[Difference]:
    out = []
    for field in sorted((set(theirs) | set(ours)) - set(unknown), key=lambda f: _order(kind, f)):
        a, b = theirs.get(field), ours.get(field)
        if a == b or (_empty(a) and _empty(b)):
            continue
        why = frozen(field)
        out.append(Difference(kind, uid, record, field, _field_label(kind, field), a, b, not why, why))
    return out


_ORDER: dict[str, int] = {}


def _order(kind: str, field: str) -> tuple:
    if not _ORDER:
        keys = [f.key for f in spec.case_fields()] + ["civil_orders", "conditions", "status"]
        for section in spec.SECTIONS:
            if section.source is spec.Source.MEETING:
                keys += [f.key for f in section.fields]
            elif section.source is spec.Source.ROWS:
                keys.append(ROWS_PREFIX + section.key)
        _ORDER.update({k: i for i, k in enumerate(keys)})
    return (_ORDER.get(field, len(_ORDER)), field)


def compare_case(theirs: dict, ours: dict) -> list[Difference]:
    return _differ("case", theirs["uid"], "Case record", theirs["fields"], ours["fields"],
                   unknown=theirs.get("unknown_fields") or ())


def compare_meeting(theirs: dict, ours: dict) -> list[Difference]:
    """A finalised minute is taken or left whole; two drafts differ field by field."""
    uid, label = theirs["uid"], meeting_label(ours)
    unknown = theirs.get("unknown_fields") or ()  # fields its (older) format did not have
    if ours["status"] == "finalised":
        if theirs.get("snapshot_sha256") == ours.get("snapshot_sha256"):
            return []
        fields = _differ("meeting", uid, label, theirs["fields"], ours["fields"], unknown=unknown)
        if not fields and theirs["status"] != "finalised":
            return []  # their draft holds nothing ours lacks: ours is the later state
        return [Difference("meeting", uid, label, WHOLE_MINUTE, _field_label("meeting", WHOLE_MINUTE),
                           _minute_state(theirs), _minute_state(ours), False,
                           "Finalised here: a finalised minute is never overwritten. Ours is kept.")]
    fields = _differ("meeting", uid, label, theirs["fields"], ours["fields"], unknown=unknown)
    if theirs["status"] == "finalised":
        changed = ", ".join(d.label for d in fields) or "no section"
        return [Difference("meeting", uid, label, WHOLE_MINUTE, _field_label("meeting", WHOLE_MINUTE),
                           _minute_state(theirs), _minute_state(ours) + f"\nDiffers in: {changed}", True,
                           "Theirs is finalised: choosing theirs replaces this draft with their finalised "
                           "minute; choosing ours keeps this draft and leaves their finalisation out.")]
    return fields


def _minute_state(record: dict) -> str:
    if record["status"] == "finalised":
        who = f" by {record['finalised_by']}" if record.get("finalised_by") else ""
        sha = (record.get("snapshot_sha256") or "")[:16]
        return f"Finalised {format_date((record.get('finalised_at') or '')[:10])}{who} (fingerprint {sha}…)"
    return "Draft issued for correction" if record["status"] == "issued" else "Draft"


def compare_action(theirs: dict, ours: dict) -> list[Difference]:
    """Progress is always the person's choice; what a finalised meeting agreed is not."""
    def frozen(field: str) -> str:
        if field in ACTION_TERMS and ours.get("terms_frozen"):
            return "Agreed at a meeting whose minute is finalised here: ours is kept."
        return ""

    return _differ("action", theirs["uid"], action_label(ours), theirs["fields"], ours["fields"], frozen)


def compare_review(theirs: dict, ours: dict) -> list[Difference]:
    def frozen(field: str) -> str:
        if ours["fields"].get("status") == "closed":
            return "This review is closed here: ours is kept."
        stage = ours["fields"].get(field) if field.startswith(STAGE_PREFIX) else None
        if stage and stage.get("status") == "completed":
            return "This stage is completed here: ours is kept."
        return ""

    return _differ("scr_review", theirs["uid"], review_label(ours), theirs["fields"], ours["fields"], frozen)


def display(difference: Difference, value) -> str:
    """A value as a person reads it, for the side-by-side view and the command line."""
    if _empty(value):
        return "(empty)"
    kind, field = difference.kind, difference.field
    if (kind, field) in (("meeting", PLAN_FIELD), ("case", "conditions")):
        from ..plan import change_words, condition_label, entry_summary

        if field == "conditions":
            return "\n".join(condition_label(c, 90) for c in value) or "(empty)"
        lines = [f"{spec.pillar(e.get('pillar')).label}: {entry_summary(e)} [{change_words(e)}]"
                 for e in value.get("entries") or ()]
        lines += [f"{spec.pillar(p).label}: not needed, {why}" for p, why in (value.get("not_needed") or {}).items()]
        return "\n".join(lines) or "(empty)"
    if isinstance(value, list):
        return "\n".join(" · ".join(_display_value(kind, k, v) for k, v in row.items() if not _empty(v))
                         if isinstance(row, dict) else str(row) for row in value) or "(empty)"
    if isinstance(value, dict):
        inner = value.get("values") if "values" in value else value
        lines = [f"{k.replace('_', ' ')}: {v}" for k, v in inner.items() if not _empty(v)]
        if "status" in value:
            lines.insert(0, f"({value['status']})")
        return "\n".join(lines) or "(empty)"
    return _display_value(kind, field, value)


def _display_value(kind: str, field: str, value) -> str:
    try:
        if kind == "case" and field not in ("civil_orders", "conditions", "status"):
            return spec.field_of_case(field).display(value)
        if kind == "meeting" and not field.startswith(ROWS_PREFIX) and field != WHOLE_MINUTE:
            for section in spec.SECTIONS:
                if section.source in (spec.Source.MEETING, spec.Source.ROWS):
                    for item in section.fields:
                        if item.key == field:
                            return item.display(value)
        if kind == "action" and field in ("target_date", "completed_date"):
            return format_date(value) or str(value)
    except (KeyError, ValueError, TypeError):
        pass
    return str(value)
