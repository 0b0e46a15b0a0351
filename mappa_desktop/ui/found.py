"""Showing where a search found its words: highlighted in the text widget, as a find does.

The places come from ``oversight.search.find_spans`` (the same folding as the index), so
what is highlighted is what was matched: "Nguyen" marks "Nguyễn".
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from ..oversight.search import Query, find_spans

HIGHLIGHT = QColor("#ffe27a")


def _utf16(text: str, index: int) -> int:
    """Qt counts positions in UTF-16 units: a character beyond U+FFFF is two."""
    return len(text[:index].encode("utf-16-le")) // 2


def mark_found(widget: QWidget, query: Query) -> int:
    """Highlight every place in ``widget`` (a text box, a line or a selectable label) that
    the query matches, and put the cursor on the first. Returns how many places."""
    if isinstance(widget, QPlainTextEdit):
        text = widget.document().toRawText().replace("\u2029", "\n")
    elif isinstance(widget, (QLineEdit, QLabel)):
        text = widget.text()
    else:
        return 0
    spans = find_spans(text, query)
    if not spans:
        return 0
    places = [(_utf16(text, s), _utf16(text, e)) for s, e in spans]
    if isinstance(widget, QPlainTextEdit):
        marks = []
        fmt = QTextCharFormat()
        fmt.setBackground(HIGHLIGHT)
        for start, end in places:
            cursor = QTextCursor(widget.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            selection.format = fmt
            marks.append(selection)
        widget.setExtraSelections(marks)
        cursor = widget.textCursor()
        cursor.setPosition(places[0][0])
        widget.setTextCursor(cursor)
        widget.ensureCursorVisible()
    else:
        widget.setSelection(places[0][0], places[0][1] - places[0][0])
    return len(places)


def found_marks(widget: QWidget) -> list[str]:
    """The highlighted words of a text box (for tests and for screen readers' sake)."""
    if not isinstance(widget, QPlainTextEdit):
        return []
    return [s.cursor.selectedText() for s in widget.extraSelections()]
