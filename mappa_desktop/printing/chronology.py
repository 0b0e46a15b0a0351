"""A case chronology as a printout: every dated fact of the case, oldest first."""

from __future__ import annotations

from .. import spec
from ..dates import format_date
from .blocks import Writer, column_widths, value_of
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .text import TextGuard

#: Event.kind -> what the chronology calls it.
KIND_WORDS = {
    "key_date": "Key date",
    "order": "Civil order",
    "meeting": "Meeting",
    "change": "Decision",
    "plan": "Plan version",
    "action_raised": "Action raised",
    "action_closed": "Action closed",
}


def render_chronology(events, meta: PrintMeta) -> PrintResult:
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    events = list(events)
    facts = [f"{len(events)} entr{'ies' if len(events) != 1 else 'y'}"]
    if meta.reference:
        facts.insert(0, f"Case {guard.markup(meta.reference)}")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA CASE CHRONOLOGY", "Case chronology", " · ".join(facts))
    if events:
        body = [[w.cell(format_date(value_of(e, "on"))),
                 w.cell(KIND_WORDS.get(value_of(e, "kind"), value_of(e, "kind") or "")),
                 w.cell(value_of(e, "text"))] for e in events]
        kinds = [spec.Kind.DATE, spec.Kind.CHOICE, spec.Kind.LONG_TEXT]
        story.append(w.table(["Date", "What", "Detail"], body, column_widths(kinds, w.width)))
    else:
        story.append(w.empty("Nothing dated is recorded for this case yet."))
    story += [w.space(5), w.note(f"End of the chronology. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA case chronology", footer_note=printed_line(meta) or "MAPPA case chronology",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)
