"""The pre-meeting pack: what those invited need before a MAPPA meeting.

Where the case stands, its key dates and civil orders, the decisions of the last meeting
(agreed risk of serious harm, the level decision, disclosure decisions and the review
date, each with its rationale), the risk management plan as it stands (its latest
version, ``content["current_plan"]``), the actions still open, and the documents to be tabled.
Sent to MAPPA attendees only, so it keeps the rationale the executive summary leaves out.
"""

from __future__ import annotations

from .. import spec
from ..dates import format_date
from .blocks import Writer
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line, section_body
from .page import Layout, build_pdf, frame_width
from .register import action_table, print_day
from .styles import PORTRAIT
from .text import TextGuard

#: The last meeting's decisions, section by section (None: the whole section).
DECISIONS = (
    ("rosh", None),
    ("mappa_level", ("level_decision", "new_level", "level_rationale")),
    ("disclosure", None),
    ("next_review", None),
)
OPEN_ACTION_COLUMNS = ("number", "raised_date", "action_text", "owner", "target_date", "status")


def _fields(section: spec.Section, keys):
    return section.fields if keys is None else tuple(f for f in section.fields if f.key in keys)


def _current_plan(w: Writer, plan: dict | None) -> list:
    """The plan the meeting opens with: the latest version, entries not ended."""
    if not plan:
        return [w.note("No version of the risk management plan yet: the meeting agrees the first.")]
    from .plan import plan_blocks, version_words

    return [w.note(w.guard.markup(f"{version_words(plan)}. The meeting reviews each entry: keep, change or end "
                                  "it, with the reason."))] + plan_blocks(w, plan, changes=False)


def render_pack(content: dict, meta: PrintMeta, *, open_actions, documents) -> PrintResult:
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    facts = []
    if meta.reference:
        facts.append(f"Case {guard.markup(meta.reference)}")
    if meta.meeting_date:
        facts.append(f"meeting on {format_date(meta.meeting_date)}")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA PRE-MEETING PACK", "Pre-meeting pack", " · ".join(facts))

    story += w.heading("Where the case stands", 1)
    story += section_body(w, spec.CASE_STATUS, spec.CASE_STATUS.fields, content)
    story += w.heading("Key dates and civil orders", 2)
    for key in ("key_dates", "civil_orders"):
        section = spec.section(key)
        story.append(w.fixed(guard.markup(section.title), w.s.subheading))
        story += section_body(w, section, section.fields, content)

    meeting = content.get("meeting") or {}
    last = format_date(meeting.get("meeting_date"))
    story += w.heading(f"Decisions of the last meeting{f' ({last})' if last else ''}", 3)
    if not meeting:
        story.append(w.note("No earlier minute: this is the first meeting of the case."))
    else:
        for key, keys in DECISIONS:
            section = spec.section(key)
            story.append(w.fixed(guard.markup(section.title), w.s.subheading))
            story += section_body(w, section, _fields(section, keys), content)

    story += w.heading("The risk management plan as it stands", 4)
    story += _current_plan(w, content.get("current_plan"))

    actions = list(open_actions)
    story += w.heading("Open actions", 5)
    if actions:
        story.append(action_table(w, actions, OPEN_ACTION_COLUMNS, print_day(meta)))
    else:
        story.append(w.empty("No open actions."))

    papers = [{"title": d} if isinstance(d, str) else dict(d) for d in documents]
    story += w.heading("Documents to be tabled", 6)
    section = spec.section("documents")
    story += section_body(w, section, section.fields, {"rows": {"documents": papers}})

    story += [w.space(5), w.note(f"End of the pack. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA pre-meeting pack", footer_note=printed_line(meta) or "MAPPA pre-meeting pack",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)
