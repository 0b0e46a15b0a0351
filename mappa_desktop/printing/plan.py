"""The risk management plan in print (document 6): the plan as its own document, and the
blocks the full minute, the pre-meeting pack and (when the area's setting keeps it) the
executive summary show.

Reads a version of the plan as ``plan.plan_content`` makes it (frozen with a finalised
minute, or the draft's as it stands). Pillar by pillar, one table each: what is done (for
contingency, what triggers it), by whom, how often and when, the condition it rests on,
and what the meeting did to it with the reason. Every user string goes through the
printout's one ``TextGuard``.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from .. import spec
from ..dates import format_date
from ..plan import CHANGE_WORDS, before_words, by_pillar, changes_words, condition_label, is_live, when_words
from .blocks import Writer
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import PORTRAIT
from .text import TextGuard

#: What an executive summary may show of an entry (no names of people, no reasons, no
#: conditions: the summary goes outside MAPPA).
SUMMARY_FIELDS = ("trigger_event", "what", "owner_agency", "frequency", "start_date", "end_date")


def version_words(plan: dict | None) -> str:
    """'Version 2, agreed at the meeting of 14/10/2026' (a draft: 'Draft of version 3...')."""
    plan = plan or {}
    when = format_date(plan.get("meeting_date"))
    at = f"the meeting of {when}" if when else "a meeting with no date"
    if plan.get("version"):
        return f"Version {plan['version']}, agreed at {at}"
    base = plan.get("base_version")
    opened = f"opened from version {base}" if base else "the first version"
    return f"Draft at {at} ({opened}); it becomes a version when the minute is finalised"


def _what(w: Writer, entry: dict, summary: bool):
    parts = []
    if entry.get("trigger_event"):
        parts.append(f"<b>If:</b> {w.guard.markup(entry['trigger_event'])}")
    label = "<b>Then:</b> " if entry.get("trigger_event") else ""
    parts.append(label + (w.guard.markup(entry.get("what")) or "<i>Not recorded</i>"))
    condition = entry.get("condition")
    if condition and not summary:
        parts.append(f'<font size="7.8" color="#5b6573">Rests on {w.guard.markup(condition_label(condition, 200))}'
                     "</font>")
    if entry.get("action_number") and not summary:
        parts.append(f'<font size="7.8" color="#5b6573">Action {int(entry["action_number"])} raised</font>')
    return w.fixed("<br/>".join(parts), w.s.cell)


def _change(w: Writer, entry: dict):
    change = entry.get("change") or "carried"
    words = CHANGE_WORDS.get(change, change)
    lines = [f"<b>{words}</b>" if change != "carried" else words]
    if change == "changed":
        lines += [w.guard.markup(line) for line in before_words(entry).split("\n") if line]
    if entry.get("rationale") and change != "carried":
        lines.append(w.guard.markup(entry["rationale"]))
    return w.fixed("<br/>".join(lines), w.s.cell)


def pillar_table(w: Writer, entries: list, *, changes: bool, summary: bool = False):
    """One pillar's entries as a table (an ended entry appears only with ``changes``)."""
    rows = []
    for number, entry in enumerate(entries, 1):
        who = (w.stacked(entry.get("owner_agency") or "") if summary else
               w.stacked(entry.get("owner_person") or entry.get("owner_agency") or "",
                         entry.get("owner_agency") if entry.get("owner_person") else None))
        often = w.stacked(entry.get("frequency") or "", when_words(entry))
        row = [w.cell(str(number)), _what(w, entry, summary), who, often]
        if changes:
            row.append(_change(w, entry))
        rows.append(row)
    heads = ["No.", "What is done", "Agency" if summary else "By whom", w.header("How often", "When")]
    widths = [9 * mm, 0, 36 * mm, 30 * mm] + ([38 * mm] if changes else [])
    if changes:
        heads.append("At this meeting")
    widths[1] = w.width - sum(widths)
    return w.table(heads, rows, widths)


def plan_blocks(w: Writer, plan: dict | None, pillars=None, *, changes: bool = True, summary: bool = False,
                subheadings: bool = True) -> list:
    """The entries under ``pillars`` (all by default), pillar by pillar; with ``changes``
    what the meeting did to each (ended entries included), else the plan as it stands."""
    entries = list((plan or {}).get("entries") or ())
    not_needed = (plan or {}).get("not_needed") or {}
    out = []
    for pillar, items in by_pillar(entries, pillars):
        shown = items if changes else [e for e in items if is_live(e)]
        if summary:
            shown = [{k: e.get(k) for k in SUMMARY_FIELDS} for e in shown if is_live(e)]
        if subheadings:  # never alone at the foot of a page
            out += [CondPageBreak(30 * mm), w.fixed(w.guard.markup(pillar.label), w.s.subheading)]
        if shown:
            out.append(pillar_table(w, shown, changes=changes and not summary, summary=summary))
        elif not_needed.get(pillar.value) and not summary:
            out.append(w.para(f"Not needed at this meeting: {not_needed[pillar.value]}"))
        else:
            out.append(w.empty("Nothing in the plan."))
    return out


def _conditions(w: Writer, plan: dict) -> list:
    conditions = plan.get("conditions") or []
    if not conditions:
        return []
    source = spec.CONDITIONS.field("source")
    rows = []
    for c in conditions:
        origin = source.label_of(c.get("source")) + (f", {c['source_detail']}" if c.get("source_detail") else "")
        dates = " ".join(p for p in (f"from {format_date(c.get('from_date'))}" if c.get("from_date") else "",
                                     f"until {format_date(c.get('until_date'))}" if c.get("until_date") else "") if p)
        rows.append([w.cell(origin), w.cell(c.get("condition_text")), w.cell(dates),
                     w.cell("Yes" if c.get("linked") else "")])
    out = w.heading("Conditions of the licence and orders")
    out.append(w.note("As recorded on the case when this version was made."))
    out.append(w.table(["Source", "Condition", "When", "The plan rests on it"], rows,
                       [42 * mm, w.width - 42 * mm - 40 * mm - 20 * mm, 40 * mm, 20 * mm]))
    return out


def _footer(plan: dict, meta: PrintMeta, final: bool) -> str:
    """What this copy is: the version, and the minute it was frozen with (its fingerprint)."""
    when = format_date(plan.get("meeting_date")) or "no date"
    if final:
        sha = f", fingerprint {meta.sha256[:12]}" if meta.sha256 else ""
        return f"Plan version {plan['version']} · minute of {when}{sha}"
    return f"Draft plan · minute of {when} · not approved"


def render_plan(plan: dict, meta: PrintMeta) -> PrintResult:
    """The risk management plan as its own document: the version and the meeting it came
    from, each pillar with what changed at that meeting, and the conditions."""
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(PORTRAIT))
    facts = []
    if meta.reference:
        facts.append(f"Case {guard.markup(meta.reference)}")
    facts.append(guard.markup(version_words(plan)))
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA RISK MANAGEMENT PLAN", "Risk management plan", " · ".join(facts))
    final = bool(plan.get("version")) and meta.finalised
    banner = (f"<b>Version {int(plan['version'])}.</b> Frozen with the finalised minute; later changes make a new "
              "version." if final else "<b>DRAFT.</b> The meeting's version of the plan as it stands; not approved "
              "until the minute is finalised.")
    story += [w.banner(banner + f" {guard.markup(changes_words(plan)).capitalize()}.", final), w.space(1)]
    for number, (pillar, _items) in enumerate(by_pillar(plan.get("entries") or ()), 1):
        story += w.heading(pillar.label, number)
        story += plan_blocks(w, plan, (pillar.value,), subheadings=False)
    story += _conditions(w, plan)
    story += [w.space(5), w.note(f"End of the plan. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind="MAPPA risk management plan", footer_note=_footer(plan, meta, final),
                    pagesize=PORTRAIT, watermark=not final)
    return build_pdf(story, meta, layout, guard)
