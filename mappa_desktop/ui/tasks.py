"""One worker thread for slow work (key derivation, PDFs, backups, exports).

Work receives plain data, never a widget; its result comes back on the GUI thread through
a signal. Never touch a widget inside the work function.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)


class _Worker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)

    @Slot(int, object)
    def run(self, ticket: int, work: Callable[[], Any]) -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the GUI thread, which decides what to say
            self.failed.emit(ticket, exc)
        else:
            self.finished.emit(ticket, result)


class TaskRunner(QObject):
    """Runs callables on one background thread, one after another."""

    _submit = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("mappa-worker")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._pending: dict[int, tuple[Callable, Callable | None]] = {}
        self._next = 0
        self._thread.start()

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``work()`` on the worker; call ``done(result)`` or ``failed(exc)`` here."""
        self._next += 1
        self._pending[self._next] = (done, failed)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(self._next, work)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def _pop(self, ticket: int):
        callbacks = self._pending.pop(ticket, (None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, object)
    def _on_finished(self, ticket: int, result: Any) -> None:
        done, _ = self._pop(ticket)
        if done is not None:
            done(result)

    @Slot(int, object)
    def _on_failed(self, ticket: int, exc: BaseException) -> None:
        _, failed = self._pop(ticket)
        if failed is not None:
            failed(exc)
        else:
            log.error("background task failed: %s", type(exc).__name__)

    def shutdown(self) -> None:
        """Finish the current task and stop the thread (on quit)."""
        self._thread.quit()
        self._thread.wait(10_000)
