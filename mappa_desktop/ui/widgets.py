"""Small widget helpers used across screens."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets markup: user text with ``<b>`` stays literal."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def value_label(text: str, parent: QWidget | None = None) -> QLabel:
    """A read-only value: plain text, wrapped, selectable; an em dash when empty."""
    label = plain_label(text or "—", parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    if not text:
        label.setObjectName("muted")
    return label


def form_row(form: QFormLayout, caption: str, widget: QWidget, accessible: str = "") -> QLabel:
    """A form row whose label is the widget's buddy (its & mnemonic focuses the field) and
    whose caption is the field's accessible name."""
    label = QLabel(caption)
    label.setBuddy(widget)
    widget.setAccessibleName(accessible or caption.replace("&", ""))
    form.addRow(label, widget)
    return label


class _FirstPaintThen(QObject):
    """Calls ``then`` once, on the next turn of the event loop after ``widget`` is painted."""

    def __init__(self, widget: QWidget, then: Callable[[], object]):
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)
        return False


def after_first_paint(widget: QWidget, then: Callable[[], object]) -> None:
    """Run ``then`` just after ``widget`` is first painted: for work the person is not
    waiting for (a check, the part of a page below the fold)."""
    _FirstPaintThen(widget, then)
