"""The full integrity check of an open store, run off the unlock path.

Checking every page of an encrypted store means decrypting all of it: 1.5 s or more at ten
years, and growing with the file. So unlocking checks only what it reads anyway (the header
and the schema), and the application runs this check on a worker right after; if it finds
damage, the store refuses every further write (:meth:`Store.refuse_writes`) and the window
says so. The check reads through a read-only connection of its own, so it never writes to
the file it examines and can run while the editor saves; it can be cancelled (on lock).
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlcipher3

from .. import jobs
from .connection import _key_pragma
from .errors import StorageUnavailable, StoreDamaged, translate
from ..words import plural

log = logging.getLogger(__name__)

#: SQLite virtual machine steps between looks at the cancel flag.
_STEPS = 20_000


def integrity_problems(path: Path, key: bytes) -> list[str]:
    """``PRAGMA integrity_check`` of the store at ``path``: [] when sound, else SQLite's
    findings (page numbers and index names, never row content). Raises
    :class:`~mappa_desktop.jobs.Cancelled` when the current job is cancelled, and
    :class:`StorageUnavailable` when the disk stops the check (that is not damage)."""
    conn = sqlcipher3.connect(f"file:{Path(path)}?mode=ro", uri=True, check_same_thread=False)
    job = jobs.current()
    forget = job.when_cancelled(conn.interrupt) if job is not None else (lambda: None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA cache_size = -1024")  # one pass over the pages: a small cache will do
        if job is not None:
            conn.set_progress_handler(lambda: 1 if job.cancelled else 0, _STEPS)
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except Exception as exc:
        if job is not None and job.cancelled:
            raise jobs.Cancelled() from exc
        mapped = translate(exc)
        if isinstance(mapped, StorageUnavailable):
            raise mapped from exc
        log.error("integrity check could not read the store: %s", type(exc).__name__)
        return [f"the store could not be read ({type(mapped).__name__})"]
    finally:
        forget()
        conn.close()
    if rows == ["ok"]:
        return []
    log.error("integrity check found %d problems", len(rows))
    return rows


def damage_reason(problems: list[str]) -> StoreDamaged:
    """The error a store that failed its check raises on every write."""
    count = len(problems)
    return StoreDamaged(f"the store file is damaged ({plural(count, 'problem')} found by "
                        "its integrity check)")
