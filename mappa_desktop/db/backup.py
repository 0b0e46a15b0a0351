"""Encrypted copies of the store through SQLite's backup API (consistent while in use).

A copy is written under a temporary name in the backups folder and renamed only when
complete and verified, so a half-written backup never sits at a final path. Run as a job
(on the worker), a backup reports its progress and stops cleanly when cancelled: the copy
under its temporary name is removed, and the store itself is only ever read.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from .. import jobs
from .connection import _key_pragma
from .errors import StorageUnavailable, StoreDamaged, storage_errors, translate

log = logging.getLogger(__name__)


#: Pages copied between two looks at the cancel flag (8 MiB of 4 KiB pages).
COPY_STEP = 2048


def _copy(conn, target) -> None:
    """SQLite's backup of ``conn`` into ``target``: in one go, or, inside a job, a step at a
    time with progress and a chance to stop. A read transaction is held over the steps: the
    copy is of one moment, and a save by the editor in between does not restart it."""
    job = jobs.current()
    if job is None:
        conn.backup(target)
        return
    hold = not conn.in_transaction
    if hold:
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    try:
        conn.backup(target, pages=COPY_STEP,
                    progress=lambda _status, left, total: jobs.report(total - left, total, "Copying the store"))
    finally:
        if hold:
            conn.execute("COMMIT")


def write_backup(conn, key: bytes, folder: Path, *, reason: str, verify: bool = True) -> Path:
    """Copy the open store to ``folder``, encrypted under the same key; verify (unless the
    caller verifies the copy itself); return path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"store-{stamp}-{reason}.db"
    partial = final.with_suffix(".partial")
    target = sqlcipher3.connect(str(partial))
    try:
        target.execute(_key_pragma(key))
        _copy(conn, target)
        # The copy takes the store's WAL mode with its pages; a backup is one file, opened
        # read-only when checked, so it keeps the rollback journal (no -wal or -shm beside it).
        target.execute("PRAGMA journal_mode = DELETE").fetchone()
        if verify and target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
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


# -- automatic backups, rotation, inspection and restore ------------------------------------

COUNTED = ("cases", "meetings", "actions", "audit_log", "users")
_NAME = re.compile(r"^store-(\d{8}T\d{6}\d*Z)-([a-z0-9-]+)\.db$")


@dataclass(frozen=True)
class BackupInfo:
    """A backup file and what it holds (counts are filled by :func:`inspect`)."""

    path: Path
    created: datetime
    reason: str
    size: int
    counts: dict = field(default_factory=dict)
    integrity: str = ""


def list_backups(folder: Path) -> list[BackupInfo]:
    """Our backups in ``folder``, newest first."""
    found = []
    for path in Path(folder).glob("store-*.db"):
        match = _NAME.match(path.name)
        if not match:
            continue
        stamp = match.group(1)
        created = datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
        found.append(BackupInfo(path, created, match.group(2), path.stat().st_size))
    return sorted(found, key=lambda b: b.path.name, reverse=True)


def inspect(path: Path, key: bytes) -> BackupInfo:
    """Open a backup with the key: integrity_check and row counts (without changing it)."""
    info = next((b for b in list_backups(path.parent) if b.path == path), None)
    if not Path(path).is_file():
        raise StorageUnavailable("that backup file is not there any more")
    conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    job = jobs.current()
    try:
        conn.execute(_key_pragma(key))
        if job is not None:
            job.progress(0, 0, "Verifying the copy")
            conn.set_progress_handler(lambda: 1 if job.cancelled else 0, 20_000)
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    except Exception as exc:
        if job is not None and job.cancelled:
            raise jobs.Cancelled() from exc
        mapped = translate(exc)
        raise (mapped if mapped is not exc else StoreDamaged("the backup cannot be read")) from exc
    finally:
        conn.close()
    base = info or BackupInfo(path, datetime.now(timezone.utc), "", path.stat().st_size)
    return BackupInfo(base.path, base.created, base.reason, base.size, counts, integrity)


def backup_store(store_path: Path, key: bytes, folder: Path, *, reason: str, keep: int = 10) -> BackupInfo:
    """A verified, encrypted copy of the store through a connection of its own (so it can
    run on the worker thread while the editor writes), then rotation to ``keep`` copies."""
    from .connection import connect

    with storage_errors():
        source = connect(Path(store_path), key, check_same_thread=False)
        try:
            # Verified once, below, by the full integrity check (not also a quick_check).
            path = write_backup(source, key, Path(folder), reason=reason, verify=False)
        finally:
            source.close()
        try:
            info = inspect(path, key)
        except BaseException:  # cancelled or unreadable: an unverified copy is not kept
            path.unlink(missing_ok=True)
            raise
        if info.integrity != "ok":
            path.unlink(missing_ok=True)
            raise StorageUnavailable("the backup copy did not pass its integrity check")
        rotate(Path(folder), keep)
    return info


AUTOMATIC = ("daily", "on-close")


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest automatic backups beyond ``keep`` (manual and pre-migration copies
    are kept until someone removes them); returns what was removed."""
    removed = []
    automatic = [b for b in list_backups(folder) if b.reason in AUTOMATIC]
    for info in automatic[max(1, keep):]:
        info.path.unlink(missing_ok=True)
        removed.append(info.path)
        log.info("old backup removed by rotation")
    return removed


def newest_age_hours(folder: Path, now: datetime) -> float | None:
    backups = list_backups(folder)
    if not backups:
        return None
    return (now - backups[0].created).total_seconds() / 3600


def restore(store_path: Path, backup: Path, key: bytes, *, now: datetime) -> Path:
    """Put a verified backup in place of the (closed) store; the current store is kept
    aside, renamed, never deleted. Returns where the old store now is."""
    store_path = Path(store_path)
    info = inspect(Path(backup), key)
    if info.integrity != "ok":
        raise StoreDamaged("the backup did not pass its integrity check; nothing was changed")
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    aside = store_path.with_name(f"{store_path.name}.before-restore-{stamp}")
    with storage_errors():
        partial = store_path.with_name(store_path.name + ".restoring")
        shutil.copyfile(backup, partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(partial, 0o600)
        for suffix in ("-wal", "-shm"):
            side = store_path.with_name(store_path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        os.replace(store_path, aside)
        os.replace(partial, store_path)
    log.info("store restored from a backup; the previous store was kept aside")
    return aside
