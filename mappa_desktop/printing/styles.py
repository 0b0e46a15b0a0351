"""The look of every printout, in one place: page, type, colours, table rules.

Sober on purpose: a document a chair signs and a case file keeps. One typeface in two
weights, one accent colour for headings, tables ruled horizontally only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from .fonts import FONT, FONT_BOLD, register_fonts

PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN_X = 18 * mm
MARGIN_TOP = 25 * mm  # marking, running header and its rule above the frame
MARGIN_BOTTOM = 24 * mm  # footer rule, footer line and marking below the frame

INK = colors.HexColor("#1b1f24")
ACCENT = colors.HexColor("#1f3a5f")  # headings
MUTED = colors.HexColor("#5b6573")  # captions, labels, notes
RULE = colors.HexColor("#c3cad3")
HEADER_FILL = colors.HexColor("#e8ecf1")
DRAFT_FILL = colors.HexColor("#fbf3e0")
DRAFT_EDGE = colors.HexColor("#d9b45a")
FINAL_FILL = colors.HexColor("#e9f1ea")
FINAL_EDGE = colors.HexColor("#8fb394")
WATERMARK = colors.Color(0.885, 0.885, 0.885)

BODY_SIZE = 9.5
CELL_SIZE = 8.8
CELL_LEADING = 11.3
CELL_PADDING = 4


@dataclass(frozen=True)
class Styles:
    kicker: ParagraphStyle  # small capitals line above the title
    title: ParagraphStyle
    subtitle: ParagraphStyle
    banner: ParagraphStyle
    heading: ParagraphStyle  # a section of the minute
    subheading: ParagraphStyle  # a row block inside a section (a decision, an addendum)
    caption: ParagraphStyle  # a field's label above its text
    body: ParagraphStyle
    value: ParagraphStyle  # a value in a label/value grid
    definition: ParagraphStyle  # the definition under a chosen level
    label: ParagraphStyle  # a field's label in a label/value grid
    cell: ParagraphStyle
    cell_text: ParagraphStyle  # paragraphs of long text in a cell
    header_cell: ParagraphStyle
    note: ParagraphStyle
    empty: ParagraphStyle  # "Not recorded"


def _style(name, **kw) -> ParagraphStyle:
    base = dict(fontName=FONT, fontSize=BODY_SIZE, leading=13, textColor=INK, alignment=TA_LEFT,
                splitLongWords=1, allowWidows=0, allowOrphans=0)
    base.update(kw)
    return ParagraphStyle(name, **base)


@functools.cache
def styles() -> Styles:
    """The paragraph styles (registers the fonts first)."""
    register_fonts()
    return Styles(
        kicker=_style("kicker", fontName=FONT_BOLD, fontSize=8, leading=10, textColor=ACCENT, spaceAfter=3),
        title=_style("title", fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2),
        subtitle=_style("subtitle", fontSize=9.5, leading=13, textColor=MUTED, spaceAfter=8),
        banner=_style("banner", fontSize=8.5, leading=11.5),
        heading=_style("heading", fontName=FONT_BOLD, fontSize=11.5, leading=14, textColor=ACCENT,
                       spaceBefore=11, spaceAfter=4),
        subheading=_style("subheading", fontName=FONT_BOLD, fontSize=9.5, leading=12, spaceBefore=5, spaceAfter=2),
        caption=_style("caption", fontName=FONT_BOLD, fontSize=8, leading=10, textColor=MUTED,
                       spaceBefore=5, spaceAfter=1.5),
        body=_style("body", spaceAfter=4),
        value=_style("value"),
        definition=_style("definition", fontSize=8.3, leading=11, textColor=MUTED),
        label=_style("label", fontName=FONT_BOLD, fontSize=8, leading=11, textColor=MUTED),
        cell=_style("cell", fontSize=CELL_SIZE, leading=CELL_LEADING),
        cell_text=_style("cell_text", fontSize=CELL_SIZE, leading=CELL_LEADING, spaceAfter=3),
        header_cell=_style("header_cell", fontName=FONT_BOLD, fontSize=7.8, leading=10, textColor=INK),
        note=_style("note", fontSize=8, leading=10.5, textColor=MUTED, spaceBefore=2, spaceAfter=2),
        empty=_style("empty", fontSize=8.5, leading=11.5, textColor=MUTED),
    )


def grid_style(extra=()) -> TableStyle:
    """A label/value grid: no lines, tight rows."""
    return TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("TOPPADDING", (0, 0), (0, -1), 2.6),  # the smaller label sits on the value's baseline
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        *extra,
    ])


def table_style(extra=()) -> TableStyle:
    """A data table: shaded header row, a rule under every row, nothing vertical."""
    return TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        # Cells given as plain strings (short ones) print like the Paragraph cells.
        ("FONTNAME", (0, 1), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), CELL_SIZE),
        ("LEADING", (0, 1), (-1, -1), CELL_LEADING),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        *extra,
    ])


def banner_style(final: bool) -> TableStyle:
    fill, edge = (FINAL_FILL, FINAL_EDGE) if final else (DRAFT_FILL, DRAFT_EDGE)
    return TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("LINEBEFORE", (0, 0), (0, -1), 2.5, edge),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ])


CENTRE = TA_CENTER
