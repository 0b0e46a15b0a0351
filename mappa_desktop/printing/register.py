"""The action register as a printout: across cases, or one case's register.

Landscape, one table with its header on every page: the case (left out when the
printout is of one case), number, date raised, action (with its history of carries and
re-assignments under it), owner, agency, the current target date, status ("overdue" on the
day of printing, from the current target) and the outcome with the date completed.
"""

from __future__ import annotations

from datetime import datetime

from .. import spec
from ..dates import format_date, uk_today
from .blocks import Writer, column_widths, value_of
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import LANDSCAPE
from ..rules.actions import is_overdue
from .text import TextGuard
from ..words import plural

Kind = spec.Kind
_STATUS = spec.section("previous_actions").field("status")

#: column -> (header, kind for its width, fixed width in mm or None, share of the rest)
COLUMNS = {
    "reference": ("Case", Kind.TEXT, 27, 1),
    "number": ("No.", Kind.TEXT, 9, 1),
    "raised_date": ("Raised", Kind.DATE, None, 1),
    "action_text": ("Action", Kind.LONG_TEXT, None, 1.3),
    "owner": ("Owner", Kind.PERSON, 36, 1),  # the person, the agency under the name
    "owner_person": ("Owner", Kind.PERSON, 34, 1),
    "owner_agency": ("Agency", Kind.AGENCY, 34, 1),
    "target_date": ("Target date", Kind.DATE, None, 1),
    "status": ("Status", Kind.CHOICE, 22, 1),
    "outcome": ("Outcome or note", Kind.LONG_TEXT, None, 1),
}
REGISTER_COLUMNS = ("reference", "number", "raised_date", "action_text", "owner_person", "owner_agency",
                    "target_date", "status", "outcome")


def print_day(meta: PrintMeta):
    """The UK date of printing (what 'overdue' is measured against), if known."""
    if not meta.printed_at:
        return None
    try:
        return uk_today(datetime.fromisoformat(meta.printed_at))
    except ValueError:
        return None


def _outcome(row) -> str:
    status = value_of(row, "status")
    outcome = value_of(row, "outcome") or ""
    if status == "withdrawn" and value_of(row, "withdrawn_reason"):
        outcome = f"Withdrawn: {value_of(row, 'withdrawn_reason')}" + (f"\n{outcome}" if outcome else "")
    completed = value_of(row, "completed_date")
    if completed:
        outcome = f"Completed {format_date(completed)}" + (f": {outcome}" if outcome else ".")
    return outcome


def action_table(w: Writer, rows, columns, today):
    """A table of actions (register rows or action dicts) with these columns."""
    body = []
    for row in rows:
        cells = []
        for column in columns:
            if column == "owner":
                cells.append(w.stacked(value_of(row, "owner_person") or "", value_of(row, "owner_agency")))
            elif column == "status":
                status = value_of(row, "status") or ""
                if today is not None and is_overdue(status, value_of(row, "target_date"), today,
                                                    value_of(row, "case_status") or "active"):
                    cells.append(w.fixed(f"{w.guard.markup(_STATUS.display(status))}<br/><b>Overdue</b>", w.s.cell))
                else:
                    cells.append(w.cell(_STATUS.display(status)))
            elif column == "outcome":
                cells.append(w.cell(_outcome(row)))
            elif column == "action_text" and value_of(row, "history"):
                cells.append(w.stacked(value_of(row, "action_text") or "", value_of(row, "history")))
            elif column.endswith("_date"):
                cells.append(w.cell(format_date(value_of(row, column))))
            else:
                cells.append(w.cell(value_of(row, column)))
        body.append(cells)
    kinds = [COLUMNS[c][1] for c in columns]
    fixed = {i: COLUMNS[c][2] for i, c in enumerate(columns) if COLUMNS[c][2]}
    weights = {i: COLUMNS[c][3] for i, c in enumerate(columns)}
    return w.table([COLUMNS[c][0] for c in columns], body,
                   column_widths(kinds, w.width, fixed=fixed, weights=weights))


def render_register(rows, meta: PrintMeta, *, title: str = "Action register") -> PrintResult:
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(LANDSCAPE))
    rows = list(rows)
    one_case = bool(meta.reference) and {value_of(r, "reference") for r in rows} <= {meta.reference}
    today = print_day(meta)
    facts = [plural(len(rows), "action")]
    if meta.reference:
        facts.insert(0, f"Case {guard.markup(meta.reference)}")
    if today:
        facts.append(f"as at {format_date(today)}")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA ACTION REGISTER", guard.markup(title), " · ".join(facts))
    if rows:
        columns = REGISTER_COLUMNS[1:] if one_case else REGISTER_COLUMNS
        story.append(action_table(w, rows, columns, today))
    else:
        story.append(w.empty("No actions."))
    story += [w.space(5), w.note(f"End of the register. {guard.markup(printed_line(meta))}".strip())]
    # The title is the UI's ("Actions of DS McLeish"...): the page shows it, the PDF's
    # metadata does not, so that no name reaches it.
    layout = Layout(kind=guard.line(title) or "Action register", info_kind="MAPPA action register",
                    footer_note=printed_line(meta) or "MAPPA action register", pagesize=LANDSCAPE)
    return build_pdf(story, meta, layout, guard)
