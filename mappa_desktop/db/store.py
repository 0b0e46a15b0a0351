"""The encrypted store: opening it safely, transactions, and its repositories.

Opening runs in a fixed order so that nothing writes to a file we should refuse:
read-only examination (write-ahead log, key, header and schema, a newer or foreign store;
see ``examine``) -> read-write connection -> pragmas -> backup -> migrate. The examination's
``quick_check`` reads every page (1.5 s at ten years), so the app's unlock leaves it out
unless migrations are pending, and runs the full check on a worker after unlocking instead
(``health.py``); a store that fails it refuses every write.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..changes import ChangeHub
from ..model import User
from ..paths import DataPaths
from . import backup, guards
from .actions import ActionsRepo
from .audits import AuditsRepo
from .audit import AuditLog
from .bundles import BundleStore
from .cases import CasesRepo
from .conditions import ConditionsRepo
from .directory import DirectoryRepo
from .drafts import DraftsRepo
from .exits import ExitsRepo
from .minutes import MinutesRepo
from .plan import PlanRepo
from .register import RegisterRepo
from .retention import RetentionRepo
from .scr import ScrRepo
from .signoff import SignOffRepo
from .connection import apply_pragmas, connect, quick_check, wrap
from .errors import StoreDamaged, storage_errors
from .examine import examine
from .migrations import MIGRATIONS
from .search import SearchRepo
from .settings import SettingsRepo
from .users import UsersRepo

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """One open, unlocked store. Hands out plain dataclasses; knows every table name."""

    def __init__(self, db, paths: DataPaths, key: bytes, clock: Clock = utc_now):
        self.db = db
        self.refusal: StoreDamaged | None = None  # set when the integrity check failed
        self.paths = paths
        self._key = key
        self.clock = clock
        self.user: User | None = None  # who the audit log names; set after unlock
        self.changes = ChangeHub()  # what each committed transaction changed, for the views
        self._after_commit: list[list[Callable[[], None]]] = []  # per open transaction level
        self.signer = None  # their Identity: signs every audit entry they write
        self.read_only = False
        self.audit = AuditLog(self)
        self.users = UsersRepo(self)
        self.settings = SettingsRepo(self)
        self.cases = CasesRepo(self)
        self.conditions = ConditionsRepo(self)
        self.plan = PlanRepo(self)
        self.exits = ExitsRepo(self)
        self.directory = DirectoryRepo(self)
        self.drafts = DraftsRepo(self)
        self.actions = ActionsRepo(self)
        self.minutes = MinutesRepo(self, self.actions)
        self.signoff = SignOffRepo(self)
        self.register = RegisterRepo(self)
        self.retention = RetentionRepo(self)
        self.scr = ScrRepo(self)
        self.bundles = BundleStore(self)
        self.search = SearchRepo(self)
        self.audits = AuditsRepo(self)

    # -- life cycle ---------------------------------------------------------------------

    @classmethod
    def open_read_only(cls, paths: DataPaths, key: bytes, *, clock: Clock = utc_now,
                       path: Path | None = None, full_check: bool = True) -> "Store":
        """The store for reading only (``check``, the verifier on the worker): examined as
        :meth:`open` does, never migrated, never written, never checkpointed on close."""
        from .connection import connect_read_only

        target = Path(path or paths.store)
        if not target.exists():
            raise StoreDamaged("there is no store file")
        examine(target, key, full_check=full_check)
        store = cls(wrap(connect_read_only(target, key)), paths, key, clock)
        store.read_only = True
        return store

    @classmethod
    def open(
        cls, paths: DataPaths, key: bytes, *, clock: Clock = utc_now, path: Path | None = None,
        verify: bool = True,
    ) -> "Store":
        """Open and, if needed, migrate the store. Refuses damaged and newer stores.

        ``verify=False`` checks only the header and the schema (what opening reads anyway),
        not every page: the app's unlock, which runs :func:`health.integrity_problems` on a
        worker afterwards. A store about to be migrated is always checked in full first."""
        target = Path(path or paths.store)
        # An existing file must already be a store: only a missing one is created. (An empty
        # file, say one truncated by a failing disk, would otherwise be rebuilt as a new,
        # empty store in place of the user's data.) It is examined read-only first: a
        # read-write connection would replay and checkpoint its log into it.
        applied = examine(target, key, full_check=verify) if target.exists() else []
        # Unlocking runs on the worker thread (Argon2id is slow); from then on only the GUI
        # thread uses the connection, one call at a time, so it may change hands once.
        conn = connect(target, key, check_same_thread=False)
        try:
            db = wrap(conn)
            with storage_errors():
                pending = MIGRATIONS.pending(db)
            if pending and not verify:
                quick_check(conn)  # never migrate (write to) a file that has not been checked
            apply_pragmas(conn)
            with storage_errors():
                if pending and applied:
                    backup.write_backup(
                        conn, key, paths.backups, reason=f"before-migration-{len(applied)}",
                        keyfile_bytes=paths.keyfile.read_bytes() if paths.keyfile.exists() else None,
                    )
                if pending:
                    log.info("applying %d migrations", len(pending))
                    MIGRATIONS.apply(db)
                # The spec's guard triggers, made again when the spec has changed.
                with db.atomic():
                    if guards.sync(db):
                        log.info("guard triggers made from the spec")
        except BaseException:
            conn.close()
            raise
        return cls(db, paths, key, clock)

    def close(self) -> None:
        """Checkpoint the WAL and close. Safe to call twice."""
        conn = getattr(self.db, "conn", None)
        if conn is None:
            return
        try:
            if not self.read_only and self.refusal is None:  # a damaged file is not written to
                with storage_errors():
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except Exception:  # closing must not fail because the disk is unhappy
            log.warning("checkpoint on close failed", exc_info=True)
        finally:
            conn.close()
            self.db.conn = None
            self._key = b""
            self.signer = None

    @property
    def key(self) -> bytes:
        return self._key

    def rekeyed(self, key: bytes) -> None:
        """The connection now uses ``key`` (after ``PRAGMA rekey``; see ``rotation``)."""
        self._key = key

    # -- transactions -------------------------------------------------------------------

    def refuse_writes(self, reason: StoreDamaged) -> None:
        """From now on every write fails with ``reason``: the integrity check found damage,
        and a damaged file is evidence (SQLite's ``query_only`` also stops any write that
        does not go through :meth:`transaction`)."""
        self.refusal = reason
        with storage_errors():
            self.db.execute("PRAGMA query_only = ON")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing store work; SQLite errors come out as our own. When the outermost
        transaction commits, what it changed is announced (``self.changes``). A store whose
        integrity check failed refuses every write."""
        if self.refusal is not None:
            raise StoreDamaged(self.refusal.reason)
        self.changes.begin()
        self._after_commit.append([])
        committed = False
        try:
            with storage_errors():
                with self.db.atomic():
                    yield
            committed = True
        finally:
            self.changes.end(committed)
            actions = self._after_commit.pop()
            if committed and self._after_commit:
                self._after_commit[-1].extend(actions)  # a savepoint: they wait for the whole
            elif committed:
                for action in actions:  # each runs; one failing does not undo the commit
                    try:
                        action()
                    except Exception:
                        log.exception("an action after a commit failed")

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the outermost transaction commits; never if it rolls back
        (outside a transaction: now)."""
        if self._after_commit:
            self._after_commit[-1].append(action)
        else:
            action()

    def note(self, kind: str, record_id=None, case_id: int | None = None) -> None:
        """Record that this transaction changes a record (announced when it commits)."""
        self.changes.note(kind, record_id, case_id)

    def today(self):
        """Today's date in the UK, from the store's clock."""
        from ..dates import uk_today

        return uk_today(self.clock())

    def now_iso(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    def acting_user_id(self) -> int | None:
        return self.user.id if self.user else None

    def checkpoint(self) -> None:
        """Copy what the WAL holds into the store file, without waiting on any reader
        (PASSIVE). Run at pauses in typing (``ui/index_upkeep.py``), not in a save."""
        if self.read_only or self.refusal is not None or getattr(self.db, "conn", None) is None:
            return  # a damaged or read-only store is not written to
        with storage_errors():
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    # -- health ---------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check``: ["ok"] when the file is sound."""
        with storage_errors():
            return [r[0] for r in self.db.execute("PRAGMA integrity_check").fetchall()]

    def refused_values(self) -> list:
        """Stored values the spec's rules refuse (``db/report.py``): reported, not changed."""
        from .report import refused_values

        with storage_errors():
            return list(refused_values(self.db, self.clock()))

    def applied_migrations(self) -> list[str]:
        with storage_errors():
            return [m.name for m in MIGRATIONS.applied(self.db)]
