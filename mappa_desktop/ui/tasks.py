"""Worker threads for slow work (key derivation, PDFs, backups, exports, checks).

Work receives plain data, never a widget; its result comes back on the GUI thread through
a signal. Never touch a widget inside the work function.

Each :class:`TaskRunner` is one (daemon) thread that runs its work in order; results come
back through queued signals. The application keeps three: the gate's (key derivation on
unlock, the integrity check after it), the automatic backups', and one for the work a
person asks for (printouts, exports, a backup by hand), so that unlocking never waits
behind a 100-page preview, nor a preview behind the daily backup. Every piece of work runs
as a :class:`~mappa_desktop.jobs.Job`: it can be cancelled (work stops at its next
checkpoint, or before it starts) and can report progress.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from .. import jobs
from ..jobs import Cancelled, Job

log = logging.getLogger(__name__)

__all__ = ["Cancelled", "Job", "TaskRunner"]


def _while_alive(owner: QObject, callback: Callable | None) -> Callable | None:
    """``callback``, skipped once ``owner`` (a widget) has been deleted."""
    if callback is None:
        return None
    from shiboken6 import isValid

    def call(*args):
        if isValid(owner):
            callback(*args)

    return call


class TaskRunner(QObject):
    """Runs callables on one background thread, one after another."""

    _finished = Signal(int, object)
    _failed = Signal(int, object)
    _progressed = Signal(int, int, int, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, name: str = "mappa-worker"):
        super().__init__(parent)
        self._finished.connect(self._on_finished)
        self._failed.connect(self._on_failed)
        self._progressed.connect(self._on_progress)
        self._pending: dict[int, tuple[Callable | None, Callable | None, Callable | None, Job]] = {}
        self._next = 0
        self._queue: queue.Queue = queue.Queue()
        # A daemon thread: a runner that is never shut down (a test, a crash) cannot keep
        # the process alive or abort it, as a QThread destroyed while running does.
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            ticket, work, job = item
            result = None
            try:
                job.check()  # cancelled while it waited its turn
                with jobs.running(job):
                    result = work()
            except BaseException as exc:  # handed to the GUI thread, which decides what to say
                self._emit(self._failed, ticket, exc)
            else:
                self._emit(self._finished, ticket, result)
            item = work = job = result = None  # nothing held between jobs (a PDF can be large)
            jobs.release_free_memory()

    @staticmethod
    def _emit(signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the runner was deleted meanwhile: nobody is waiting
            pass

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        progress: Callable[[int, int, str], None] | None = None,
        owner: QObject | None = None,
    ) -> Job:
        """Run ``work()`` on the worker; call ``done(result)`` or ``failed(exc)`` here, and
        ``progress(done, total, text)`` here as the work reports it. Returns the job, whose
        ``cancel()`` stops the work at its next checkpoint; ``failed`` then receives
        :class:`Cancelled`. With an ``owner`` (the dialog that asked), the work is cancelled
        when the owner is destroyed (on lock or quit) and its callbacks are not called."""
        self._next += 1
        ticket = self._next
        job = Job(on_progress=lambda d, t, text: self._emit(self._progressed, ticket, d, t, text))
        if owner is not None:
            owner.destroyed.connect(job.cancel)
            done, failed, progress = (_while_alive(owner, c) for c in (done, failed, progress))
        self._pending[ticket] = (done, failed, progress, job)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._queue.put((ticket, work, job))
        return job

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def cancel_all(self) -> None:
        """Ask every queued and running piece of work to stop."""
        for *_callbacks, job in list(self._pending.values()):
            job.cancel()

    def _pop(self, ticket: int):
        callbacks = self._pending.pop(ticket, (None, None, None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    @Slot(int, int, int, str)
    def _on_progress(self, ticket: int, done: int, total: int, text: str) -> None:
        entry = self._pending.get(ticket)
        if entry is not None and entry[2] is not None and not entry[3].cancelled:
            entry[2](done, total, text)

    @Slot(int, object)
    def _on_finished(self, ticket: int, result: Any) -> None:
        done, *_rest = self._pop(ticket)
        if done is not None:
            done(result)

    @Slot(int, object)
    def _on_failed(self, ticket: int, exc: BaseException) -> None:
        _, failed, _progress, _job = self._pop(ticket)
        if failed is not None:
            failed(exc)
        elif isinstance(exc, Cancelled):
            log.info("background task cancelled")
        else:
            log.error("background task failed: %s", type(exc).__name__)

    def shutdown(self) -> None:
        """Stop what is running at its next checkpoint, then stop the thread (on quit).
        Waits for the work to stop, so that nothing is left half-written."""
        self.cancel_all()
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
