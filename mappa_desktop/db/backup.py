"""Encrypted copies of the store through SQLite's backup API (consistent while in use).

A copy is written under a temporary name in the backups folder and renamed only when
complete and verified, so a half-written backup never sits at a final path; leftovers of
an interrupted one (``.partial`` and its side files) are removed by the next backup. A
copy is switched to a rollback journal before it is closed, so that opening it later
never leaves ``-wal`` or ``-shm`` files beside it, and it is only ever opened read-only.

Beside each copy, a *manifest* (``store-….manifest.json``, no personal data): when and
why it was made, the id of the database key it is under, a copy of the key file that
opens it (the slots as they were then), and the head of the audit log as an anchor,
signed by whoever made it. The anchor is how ``check`` proves later that the log was not
cut short; the key id is how the backups page tells copies under an older key (which old
slots still open) from current ones.
Run as a job (on the worker), a backup reports its progress and stops cleanly when
cancelled: the copy under its temporary name is removed, and the store itself is only ever
read.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlcipher3

from ..security import key_id, write_atomically
from .. import jobs
from .connection import _key_pragma
from .errors import StorageUnavailable, StoreDamaged, storage_errors, translate

log = logging.getLogger(__name__)

MANIFEST_FORMAT = 1
_SIDE = ("-wal", "-shm", "-journal")


def manifest_path(backup: Path) -> Path:
    backup = Path(backup)
    return backup.with_name(backup.name.removesuffix(".db") + ".manifest.json")


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


def write_backup(conn, key: bytes, folder: Path, *, reason: str, keyfile_bytes: bytes | None = None,
                 signer=None, user_id: int | None = None, verify: bool = True) -> Path:
    """Copy the open store to ``folder``, encrypted under the same key; verify (unless the
    caller verifies the copy itself); write its manifest; return the copy's path."""
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
        head = target.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    except BaseException:
        target.close()
        _remove_with_sides(partial)
        raise
    target.close()
    try:
        if os.name == "posix":
            os.chmod(partial, 0o600)
        _write_manifest(final, key, reason, head, keyfile_bytes, signer, user_id)
        os.replace(partial, final)
    except BaseException:
        _remove_with_sides(partial)
        manifest_path(final).unlink(missing_ok=True)
        raise
    log.info("backup written (%s)", reason)
    return final


def _write_manifest(final: Path, key: bytes, reason: str, head, keyfile_bytes, signer, user_id) -> None:
    from .audit import make_anchor
    from ..audit_chain import GENESIS

    anchor = make_anchor(*(head or (0, GENESIS)), user_id, signer)
    manifest = {
        "format": MANIFEST_FORMAT,
        "made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reason": reason,
        "key_id": key_id(key),
        "audit_anchor": anchor.token(),
        "keys": json.loads(keyfile_bytes.decode("utf-8")) if keyfile_bytes else None,
    }
    write_atomically(manifest_path(final), json.dumps(manifest, indent=1).encode("utf-8"))


def read_manifest(backup: Path) -> dict | None:
    """A backup's manifest, or None when it has none (made by an older version) or it is
    unreadable (then the copy is judged by opening it)."""
    try:
        data = json.loads(manifest_path(backup).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None


def manifest_anchors(folder: Path) -> list[tuple]:
    """(Anchor, where it came from) of every backup manifest in ``folder``, for ``check``."""
    from ..audit_chain import Anchor

    found = []
    for info in list_backups(folder):
        manifest = read_manifest(info.path) or {}
        try:
            anchor = Anchor.parse(manifest.get("audit_anchor") or "")
        except ValueError:
            continue
        if anchor.seq:
            found.append((anchor, f"the manifest of backup {info.path.name}"))
    return found


def _remove_with_sides(path: Path) -> None:
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE)):
        candidate.unlink(missing_ok=True)


def remove_leftovers(folder: Path) -> list[str]:
    """Remove what interrupted backups and older versions left in the backups folder:
    ``.partial`` copies, ``-wal``/``-shm``/``-journal`` side files, manifests without
    their copy. Returns the names removed."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        name = path.name
        stale = (name.endswith(".partial") or any(name.endswith(".partial" + s) for s in _SIDE)
                 or (name.startswith("store-") and any(name.endswith(".db" + s) for s in _SIDE))
                 or (name.endswith(".manifest.json")
                     and not path.with_name(name.removesuffix(".manifest.json") + ".db").exists()))
        if stale and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(name)
    if removed:
        log.info("removed %d leftover files from the backups folder", len(removed))
    return removed


# -- automatic backups, rotation, inspection -------------------------------------------------

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


def open_backup(path: Path, key: bytes):
    """A read-only connection to a backup that writes nothing anywhere (``immutable``)."""
    conn = sqlcipher3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                              check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def opens_with(path: Path, key: bytes) -> bool:
    """Whether ``key`` opens this backup (a cheap read of its first page)."""
    try:
        open_backup(path, key).close()
    except Exception:
        return False
    return True


def _backup_error(exc: BaseException) -> BaseException:
    """What to say when a backup cannot be read: it is the backup that is damaged (the
    store's own words would point at the store in use)."""
    mapped = translate(exc)
    if mapped is exc or isinstance(mapped, StoreDamaged):
        return StoreDamaged("the backup file is damaged or is not a backup of this store")
    return mapped


def inspect(path: Path, key: bytes) -> BackupInfo:
    """Open a backup with the key: integrity_check and row counts (without changing it)."""
    info = next((b for b in list_backups(path.parent) if b.path == path), None)
    if not Path(path).is_file():
        raise StorageUnavailable("that backup file is not there any more")
    try:
        conn = open_backup(path, key)
    except Exception as exc:
        raise _backup_error(exc) from exc
    job = jobs.current()
    try:
        if job is not None:
            job.progress(0, 0, "Verifying the copy")
            conn.set_progress_handler(lambda: 1 if job.cancelled else 0, 20_000)
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    except Exception as exc:
        if job is not None and job.cancelled:
            raise jobs.Cancelled() from exc
        raise _backup_error(exc) from exc
    finally:
        conn.close()
    base = info or BackupInfo(path, datetime.now(timezone.utc), "", path.stat().st_size)
    return BackupInfo(base.path, base.created, base.reason, base.size, counts, integrity)


def backup_store(store_path: Path, key: bytes, folder: Path, *, reason: str, keep: int = 10,
                 signer=None, user_id: int | None = None) -> BackupInfo:
    """A verified, encrypted copy of the store through a connection of its own (so it can
    run on the worker thread while the editor writes), then rotation to ``keep`` copies.
    ``signer`` (the user's keys) signs the anchor in the manifest."""
    from .connection import connect

    store_path = Path(store_path)
    with storage_errors():
        remove_leftovers(Path(folder))
        keyfile = store_path.with_name("keys.json")
        keyfile_bytes = keyfile.read_bytes() if keyfile.exists() else None
        source = connect(store_path, key, check_same_thread=False)
        try:
            # Verified once, below, by the full integrity check (not also a quick_check).
            path = write_backup(source, key, Path(folder), reason=reason, keyfile_bytes=keyfile_bytes,
                                signer=signer, user_id=user_id, verify=False)
        finally:
            source.close()
        try:
            info = inspect(path, key)
        except BaseException:  # cancelled or unreadable: an unverified copy is not kept
            delete_backup(path)
            raise
        if info.integrity != "ok":
            delete_backup(path)
            raise StorageUnavailable("the backup copy did not pass its integrity check")
        rotate(Path(folder), keep)
    return info


AUTOMATIC = ("daily", "on-close")


def delete_backup(path: Path) -> None:
    """A backup, its manifest and any side files."""
    path = Path(path)
    _remove_with_sides(path)
    manifest_path(path).unlink(missing_ok=True)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Remove the oldest automatic backups beyond ``keep`` (manual and pre-migration copies
    are kept until someone removes them); returns what was removed."""
    removed = []
    automatic = [b for b in list_backups(folder) if b.reason in AUTOMATIC]
    for info in automatic[max(1, keep):]:
        delete_backup(info.path)
        removed.append(info.path)
        log.info("old backup removed by rotation")
    return removed


def newest_age_hours(folder: Path, now: datetime) -> float | None:
    backups = list_backups(folder)
    if not backups:
        return None
    return (now - backups[0].created).total_seconds() / 3600


def restore(store_path: Path, backup: Path, key: bytes, **kwargs) -> Path:
    """Restoring lives in ``restore`` (with re-encrypting older copies); kept callable here."""
    from .restore import restore as put_back

    return put_back(store_path, backup, key, **kwargs)
