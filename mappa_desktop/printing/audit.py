"""The audit log as a printout (an export for information governance): landscape, one
table with its header on every page, entries newest first as the viewer showed them."""

from __future__ import annotations

from ..dates import format_datetime_local
from .blocks import Writer, column_widths
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import LANDSCAPE
from .text import TextGuard
from .. import spec
from ..words import plural

Kind = spec.Kind
HEADERS = ("Entry", "When (UK)", "User", "Kind", "Record", "Detail", "Recipient", "Purpose")
KINDS = (Kind.TEXT, Kind.DATE, Kind.PERSON, Kind.TEXT, Kind.TEXT, Kind.LONG_TEXT, Kind.TEXT, Kind.TEXT)


def render_audit(entries, meta: PrintMeta, *, user_names: dict, title: str = "Audit log") -> PrintResult:
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(LANDSCAPE))
    entries = list(entries)
    facts = [plural(len(entries), "entry")]
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA DESKTOP AUDIT LOG", guard.markup(title), " · ".join(facts))
    if entries:
        body = [[w.cell(str(e.id)), w.cell(format_datetime_local(e.at)), w.cell(user_names.get(e.user_id, "")),
                 w.cell(e.kind.capitalize()),
                 w.cell(f"{e.record_type} {'' if e.record_id is None else e.record_id}".strip()),
                 w.cell(e.detail), w.cell(e.recipient), w.cell(e.purpose)] for e in entries]
        story.append(w.table(list(HEADERS), body, column_widths(list(KINDS), w.width)))
    else:
        story.append(w.empty("No entries."))
    story += [w.space(5), w.note(f"End of the audit log. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="Audit log", info_kind="MAPPA audit log",
                    footer_note=printed_line(meta) or "MAPPA audit log", pagesize=LANDSCAPE)
    return build_pdf(story, meta, layout, guard)
