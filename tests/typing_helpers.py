"""Typing any text into a widget as key events (QTest.keyClicks only knows ASCII: it
asserts on 'Ó' and aborts the process)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication


def type_text(widget, text: str) -> None:
    """Send one key press and release per character, carrying the character as its text."""
    for char in text:
        if char == "\n":
            key, char_text = Qt.Key.Key_Return, "\r"
        elif char.isascii() and char.isalnum():
            key, char_text = Qt.Key(ord(char.upper())), char
        else:
            key, char_text = Qt.Key.Key_unknown, char
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char_text))
