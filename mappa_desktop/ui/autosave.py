"""Autosave: mark dirty, save within a second, flush at once on switch, lock and close.

A *unit* is whatever saves as one piece (a section, an action). Saving runs on the GUI
thread: a single encrypted commit takes a few milliseconds (see bench/). A storage error
leaves the units dirty, shows "NOT SAVED: reason" and retries on the next edit or on Retry;
the text stays in the form.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

log = logging.getLogger(__name__)


class Autosaver(QObject):
    """Collects dirty units and saves them through their save functions."""

    saved = Signal(str)  # "hh:mm:ss"
    failed = Signal(str)  # a plain reason
    state_changed = Signal()

    def __init__(self, interval_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self._savers: dict[str, Callable[[], None]] = {}
        self._dirty: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # "within a second" means it
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self.error: str | None = None
        self.last_saved: str | None = None

    def register(self, unit: str, save: Callable[[], None]) -> None:
        self._savers[unit] = save

    def mark_dirty(self, unit: str) -> None:
        if unit not in self._dirty:
            self._dirty.append(unit)
        # Started on the first unsaved edit and not restarted by later ones, so that a
        # steady typist is still saved every second.
        if not self._timer.isActive():
            self._timer.start()

    @property
    def dirty(self) -> bool:
        return bool(self._dirty)

    def flush(self) -> bool:
        """Save every dirty unit now. True when everything is on disk."""
        from ..db.errors import StoreError

        self._timer.stop()
        wrote = bool(self._dirty)
        while self._dirty:
            unit = self._dirty[0]
            try:
                self._savers[unit]()
            except StoreError as exc:
                self.error = exc.reason
                log.warning("autosave failed: %s", type(exc).__name__)
                self.failed.emit(exc.reason)
                self.state_changed.emit()
                return False
            self._dirty.pop(0)
        if wrote or self.error is not None:
            self.error = None
            self.last_saved = datetime.now().strftime("%H:%M:%S")
            self.saved.emit(self.last_saved)
            self.state_changed.emit()
        return True

    def stop(self) -> None:
        self._timer.stop()


class SaveStatus(QWidget):
    """The line that says how saving goes, under every form that saves as it is typed:
    "Saving…", "Saved hh:mm:ss", or "NOT SAVED: reason" in the alarm's look with Retry
    (which saves again). ``describe(when)`` words a save that went through."""

    def __init__(self, autosaver: Autosaver, describe: Callable[[str], str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.autosaver = autosaver
        self.describe = describe or (lambda when: f"Saved {when}")
        self.label = QLabel("")
        self.label.setObjectName("saveStatus")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton("Retry saving")
        self.retry_button.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.retry_button)
        autosaver.saved.connect(self.show_saved)
        autosaver.failed.connect(self.show_failed)
        self.retry_button.clicked.connect(autosaver.flush)

    def saving(self) -> None:
        if not self.autosaver.error:  # NOT SAVED stays until a save goes through
            self.label.setText("Saving…")

    def show_saved(self, when: str) -> None:
        self.label.setText(self.describe(when))
        self._set_state("ok")
        self.retry_button.hide()

    def show_failed(self, reason: str) -> None:
        self.label.setText(f"NOT SAVED: {reason}. What you typed is still here; it will be saved when this is "
                           "put right.")
        self._set_state("error")
        self.retry_button.show()

    def _set_state(self, state: str) -> None:
        if self.label.property("state") != state:  # re-polish only when it changes
            self.label.setProperty("state", state)
            self.label.style().unpolish(self.label)
            self.label.style().polish(self.label)
