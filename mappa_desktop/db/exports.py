"""Saving a disclosed file (a PDF, an export) so that it is never on disk unlogged, and
never left half-made or as a stray plaintext copy.

The file is written under a temporary name in the folder the user chose (a rename is only
atomic within one folder); that temporary path is first noted, encrypted, in the store.
The disclosure entry and the final rename then happen in one step: the rename runs inside
the transaction that writes the entry, and if the commit fails the file is removed again.
If the app stops in between, the next unlock removes any temporary file and, for a file
that did reach its final name, logs the disclosure late and says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from pathlib import Path

from ..security import fsync_folder
from .errors import storage_errors

log = logging.getLogger(__name__)

TEMP_PREFIX = ".mappa-partial-"


def save_disclosed_file(store, path, data: bytes, *, record_type: str, record_id, recipient: str,
                        purpose: str, detail: str) -> None:
    """Write ``data`` to ``path`` and log it as a disclosure, both or neither."""
    final = Path(path)
    temp = final.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}.tmp"
    digest = hashlib.sha256(data).hexdigest()
    with store.transaction():
        pending = store.db.execute(
            "INSERT INTO pending_exports (temp_path, final_path, sha256, record_type, record_id, detail, "
            "recipient, purpose, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [str(temp), str(final), digest, record_type, record_id, detail, recipient, purpose, store.now_iso()],
        ).lastrowid
    renamed = False
    try:
        with storage_errors():
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        with store.transaction():
            store.audit.record("disclosure", record_type, record_id, detail=detail, recipient=recipient,
                               purpose=purpose)
            store.db.execute("DELETE FROM pending_exports WHERE id = ?", [pending])
            with storage_errors():
                os.replace(temp, final)
                renamed = True
                fsync_folder(final.parent)
    except BaseException:
        _remove(temp)
        if renamed:  # renamed, but the entry did not commit: no unlogged copy stays
            _remove(final)
        try:
            with store.transaction():
                store.db.execute("DELETE FROM pending_exports WHERE id = ?", [pending])
        except Exception:
            log.warning("a pending export could not be cleared; the next unlock will")
        raise


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("a temporary export file could not be removed")


def recover_exports(store) -> int:
    """At unlock: clear what a stopped save left. Temporary files are removed; a file that
    reached its final name without its entry is logged now, saying so. Returns how many
    saves were found unfinished."""
    with storage_errors():
        rows = store.db.execute(
            "SELECT id, temp_path, final_path, sha256, record_type, record_id, detail, recipient, purpose "
            "FROM pending_exports ORDER BY id").fetchall()
    for pending, temp, final, digest, record_type, record_id, detail, recipient, purpose in rows:
        _remove(Path(temp))
        reached = False
        try:
            reached = hashlib.sha256(Path(final).read_bytes()).hexdigest() == digest
        except OSError:
            pass
        with store.transaction():
            if reached:
                store.audit.record("disclosure", record_type, record_id, recipient=recipient, purpose=purpose,
                                   detail=f"{detail} (logged at the next unlock: the app stopped before it "
                                          "could log the save)")
            store.db.execute("DELETE FROM pending_exports WHERE id = ?", [pending])
    if rows:
        log.warning("%d unfinished saves cleared at unlock", len(rows))
    return len(rows)
