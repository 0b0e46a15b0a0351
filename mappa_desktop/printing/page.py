"""The page every printout shares, and the build that turns a story into PDF bytes.

Every page: the protective marking centred and bold at the top and at the bottom; a
running header with the document, the case reference (never a name) and the meeting date;
a footer with the version line or a note, and "Page i of N". Drafts carry a light
diagonal DRAFT behind the text. N is right on every page: pages are held back until the
end of the build and numbered then (one pass, no second layout).

The marking is the first thing drawn on a page and the last, so a text extractor reads
each page from marking to marking. The PDF is built with ``invariant=1``: the same input
gives the same bytes (no time stamps, fixed document id). Its metadata carries the kind
of document, the case reference, the date and the area, never a personal name.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.rl_accel import escapePDF
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from .. import jobs
from ..dates import format_date
from .fonts import FONT, FONT_BOLD
from .meta import DEFAULT_MARKING, PrintMeta, PrintResult
from .styles import INK, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, MUTED, RULE, WATERMARK
from .text import TextGuard

APP = "MAPPA Desktop"

# Streams are compressed but not also ASCII85-encoded (ReportLab's default): binary PDF is
# smaller, and the pure-Python encoder cost a tenth of the build. ReportLab is used by
# nothing else in the app, so setting it once here is safe.
rl_config.useA85 = 0

#: ReportLab's escaping of PDF string bytes, as one table for bytes.translate-like use.
_PDF_ESCAPES = {i: escapePDF(bytes([i])) for i in range(256)}


@dataclass(frozen=True)
class Layout:
    """What one kind of printout puts in its frame."""

    kind: str  # "MAPPA minute", "Action register"...: running header and PDF title
    footer_note: str  # left of the page number: the version line, or who printed it
    pagesize: tuple[float, float]
    watermark: bool = False
    info_kind: str = ""  # the PDF title's words when ``kind`` may hold user text


def frame_width(pagesize) -> float:
    return pagesize[0] - 2 * MARGIN_X


def info_text(text: str) -> str:
    """Text for the PDF's document information: invisible format characters (a soft
    hyphen has no code in PDFDocEncoding) are left out."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def pdf_title(kind: str, meta: PrintMeta, guard: TextGuard) -> str:
    parts = [kind, guard.line(meta.reference), format_date(meta.meeting_date)]
    return info_text(" ".join(p for p in parts if p))


def _fit(canv, text: str, font: str, size: float, width: float, smallest: float = 6.0) -> float:
    """The font size at which ``text`` fits ``width`` (down to ``smallest``)."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def _clip(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class _Decorator:
    """Draws the parts of a page that are not the story."""

    def __init__(self, meta: PrintMeta, layout: Layout, guard: TextGuard):
        self.layout = layout
        # A marking nobody could see is no marking: fall back to the default.
        self.marking = guard.line(meta.protective_marking)
        if not info_text(self.marking):
            self.marking = DEFAULT_MARKING
        area = guard.line(meta.area_name)
        self.header_left = f"{area} · {layout.kind}" if area else layout.kind
        right = []
        if meta.reference:
            right.append(f"Case {guard.line(meta.reference)}")
        if meta.meeting_date:
            right.append(format_date(meta.meeting_date))
        self.header_right = " · ".join(right)
        self.footer_note = guard.line(layout.footer_note)
        self.anchor = f"Audit anchor {meta.audit_anchor}" if meta.audit_anchor else ""
        self.pages = 0

    def _marking(self, canv, y):
        width, _ = self.layout.pagesize
        size = _fit(canv, self.marking, FONT_BOLD, 10, width - 2 * MARGIN_X)
        canv.setFont(FONT_BOLD, size)
        canv.setFillColor(INK)
        canv.drawCentredString(width / 2, y, _clip(self.marking, FONT_BOLD, size, width - 2 * MARGIN_X))

    def page_start(self, canv, doc):
        """Top of the page, drawn before the story: marking, header, watermark."""
        width, height = self.layout.pagesize
        canv.saveState()
        self._marking(canv, height - 10 * mm)
        canv.setFont(FONT, 7.5)
        canv.setFillColor(MUTED)
        right_width = stringWidth(self.header_right, FONT, 7.5)
        canv.drawString(MARGIN_X, height - 17 * mm,
                        _clip(self.header_left, FONT, 7.5, width - 2 * MARGIN_X - right_width - 12))
        canv.drawRightString(width - MARGIN_X, height - 17 * mm, self.header_right)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_X, height - 19 * mm, width - MARGIN_X, height - 19 * mm)
        if self.layout.watermark:
            canv.setFillColor(WATERMARK)
            canv.setFont(FONT_BOLD, 130)
            canv.translate(width / 2, height / 2)
            canv.rotate(52 if width < height else 32)
            canv.drawCentredString(0, -45, "DRAFT")
        canv.restoreState()

    def page_end(self, canv, number: int, total: int):
        """Bottom of the page, drawn after the story once N is known."""
        width, _ = self.layout.pagesize
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, width - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
        page = f"Page {number} of {total}"
        footer_y = MARGIN_BOTTOM - (9.8 if self.anchor else 11) * mm
        canv.setFillColor(INK)
        canv.setFont(FONT, 7.5)
        canv.drawRightString(width - MARGIN_X, footer_y, page)
        room = width - 2 * MARGIN_X - stringWidth(page, FONT, 7.5) - 16
        size = _fit(canv, self.footer_note, FONT, 7.5, room)
        canv.setFillColor(MUTED)
        canv.setFont(FONT, size)
        canv.drawString(MARGIN_X, footer_y, _clip(self.footer_note, FONT, size, room))
        if self.anchor:
            # Small, but whole: it is read back by copying from the PDF or by eye.
            size = _fit(canv, self.anchor, FONT, 5, width - 2 * MARGIN_X, smallest=3.5)
            canv.setFont(FONT, size)
            canv.drawString(MARGIN_X, MARGIN_BOTTOM - 12.9 * mm, self.anchor)
        self._marking(canv, 7.2 * mm if self.anchor else 8 * mm)
        canv.restoreState()


def _numbered_canvas(decorator: _Decorator):
    class NumberedCanvas(Canvas):
        """Holds each finished page until the end, then numbers them "Page i of N"."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._held = []

        def _escape(self, s):
            # The same escaping as ReportLab's, in one C call instead of a loop per byte.
            if isinstance(s, bytes):
                return s.decode("latin-1").translate(_PDF_ESCAPES)
            return escapePDF(s)

        def showPage(self):  # noqa: N802 (ReportLab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._held)
            decorator.pages = total
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                decorator.page_end(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


class _Doc(BaseDocTemplate):
    """Says how far the layout has got, and stops there when the job is cancelled."""

    story_length = 1

    def handle_flowable(self, flowables):
        jobs.report(max(0, self.story_length - len(flowables)), self.story_length, "Laying out the pages")
        super().handle_flowable(flowables)


def build_pdf(story: list, meta: PrintMeta, layout: Layout, guard: TextGuard) -> PrintResult:
    """Lay out ``story`` on the shared page and return the PDF with its page count.
    Inside a job (:mod:`mappa_desktop.jobs`) it reports progress and can be cancelled."""
    decorator = _Decorator(meta, layout, guard)
    width, height = layout.pagesize
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, width - 2 * MARGIN_X, height - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    buffer = io.BytesIO()
    doc = _Doc(
        buffer,
        pagesize=layout.pagesize,
        pageTemplates=[PageTemplate("page", [frame], onPage=decorator.page_start, pagesize=layout.pagesize)],
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=pdf_title(layout.info_kind or layout.kind, meta, guard),
        author=info_text(guard.line(meta.area_name)) or APP,
        subject=info_text(decorator.marking),
        creator=APP,
        producer=APP,
        keywords=[],
        invariant=1,
        pageCompression=1,
        lang="en-GB",
        initialFontName=FONT,
        initialFontSize=9,
    )
    doc.story_length = max(1, len(story))
    doc.build(story, canvasmaker=_numbered_canvas(decorator))
    return PrintResult(pdf=buffer.getvalue(), pages=decorator.pages, warnings=guard.warnings())
