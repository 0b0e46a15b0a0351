"""The embedded font: DejaVu Sans, regular and bold, shipped in ``resources/fonts``.

Helvetica (the PDF standard font) cannot print Polish, Vietnamese, Greek or Cyrillic
names; DejaVu Sans can. Registered once per process, on the first printout.
"""

from __future__ import annotations

import functools
import io
from importlib import resources
from weakref import WeakKeyDictionary

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from .text import printable_set

FONT = "MappaSans"
FONT_BOLD = "MappaSans-Bold"
_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
_WIDTH_CACHE_LIMIT = 200_000


class _MeasuredFont(TTFont):
    """A TTFont that remembers the width of each word it has measured.

    Line breaking measures every word, and a minute repeats its words: remembering them
    takes about a third off the time to lay out a long minute. The arithmetic is the same
    as ReportLab's own, so the output is unchanged to the byte.
    """

    def __init__(self, name, data: bytes):
        super().__init__(name, io.BytesIO(data), shapable=False)
        self._units: dict[str, int] = {}
        self._char_widths = self.face.charWidths
        self._default_width = self.face.defaultWidth
        self._first_subset = WeakKeyDictionary()  # doc -> (chars, str.translate table)

    def stringWidth(self, text, size, encoding="utf8"):  # noqa: N802 (ReportLab's name)
        if not isinstance(text, str):
            text = text.decode(encoding or "utf8")
        units = self._units.get(text)
        if units is None:
            width = self._char_widths.get
            default = self._default_width
            units = sum(width(ord(char), default) for char in text)
            if len(self._units) > _WIDTH_CACHE_LIMIT:
                self._units.clear()
            self._units[text] = units
        return 0.001 * size * units

    def splitString(self, text, doc, encoding="utf-8"):  # noqa: N802 (ReportLab's name)
        """ReportLab's own split of a line into (subset, codes) chunks, with a fast path:
        a line whose characters all have codes in the first subset already (nearly every
        line of a minute) is translated in one C call instead of a Python loop. The codes
        are the ones ReportLab assigned, so the output is the same bytes."""
        if not isinstance(text, str):
            text = text.decode("utf-8")
        if not text:
            return []
        known = self._first_subset.get(doc)
        if known is not None and known[0].issuperset(text):
            return [(0, text.translate(known[1]).encode("latin-1"))]
        result = super().splitString(text, doc, encoding)
        table = {code: chr(n) for code, n in self.state[doc].assignments.items() if n < 256}
        self._first_subset[doc] = (frozenset(map(chr, table)), table)
        return result


@functools.cache
def register_fonts() -> frozenset[str]:
    """Register the fonts with ReportLab; return the characters both weights can print."""
    folder = resources.files("mappa_desktop.resources") / "fonts"
    covered = None
    for name, filename in _FILES.items():
        font = _MeasuredFont(name, (folder / filename).read_bytes())
        pdfmetrics.registerFont(font)
        codes = set(font.face.charToGlyph)
        covered = codes if covered is None else covered & codes
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return printable_set(covered or ())

