"""The building blocks of every printout: headings, label/value grids, long text, tables.

Each block takes user values and passes them through the one ``TextGuard`` of the
printout, so nothing reaches a Paragraph unescaped. Tables repeat their header row on
every page, and a row taller than a page splits inside itself rather than failing.
"""

from __future__ import annotations

import copy
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer, Table

from .. import spec
from .fonts import FONT
from .styles import CELL_PADDING, CELL_SIZE, Styles, banner_style, grid_style, styles, table_style
from .text import PIECE_CHARS, PIECE_LINES, TextGuard

NOT_RECORDED = "Not recorded"

#: Column widths by field kind (mm); text columns share what is left.
_FIXED_WIDTH = {
    spec.Kind.DATE: 21.5,
    spec.Kind.TIME: 13,
    spec.Kind.YES_NO: 14,
    spec.Kind.CHOICE: 26,
    spec.Kind.PERSON: 40,
    spec.Kind.AGENCY: 35,
}
_FLEX_WEIGHT = {spec.Kind.TEXT: 1.0, spec.Kind.LONG_TEXT: 2.2}


def value_of(row, key: str):
    """A value from a row that is a dict or a dataclass (RegisterRow, Event)."""
    if isinstance(row, dict):
        return row.get(key)
    return getattr(row, key, None)


def column_widths(kinds, total: float, fixed: dict[int, float] | None = None,
                  weights: dict[int, float] | None = None) -> list[float]:
    """Widths (points) for columns of these field kinds across ``total``; ``fixed`` pins
    some columns (index -> mm), ``weights`` shares the rest differently (index -> weight).
    Without a text column the fixed ones stretch to fit."""
    fixed = fixed or {}
    weights = weights or {}
    widths = [fixed.get(i, _FIXED_WIDTH.get(k)) for i, k in enumerate(kinds)]
    widths = [w * mm if w is not None else None for w in widths]
    flex = [(i, weights.get(i, _FLEX_WEIGHT.get(k, 1.0))) for i, (k, w) in enumerate(zip(kinds, widths)) if w is None]
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
    (tables wrap each cell two or three times; the lines come out the same each time).

    Split at a page end, both parts keep the lines already made: ReportLab breaks the
    part on the next page into lines again, which for a paragraph running over many
    pages costs the square of its length."""

    _wrapped_for = None
    _lines_by_width = None  # width -> (blPara, height): a table asks for two or three widths

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        # ReportLab drops blPara when a split fails; then the lines must be made again.
        if self._wrapped_for == availWidth and "blPara" in self.__dict__:
            return self.width, self.height
        known = self._lines_by_width.get(availWidth) if self._lines_by_width else None
        if known is not None:  # the same text at a width already seen: the same lines
            self.blPara, self.height = known
            self.width, self._wrapped_for = availWidth, availWidth
            return self.width, self.height
        result = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        if self._lines_by_width is None:
            self._lines_by_width = {}
        if len(self._lines_by_width) < 4:
            self._lines_by_width[availWidth] = (self.blPara, self.height)
        return result

    def split(self, availWidth, availHeight):  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2 or "blPara" not in self.__dict__:
            return parts
        first, rest = parts
        style = self.style
        if (self.blPara.kind != 0 or style.firstLineIndent
                or getattr(style, "autoLeading", "") not in ("", "off")):
            # Only plain text (one fragment, no line breaks: the lines are lists of words)
            # is kept; for the rest ReportLab's lines point into the whole's fragments.
            return parts
        taken = len(first.blPara.lines)
        for part, lines in ((first, self.blPara.lines[:taken]), (rest, self.blPara.lines[taken:])):
            kept = copy.copy(self.blPara)  # of the same kind as the whole (ReportLab's is not)
            kept.lines = lines
            part.blPara = kept
            part.width, part.height = availWidth, len(lines) * style.leading
            part._wrapped_for = availWidth
        return parts


class RowsTable(Flowable):
    """A long table laid out a page at a time.

    ReportLab's Table measures every remaining row each time it splits, so a table of
    1,000 rows costs the square of its length. This hands it only as many rows as could
    fit in the space left (every row is at least one line tall), splits that, and keeps
    the rest for the next page, with the header row repeated on each.
    """

    MIN_ROW = 17  # points: one line of a cell with its padding

    def __init__(self, head: list, rows: list, widths: list[float], style, per_page: int | None = None):
        super().__init__()
        self.head, self.rows, self.widths, self.style = head, rows, widths, style
        self.per_page = per_page  # rows the last page took: a guess for this one

    def _table(self, rows) -> Table:
        table = Table([self.head, *rows], colWidths=self.widths, repeatRows=1, hAlign="LEFT",
                      splitByRow=0, splitInRow=1)
        table.setStyle(self.style)
        return table

    def wrap(self, availWidth, availHeight):  # noqa: N803 (ReportLab's names)
        return sum(self.widths), availHeight + self.MIN_ROW * len(self.rows)  # always split

    def split(self, availWidth, availHeight):  # noqa: N803
        most = int(availHeight / self.MIN_ROW) + 1  # more rows than can possibly fit
        take = min(most, int(self.per_page * 1.5) + 3) if self.per_page else most
        while True:
            parts = self._table(self.rows[:take]).split(availWidth, availHeight)
            if not parts:
                return []
            if len(parts) > 1 or take >= len(self.rows):
                break
            take *= 2  # the guess was short: everything fitted, so there is room for more
        rest = self.rows[take:]
        if len(parts) > 1:
            rest = parts[1]._cellvalues[1:] + rest  # the rows (or part of a row) left over
        if not rest:
            return [parts[0]]
        used = len(parts[0]._cellvalues) - 1
        if len(rest) <= 60:
            return [parts[0], self._table(rest)]
        return [parts[0], RowsTable(self.head, rest, self.widths, self.style, per_page=max(1, used))]

    def draw(self):  # never drawn itself: always split into Tables first
        pass


class Cell:
    """A table or grid value not yet made into a flowable: the table prints it as a plain
    string when it is one line that fits its column (drawn straight onto the page, many
    times cheaper than a Paragraph: a register of 1,000 actions is mostly dates, numbers
    and statuses), else as a Paragraph."""

    __slots__ = ("lines", "markup", "style")

    def __init__(self, lines: list[str], markup: str, style):
        self.lines = lines
        self.markup = markup
        self.style = style


class Writer:
    """Makes flowables for one printout; all user text goes through ``guard``."""

    def __init__(self, guard: TextGuard, width: float):
        self.guard = guard
        self.width = width
        self.s: Styles = styles()
        self._parsed: dict[tuple[str, str], list] = {}
        self._joined_styles: dict[str, object] = {}

    def _p(self, markup: str, style) -> Paragraph:
        """A Paragraph, parsing each distinct markup once per printout (owners, agencies,
        statuses and labels repeat; ReportLab's parser is most of a cell's cost)."""
        key = (markup, style.name)
        frags = self._parsed.get(key)
        if frags is None:
            paragraph = Para(markup, style)
            if len(self._parsed) < 20_000:
                self._parsed[key] = [f.clone() for f in paragraph.frags]
            return paragraph
        return Para(markup, style, frags=[f.clone() for f in frags])

    # -- text --------------------------------------------------------------------------

    def para(self, value, style=None) -> Paragraph:
        """User text as one paragraph (newlines kept as line breaks)."""
        return self._p(self.guard.markup(value), style or self.s.body)

    def fixed(self, markup: str, style=None) -> Paragraph:
        """Our own words (markup written here, user parts already escaped)."""
        return self._p(markup, style or self.s.body)

    def paragraphs(self, value, style=None, *, in_table: bool = False) -> list:
        """User text as paragraphs; a long one in pieces (``text.split_pieces``), of which
        all but the last take no space after them, so the pieces read as one. ``in_table``:
        for a table or grid cell, where the pieces are larger (a table measures every
        flowable left in a cell each time the cell runs over a page)."""
        style = style or self.s.body
        return [self._p(markup, style if last else self._joined(style))
                for markup, last in self.guard.pieces(value, grouped=in_table)]

    def _joined(self, style):
        """``style`` without the space after: for a piece that its paragraph continues."""
        joined = self._joined_styles.get(style.name)
        if joined is None:
            from reportlab.lib.styles import ParagraphStyle

            joined = ParagraphStyle(f"{style.name}-joined", parent=style, spaceAfter=0)
            self._joined_styles[style.name] = joined
        return joined

    def cell(self, value, style=None) -> Cell:
        """A value for a table or grid cell (see ``Cell``)."""
        plain = self.guard.plain(value)
        return Cell(plain.split("\n"), escape(plain).replace("\n", "<br/>"), style or self.s.cell)

    def flow(self, cell, width: float):
        """A table cell as ReportLab takes it: a plain string, a flowable or a list."""
        if not isinstance(cell, Cell):
            return cell
        room = width - 2 * CELL_PADDING - 0.5
        if cell.style is self.s.cell and all(
                line == " ".join(line.split()) and stringWidth(line, FONT, CELL_SIZE) <= room
                for line in cell.lines):
            return "\n".join(cell.lines)
        if len(cell.markup) > PIECE_CHARS or len(cell.lines) > PIECE_LINES:  # long: in pieces
            return self.paragraphs("\n".join(cell.lines), cell.style, in_table=True)
        return self._p(cell.markup, cell.style)

    def stacked(self, first, *more) -> Paragraph:
        """A cell with a main line and muted lines under it (owner, then agency)."""
        parts = [self.guard.markup(first)]
        parts += [f'<font size="7.8" color="#5b6573">{self.guard.markup(m)}</font>' for m in more if m]
        return self._p("<br/>".join(p for p in parts if p), self.s.cell)

    def empty(self, text=NOT_RECORDED) -> Paragraph:
        return self._p(text, self.s.empty)

    def note(self, text: str) -> Paragraph:
        return self._p(text, self.s.note)

    # -- structure -----------------------------------------------------------------------

    def heading(self, title: str, number: int | None = None) -> list:
        """A section heading that never sits alone at the foot of a page."""
        text = self.guard.markup(title)
        if number is not None:
            text = f"{number}&nbsp;&nbsp;&nbsp;{text}"
        return [CondPageBreak(32 * mm), self._p(text, self.s.heading)]

    def caption(self, label: str) -> Paragraph:
        return self._p(self.guard.markup(label), self.s.caption)

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
                value = self.cell(value, self.s.value)
            data.append([self._p(self.guard.markup(label), self.s.label), self.flow(value, 0)])
        table = Table(data, colWidths=[label_width, self.width - label_width], hAlign="LEFT",
                      splitByRow=0, splitInRow=1)
        table.setStyle(grid_style())
        return table

    def table(self, headers: list[str], rows: list[list], widths: list[float], extra_style=()) -> Table:
        """A data table: header repeated on each page, cells wrap, long rows split."""
        head = [h if isinstance(h, Flowable) else self._p(self.guard.markup(h), self.s.header_cell)
                for h in headers]
        rows = [[self.flow(cell, width) for cell, width in zip(row, widths)] for row in rows]
        if len(rows) > 60:
            return RowsTable(head, rows, widths, table_style(extra_style))
        table = Table([head, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT",
                      splitByRow=0, splitInRow=1)
        table.setStyle(table_style(extra_style))
        return table

    def header(self, *labels: str) -> Paragraph:
        """A header cell with more than one line (as the stacked cells under it)."""
        return self._p("<br/>".join(self.guard.markup(x) for x in labels), self.s.header_cell)

    def together(self, flowables: list) -> list:
        """Keep a short section on one page (a table of a few rows split by a page end
        reads badly); long ones split wherever they must."""
        return [KeepTogether(flowables)]

    def banner(self, markup: str, final: bool) -> Table:
        table = Table([[self._p(markup, self.s.banner)]], colWidths=[self.width], hAlign="LEFT")
        table.setStyle(banner_style(final))
        return table

    def space(self, height_mm: float) -> Spacer:
        return Spacer(1, height_mm * mm)

    def title_block(self, kicker: str, title: str, subtitle: str) -> list:
        """Kicker, title and subtitle: our words with user parts already escaped."""
        return [
            self._p(kicker, self.s.kicker),
            self._p(title, self.s.title),
            self._p(subtitle, self.s.subtitle),
        ]
