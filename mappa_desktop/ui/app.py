"""Start-up, the lock cycle and the crash hook.

The controller shows the gate (first run or unlock), then a fresh main window per unlock.
Locking saves pending edits, closes the window and the store (the key goes with it) and
shows the gate again; unlocking returns to the page that was open.

Unlocking runs on a thread of its own (the gate's), so it never waits behind a printout or
a backup; the automatic backups have a thread of their own too, so a printout never waits
behind them. It checks only the header and the schema; the full
integrity check runs on the gate's thread right after, and a store that fails it refuses
every write while the window says so. Quitting saves, closes the main window at once and
finishes the backup on closing on the long-work thread, with its progress on screen.
"""

from __future__ import annotations

import logging
import sys
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from .. import APP_ID, APP_NAME
from ..instance import AlreadyRunning, hold_instance_lock
from ..logs import setup_logging, write_crash_report
from ..paths import DataPaths, resolve_data_dir
from ..security import DEFAULT_KDF, KdfParams, KeyFileError, WrongPassphrase
from .closing import ClosingScreen, ask_skip_backup
from .gate import FirstRunScreen, UnlockScreen
from .style import STYLE_SHEET
from .tasks import Cancelled, TaskRunner
from .widgets import after_first_paint
from ..settings import backups_folder

log = logging.getLogger(__name__)


def is_offscreen() -> bool:
    return QGuiApplication.platformName() in ("offscreen", "minimal")


class GateWindow(QWidget):
    """The window shown while nothing is unlocked."""

    closed = Signal()
    quit_again = Signal()  # closed while the backup on closing runs

    def __init__(self, paths: DataPaths, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("gateWindow")
        self.setStyleSheet(STYLE_SHEET)
        self.stack = QStackedWidget()
        self.first_run = FirstRunScreen(str(paths.root))
        self.unlock = UnlockScreen()
        self.closing = ClosingScreen()
        self.stack.addWidget(self.first_run)
        self.stack.addWidget(self.unlock)
        self.stack.addWidget(self.closing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.resize(1100, 720)

    def show_first_run(self) -> None:
        self.stack.setCurrentWidget(self.first_run)

    def show_unlock(self, name: str = "") -> None:
        self.stack.setCurrentWidget(self.unlock)
        self.unlock.prepare(name)

    def show_closing(self) -> None:
        self.stack.setCurrentWidget(self.closing)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.stack.currentWidget() is self.closing and self.isVisible():
            event.ignore()  # the backup decides when the window goes
            self.quit_again.emit()
            return
        event.accept()
        self.closed.emit()


def _unlock_failure_text(exc: BaseException) -> str | None:
    """What to tell the user for an expected failure; None for a bug."""
    from ..db.errors import StoreDamaged, StoreError, StoreTooNew
    from ..db.session import UserDisabled

    if isinstance(exc, StoreDamaged):
        return (
            f"The store cannot be opened: {exc.reason}. It has been left exactly as it is. "
            "Restore the newest backup (Restore a backup… below), or ask IT support to run "
            "'mappa-desktop check'."
        )
    if isinstance(exc, StoreTooNew):
        return f"The store cannot be opened: {exc.reason}."
    if isinstance(exc, UserDisabled):
        return "This user has been disabled. Ask an administrator."
    if isinstance(exc, StoreError):
        return f"The store cannot be opened: {exc.reason}."
    if isinstance(exc, KeyFileError):
        return f"The store cannot be opened: {exc.reason}."
    return None


def _load_store_code() -> None:
    import importlib

    importlib.import_module("mappa_desktop.db.session")


class AppController(QObject):
    """Owns the session and decides which window is showing."""

    unlocked = Signal()
    locked = Signal()

    def __init__(
        self,
        paths: DataPaths,
        tasks: TaskRunner,
        *,
        kdf: KdfParams = DEFAULT_KDF,
        clock: Callable | None = None,
        monotonic: Callable[[], float] | None = None,
    ):
        super().__init__()
        self.monotonic = monotonic
        self.idle_watcher = None
        self.paths = paths
        self.tasks = tasks
        self.kdf = kdf
        self.clock = clock
        self.session = None
        self.main_window = None
        self._last_user = ""
        self._location: dict = {}
        self._geometry = None
        self._quitting = False
        # Key derivation and the integrity check: never queued behind long work.
        self.gate_tasks = TaskRunner(self, name="mappa-gate")
        # The automatic backups (daily, on closing): a printout never queues behind them.
        self.backup_tasks = TaskRunner(self, name="mappa-backup")
        self._health_job = None
        self.store_health: list[str] | None = None  # None until checked; [] when sound
        self._closing_job = None
        self.skip_question = None
        self.gate = GateWindow(paths)
        self.gate.first_run.create_requested.connect(self._create)
        self.gate.unlock.unlock_requested.connect(self._unlock)
        self.gate.unlock.restore_requested.connect(lambda: self.show_restore())
        self.gate.closed.connect(self._gate_closed)
        self.restore_dialog = None
        self.gate.quit_again.connect(self._quit_again)
        self.gate.closing.skip_requested.connect(self._skip_backup)

    # -- start ------------------------------------------------------------------------------

    def start(self) -> None:
        if self.paths.store.exists():
            self.gate.show_unlock(self._last_user)
            self._respect_failures()
        else:
            self.gate.show_first_run()
        # The store's code (sqlite-utils, SQLCipher: 0.4 s) is loaded on the gate's thread
        # once the gate is painted, while the person types, not after they press Unlock.
        after_first_paint(self.gate, lambda: self.gate_tasks.run(_load_store_code, lambda _r: None,
                                                                 lambda _e: None))
        self.gate.show()

    def _respect_failures(self) -> None:
        """Wrong passphrases are counted in the data folder, here and on the command line
        alike: a wait still running when the screen appears is kept."""
        import math

        from ..security import FailedUnlocks

        counter = FailedUnlocks(self.paths.root)
        self.gate.unlock.failures = counter.failures
        wait = counter.wait_seconds()
        if wait > 0:
            self.gate.unlock.hold_off(math.ceil(wait))

    def _clock_kwargs(self) -> dict:
        return {"clock": self.clock} if self.clock else {}

    # -- creating and unlocking -----------------------------------------------------------

    def _create(self, name: str, agency: str, role: str, passphrase: str) -> None:
        from ..db.session import create_store

        paths, kdf, extra = self.paths, self.kdf, self._clock_kwargs()

        def work():
            return create_store(
                paths, name=name, agency=agency, role=role, passphrase=passphrase, kdf=kdf, **extra
            )

        self.gate_tasks.run(work, self._opened, self._create_failed)

    def _create_failed(self, exc: BaseException) -> None:
        from ..db.errors import ValidationError

        if isinstance(exc, ValidationError):
            self.gate.first_run.failed(exc.reason)
            return
        text = _unlock_failure_text(exc)
        if text is None:
            self.gate.first_run.failed("The store could not be created. A report was saved.")
            raise exc
        self.gate.first_run.failed(text.replace("opened", "created"))

    def _unlock(self, name: str, passphrase: str) -> None:
        from ..db.session import unlock

        paths, extra = self.paths, self._clock_kwargs()
        self.gate_tasks.run(
            lambda: unlock(paths, name=name, passphrase=passphrase, verify=False, **extra),
            self._opened,
            self._unlock_failed,
        )
        # While the key is derived on the gate's thread (Argon2id lets go of the
        # interpreter), load the main window's code here: it is needed the moment it ends.
        from . import dashboard, main_window  # noqa: F401

    def _unlock_failed(self, exc: BaseException) -> None:
        if isinstance(exc, WrongPassphrase):
            import math

            from ..security import FailedUnlocks

            log.info("unlock refused")
            counter = FailedUnlocks(self.paths.root)  # counted by the unlock itself
            self.gate.unlock.wrong_passphrase(str(exc), counter.failures, math.ceil(counter.wait_seconds()))
            return
        text = _unlock_failure_text(exc)
        if text is None:
            self.gate.unlock.failed("The store could not be opened. A report was saved.")
            raise exc
        log.warning("unlock failed: %s", type(exc).__name__)
        self.gate.unlock.failed(text)

    def _opened(self, session) -> None:
        from .main_window import MainWindow

        if self._quitting:
            session.close()
            return
        self.session = session
        self._last_user = session.user.name
        self.gate.first_run.clear_secrets()
        self.gate.unlock.succeeded()
        window = MainWindow(session, self.tasks, kdf=self.kdf)
        window.lock_requested.connect(self.lock)
        window.quit_requested.connect(self.quit)
        window.restore_requested.connect(self.restore)
        if self._location:
            window.restore(self._location)
        window.setGeometry(self._geometry or self.gate.geometry())
        self.main_window = window
        window.show()
        self.gate.hide()
        # The check (and then the daily backup) once the window is painted: the first paint
        # is what the person waits for, and two cores are not many. Scheduled first, so that
        # a store damaged where the next steps read is still checked and said to be.
        after_first_paint(window, lambda: self.session is session and self._check_store(session))
        # Everything built so far lives as long as the window: keep it out of the garbage
        # collector's full passes, which otherwise stall a keystroke for 20+ ms. (After the
        # first paint: the collection itself takes 15-40 ms.)
        import gc

        after_first_paint(window, lambda: (gc.collect(), gc.freeze()))
        self._watch_idle(session)
        log.info("unlocked (user id %s)", session.user.id)
        self.unlocked.emit()

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

    def _locked_by_watcher(self, why: str) -> None:
        log.info("locking: %s", why)
        self.lock()

    def _stop_watching(self) -> None:
        if self.idle_watcher is not None:
            self.idle_watcher.stop()
            self.idle_watcher.deleteLater()
            self.idle_watcher = None

    def _stop_checking(self) -> None:
        if self._health_job is not None:
            self._health_job.cancel()
            self._health_job = None

    def lock(self) -> bool:
        """Save, close the window and the store, and show the unlock screen.

        If what was typed cannot be saved (disk full...), the app does not lock: locking
        would drop the only copy. The window says NOT SAVED and the next lock tries again.
        """
        if self.main_window is None:
            return False
        if self.session is not None and self.session.exclusive:
            log.info("not locked: a key rotation is running")  # locking would close its store
            if self.idle_watcher is not None:
                self.idle_watcher.touch()
            return False
        if not self.main_window.flush():
            log.warning("not locked: pending edits could not be saved")
            self.main_window.statusBar().showMessage(
                "Not locked: what you typed could not be saved yet (see NOT SAVED).", 10_000)
            if self.idle_watcher is not None:
                self.idle_watcher.touch()  # try again at the next idle period
            return False
        window, self.main_window = self.main_window, None
        self._stop_watching()
        self._stop_checking()
        self._location = window.location()
        self._geometry = window.geometry()
        window.dispose()
        self._close_session()
        self._clear_clipboard()
        self.gate.setGeometry(self._geometry)
        self.gate.show_unlock(self._last_user)
        self.gate.show()
        log.info("locked")
        self.locked.emit()
        return True

    def _close_session(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            session.close()

    @staticmethod
    def _clear_clipboard() -> None:
        # Whatever was copied from a case must not outlive the lock.
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()

    def quit(self) -> None:
        """Save, close the main window at once, and finish the backup on closing on the
        worker while the gate window says so; the application ends when it is done."""
        if self.session is not None and self.session.exclusive:
            QTimer.singleShot(500, self.quit)  # after the key rotation on the worker
            return
        if self._closing_job is not None:
            self._quit_again()
            return
        self._quitting = True
        self._stop_watching()
        self._stop_checking()
        self.tasks.cancel_all()  # a printout or export being made is of no use now
        backing_up = False
        if self.main_window is not None:
            window, self.main_window = self.main_window, None
            saved = window.flush()
            self.gate.setGeometry(window.geometry())
            window.dispose()
            if saved:
                backing_up = self._backup_on_close()
        if backing_up:
            self.gate.show_closing()
            self.gate.show()
            return
        self._finish_quit()

    def _finish_quit(self) -> None:
        import shiboken6

        self._closing_job = None
        if self.skip_question is not None and shiboken6.isValid(self.skip_question):
            self.skip_question.done(0)
        self.skip_question = None
        self._close_session()
        if shiboken6.isValid(self.gate):  # the windows may be gone already (shut down)
            self.gate.hide()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def _gate_closed(self) -> None:
        if self.main_window is None:
            self.quit()

    def shutdown(self) -> None:
        """Last words on exit: nothing pending, store closed, the gate's thread stopped."""
        if self.main_window is not None:
            self.main_window.flush()
        self._stop_checking()
        if self._closing_job is not None:
            self._closing_job.cancel()
        self.gate_tasks.shutdown()
        self.backup_tasks.shutdown()
        self._close_session()


# -- process start ------------------------------------------------------------------------


def show_startup_error(text: str) -> None:
    """Tell the user why we cannot start: stderr always, a dialog when there is a screen."""
    print(f"{APP_NAME}: {text}", file=sys.stderr)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not is_offscreen():
        QMessageBox.warning(None, APP_NAME, text)
    del app


def install_crash_hook(paths: DataPaths) -> None:
    """Unexpected errors are saved as a report (no personal data) and told to the user."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("unexpected error: %s", exc_type.__name__)
        report = write_crash_report(paths, exc_type, exc, tb)
        where = f"A report (with no personal data) was saved as {report}." if report else ""
        text = (
            "Something went wrong inside MAPPA Desktop. What you had saved is safe. "
            f"{where} Please tell IT support."
        )
        print(f"{APP_NAME}: {text}", file=sys.stderr)
        if QApplication.instance() is not None and not is_offscreen():
            QMessageBox.critical(None, APP_NAME, text)

    sys.excepthook = hook


class _FirstPaint(QObject):
    """Quits the event loop at the first paint of a window (start-up timing, bundle check).
    With MAPPA_TIMING=1 it says when (the monotonic clock, in seconds) on stderr: the
    benchmark's start-up figure is the time to this paint, not to the process's end."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            import os
            import time

            if os.environ.get("MAPPA_TIMING") == "1":
                print(f"first paint at {time.perf_counter():.6f}", file=sys.stderr, flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def run_gui(args) -> int:
    paths = resolve_data_dir(args.data_dir)
    from ..paths import unsafe_location

    refusal = unsafe_location(paths.root)
    if refusal:
        show_startup_error(f"The data folder {paths.root} cannot be used: {refusal}. Choose a folder on "
                           "this computer with --data-dir.")
        return 1
    setup_logging(paths)
    try:
        instance_lock = hold_instance_lock(paths)
    except AlreadyRunning as exc:
        show_startup_error(str(exc))
        return 1
    except OSError as exc:
        from ..db.errors import os_reason

        show_startup_error(f"The data folder cannot be used: {os_reason(exc)}.")
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    install_crash_hook(paths)
    tasks = TaskRunner()
    controller = AppController(paths, tasks)
    if args.exit_after_start:
        painter = _FirstPaint(app)
        controller.gate.installEventFilter(painter)
    controller.start()
    try:
        code = app.exec()
    finally:
        controller.shutdown()
        tasks.shutdown()
        instance_lock.release()
    return code
