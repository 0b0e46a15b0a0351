"""Opening one encrypted connection: key, checks, pragmas.

The database key is used raw (``PRAGMA key = "x'...'"``): our Argon2id slots already did the
slow derivation, and a raw key opens in under a millisecond where SQLCipher's own passphrase
derivation costs about 0.2 s per open.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlcipher3
import sqlite_utils

from .errors import StorageUnavailable, StoreDamaged, storage_errors, translate
from ..words import plural

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
#: The WAL is copied into the store file at pauses in typing (``Store.checkpoint``), so that
#: no autosave pays for it (one inside a commit cost 10-14 ms against a 3 ms bar); this many
#: pages (8 MiB, several minutes of typing without a pause) is the backstop. More would make
#: the WAL check at unlock after a crash slow (8,000 frames took 0.76 s).
WAL_BACKSTOP_PAGES = 2000

# Set on every connection. WAL lets backups read while the editor writes; FULL makes every
# commit durable (the kill test relies on it); secure_delete overwrites deleted content.
PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = FULL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}",
)


def _key_pragma(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("the database key must be 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path, key: bytes, *, check_same_thread: bool = True) -> sqlcipher3.Connection:
    """A keyed connection that has proved it can read the file (nothing written yet)."""
    with storage_errors():
        conn = sqlcipher3.connect(str(path), check_same_thread=check_same_thread)
    try:
        # SQLCipher's own log goes to stderr, one line per page it fails to decrypt; our
        # errors already say what happened, plainly. (Process-wide, which is what we want.)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        # The first read is where a wrong key or a damaged header shows.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:
        conn.close()
        mapped = translate(exc)
        if mapped is exc:
            raise
        raise mapped from exc
    return conn


def connect_read_only(path: Path, key: bytes) -> sqlcipher3.Connection:
    """A keyed connection that cannot write to the store, its log or its index.

    With no write-ahead log to read, the file is opened ``immutable`` (no locks, no
    ``-shm``, nothing created). With a log, ``mode=ro`` reads it, and ``readonly_shm``
    keeps SQLite from touching an existing ``-shm`` index (a missing one is created, empty:
    the only file this may add). A read-only connection never checkpoints on close.
    """
    path = Path(path).resolve()
    wal = path.with_name(path.name + "-wal")
    has_log = wal.exists() and wal.stat().st_size > 0
    if not has_log:
        options = "mode=ro&immutable=1"
    elif path.with_name(path.name + "-shm").exists():
        options = "mode=ro&readonly_shm=1"
    else:
        options = "mode=ro"
    with storage_errors():
        conn = sqlcipher3.connect(f"{path.as_uri()}?{options}", uri=True, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception as exc:
        conn.close()
        mapped = translate(exc)
        if mapped is exc:
            raise
        raise mapped from exc
    return conn


def quick_check(conn: sqlcipher3.Connection) -> None:
    """Refuse a damaged file before anything writes to it."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except Exception as exc:
        mapped = translate(exc)
        if mapped is exc:
            raise
        if isinstance(mapped, StorageUnavailable):  # busy, locked, I/O: not damage
            raise mapped from exc
        raise StoreDamaged("the store file is damaged") from exc
    if [r[0] for r in rows] != ["ok"]:
        log.error("quick_check found %d problems", len(rows))
        # quick_check names pages and indexes, never the data in them.
        raise StoreDamaged(f"the store file is damaged (quick_check found {plural(len(rows), 'problem')}, "
                           f"the first: {str(rows[0][0])[:160]})")


def apply_pragmas(conn: sqlcipher3.Connection) -> None:
    with storage_errors():
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("journal_mode is %s, not wal", mode)
        for pragma in PRAGMAS:
            conn.execute(pragma)


def wrap(conn: sqlcipher3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over our connection, with no plugins (they could run code on our data)."""
    return sqlite_utils.Database(conn, execute_plugins=False)
