"""The risk management plan (document 6 of the updated national set): what an entry is,
what a meeting changed, and the plan as it is printed and frozen.

One plan per case, versioned by meeting. A meeting's version opens as the plan stood (the
last version frozen before it); the meeting adds, changes or ends entries, each with the
reason; finalising the minute freezes the version. Which entries changed is never stored:
it is read from the entry and the version it was carried from (``base``), so it cannot
disagree with the entries themselves. No Qt, no SQL.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from . import spec

ENTRY = spec.PLAN_ENTRY
PILLAR = ENTRY.field("pillar")
#: What a meeting may have done to an entry, in the order a reader wants them.
CHANGE_WORDS = {"added": "Added", "changed": "Changed", "ended": "Ended", "carried": "Carried over"}
#: Values of an entry that make it the entry it is (the rationale belongs to one meeting).
TERMS = tuple(f.key for f in ENTRY.fields if f.key != "rationale")
#: Where a condition comes from, in a word or two (lists and combo boxes).
SOURCE_SHORT = {"licence": "Licence", "shpo": "SHPO", "sro": "SRO", "sopo": "SOPO", "rsho": "RSHO",
                "fto": "Foreign Travel Order", "notification_order": "Notification Order", "other": "Order"}


def section_of_pillar(pillar: str) -> str:
    """The key of the minute section that shows a pillar."""
    for section in spec.SECTIONS:
        if pillar in section.pillars:
            return section.key
    raise KeyError(pillar)


def fields_for(pillar: str | None) -> tuple[spec.Field, ...]:
    """The fields an entry under ``pillar`` has (a trigger only for contingency...), the
    pillar itself left out: it is fixed when the entry is added."""
    values = {"pillar": pillar}
    return tuple(f for f in ENTRY.fields if f is not PILLAR and f.applies(values))


def terms_of(entry: Mapping) -> dict:
    """What makes the entry what it is (everything but this meeting's rationale); fields
    that do not apply to its pillar are left out."""
    pillar = entry.get("pillar")
    return {k: entry.get(k) for k in TERMS if k == "pillar" or ENTRY.field(k).applies({"pillar": pillar})}


def _same(a, b) -> bool:
    return (a if a not in ("", None) else None) == (b if b not in ("", None) else None)


def changed_fields(entry: Mapping) -> list[str]:
    """Keys of the terms that differ from the version the entry was carried from."""
    base = entry.get("base")
    if not base:
        return []
    return [k for k, v in terms_of(entry).items() if not _same(v, base.get(k))]


def change_of(entry: Mapping) -> str:
    """added / changed / ended / carried: what this meeting did to the entry."""
    if entry.get("status") == "ended":
        return "ended"
    if not entry.get("base"):
        return "added"
    return "changed" if changed_fields(entry) else "carried"


def is_live(entry: Mapping) -> bool:
    """In the plan as the meeting leaves it (not ended): a stored entry, or a frozen one."""
    return entry.get("status") != "ended" and entry.get("change") != "ended"


def section_entries(section: spec.Section, entries: Iterable[Mapping]) -> list:
    """The entries a minute section shows, pillar by pillar in the section's order."""
    entries = list(entries)
    return [e for pillar in section.pillars for e in entries if e.get("pillar") == pillar]


def condition_label(condition: Mapping | None, width: int = 70) -> str:
    """'SHPO: No unsupervised contact with children under 16' (shortened to ``width``)."""
    if not condition:
        return ""
    source = condition.get("source")
    short = SOURCE_SHORT.get(source) or spec.CONDITIONS.field("source").label_of(source)
    detail = f" {condition['source_detail']}" if condition.get("source_detail") else ""
    text = " ".join((condition.get("condition_text") or "").split())
    label = f"{short}{detail}: {text}"
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def plan_content(entries: Sequence[Mapping], not_needed: Mapping[str, str | None], conditions: Iterable[Mapping],
                 *, version: int | None, base_version: int | None, meeting_id: int | None = None,
                 meeting_date: str | None = None) -> dict:
    """One version of the plan as plain JSON-able data: what is printed, frozen with the
    minute and kept as the version. Each entry carries the text of the condition it rests on
    (so a later change to the condition never changes a frozen version), what the meeting
    did to it, and for a changed entry the values it had before."""
    by_uid = {c.get("uid"): dict(c) for c in conditions}
    out = []
    for entry in entries:
        item = {k: entry.get(k) for k in ("entry_uid", *(f.key for f in ENTRY.fields))}
        for field in ENTRY.fields:
            if not field.applies(entry):
                item.pop(field.key, None)
        change = change_of(entry)
        item["change"] = change
        if change == "changed":
            item["before"] = {k: (entry.get("base") or {}).get(k) for k in changed_fields(entry)}
        condition = by_uid.get(entry.get("condition_uid"))
        item["condition"] = {k: condition.get(k) for k in ("source", "source_detail", "condition_text",
                                                           "from_date", "until_date")} if condition else None
        item["action_number"] = entry.get("action_number")
        out.append(item)
    linked = {e.get("condition_uid") for e in entries if e.get("condition_uid")}
    return {
        "version": version,
        "base_version": base_version,
        "meeting_id": meeting_id,
        "meeting_date": meeting_date,
        "entries": out,
        "not_needed": {k: v for k, v in sorted(dict(not_needed).items()) if v},
        "conditions": [{k: c.get(k) for k in ("uid", "source", "source_detail", "condition_text",
                                               "from_date", "until_date")} | {"linked": c.get("uid") in linked}
                       for c in conditions],
    }


def counts(plan: Mapping | None) -> dict[str, int]:
    """How many entries the version holds (not ended) and what the meeting changed."""
    found = {"entries": 0, "added": 0, "changed": 0, "ended": 0}
    for entry in (plan or {}).get("entries") or ():
        change = entry.get("change")
        if change in found:
            found[change] += 1
        if change != "ended":
            found["entries"] += 1
    return found


def changes_words(plan: Mapping | None) -> str:
    """'2 added, 1 changed, 1 ended' or 'no changes'."""
    from .words import plural

    found = counts(plan)
    parts = [f"{found[k]} {k}" for k in ("added", "changed", "ended") if found[k]]
    head = plural(found["entries"], "entry")
    return f"{head}; " + (", ".join(parts) if parts else "no changes")


def by_pillar(entries: Iterable[Mapping], pillars: Iterable[str] | None = None) -> list[tuple[spec.Choice, list]]:
    """(pillar, its entries in order) for each pillar asked for (all by default)."""
    wanted = [spec.pillar(p) for p in pillars] if pillars is not None else list(spec.PLAN_PILLARS)
    entries = list(entries)
    return [(p, [e for e in entries if e.get("pillar") == p.value]) for p in wanted]


def action_terms(entry: Mapping, meeting_date: str | None) -> dict:
    """An action raised from a plan entry: its words, owner and agency carried over, and its
    target the date the entry starts (or ends) when that is not before the meeting."""
    what = " ".join((entry.get("what") or "").split())
    label = spec.pillar(entry["pillar"]).label if entry.get("pillar") else "Plan"
    target = None
    for key in ("start_date", "end_date"):
        day = entry.get(key)
        if day and (not meeting_date or day >= meeting_date):
            target = day
            break
    return {"action_text": f"{label}: {what}" if what else f"{label}: (plan entry)",
            "owner_person": entry.get("owner_person"), "owner_agency": entry.get("owner_agency"),
            "target_date": target}


def when_words(entry: Mapping) -> str:
    """'from 12/02/2024 until 12/02/2027', 'from 16/10/2026', 'until 30/04/2027' or ''."""
    from .dates import format_date

    start, end = format_date(entry.get("start_date")), format_date(entry.get("end_date"))
    return " ".join(p for p in (f"from {start}" if start else "", f"until {end}" if end else "") if p)


def who_words(entry: Mapping) -> str:
    """'Siobhán Ní Bhriain, Justice Social Work' (either may be missing)."""
    return ", ".join(x for x in (entry.get("owner_person"), entry.get("owner_agency")) if x)


def entry_summary(entry: Mapping, condition: Mapping | None = None) -> str:
    """The entry in one line, as a chair reads it in a list: 'If <trigger>: <what> — who ·
    how often · from – until · rests on <condition>'."""
    what = " ".join((entry.get("what") or "").split()) or "(what is done not recorded)"
    if entry.get("trigger_event"):
        trigger = " ".join(entry["trigger_event"].split())
        if trigger[1:2].islower():  # "Any contact" reads "If any contact"; "SHPO breach" stays
            trigger = trigger[:1].lower() + trigger[1:]
        what = f"If {trigger}: {what}"
    bits = [who_words(entry) or "no owner", entry.get("frequency") or "", when_words(entry)]
    if condition:
        bits.append(f"rests on {condition_label(condition, 60)}")
    elif entry.get("condition_uid"):
        bits.append("rests on a condition not recorded on this case")
    return f"{what} — " + " · ".join(b for b in bits if b)


def before_words(entry: Mapping) -> str:
    """What a changed entry said before: 'How often was: Weekly'."""
    from .spec import PLAN_ENTRY

    before = entry.get("before")
    if before is None and entry.get("base"):
        before = {k: entry["base"].get(k) for k in changed_fields(entry)}
    lines = []
    for key, value in (before or {}).items():
        field = PLAN_ENTRY.field(key)
        shown = field.display(value) if field.kind is not spec.Kind.CONDITION else ("a condition" if value else "")
        lines.append(f"{field.label} was: {shown or '(empty)'}")
    return "\n".join(lines)


def change_words(entry: Mapping) -> str:
    """What the meeting did to the entry, in words: 'Changed: How often, End date'."""
    change = entry.get("change") or change_of(entry)
    if change == "changed":
        labels = [ENTRY.field(k).label for k in changed_fields(entry)] if entry.get("base") else \
            [ENTRY.field(k).label for k in (entry.get("before") or {})]
        return "Changed: " + ", ".join(labels)
    return CHANGE_WORDS[change]
