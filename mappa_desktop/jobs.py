"""Long work (printouts, backups, checks) that can be cancelled and can say how far it got.

The work itself knows nothing of threads or Qt: it calls :func:`checkpoint` (or
:func:`report` with how far it has got) at points where stopping is safe, and raises
:class:`Cancelled` there once someone asked it to stop. Whoever runs the work (the UI's
task runner) makes a :class:`Job` current for it, so that printing and backups need no
extra argument to be cancellable. Outside a job both calls do nothing.
"""

from __future__ import annotations

import contextvars
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator


class Cancelled(Exception):
    """The work was asked to stop and stopped cleanly (nothing half-written left behind)."""


Progress = Callable[[int, int, str], None]


class Job:
    """One piece of work: its cancel flag and where its progress goes."""

    #: Progress is passed on at most this often (seconds), and always at the end.
    INTERVAL = 0.1

    def __init__(self, on_progress: Progress | None = None):
        self._stop = threading.Event()
        self._on_progress = on_progress
        self._on_cancel: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._last = 0.0

    def cancel(self) -> None:
        """Ask the work to stop at its next checkpoint (and interrupt what can be interrupted)."""
        with self._lock:
            self._stop.set()
            hooks, self._on_cancel = self._on_cancel, []
        for hook in hooks:
            hook()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def when_cancelled(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call ``hook`` on cancel (say, to interrupt a long SQLite statement); returns a
        function that forgets it again."""
        with self._lock:
            if not self._stop.is_set():
                self._on_cancel.append(hook)
                return lambda: self._forget(hook)
        hook()
        return lambda: None

    def _forget(self, hook) -> None:
        with self._lock:
            if hook in self._on_cancel:
                self._on_cancel.remove(hook)

    def check(self) -> None:
        if self._stop.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Pass on how far the work has got (throttled); stops here if cancelled."""
        self.check()
        if self._on_progress is None:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.INTERVAL:
            return
        self._last = now
        self._on_progress(done, total, text)


_current: contextvars.ContextVar[Job | None] = contextvars.ContextVar("mappa_job", default=None)


def current() -> Job | None:
    """The job the calling code runs in, if any."""
    return _current.get()


@contextmanager
def running(job: Job) -> Iterator[Job]:
    """Make ``job`` current for the work called inside."""
    token = _current.set(job)
    try:
        yield job
    finally:
        _current.reset(token)


def checkpoint() -> None:
    """Stop here (raise :class:`Cancelled`) if the current job was cancelled."""
    job = _current.get()
    if job is not None:
        job.check()


def report(done: int, total: int, text: str = "") -> None:
    """Tell the current job how far the work has got; stops here if it was cancelled."""
    job = _current.get()
    if job is not None:
        job.progress(done, total, text)


def release_free_memory() -> None:
    """Give memory freed by finished work back to the system (glibc keeps each thread's
    freed heap otherwise: a backup or check of a 462 MB store leaves several MB resident
    in its worker's heap). Elsewhere it does nothing."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc (musl...): nothing to trim
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None
