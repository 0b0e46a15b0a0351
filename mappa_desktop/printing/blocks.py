"""The building blocks of every printout: headings, label/value grids, long text, tables.

Each block takes user values and passes them through the one ``TextGuard`` of the
printout, so nothing reaches a Paragraph unescaped. Tables repeat their header row on
every page, and a row taller than a page splits inside itself rather than failing.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from .. import spec
from .styles import Styles, banner_style, grid_style, styles, table_style
from .text import TextGuard

NOT_RECORDED = "Not recorded"

#: Column widths by field kind (mm); text columns share what is left.
_FIXED_WIDTH = {
    spec.Kind.DATE: 21.5,
    spec.Kind.TIME: 13,
    spec.Kind.YES_NO: 14,
    spec.Kind.CHOICE: 26,
    spec.Kind.PERSON: 36,
    spec.Kind.AGENCY: 34,
}
_FLEX_WEIGHT = {spec.Kind.TEXT: 1.0, spec.Kind.LONG_TEXT: 2.2}


def value_of(row, key: str):
    """A value from a row that is a dict or a dataclass (RegisterRow, Event)."""
    if isinstance(row, dict):
        return row.get(key)
    return getattr(row, key, None)


def column_widths(kinds, total: float, fixed: dict[int, float] | None = None) -> list[float]:
    """Widths (points) for columns of these field kinds across ``total``; ``fixed`` pins
    some columns (index -> mm). Without a text column the fixed ones stretch to fit."""
    fixed = fixed or {}
    widths = [fixed.get(i, _FIXED_WIDTH.get(k)) for i, k in enumerate(kinds)]
    widths = [w * mm if w is not None else None for w in widths]
    flex = [(i, _FLEX_WEIGHT.get(k, 1.0)) for i, (k, w) in enumerate(zip(kinds, widths)) if w is None]
    used = sum(w for w in widths if w is not None)
    if not flex or used > total * 0.8:
        # Nothing stretches, or the fixed columns leave too little: scale everything.
        weights = [w if w is not None else 30 * mm * _FLEX_WEIGHT.get(k, 1.0) for k, w in zip(kinds, widths)]
        scale = total / sum(weights)
        return [w * scale for w in weights]
    left = total - used
    weight = sum(w for _, w in flex)
    for i, w in flex:
        widths[i] = left * w / weight
    return widths


class Para(Paragraph):
    """A Paragraph that does not break its lines again for a width it has already seen
    (tables wrap each cell two or three times; the lines come out the same each time)."""

    _wrapped_for = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        # ReportLab drops blPara when a split fails; then the lines must be made again.
        if self._wrapped_for == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return result


class Writer:
    """Makes flowables for one printout; all user text goes through ``guard``."""

    def __init__(self, guard: TextGuard, width: float):
        self.guard = guard
        self.width = width
        self.s: Styles = styles()

    # -- text --------------------------------------------------------------------------

    def para(self, value, style=None) -> Paragraph:
        """User text as one paragraph (newlines kept as line breaks)."""
        return Para(self.guard.markup(value), style or self.s.body)

    def fixed(self, markup: str, style=None) -> Paragraph:
        """Our own words (markup written here, user parts already escaped)."""
        return Para(markup, style or self.s.body)

    def paragraphs(self, value, style=None) -> list:
        return [Para(part, style or self.s.body) for part in self.guard.paragraphs(value)]

    def cell(self, value, style=None) -> Paragraph:
        return Para(self.guard.markup(value), style or self.s.cell)

    def stacked(self, first, *more) -> Paragraph:
        """A cell with a main line and muted lines under it (owner, then agency)."""
        parts = [self.guard.markup(first)]
        parts += [f'<font size="7.8" color="#5b6573">{self.guard.markup(m)}</font>' for m in more if m]
        return Para("<br/>".join(p for p in parts if p), self.s.cell)

    def empty(self, text=NOT_RECORDED) -> Paragraph:
        return Para(text, self.s.empty)

    def note(self, text: str) -> Paragraph:
        return Para(text, self.s.note)

    # -- structure -----------------------------------------------------------------------

    def heading(self, title: str, number: int | None = None) -> list:
        """A section heading that never sits alone at the foot of a page."""
        text = self.guard.markup(title)
        if number is not None:
            text = f"{number}&nbsp;&nbsp;&nbsp;{text}"
        return [CondPageBreak(32 * mm), Para(text, self.s.heading)]

    def caption(self, label: str) -> Paragraph:
        return Para(self.guard.markup(label), self.s.caption)

    def long_text(self, label: str | None, value, *, required: bool) -> list:
        """A caption over paragraphs of text; empty text is 'Not recorded' when required."""
        body = self.paragraphs(value)
        if not body and not required:
            return []
        out = [CondPageBreak(18 * mm), self.caption(label)] if label else []
        return out + (body or [self.empty()])

    def grid(self, rows: list[tuple[str, object]], label_width: float = 46 * mm) -> Table:
        """Label/value pairs; a value is text or a flowable (or a list of flowables)."""
        data = []
        for label, value in rows:
            if isinstance(value, (str, int, float)):
                value = self.cell(value, self.s.body)
            data.append([Para(self.guard.markup(label), self.s.label), value])
        table = Table(data, colWidths=[label_width, self.width - label_width], hAlign="LEFT",
                      splitByRow=1, splitInRow=1)
        table.setStyle(grid_style())
        return table

    def table(self, headers: list[str], rows: list[list], widths: list[float], extra_style=()) -> Table:
        """A data table: header repeated on each page, cells wrap, long rows split."""
        head = [h if isinstance(h, Flowable) else Para(self.guard.markup(h), self.s.header_cell)
                for h in headers]
        table = Table([head, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT",
                      splitByRow=1, splitInRow=1)
        table.setStyle(table_style(extra_style))
        return table

    def header(self, *labels: str) -> Paragraph:
        """A header cell with more than one line (as the stacked cells under it)."""
        return Para("<br/>".join(self.guard.markup(x) for x in labels), self.s.header_cell)

    def together(self, flowables: list) -> list:
        """Keep a short section on one page (a table of a few rows split by a page end
        reads badly); long ones split wherever they must."""
        return [KeepTogether(flowables)]

    def banner(self, markup: str, final: bool) -> Table:
        table = Table([[Para(markup, self.s.banner)]], colWidths=[self.width], hAlign="LEFT")
        table.setStyle(banner_style(final))
        return table

    def space(self, height_mm: float) -> Spacer:
        return Spacer(1, height_mm * mm)

    def title_block(self, kicker: str, title: str, subtitle: str) -> list:
        """Kicker, title and subtitle: our words with user parts already escaped."""
        return [
            Para(kicker, self.s.kicker),
            Para(title, self.s.title),
            Para(subtitle, self.s.subtitle),
        ]
