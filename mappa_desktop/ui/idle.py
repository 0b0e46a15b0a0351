"""Locking on idle, and at once when the computer comes back from sleep.

Any key, click or wheel in our windows counts as activity. Every few seconds the watcher
compares the time since the last activity with the limit (a setting: 5 minutes by default,
at most 15). A jump of the wall clock far beyond the time that really passed means the
machine was suspended: the app locks at once. Both clocks can be injected for tests.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

MAX_IDLE_MINUTES = 15
SUSPEND_JUMP_SECONDS = 90  # the wall clock moved this much more than the monotonic one

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


def clamp_minutes(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = 5
    return max(1, min(MAX_IDLE_MINUTES, minutes))


class IdleWatcher(QObject):
    """Emits ``idle`` once when the user has been away too long or the machine slept."""

    idle = Signal(str)  # "idle" or "suspend"

    def __init__(
        self,
        minutes: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        interval_ms: int = 5000,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.limit = clamp_minutes(minutes) * 60
        self._monotonic = monotonic
        self._wall = wall
        self._last_activity = monotonic()
        self._last_tick = (monotonic(), wall())
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._fired = False

    def start(self) -> None:
        app = QApplication.instance()
        app.installEventFilter(self)
        app.applicationStateChanged.connect(self._state_changed)
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            try:
                app.applicationStateChanged.disconnect(self._state_changed)
            except (RuntimeError, TypeError):
                pass

    def touch(self) -> None:
        self._last_activity = self._monotonic()
        self._last_tick = (self._monotonic(), self._wall())
        self._fired = False

    def eventFilter(self, watched, event) -> bool:
        if event.type() in _ACTIVITY:
            self._last_activity = self._monotonic()
        return False

    def _state_changed(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self._fire("suspend")

    def check(self) -> None:
        """Lock if idle too long or if the machine was asleep since the last check."""
        mono, wall = self._monotonic(), self._wall()
        last_mono, last_wall = self._last_tick
        self._last_tick = (mono, wall)
        slept = (wall - last_wall).total_seconds() - (mono - last_mono)
        if slept > SUSPEND_JUMP_SECONDS:
            self._fire("suspend")
        elif mono - self._last_activity >= self.limit:
            self._fire("idle")

    def _fire(self, why: str) -> None:
        if not self._fired:
            self._fired = True
            self.idle.emit(why)
