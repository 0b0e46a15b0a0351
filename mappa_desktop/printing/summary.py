"""What an executive summary of a minute (MAPPA document 10) shows.

Requests for minutes from outside MAPPA get an executive summary, never the full minute,
and the summary is made by *leaving content out*, never by drawing over it (FACTS.md).
A selection names what to keep: ``"section"`` keeps a whole section of ``spec.SECTIONS``,
``"section.field"`` keeps one field of it (for a table, one column; rows that become
identical are printed once). Everything else is not drawn at all: no title, no caption,
no text, nothing in the PDF to recover.

The default keeps only what a requester outside MAPPA needs to know that the case is being
managed, and nothing that identifies or endangers anyone:

- the kind of meeting (initial or review) and its date;
- the agencies represented and whether each attended (no names, no roles);
- the agreed level of risk of serious harm with its definition, but not to whom nor the
  rationale (they describe victims and the offender's circumstances);
- the MAPPA level decision and the level from now, without the discussion or rationale;
- the date of the next review, without the notes.

Left out by default: the offender's identity and identifiers (names, aliases, date of
birth, address, PNC/ViSOR/CHS numbers), the category (category 1 would itself disclose
registered sex offender status, a decision for the Chief Constable), key dates and orders,
the lead authority, the people at the meeting, agency updates, every discussion, disclosure
decisions, diversity, victim issues, dissent, the chair's summary (free text often names a
disclosure), actions, acknowledged gaps and addenda. A chair who has read a section and
judged it safe can add it to the selection for one request.
"""

from __future__ import annotations

from typing import Iterable

from .. import spec

DEFAULT_SUMMARY_SECTIONS: tuple[str, ...] = (
    "purpose.meeting_type",
    "meeting_details.meeting_date",
    "attendance.agency",
    "attendance.status",
    "rosh.agreed_rosh",
    "mappa_level.level_decision",
    "mappa_level.new_level",
    "next_review.next_review_date",
)


def summary_selection(entries: Iterable[str]) -> dict[str, frozenset[str] | None]:
    """Section key -> the field keys kept (None: the whole section), checked against the
    spec. An unknown name raises ValueError rather than silently printing less or more."""
    chosen: dict[str, frozenset[str] | None] = {}
    known = {s.key: s for s in spec.SECTIONS}
    for entry in entries:
        section_key, _, field_key = entry.partition(".")
        section = known.get(section_key)
        if section is None:
            raise ValueError(f"no section {section_key!r} in the minute")
        if not field_key:
            chosen[section_key] = None
            continue
        if field_key not in {f.key for f in section.fields}:
            raise ValueError(f"no field {field_key!r} in section {section_key!r}")
        if section_key in chosen and chosen[section_key] is None:
            continue
        chosen[section_key] = (chosen.get(section_key) or frozenset()) | {field_key}
    return chosen
