"""The action register as a printout: across cases, or one case's register.

Landscape, one table with its header on every page: the case (left out when the
printout is of one case), number, raised, action, owner with the agency under the name,
target, status (with "overdue" on the day of printing), completed and outcome.
"""

from __future__ import annotations

from datetime import datetime

from .. import spec
from ..dates import format_date, format_datetime_local, from_iso, uk_today
from .blocks import Writer, column_widths, value_of
from .fonts import register_fonts
from .meta import PrintMeta, PrintResult
from .minute import printed_line
from .page import Layout, build_pdf, frame_width
from .styles import LANDSCAPE
from .text import TextGuard

Kind = spec.Kind
_ACTION = spec.section("previous_actions")
_OPEN = ("open", "carried")


def print_day(meta: PrintMeta):
    """The UK date of printing (what 'overdue' is measured against), if known."""
    if not meta.printed_at:
        return None
    try:
        return uk_today(datetime.fromisoformat(meta.printed_at))
    except ValueError:
        return None


def action_rows(w: Writer, rows, *, with_case: bool, today) -> tuple[list[str], list[list], list]:
    """Headers, cells and column kinds of an action table (register and pack)."""
    status_field = _ACTION.field("status")
    headers = (["Case"] if with_case else []) + ["No.", "Raised", "Action", "Owner", "Target date",
                                                  "Status", "Completed", "Outcome or note"]
    kinds = ([Kind.TEXT] if with_case else []) + [Kind.TIME, Kind.DATE, Kind.LONG_TEXT, Kind.PERSON,
                                                  Kind.DATE, Kind.CHOICE, Kind.DATE, Kind.LONG_TEXT]
    body = []
    for row in rows:
        status = value_of(row, "status") or ""
        target = value_of(row, "target_date")
        overdue = today is not None and status in _OPEN and bool(target) and from_iso(target) is not None \
            and from_iso(target) < today
        outcome = value_of(row, "outcome")
        if status == "withdrawn" and value_of(row, "withdrawn_reason"):
            outcome = f"Withdrawn: {value_of(row, 'withdrawn_reason')}" + (f"\n{outcome}" if outcome else "")
        cells = [w.cell(value_of(row, "reference"))] if with_case else []
        cells += [
            w.cell(value_of(row, "number")),
            w.cell(format_date(value_of(row, "raised_date"))),
            w.cell(value_of(row, "action_text")),
            w.stacked(value_of(row, "owner_person") or "", value_of(row, "owner_agency")),
            w.cell(format_date(target)),
            w.fixed(w.guard.markup(status_field.display(status)) + ("<br/><b>Overdue</b>" if overdue else ""),
                    w.s.cell),
            w.cell(format_date(value_of(row, "completed_date"))),
            w.cell(outcome),
        ]
        body.append(cells)
    return headers, body, kinds


def render_register(rows, meta: PrintMeta, *, title: str = "Action register") -> PrintResult:
    guard = TextGuard(register_fonts())
    w = Writer(guard, frame_width(LANDSCAPE))
    rows = list(rows)
    references = {value_of(r, "reference") for r in rows}
    with_case = not (meta.reference and references <= {meta.reference})
    today = print_day(meta)
    facts = [f"{len(rows)} action{'s' if len(rows) != 1 else ''}"]
    if meta.reference:
        facts.insert(0, f"Case {guard.markup(meta.reference)}")
    if today:
        facts.append(f"as at {format_date(today)}")
    if meta.area_name:
        facts.append(guard.markup(meta.area_name))
    story = w.title_block("MAPPA ACTION REGISTER", guard.markup(title), " · ".join(facts))
    if rows:
        headers, body, kinds = action_rows(w, rows, with_case=with_case, today=today)
        fixed = {0: 24} if with_case else {}
        widths = column_widths(kinds, w.width, fixed={**fixed, (1 if with_case else 0): 10})
        story.append(w.table(headers, body, widths))
    else:
        story.append(w.empty("No actions match."))
    story += [w.space(5), w.note(f"End of the register. {guard.markup(printed_line(meta))}".strip())]
    layout = Layout(kind=title, footer_note=printed_line(meta) or "MAPPA action register", pagesize=LANDSCAPE)
    return build_pdf(story, meta, layout, guard)


__all__ = ["render_register", "action_rows", "print_day", "format_datetime_local"]
