"""Every user string on its way into a printout goes through one guard.

ReportLab's ``Paragraph`` reads a mini-markup: unescaped, ``R&D`` prints as ``R&D;``,
``<font name=x>`` kills the build and ``<img src=...>`` embeds a local file. So user text
is escaped here (``xml.sax.saxutils.escape``; newlines become ``<br/>``) and nowhere else,
and only this module's output meets a Paragraph.

Characters the printout cannot show never become silent boxes. Each is replaced by a
visible marker such as ``[U+4E2D]`` and counted, and the printout's warnings say how many
and ask for a transliteration typed alongside the original. That covers:

- characters the embedded font (DejaVu Sans) lacks: Chinese, Japanese and Korean, the
  Indic scripts, Thai, emoji and most symbols beyond the basic planes;
- right-to-left scripts (Arabic, Hebrew, Syriac, Thaana, N'Ko...). DejaVu Sans has
  Arabic and Hebrew glyphs, but ReportLab here has neither shaping nor bidi: Arabic would
  come out as unjoined letters in reversed order, a name nobody could read and that looks
  right enough to be trusted. The product's decision: a right-to-left character is printed
  as its marker, the warning asks for a Latin transliteration (for example "Ahmed" beside
  the Arabic), and the original stays intact in the store;
- control characters and unpaired surrogates, which are not text a reader could see.

Latin (with every diacritic used in Polish, Irish, Scottish Gaelic, Vietnamese...), Greek,
Cyrillic, Armenian and Georgian print as typed. Text is put in Unicode normal form C first,
so that a Vietnamese name typed with combining accents prints with the precomposed letters
the font draws well. Variation selectors (which only choose a glyph style) are dropped.
Long unbroken words are left to ReportLab's ``splitLongWords`` (on in every style), which
breaks them at the column edge without adding or losing characters.

Very long text is handed to ReportLab in pieces (:meth:`TextGuard.pieces`). A Paragraph
that runs over a page is split there and the rest is broken into lines again, so one
paragraph of N pages cost N times its length: a 1 MB field never finished printing. A
paragraph of more than 40 lines or 12,000 characters goes instead as a piece per line
(where the printout breaks the line anyway), and a single line longer than about two
pages (no newline in 12,000 characters) is also cut after a sentence, or else at a space,
its next piece starting on a new line. With the lines that a split paragraph keeps
(``blocks.Para``), the cost is proportional to the length.
"""

from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

_RTL_CLASSES = frozenset({"R", "AL"})
_NOT_TEXT = frozenset({"Cc", "Cs", "Cn", "Co"})
_VARIATION_SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

#: A paragraph with this many lines or characters is handed to ReportLab in pieces.
PIECE_LINES = 40
PIECE_CHARS = 12_000
_SENTENCE_END = re.compile(r"[.!?;:][\"')\]]*\s")


def _cut_long_line(line: str) -> list[str]:
    """A line of more than PIECE_CHARS characters in parts of at most that size, each cut
    after a sentence (or else at a space) in the second half of the part."""
    parts = []
    while len(line) > PIECE_CHARS:
        window = line[PIECE_CHARS // 2 : PIECE_CHARS]
        ends = list(_SENTENCE_END.finditer(window))
        if ends:
            cut = PIECE_CHARS // 2 + ends[-1].end()
        else:
            space = window.rfind(" ")
            cut = PIECE_CHARS // 2 + space + 1 if space >= 0 else PIECE_CHARS
        parts.append(line[:cut].rstrip(" "))
        line = line[cut:]
    parts.append(line)
    return parts


def split_pieces(part: str, *, grouped: bool = False) -> list[str]:
    """One paragraph (no blank line in it) as ReportLab should take it: whole when it is
    short (under PIECE_LINES lines and PIECE_CHARS characters), else a piece per line, and
    a line longer than PIECE_CHARS in parts cut after a sentence (see the module's
    docstring). A line on its own is plain text, which ReportLab lays out fastest.
    ``grouped``: lines together in pieces of up to PIECE_LINES lines and PIECE_CHARS
    characters, for a table cell (a table measures every flowable left in a cell each time
    the cell runs over a page, so there a few larger pieces are cheaper than many lines)."""
    if len(part) <= PIECE_CHARS and part.count("\n") < PIECE_LINES:
        return [part]
    lines = [chunk for line in part.split("\n")
             for chunk in (_cut_long_line(line) if len(line) > PIECE_CHARS else (line,))]
    if not grouped:
        return lines
    pieces, piece, size = [], [], 0
    for line in lines:
        if piece and (len(piece) >= PIECE_LINES or size + len(line) > PIECE_CHARS):
            pieces.append("\n".join(piece))
            piece, size = [], 0
        piece.append(line)
        size += len(line) + 1
    pieces.append("\n".join(piece))
    return pieces


def marker(char: str) -> str:
    """The visible stand-in for a character that cannot be printed."""
    return f"[U+{ord(char):04X}]"


def printable_set(codepoints) -> frozenset[str]:
    """The characters that print as themselves, given the code points a font covers."""
    keep = {"\n", "\t"}
    for code in codepoints:
        if code > 0xFFFF:
            # Outside the Basic Multilingual Plane (emoji and rarer scripts) the PDF's text
            # layer does not carry the character back out reliably: mark it instead.
            continue
        char = chr(code)
        if unicodedata.category(char) in _NOT_TEXT or unicodedata.bidirectional(char) in _RTL_CLASSES:
            continue
        keep.add(char)
    return frozenset(keep)


class TextGuard:
    """Escapes and checks the user text of one printout, counting what it had to mark."""

    def __init__(self, printable: frozenset[str]):
        self._printable = printable
        self.right_to_left = 0
        self.missing = 0

    def plain(self, value) -> str:
        """The text as it will print (markers in place), not escaped: for canvas strings."""
        if value is None:
            return ""
        text = str(value)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.isascii():
            try:
                if not unicodedata.is_normalized("NFC", text):
                    text = unicodedata.normalize("NFC", text)
            except UnicodeError:  # unpaired surrogates: left to the markers below
                pass
            text = _VARIATION_SELECTOR.sub("", text)
        if set(text) <= self._printable:
            return text
        out = []
        for char in text:
            if char in self._printable:
                out.append(char)
                continue
            if unicodedata.bidirectional(char) in _RTL_CLASSES:
                self.right_to_left += 1
            else:
                self.missing += 1
            out.append(marker(char))
        return "".join(out)

    def line(self, value) -> str:
        """One line of plain text (headers, footers, metadata): newlines become spaces."""
        return " ".join(self.plain(value).split())

    def markup(self, value) -> str:
        """Paragraph markup that prints exactly the text: escaped, newlines as <br/>."""
        return escape(self.plain(value)).replace("\n", "<br/>")

    def paragraphs(self, value) -> list[str]:
        """The text split at blank lines, each part as Paragraph markup (so that long text
        breaks across pages between paragraphs as well as within them)."""
        return [markup for markup, _last in self.pieces(value)]

    def pieces(self, value, *, grouped: bool = False) -> list[tuple[str, bool]]:
        """The text as Paragraph markup in pieces: split at blank lines, and long paragraphs
        at line ends (see :func:`split_pieces`). Each piece says whether it ends its
        paragraph (the others take no space after them)."""
        text = self.plain(value).strip("\n")
        if not text:
            return []
        out = []
        for part in _PARAGRAPH_BREAK.split(text):
            pieces = split_pieces(part, grouped=grouped)
            out += [(escape(piece).replace("\n", "<br/>"), i == len(pieces) - 1) for i, piece in enumerate(pieces)]
        return out

    def warnings(self) -> tuple[str, ...]:
        """What the person printing should know; never quotes the text itself."""
        total = self.right_to_left + self.missing
        if not total:
            return ()
        kinds = []
        if self.right_to_left:
            kinds.append(
                f"{self.right_to_left} from right-to-left scripts such as Arabic or Hebrew, "
                "which this printout cannot set right to left"
            )
        if self.missing:
            kinds.append(
                f"{self.missing} that the printing font does not have, such as Chinese, "
                "Japanese or Korean characters, emoji or control characters"
            )
        noun = "character" if total == 1 else "characters"
        return (
            f"{total} {noun} could not be printed and appear as codes such as [U+4E2D] "
            f"({'; '.join(kinds)}). Type a transliteration in Latin letters alongside "
            "such names or words, for example in brackets, so that the printout can be read.",
        )
