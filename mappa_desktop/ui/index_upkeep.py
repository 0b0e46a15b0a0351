"""The store's upkeep while nobody types: the search index brought up to date and merged,
and the WAL copied into the store file.

A save only notes what changed (``db/search.py``); once the user has paused for
``QUIET_MS``, what was noted is indexed and small merge steps run until there is nothing
left to merge or ``BUDGET_MS`` is spent (FTS5's own merging is off: a merge inside a save
cost 40+ ms). The WAL is checkpointed at the same pause (SQLite's own checkpoint, inside
whichever commit crossed 1,000 pages, cost an autosave 10-14 ms).
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

QUIET_MS = 2500
BUDGET_MS = 60
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel}


class SearchIndexUpkeep(QObject):
    def __init__(self, store, parent: QObject | None = None, *, quiet_ms: int = QUIET_MS, busy=lambda: False):
        super().__init__(parent)
        self.store = store
        self.busy = busy  # True while the store is another thread's (a key rotation)
        self.steps = 0  # merge steps that did work (for tests and curiosity)
        self._pending = True  # a store may open with segments left from last time
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(quiet_ms)
        self._timer.timeout.connect(self.tidy)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in _ACTIVITY:
            self._pending = True
            self._timer.start()  # restarts: runs only after a pause
        return False

    def tidy(self) -> None:
        """Merge a little at a time, within the budget; more after the next pause."""
        if not self._pending or self.store.db.conn is None:
            return
        if self.busy():
            self._timer.start()  # after the rotation: the connection is its until then
            return
        from ..db.errors import StoreError

        started = time.perf_counter()
        try:
            self.store.search.catch_up()  # what was typed since the last pause
            while (time.perf_counter() - started) * 1000 < BUDGET_MS:
                if not self.store.search.tidy():
                    self._pending = False
                    break
                self.steps += 1
            self.store.checkpoint()
        except StoreError:
            # The disk is unhappy: the next save says NOT SAVED; merging can wait.
            log.warning("search index merge skipped", exc_info=False)
        else:
            if self._pending:
                self._timer.start()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()
