"""One way of telling the person how something went, on every screen: an error, a warning,
a success, or work in progress. Each kind has its colour, its icon drawn before the words
and its word for screen readers ("Error: ...", "Warning: ...", "Done: ..."), so no message
depends on colour alone, and a success never looks like the NOT SAVED alarm."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLabel, QWidget

from . import style

ERROR, WARNING, SUCCESS, PROGRESS = "error", "warning", "success", "progress"
#: What a screen reader says before the words of each kind.
SPOKEN = {ERROR: "Error", WARNING: "Warning", SUCCESS: "Done", PROGRESS: ""}
_ICON = 16


class MessageLabel(QLabel):
    """A message line. ``error()``, ``warning()``, ``success()``, ``progress()`` say what
    kind it is; plain ``setText`` says an error (what a form reports beside itself)."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, name: str = "formMessage"):
        super().__init__(parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.kind = ERROR
        self.say(text, ERROR)

    def say(self, text: str, kind: str) -> None:
        self.kind = kind
        if self.property("kind") != kind:  # re-polish only when the kind changes
            self.setProperty("kind", kind)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setContentsMargins(_ICON + 6 if text and kind != PROGRESS else 0, 0, 0, 0)
        super().setText(text)
        word = SPOKEN[kind]
        self.setAccessibleName(f"{word}: {text}" if text and word else text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self.say(text, ERROR)

    def error(self, text: str) -> None:
        self.say(text, ERROR)

    def warning(self, text: str) -> None:
        self.say(text, WARNING)

    def success(self, text: str) -> None:
        self.say(text, SUCCESS)

    def progress(self, text: str) -> None:
        self.say(text, PROGRESS)

    def clear(self) -> None:
        self.say("", self.kind)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if self.text() and self.kind != PROGRESS:
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            top = self.contentsRect().top() + max(0, (self.fontMetrics().height() - _ICON) // 2)
            draw_icon(painter, QRectF(1, top, _ICON, _ICON), self.kind)
            painter.end()


def draw_icon(painter: QPainter, box: QRectF, kind: str) -> None:
    """A cross in a circle (error), ! in a triangle (warning), a tick in a circle (success)."""
    colour = QColor(style.COLOURS[kind])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    if kind == WARNING:
        path = QPainterPath(QPointF(box.center().x(), box.top()))
        path.lineTo(box.bottomRight())
        path.lineTo(box.bottomLeft())
        path.closeSubpath()
        painter.drawPath(path)
    else:
        painter.drawEllipse(box)
    pen = QPen(QColor("white"), 2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    x, y, w, h = box.x(), box.y(), box.width(), box.height()
    if kind == ERROR:
        painter.drawLine(QPointF(x + w * 0.32, y + h * 0.32), QPointF(x + w * 0.68, y + h * 0.68))
        painter.drawLine(QPointF(x + w * 0.68, y + h * 0.32), QPointF(x + w * 0.32, y + h * 0.68))
    elif kind == SUCCESS:
        painter.drawLine(QPointF(x + w * 0.27, y + h * 0.52), QPointF(x + w * 0.44, y + h * 0.70))
        painter.drawLine(QPointF(x + w * 0.44, y + h * 0.70), QPointF(x + w * 0.74, y + h * 0.33))
    else:
        painter.drawLine(QPointF(x + w / 2, y + h * 0.38), QPointF(x + w / 2, y + h * 0.64))
        painter.drawPoint(QPointF(x + w / 2, y + h * 0.82))


def message_label(text: str = "", parent: QWidget | None = None) -> MessageLabel:
    """The message line under a form or in a dialog."""
    return MessageLabel(text, parent)


def field_error_label() -> MessageLabel:
    """The line under one field that says what is wrong with it (hidden until then)."""
    label = MessageLabel(name="fieldError")
    label.hide()
    return label
