"""Encrypted copies of the store through SQLite's backup API (consistent while in use).

A copy is written under a temporary name in the backups folder and renamed only when
complete and verified, so a half-written backup never sits at a final path.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from .connection import _key_pragma
from .errors import StorageUnavailable

log = logging.getLogger(__name__)


def write_backup(conn, key: bytes, folder: Path, *, reason: str) -> Path:
    """Copy the open store to ``folder``, encrypted under the same key; verify; return path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"store-{stamp}-{reason}.db"
    partial = final.with_suffix(".partial")
    target = sqlcipher3.connect(str(partial))
    try:
        target.execute(_key_pragma(key))
        conn.backup(target)
        ok = target.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise StorageUnavailable("the backup copy did not verify")
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    if os.name == "posix":
        os.chmod(partial, 0o600)
    os.replace(partial, final)
    log.info("backup written (%s)", reason)
    return final
