"""Looking at a store before anything may write to it.

A damaged file is evidence: it is examined through connections that cannot write (see
``connection.connect_read_only``), and refused with the exact reason, before the
read-write connection that would replay its write-ahead log, checkpoint it into the
file on close, and so destroy what was wrong with it. The write-ahead log is read by our
own parser first (``wal``): SQLite would silently drop the commits after a damaged frame.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import wal
from .connection import connect_read_only, quick_check, wrap
from .errors import StoreDamaged, StoreTooNew, storage_errors

log = logging.getLogger(__name__)

NOT_OPENED = ("the first page of the store file cannot be decrypted with this store's key: the file is "
              "damaged at its start, or it is not a MAPPA Desktop store of this key file")


def examine(path: Path, key: bytes, *, full_check: bool = True) -> list[str]:
    """Refuse a damaged, foreign or newer store without writing to it; return the names of
    the migrations it has applied. ``full_check`` runs SQLite's ``quick_check`` over every page."""
    from .migrations import MIGRATIONS, known_names

    path = Path(path)
    report = wal.examine(path.with_name(path.name + "-wal"))
    if report.damaged:
        log.error("write-ahead log damaged")
        raise StoreDamaged(report.problem)
    try:
        conn = connect_read_only(path, key)
    except StoreDamaged as exc:
        if "not a MAPPA Desktop store" in exc.reason:
            if _plain_sqlite(path):
                raise StoreDamaged("the store file is a plain, unencrypted SQLite database, not a "
                                   "MAPPA Desktop store") from exc
            raise StoreDamaged(NOT_OPENED) from exc
        raise
    try:
        if full_check:
            quick_check(conn)
        with storage_errors():
            applied = [m.name for m in MIGRATIONS.applied(wrap(conn))]
    finally:
        conn.close()
    if any(name not in known_names() for name in applied):
        raise StoreTooNew(
            "this store was written by a newer version of MAPPA Desktop; "
            "install that version (or newer) to open it"
        )
    if not applied:
        raise StoreDamaged("the store file is empty or is not a MAPPA Desktop store")
    return applied


def _plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False
