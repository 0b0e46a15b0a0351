"""Printouts for oversight: a meeting audit (document 12) and the Strategic Oversight
Group's report for a period. Same page frame as every printout (marking, running header,
"Page i of N"); the SOG report carries numbers and agencies only, never a case or a name."""

from __future__ import annotations

from reportlab.lib.units import mm

from .. import spec
from ..dates import format_date
from ..oversight import meeting_audit
from .blocks import Writer, column_widths
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .text import TextGuard
from ..words import plural

_GRADE = {int(c.value): c.label for c in meeting_audit.GRADES}


def _bullets(w: Writer, lines, empty: str) -> list:
    if not lines:
        return [w.empty(empty)]
    return [w.fixed("•&nbsp;&nbsp;" + w.guard.markup(line), w.s.body) for line in lines]


def render_meeting_audit(content: dict, meta: PrintMeta) -> PrintResult:
    """``content``: reference, meeting_date, meeting_type, auditor, assessed_on, status and
    ``items`` (dicts with key, suggested, grade, comment, evidence, missing) in form order."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    kind = spec.field("purpose.meeting_type").display(content.get("meeting_type")) or "Meeting"
    facts = [f"Case {guard.markup(meta.reference)}" if meta.reference else "",
             f"{guard.markup(kind)} meeting of {format_date(content.get('meeting_date')) or 'no date'}",
             f"audited by {guard.markup(content.get('auditor') or 'unknown')} on {format_date(content.get('assessed_on'))}",
             "completed" if content.get("status") == "completed" else "DRAFT: not every item is graded"]
    story = w.title_block("MAPPA MEETING AUDIT (DOCUMENT 12)", "Meeting audit", " · ".join(f for f in facts if f))
    items = content.get("items") or []
    summary = [[w.cell(meeting_audit.item(i["key"]).title), w.cell(_GRADE.get(i.get("suggested"), "")),
                w.cell(_GRADE.get(i.get("grade"), "Not graded"))] for i in items]
    kinds = [spec.Kind.LONG_TEXT, spec.Kind.TEXT, spec.Kind.TEXT]
    story.append(w.table(["Item", "Suggested from the record", "Auditor's grade"], summary,
                         column_widths(kinds, w.width)))
    for number, entry in enumerate(items, 1):
        item = meeting_audit.item(entry["key"])
        block = [*w.heading(item.title, number), w.note(guard.markup(item.asks))]
        block.append(w.grid([
            ("Suggested", _GRADE.get(entry.get("suggested"), "")),
            ("Auditor's grade", _GRADE.get(entry.get("grade"), "Not graded")),
            ("Comment", entry.get("comment") or "—"),
        ]))
        block.append(w.caption("Evidence from the record"))
        block += _bullets(w, entry.get("evidence"), "None found.")
        block.append(w.caption("Missing"))
        block += _bullets(w, entry.get("missing"), "Nothing missing.")
        story += w.together(block)
    scale = "; ".join(c.label for c in reversed(meeting_audit.GRADES))
    story += [w.space(5), w.note(f"Grades: {guard.markup(scale)}. The evidence is as the record stood when the "
                                 "audit was saved; the audit does not change the minute."),
              w.note(f"End of the meeting audit. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA meeting audit", footer_note=printed_line(meta) or "MAPPA meeting audit",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)


def _percent(share) -> str:
    return "—" if share.percent is None else f"{share.percent}%"


def render_oversight(report, meta: PrintMeta) -> PrintResult:
    """An ``oversight.report.OversightReport``: figures only."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    facts = [f"Meetings held {format_date(report.start)} to {format_date(report.end)}",
             f"figures as at {format_date(report.as_at)}"]
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA STRATEGIC OVERSIGHT GROUP", "Oversight report", " · ".join(facts))
    story += w.heading("Meetings held")
    story.append(w.grid([
        ("Meetings held", str(report.meetings_held)),
        ("Initial meetings", str(report.initial_held)),
        ("Review meetings", str(report.review_held)),
        ("Minutes still in draft", str(report.in_draft)),
    ], label_width=70 * mm))
    story += w.heading("Minutes meeting each item of the meeting audit")
    rows = [[w.cell(s.title), w.cell(f"{s.meeting} of {s.of}"), w.cell(_percent(s))] for s in report.items]
    story.append(w.table(["Item (document 12)", "Minutes", "Share"], rows, [w.width - 60 * mm, 35 * mm, 25 * mm]))
    story.append(w.note(f"A minute meets an item when graded {meeting_audit.MEETS} or 4: the auditor's grade for "
                        f"the {plural(report.audited, 'minute')} with a completed audit, "
                        "the grade suggested by the record for the others."))
    story += w.heading("Timeliness")
    story.append(w.grid([
        ("Initial meetings with a referral date", str(report.initial_with_referral)),
        ("Of these, more than 20 working days after referral", str(report.initial_past_limit)),
        ("Initial meetings without a referral date", str(report.initial_without_referral)),
        ("Reviews held with a review date set", str(report.reviews_with_due_date)),
        ("Of these, held after that date", str(report.reviews_late)),
    ], label_width=95 * mm))
    story += w.heading(f"Actions overdue by agency, as at {format_date(report.as_at)}")
    if report.actions_overdue:
        rows = [[w.cell(agency), w.cell(str(count))] for agency, count in report.actions_overdue]
        rows.append([w.fixed("<b>All agencies</b>", w.s.cell), w.fixed(f"<b>{report.actions_overdue_total}</b>", w.s.cell)])
        story.append(w.table(["Agency", "Overdue"], rows, [w.width - 35 * mm, 35 * mm]))
    else:
        story.append(w.empty("No action is overdue."))
    story += [w.space(5), w.note("Numbers only: no offender's name or case reference is in this report."),
              w.note(f"End of the report. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA oversight report", footer_note=printed_line(meta) or "MAPPA oversight report",
                    pagesize=PORTRAIT)
    return build_pdf(story, meta, layout, guard)
