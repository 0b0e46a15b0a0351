"""A Significant Case Review as a printout: one stage, or the full review.

``content`` comes from ``scr.review_content`` (labels and display values, walked in the
order of ``scr_spec``). The full review and the review stage carry the case's chronology up
to the incident and the recommendations with their owners and target dates.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from .. import spec
from ..dates import format_date
from .blocks import Writer, column_widths
from .chronology import chronology_table
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .text import TextGuard

Kind = spec.Kind
STATUS_WORDS = {"completed": "Completed", "draft": "In progress", "not started": "Not started",
                "not needed": "Not needed (record closed)"}


def _fields(w: Writer, fields) -> list:
    """Short values in a grid, long ones as captioned paragraphs, in the spec's order."""
    out, short = [], []
    for label, value, long in fields:
        if long:
            if short:
                out.append(w.grid(short))
                short = []
            out += w.long_text(label, value, required=True)
        else:
            short.append((label, value or "Not recorded"))
    if short:
        out.append(w.grid(short))
    return out


def _recommendations(w: Writer, rows) -> list:
    out = w.heading("Recommendations")
    if not rows:
        return out + [w.empty("No recommendations.")]
    body = [[w.cell(str(r["number"])), w.cell(r["recommendation"]),
             w.stacked(r["owner_person"] or "", r["owner_agency"]), w.cell(format_date(r["target_date"])),
             w.cell("In the register" if r["action_id"] else "Not yet in the register")] for r in rows]
    kinds = [Kind.TEXT, Kind.LONG_TEXT, Kind.PERSON, Kind.DATE, Kind.TEXT]
    widths = column_widths(kinds, w.width, fixed={0: 9 * mm})
    return out + [w.table(["No.", "Recommendation", "Owner", "Target date", "Register"], body, widths)]


def _chronology(w: Writer, events) -> list:
    out = w.heading("Case chronology before the incident")
    if not events:
        return out + [w.empty("Nothing dated is recorded for this case before the incident.")]
    return out + [chronology_table(w, events)]


def render_scr(content: dict, meta: PrintMeta, *, stage: str | None = None) -> PrintResult:
    """The full review (``stage`` None) or one stage, with the incident it concerns."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    stages = [s for s in content["stages"] if stage is None or s["key"] == stage]
    title = "Significant Case Review" if stage is None else stages[0]["title"]
    facts = [f"Case {guard.markup(content['reference'])}"]
    facts.append("Closed" if content["status"] == "closed" else "Open")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA SIGNIFICANT CASE REVIEW", guard.markup(title), " · ".join(facts))
    story += w.heading("Incident")
    story += _fields(w, content["incident"])
    criteria = content["criteria"]
    story += [w.caption("Criteria it appears to meet")]
    story += [w.para(c) for c in criteria] or [w.empty()]
    for number, item in enumerate(stages, start=1):
        story += w.heading(item["title"], number if stage is None else None)
        story.append(w.grid([("Status", STATUS_WORDS.get(item["status"], item["status"]))]))
        story += _fields(w, item["fields"])
        if item["key"] == "review":
            story += _recommendations(w, content["recommendations"])
    if stage is None or stage == "review":
        story += _chronology(w, content["chronology"])
    if content["status"] == "closed" and (stage is None or stage in ("sog_decision", "closure")):
        story += w.heading("Record closed")
        story.append(w.grid([("Closed on", format_date(content["closed_date"]) or "Not recorded"),
                             ("Reasons", content["closed_reason"] or "Not recorded")]))
    story += [w.space(5), w.note(f"End of the review. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA significant case review", footer_note=printed_line(meta) or "MAPPA SCR",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)
