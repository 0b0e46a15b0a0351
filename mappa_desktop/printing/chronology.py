"""A case chronology as a printout: every dated fact of the case, oldest first, with the
same events (and the same filter) as the chronology on screen. Changes of risk or level,
and leaving MAPPA, are in bold."""

from __future__ import annotations

from .. import spec
from ..chronology import label_of
from ..dates import format_date
from .blocks import Writer, column_widths, value_of
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .text import TextGuard
from ..words import plural


def chronology_table(w: Writer, events) -> object:
    """Date, what, detail: one row an event (``Event`` or a dict with the same keys)."""
    body = []
    for e in events:
        text = value_of(e, "text")
        detail = w.fixed(f"<b>{w.guard.markup(text)}</b>", w.s.cell) if value_of(e, "marked") else w.cell(text)
        body.append([w.cell(format_date(value_of(e, "on"))), w.cell(label_of(value_of(e, "kind") or "")), detail])
    kinds = [spec.Kind.DATE, spec.Kind.CHOICE, spec.Kind.LONG_TEXT]
    return w.table(["Date", "What", "Detail"], body, column_widths(kinds, w.width, fixed={1: 30}))


def render_chronology(events, meta: PrintMeta, *, shown: str = "") -> PrintResult:
    """``shown``: what the events are when filtered ("Disclosures; Actions"), for the title."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    events = list(events)
    facts = [plural(len(events), "entry")]
    if meta.reference:
        facts.insert(0, f"Case {guard.markup(meta.reference)}")
    if shown:
        facts.append(f"only {guard.markup(shown)}")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA CASE CHRONOLOGY", "Case chronology", " · ".join(facts))
    if events:
        story.append(chronology_table(w, events))
    else:
        story.append(w.empty("Nothing dated is recorded for this case yet."))
    story += [w.space(5), w.note(f"End of the chronology. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA case chronology", footer_note=printed_line(meta) or "MAPPA case chronology",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)
