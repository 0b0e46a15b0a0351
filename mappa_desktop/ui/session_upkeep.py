"""What the application controller does around an open session: the full integrity check
after unlocking, the idle lock, the daily backup and the backup on closing, and restoring a
backup. A mixin of ``AppController`` (which provides ``session``, ``main_window``, ``gate``,
``tasks``, ``gate_tasks``, ``backup_tasks``, ``clock`` and the quitting steps), kept apart so
that the controller reads as the lock cycle and this as the upkeep.
"""

from __future__ import annotations

import logging

from ..settings import backups_folder
from .closing import ask_skip_backup
from .tasks import Cancelled

log = logging.getLogger("mappa_desktop.ui.app")


class SessionUpkeep:
    """Checks, the idle watcher, backups and restore for the open session."""

    def _check_store(self, session) -> None:
        """The full integrity check, on the gate's thread after unlock; damage stops every
        write and is said in the window."""
        from ..db.health import damage_reason, integrity_problems

        path, key = session.store.paths.store, bytes(session.store.key)
        self.store_health = None

        def checked(problems: list[str]) -> None:
            self._health_job = None
            if self.session is not session:
                return  # locked meanwhile
            self.store_health = problems
            if problems:
                reason = damage_reason(problems)
                log.error("integrity check failed: writes refused")
                try:
                    session.store.refuse_writes(reason)
                finally:
                    if self.main_window is not None:
                        self.main_window.show_store_damaged(reason.reason)
            else:
                if self.main_window is not None:
                    self.main_window.show_store_checked()
                self._daily_backup(session)

        def failed(exc: BaseException) -> None:
            self._health_job = None
            if isinstance(exc, Cancelled) or self.session is not session:
                return
            log.warning("integrity check could not run: %s", type(exc).__name__)
            if self.main_window is not None:
                self.main_window.show_store_unchecked(getattr(exc, "reason", "it could not run"))

        self._health_job = self.gate_tasks.run(lambda: integrity_problems(path, key), checked, failed)

    # -- locking and quitting -------------------------------------------------------------

    def _watch_idle(self, session) -> None:
        from datetime import datetime, timezone

        from .idle import IdleWatcher

        kwargs = {}
        if self.monotonic is not None:
            kwargs["monotonic"] = self.monotonic
        kwargs["wall"] = self.clock or (lambda: datetime.now(timezone.utc))
        from ..db.errors import StoreError
        from ..settings import default_of

        try:
            minutes = session.store.settings.get("idle_lock_minutes")
        except StoreError:  # unreadable (a damaged store): lock after the default time
            minutes = default_of("idle_lock_minutes")
        watcher = IdleWatcher(minutes, parent=self, **kwargs)
        watcher.idle.connect(self._locked_by_watcher)
        watcher.start()
        self.idle_watcher = watcher

    def _daily_backup(self, session) -> None:
        """A backup on the worker when the newest automatic one is a day old (or none)."""
        from datetime import datetime, timezone

        from ..db.backup import backup_store, list_backups

        store = session.store
        now = (self.clock or (lambda: datetime.now(timezone.utc)))()
        automatic = [b for b in list_backups(backups_folder(store)) if b.reason in ("daily", "on-close")]
        if automatic and (now - automatic[0].created).total_seconds() < 24 * 3600:
            return
        path, key, folder, keep = store.paths.store, bytes(store.key), backups_folder(store), store.settings.get("backup_keep")
        signer, user_id = store.signer, store.acting_user_id()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                return
            log.warning("daily backup failed: %s", type(exc).__name__)
            if self.main_window is not None:
                self.main_window.statusBar().showMessage(
                    f"The daily backup was NOT made: {getattr(exc, 'reason', 'an unexpected error')}. "
                    "File > Backups to try again.", 60_000)

        self.backup_tasks.run(lambda: backup_store(path, key, folder, reason="daily", keep=keep, signer=signer,
                                                   user_id=user_id),
                              lambda info: log.info("daily backup written"), failed)

    def _backup_on_close(self) -> bool:
        """Start the backup on closing on the long-work thread; False if there is nothing
        to back up (or the store refuses: a damaged store is not copied over good backups)."""
        from ..db.backup import backup_store

        store = self.session.store if self.session else None
        if store is None or store.db.conn is None or store.refusal is not None:
            return False
        path, key, folder = store.paths.store, bytes(store.key), backups_folder(store)
        keep = store.settings.get("backup_keep")
        signer, user_id = store.signer, store.acting_user_id()

        def finished(_info) -> None:
            log.info("backup on close written")
            self._finish_quit()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                log.info("backup on close skipped")
            else:
                log.warning("backup on close failed: %s", type(exc).__name__)
            self._finish_quit()

        self.backup_tasks.cancel_all()  # a daily backup still running gives way to this one
        self._closing_job = self.backup_tasks.run(
            lambda: backup_store(path, key, folder, reason="on-close", keep=keep, signer=signer, user_id=user_id),
            finished, failed,
            progress=self.gate.closing.show_progress, owner=self.gate.closing)
        return True

    def _quit_again(self) -> None:
        """Quit asked for while the backup runs: wait, or skip it, as the user says."""
        if self._closing_job is None:
            return
        if self.skip_question is not None and self.skip_question.isVisible():
            return
        box = ask_skip_backup(self.gate)
        box.finished.connect(lambda _r: box.clickedButton() is box.skip_button and self._skip_backup())
        self.skip_question = box
        box.open()

    def _skip_backup(self) -> None:
        if self._closing_job is not None:
            self.gate.closing.step.setText("Stopping the backup…")
            self._closing_job.cancel()  # the copy stops and its partial file is removed

    def restore(self, backup_path: str) -> bool:
        """Lock, then restore through the same dialog as the unlock screen (the backup opens
        with the passphrases of its time; the restore is signed by whoever does it)."""
        if self.main_window is None or not self.lock():
            return False
        self.show_restore(preselect=backup_path)
        return True

    def show_restore(self, preselect: str | None = None):
        """The restore dialog over the unlock screen; a restore opens the restored store."""
        from .restore_dialog import RestoreDialog

        dialog = RestoreDialog(self.paths, self.tasks, name=self._last_user or self.gate.unlock.name.text(),
                               preselect=preselect, parent=self.gate)
        dialog.restored.connect(self._restored)
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def _restored(self, session) -> None:
        aside = getattr(session, "restored_aside", None)
        self._opened(session)
        if self.main_window is not None and aside is not None:
            self.main_window.statusBar().showMessage(
                f"Restored. The store as it was before is kept as {aside.name} in the data folder.", 30_000)
