"""The printed minute and its executive summary.

Walks ``spec.SECTIONS`` in order: every section with its title, every field with its
caption, values formatted by ``Field.display``. The layout follows the field kinds:
short values in a label/value grid, long text as captioned paragraphs, repeating rows as
tables (a briefing table when a row has one long text beside a name or two, a block per
row when it has many fields). The agreed risk of serious harm carries the definition of
the level chosen. After the sections: the gaps acknowledged at finalising, the approval
(version and fingerprint) and the addenda.

The executive summary is the same walk over fewer sections: what the selection leaves
out is never drawn (see ``summary.py`` for the default and why).
"""

from __future__ import annotations

from .. import spec
from ..dates import format_date, format_datetime_local
from ..rules.completeness import describe
from . import signoff
from .blocks import Writer, column_widths
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .summary import summary_selection
from .text import TextGuard

Kind, Source = spec.Kind, spec.Source

#: The columns of the action tables (register sections); fields not named here are left
#: to the register printout. ``owner_agency`` not being a column puts it under the owner.
_REGISTER_COLUMNS = {
    "actions": ("action_text", "owner_person", "owner_agency", "target_date"),
    "previous_actions": ("action_text", "owner_person", "status", "completed_date", "outcome"),
}

_STATUS_WORDS = {
    "draft": "Draft: not approved by the chair. This is not the agreed record of the meeting.",
    "issued": "Draft issued for comment: not approved by the chair. Corrections go to the chair "
              "before the minute is finalised.",
}


def shown(field: spec.Field, value) -> str:
    """``Field.display``, and the stored value as it is if it does not fit the field's kind
    (a printout shows what is there rather than fail)."""
    try:
        return field.display(value)
    except (TypeError, ValueError):
        return str(value)


def version_line(meta: PrintMeta, *, with_name: bool = True) -> str:
    """The footer's account of what this copy is (the executive summary, which goes
    outside MAPPA, leaves out who finalised it: the version and fingerprint suffice)."""
    if meta.finalised and meta.approval:
        by, as_what, on, recorded = meta.approval
        parts = [f"Version {meta.version or 1}"]
        if with_name:
            parts.append(f"approved by {by}{f' ({as_what})' if as_what else ''} on {format_date(on)}"
                         + (f"; recorded by {recorded}" if recorded else ""))
        else:
            parts.append(f"approved by the {as_what or 'chair'} on {format_date(on)}")
        if meta.sha256:
            parts.append(f"fingerprint {meta.sha256[:12]}")
        return " · ".join(parts)
    if meta.finalised:
        parts = [f"Version {meta.version or 1}"]
        if (meta.finalised_by and with_name) or meta.finalised_at:
            who = f" by {meta.finalised_by}" if meta.finalised_by and with_name else ""
            when = f" on {format_datetime_local(meta.finalised_at)}" if meta.finalised_at else ""
            parts.append(f"finalised{who}{when}")
        if meta.sha256:
            parts.append(f"fingerprint {meta.sha256[:12]}")
        return " · ".join(parts)
    if meta.status == "issued":
        return "Draft issued for comment · not approved by the chair"
    return "Draft · not approved by the chair"


def printed_line(meta: PrintMeta, *, with_name: bool = True) -> str:
    """Who printed this copy and when (the disclosure log has the same)."""
    if not ((meta.printed_by and with_name) or meta.printed_at):
        return ""
    who = f" by {meta.printed_by}" if meta.printed_by and with_name else ""
    when = f" on {format_datetime_local(meta.printed_at)}" if meta.printed_at else ""
    return f"Printed{who}{when}."


def render_minute(content: dict, meta: PrintMeta, *, summary_sections: tuple[str, ...] | None = None,
                  summary_plan: tuple[str, ...] = ()) -> PrintResult:
    """The full minute, or with ``summary_sections`` the executive summary (which shows the
    risk management plan only under the pillars ``summary_plan`` names)."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    keep = None if summary_sections is None else summary_selection(summary_sections)
    story = _title(w, meta, content, summary=keep is not None)
    number = 0
    for section in spec.SECTIONS:
        fields = _kept_fields(section, keep)
        pillars = section.pillars if keep is None else tuple(p for p in section.pillars if p in summary_plan)
        if not fields and not pillars:
            continue
        number += 1
        head = w.heading(section.title, number)
        body = section_body(w, section, fields, content, reduced=keep is not None and keep[section.key] is not None) \
            if fields else []
        if pillars:
            body = _plan_part(w, content.get("plan"), pillars, summary=keep is not None) + body
        if section.source in (Source.CASE, Source.CASE_ROWS):
            body = [w.note(_case_note(meta))] + body
        if not pillars and is_short(section, fields, content):
            story += head[:-1] + w.together(head[-1:] + body)
        else:
            story += head + body
    if keep is None:
        story += _still_open(w, content)
        story += _acknowledgements(w, content)
        story += signoff.issued(w, content)
        story += signoff.corrected(w, content, final=meta.finalised)
        story += signoff.approval(w, meta, content)
        story += _addenda(w, meta)
    end = "End of the executive summary." if keep is not None else "End of the minute."
    printed = printed_line(meta, with_name=keep is None)
    story += [w.space(6), w.note(f"{end} {guard.markup(printed)}".strip())]
    kind = "MAPPA minute executive summary" if keep is not None else "MAPPA minute"
    layout = Layout(kind=kind, footer_note=version_line(meta, with_name=keep is None), pagesize=PORTRAIT,
                    watermark=not meta.finalised)
    return build_pdf(story, meta, layout, guard)


def _plan_part(w: Writer, plan: dict | None, pillars, *, summary: bool) -> list:
    """The risk management plan under a section's pillars: each entry, and in the full
    minute what the meeting added, changed or ended with the reason."""
    from .plan import plan_blocks, version_words

    if not plan or not (plan.get("entries") or plan.get("not_needed")):
        return [w.note("No structured risk management plan was recorded with this minute.")] if not summary else []
    out = [] if summary else [w.note(w.guard.markup(f"The risk management plan: {version_words(plan)}."))]
    out += plan_blocks(w, plan, pillars, changes=not summary, summary=summary)
    if not summary:
        out.append(w.caption("Discussion"))
    return out


def _case_note(meta: PrintMeta) -> str:
    """Whose facts a case section shows: frozen with a finalised minute, current on a draft."""
    if meta.finalised:
        when = f" on {format_datetime_local(meta.finalised_at)}" if meta.finalised_at else ""
        return f"From the case record as it stood when the minute was finalised{when}; it may have changed since."
    return "From the case record as it stands now; frozen with the minute when it is finalised."


def _kept_fields(section: spec.Section, keep) -> tuple[spec.Field, ...]:
    if keep is None:
        return section.fields
    if section.key not in keep:
        return ()
    if keep[section.key] is None:
        return section.fields
    return tuple(f for f in section.fields if f.key in keep[section.key])


def is_short(section: spec.Section, fields, content: dict) -> bool:
    """Whether a section is short enough to keep on one page (a guess from its text)."""
    if section.source is Source.MEETING:
        values = [(content.get("meeting") or {}).get(f.key) for f in fields]
        return sum(len(str(v)) for v in values if v) <= 1200
    if section.source is Source.CASE:
        return True
    rows = (content.get("rows") or {}).get(section.key) if section.source is Source.ROWS else content.get(section.key)
    rows = rows or []
    chars = sum(len(str(row.get(f.key) or "")) for row in rows for f in fields)
    return len(rows) <= 12 and chars <= 1800


# -- the title ------------------------------------------------------------------------------


def _title(w: Writer, meta: PrintMeta, content: dict, *, summary: bool) -> list:
    g = w.guard
    facts = []
    if meta.reference:
        facts.append(f"Case {g.markup(meta.reference)}")
    if meta.meeting_date:
        facts.append(f"meeting on {format_date(meta.meeting_date)}")
    if meta.area_name:
        facts.append(g.markup(meta.area_name))
    if summary:
        block = w.title_block("EXECUTIVE SUMMARY OF A MAPPA MEETING MINUTE", "Executive summary", " · ".join(facts))
    else:
        kind = shown(spec.field("purpose.meeting_type"), (content.get("meeting") or {}).get("meeting_type"))
        title = f"Minute of a MAPPA {w.guard.markup(kind.lower())} meeting" if kind else "Minute of a MAPPA meeting"
        block = w.title_block("MULTI-AGENCY PUBLIC PROTECTION ARRANGEMENTS", title, " · ".join(facts))
    if meta.finalised:
        banner = f"<b>Finalised.</b> {g.markup(version_line(meta, with_name=not summary))}."
    else:
        banner = f"<b>DRAFT.</b> {_STATUS_WORDS.get(meta.status, _STATUS_WORDS['draft'])}"
    if summary:
        banner += (" This executive summary leaves out the parts of the full minute that are not "
                   "for release outside MAPPA.")
    return block + [w.banner(banner, meta.finalised), w.space(1)]


# -- sections -------------------------------------------------------------------------------


def section_body(w: Writer, section: spec.Section, fields, content: dict, *, reduced: bool = False) -> list:
    """The flowables of one section of the minute (without its heading)."""
    if section.source in (Source.MEETING, Source.CASE):
        values = content.get("meeting" if section.source is Source.MEETING else "case") or {}
        return _single_values(w, section, fields, values)
    if section.source is Source.ROWS:
        rows = (content.get("rows") or {}).get(section.key) or []
    else:
        rows = content.get(section.key) or []
    if not rows:
        return [w.empty("None recorded.")]
    if section.source is Source.REGISTER:
        return [_action_table(w, section, fields, rows)]
    if reduced:
        rows = _distinct(rows, fields)
    long = [f for f in fields if f.kind is Kind.LONG_TEXT]
    short = [f for f in fields if f.kind is not Kind.LONG_TEXT]
    if len(long) == 1 and len(short) <= 2:
        return [_briefing_table(w, short, long[0], rows)]
    if long:
        return _row_blocks(w, section, fields, rows)
    return [_rows_table(w, fields, rows)]


def _value_cell(w: Writer, field: spec.Field, value):
    """A short value as printed; a risk level carries its definition under it."""
    text = shown(field, value)
    if field.choices is spec.ROSH_LEVELS and field.choice(str(value)) is not None:
        return [
            w.fixed(f"<b>{w.guard.markup(text)}</b>", w.s.value),
            w.para(field.choice(str(value)).help, w.s.definition),
        ]
    return w.cell(text, w.s.value)


def _single_values(w: Writer, section: spec.Section, fields, values: dict) -> list:
    """A section of single values: short ones in a grid, long text as captioned paragraphs
    (case sections keep everything in the grid: addresses and aliases read best there)."""
    out, grid = [], []
    only_field = len(section.fields) == 1
    in_grid = section.source is Source.CASE

    def flush():
        if grid:
            out.append(w.grid(list(grid)))
            grid.clear()

    for field in fields:
        value = values.get(field.key)
        if field.kind is Kind.LONG_TEXT and not in_grid:
            flush()
            out += w.long_text(None if only_field else field.label, value, required=field.required)
            continue
        if not shown(field, value).strip():
            if field.required:
                grid.append((field.label, w.empty()))
            continue
        grid.append((field.label, _value_cell(w, field, value)))
    flush()
    return out or [w.empty("Nothing recorded.")]


def _distinct(rows, fields) -> list:
    """Rows reduced to the kept fields, each distinct one once (a summary's agencies)."""
    seen, out = set(), []
    for row in rows:
        key = tuple(str(row.get(f.key)) for f in fields)
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _rows_table(w: Writer, fields, rows) -> object:
    # An optional column nobody filled in (a note, a detail) only takes room.
    fields = [f for f in fields if f.required or any(shown(f, row.get(f.key)).strip() for row in rows)] or fields
    body = [[w.cell(shown(f, row.get(f.key))) for f in fields] for row in rows]
    return w.table([f.label for f in fields], body, column_widths([f.kind for f in fields], w.width))


def _briefing_table(w: Writer, short, long: spec.Field, rows) -> object:
    """One long text per row beside who it is from (agency updates)."""
    left = 46 * 2.8346  # mm in points
    body = []
    for row in rows:
        first, *rest = [shown(f, row.get(f.key)) for f in short] or [""]
        who = w.stacked(first, *rest)
        text = w.paragraphs(row.get(long.key), w.s.cell_text, in_table=True) or [w.empty()]
        body.append([who, text])
    headers = [w.header(*(f.label for f in short)), long.label]
    return w.table(headers, body, [left, w.width - left])


def _row_blocks(w: Writer, section: spec.Section, fields, rows) -> list:
    """One label/value block per row (disclosure decisions)."""
    out = []
    for index, row in enumerate(rows, 1):
        if len(rows) > 1:
            out.append(w.fixed(f"{section.row_noun.capitalize()} {index}", w.s.subheading))
        grid = []
        for field in fields:
            if field.kind is Kind.LONG_TEXT:
                parts = w.paragraphs(row.get(field.key), w.s.body, in_table=True)
                if parts or field.required:
                    grid.append((field.label, parts or w.empty()))
                continue
            if shown(field, row.get(field.key)).strip():
                grid.append((field.label, _value_cell(w, field, row.get(field.key))))
            elif field.required:
                grid.append((field.label, w.empty()))
        out.append(w.grid(grid))
    return out


def _action_table(w: Writer, section: spec.Section, fields, rows) -> object:
    wanted = _REGISTER_COLUMNS.get(section.key)
    columns = [f for f in fields if wanted is None or f.key in wanted]
    keys = {f.key for f in columns}
    agency_under_owner = "owner_agency" not in keys
    status = spec.field("previous_actions.status")
    body = []
    for row in sorted(rows, key=lambda r: (r.get("number") or 0)):
        cells = [w.cell(row.get("number") or "")]
        for field in columns:
            value = row.get(field.key)
            if field.key == "owner_person" and agency_under_owner:
                cells.append(w.stacked(value or "", row.get("owner_agency")))
            elif field.key == "action_text" and row.get("status") == "withdrawn" and "status" not in keys:
                cells.append(w.stacked(value or "", f"Withdrawn: {row.get('withdrawn_reason') or ''}",
                                       row.get("history")))
            elif field.key == "action_text" and row.get("history"):
                cells.append(w.stacked(value or "", row.get("history")))
            elif field.key == "status":
                cells.append(w.cell(_review_words(field, row)))
            elif field.key == "outcome" and not value and row.get("status") == "withdrawn":
                cells.append(w.cell(row.get("withdrawn_reason")))
            else:
                cells.append(w.cell(shown(field, value) if field.kind is not Kind.LONG_TEXT else value))
        body.append(cells)
    kinds = [Kind.TEXT] + [f.kind for f in columns]
    widths = column_widths(kinds, w.width, fixed={0: 9} | {
        i + 1: 24 for i, f in enumerate(columns) if f is status or f.key == "status"})
    return w.table(["No."] + [f.label for f in columns], body, widths)


def _review_words(field: spec.Field, row) -> str:
    """An earlier action's status as the minute records it: "To review" until the meeting
    records a decision, and a carried action's new target date."""
    from ..rules.completeness import to_review

    if to_review(row):
        return "To review"
    words = shown(field, row.get("status"))
    if row.get("status") == "carried" and row.get("target_date"):
        words += f" to {format_date(row.get('target_date'))}"
    return words


# -- after the sections -------------------------------------------------------------------------


def _acknowledgements(w: Writer, content: dict) -> list:
    items = content.get("acknowledgements") or {}
    if not items:
        return []
    rows = []
    for key, entry in items.items():
        if isinstance(entry, dict):  # the check's words were kept with the reason
            message, reason = entry.get("message") or "", entry.get("reason") or ""
        else:  # a minute finalised before they were: the check is run over it again
            message, reason = describe(key, content), entry or ""
        rows.append([w.cell(message), w.cell(reason)])
    return w.heading("Gaps acknowledged at finalising") + [
        w.note("The completeness check named these gaps; the chair finalised the minute with the reason given."),
        w.table(["Gap", "Reason given"], rows, [w.width * 0.55, w.width * 0.45]),
    ]


def _still_open(w: Writer, content: dict) -> list:
    """On a draft: what the completeness check still names (the same words as on screen)."""
    items = content.get("open_items")
    if items is None:
        return []
    out = w.heading("Still open in the completeness check")
    if not items:
        return out + [w.note("The completeness check names nothing.")]
    return out + [w.note("Before the chair approves the minute, each of these is completed or acknowledged "
                         "with a reason."), *[w.para("• " + m) for m in items]]


def _addenda(w: Writer, meta: PrintMeta) -> list:
    if not meta.addenda:
        return []
    out = w.heading("Addenda")
    for index, (at, who, reason, body) in enumerate(meta.addenda, 1):
        head = [f"Addendum {index}"]
        if at:
            head.append(format_datetime_local(at))
        if who:
            head.append(who)
        out.append(w.para(" · ".join(head), w.s.subheading))
        out += w.long_text("Reason", reason, required=True)
        out += w.long_text("Addendum", body, required=True)
    return out
