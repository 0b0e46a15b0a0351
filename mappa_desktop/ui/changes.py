"""Views follow the record: the one way a view hears that something it shows has changed.

The store announces each committed change (``mappa_desktop.changes``); :func:`watch` ties a
view to those announcements. A change the view cares about (``wants``) reaches its
``refresh`` on the next turn of the event loop, several changes merged into one; a view
that is hidden refreshes when it is next shown, not before. Nothing that makes a change
calls a view: the register, a review stage, the case form or a restore change the record,
and every open view that shows it follows.
"""

from __future__ import annotations

import logging
from typing import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ..changes import Change

log = logging.getLogger(__name__)


class _Watcher(QObject):
    """Lives as a child of the view: dies with it, and stops listening then. A change heard
    on another thread (an import on the worker) reaches the view on its own thread."""

    _arrived = Signal(object)

    def __init__(self, view: QWidget, hub, refresh: Callable[[Change], None],
                 wants: Callable[[Change], bool]):
        super().__init__(view)
        self._view = view
        self._refresh = refresh
        self._wants = wants
        self._pending: Change | None = None  # heard, waiting for the event loop
        self._stale: Change | None = None  # heard while hidden, waiting to be shown
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._deliver)
        # Held weakly by the hub: when the view (and this, its child) is deleted, the hub
        # forgets it; nothing else needs to remember to stop listening.
        self._unsubscribe = hub.subscribe(self._heard, weak=True)
        self._arrived.connect(self._arrive)  # queued when emitted from another thread
        view.installEventFilter(self)

    def _heard(self, change: Change) -> None:
        if not shiboken6.isValid(self) or not shiboken6.isValid(self._view):
            self._unsubscribe()  # deleted on the C++ side, not yet collected here
            return
        self._arrived.emit(change)

    def _arrive(self, change: Change) -> None:
        if not self._wants(change):
            return
        self._pending = change if self._pending is None else self._pending.merged(change)
        self._timer.start()

    def _deliver(self) -> None:
        change, self._pending = self._pending, None
        if change is None:
            return
        if self._view.isVisible():
            self._run(change)
        else:
            self._stale = change if self._stale is None else self._stale.merged(change)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show and self._stale is not None:
            change, self._stale = self._stale, None
            QTimer.singleShot(0, self, lambda: self._run(change))
        return False

    def _run(self, change: Change) -> None:
        try:
            self._refresh(change)
        except Exception:  # a view that cannot refresh must not take the window down
            log.exception("a view failed to refresh")


def watch(view: QWidget, store, refresh: Callable[[Change], None],
          wants: Callable[[Change], bool] = lambda change: True) -> None:
    """Call ``refresh(change)`` whenever a committed change that ``wants`` accepts touches
    what ``view`` shows (at once if it is visible, else when it is next shown)."""
    _Watcher(view, store.changes, refresh, wants)


def not_from(view) -> Callable[[Change], bool]:
    """A change not made by ``view`` itself (its own edits are already on screen)."""
    return lambda change: not change.only_from(view)
