"""One running instance per data folder: a lock file held for the life of the process."""

from __future__ import annotations

from filelock import FileLock, Timeout

from .paths import DataPaths


class AlreadyRunning(Exception):
    """Another MAPPA Desktop holds this data folder."""

    def __init__(self) -> None:
        super().__init__(
            "MAPPA Desktop is already running with this data folder. Switch to the open "
            "window, or close it before starting another."
        )


def hold_instance_lock(paths: DataPaths) -> FileLock:
    """Take the folder's lock or raise :class:`AlreadyRunning`. Keep the result alive."""
    paths.ensure()
    lock = FileLock(str(paths.instance_lock), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise AlreadyRunning() from None
    return lock
