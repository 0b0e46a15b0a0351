"""SQLite errors, sorted once.

``sqlcipher3`` exceptions are not subclasses of ``sqlite3``'s, so nothing outside this module
catches either directly: :func:`storage_errors` turns both into our own errors. Environmental
failures (disk full, read-only, locked, I/O, damaged file) become :class:`StorageUnavailable`
with a plain reason the UI can show next to "NOT SAVED"; refusals by our own triggers become
:class:`RecordLocked`; anything else is a bug and is re-raised as it is.
Reasons never contain user data: they are built from the error code, not from the message.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

import sqlcipher3

_DB_ERRORS = (sqlite3.Error, sqlcipher3.dbapi2.Error)


class StoreError(Exception):
    """Base of every error the store raises on purpose. ``reason`` is safe to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class StorageUnavailable(StoreError):
    """The disk, the file system or the file itself stopped us; retrying may work."""


class StoreDamaged(StoreError):
    """The store file is damaged or is not ours; it is left untouched."""


class StoreTooNew(StoreError):
    """The store was written by a newer version of the application."""


class RecordLocked(StoreError):
    """A trigger refused a change: a finalised minute or the append-only audit log."""


class NotFound(StoreError):
    """A record the caller asked for does not exist."""


class ValidationError(StoreError):
    """Input the store refuses, with the field it concerns (``section.field`` or key).
    ``problems`` holds every refusal when there was more than one (each a ``Problem``)."""

    def __init__(self, reason: str, field: str = "", problems: tuple = ()):
        super().__init__(reason)
        self.field = field
        self.problems = tuple(problems)

    def as_problems(self, field: str = "") -> list:
        """Each refusal as a ``rules.values.Problem``, to show beside its field (``field``
        when the store named none)."""
        from ..rules.values import Problem

        return list(self.problems) or [Problem(self.field or field, self.reason)]


def refuse(problems) -> None:
    """Raise :class:`ValidationError` for a list of ``rules.values.Problem`` (if any)."""
    if problems:
        first = problems[0]
        raise ValidationError(first.message, first.field, tuple(problems))


# SQLite primary result codes -> a reason a user can act on.
_REASONS = {
    5: "the store is busy in another program; try again in a moment",  # SQLITE_BUSY
    6: "the store is locked by another program",  # SQLITE_LOCKED
    7: "the computer ran out of memory",  # SQLITE_NOMEM
    8: "the store's folder or file is read-only",  # SQLITE_READONLY
    10: "the disk could not be read or written (input/output error)",  # SQLITE_IOERR
    11: "the store file is damaged",  # SQLITE_CORRUPT
    13: "the disk is full",  # SQLITE_FULL
    14: "the store file could not be opened",  # SQLITE_CANTOPEN
    26: "the store file is damaged or is not a MAPPA Desktop store",  # SQLITE_NOTADB
}
_DAMAGED = {11, 26}


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def translate(exc: BaseException) -> BaseException:
    """The error to raise in place of a SQLite error (the same one if it is a bug)."""
    if isinstance(exc, StoreError) or not isinstance(exc, _DB_ERRORS):
        return exc
    text = str(exc)
    # Our own triggers say RAISE(ABORT, 'read-only: ...'); the text is ours, not user data.
    if text.startswith("read-only:"):
        return RecordLocked(text.removeprefix("read-only:").strip())
    # The spec's guard triggers say RAISE(ABORT, 'refused: <label>: <why>.') (db/guards.py).
    if text.startswith("refused:"):
        return ValidationError(text.removeprefix("refused:").strip())
    code = _primary_code(exc)
    if code in _DAMAGED:
        return StoreDamaged(_REASONS[code])
    if code in _REASONS:
        return StorageUnavailable(_REASONS[code])
    lowered = text.lower()
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return StorageUnavailable(_REASONS[13])
    if "readonly" in lowered or "read-only" in lowered:
        return StorageUnavailable(_REASONS[8])
    if "not a database" in lowered or "malformed" in lowered:
        return StoreDamaged(_REASONS[26])
    if "disk i/o" in lowered:
        return StorageUnavailable(_REASONS[10])
    return exc


def is_db_error(exc: BaseException) -> bool:
    return isinstance(exc, _DB_ERRORS)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Run a block of store work, raising our errors in place of SQLite's."""
    try:
        yield
    except _DB_ERRORS as exc:
        mapped = translate(exc)
        if mapped is exc:
            raise
        raise mapped from exc
    except OSError as exc:  # backups, the key file, temp files
        raise StorageUnavailable(os_reason(exc)) from exc


def os_reason(exc: OSError) -> str:
    """A plain reason for a file-system error, without the path (it may name a person)."""
    import errno

    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission was refused by the operating system",
        errno.EPERM: "permission was refused by the operating system",
        errno.EROFS: "the disk is read-only",
        errno.EIO: "the disk could not be read or written (input/output error)",
        errno.ENOENT: "a file or folder is missing",
    }
    return reasons.get(exc.errno, f"the operating system refused ({exc.__class__.__name__})")
