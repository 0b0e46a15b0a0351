"""Start-up, the lock cycle and the crash hook.

The controller shows the gate (first run or unlock), then a fresh main window per unlock.
Locking saves pending edits, closes the window and the store (the key goes with it) and
shows the gate again; unlocking returns to the page that was open.
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
from .gate import FirstRunScreen, UnlockScreen
from .style import STYLE_SHEET
from .tasks import TaskRunner
from ..settings import backups_folder

log = logging.getLogger(__name__)


def is_offscreen() -> bool:
    return QGuiApplication.platformName() in ("offscreen", "minimal")


class GateWindow(QWidget):
    """The window shown while nothing is unlocked."""

    closed = Signal()

    def __init__(self, paths: DataPaths, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("gateWindow")
        self.setStyleSheet(STYLE_SHEET)
        self.stack = QStackedWidget()
        self.first_run = FirstRunScreen(str(paths.root))
        self.unlock = UnlockScreen()
        self.stack.addWidget(self.first_run)
        self.stack.addWidget(self.unlock)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.resize(1100, 720)

    def show_first_run(self) -> None:
        self.stack.setCurrentWidget(self.first_run)

    def show_unlock(self, name: str = "") -> None:
        self.stack.setCurrentWidget(self.unlock)
        self.unlock.prepare(name)

    def closeEvent(self, event: QCloseEvent) -> None:
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
        self.gate = GateWindow(paths)
        self.gate.first_run.create_requested.connect(self._create)
        self.gate.unlock.unlock_requested.connect(self._unlock)
        self.gate.unlock.restore_requested.connect(lambda: self.show_restore())
        self.gate.closed.connect(self._gate_closed)
        self.restore_dialog = None

    # -- start ------------------------------------------------------------------------------

    def start(self) -> None:
        if self.paths.store.exists():
            self.gate.show_unlock(self._last_user)
            self._respect_failures()
        else:
            self.gate.show_first_run()
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

        self.tasks.run(work, self._opened, self._create_failed)

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
        self.tasks.run(
            lambda: unlock(paths, name=name, passphrase=passphrase, **extra),
            self._opened,
            self._unlock_failed,
        )

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
        # Everything built so far lives as long as the window: keep it out of the garbage
        # collector's full passes, which otherwise stall a keystroke for 20+ ms.
        import gc

        gc.collect()
        gc.freeze()
        self._watch_idle(session)
        self._daily_backup(session)
        log.info("unlocked (user id %s)", session.user.id)
        self.unlocked.emit()

    # -- locking and quitting -------------------------------------------------------------

    def _watch_idle(self, session) -> None:
        from datetime import datetime, timezone

        from .idle import IdleWatcher

        kwargs = {}
        if self.monotonic is not None:
            kwargs["monotonic"] = self.monotonic
        kwargs["wall"] = self.clock or (lambda: datetime.now(timezone.utc))
        watcher = IdleWatcher(session.store.settings.get("idle_lock_minutes"), parent=self, **kwargs)
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
        self.tasks.run(lambda: backup_store(path, key, folder, reason="daily", keep=keep, signer=signer,
                                            user_id=user_id),
                       lambda info: log.info("daily backup written"),
                       lambda exc: log.warning("daily backup failed: %s", type(exc).__name__))

    def _backup_on_close(self) -> None:
        from ..db.backup import backup_store
        from ..db.errors import StoreError

        store = self.session.store if self.session else None
        if store is None or store.db.conn is None:
            return
        try:
            backup_store(store.paths.store, bytes(store.key), backups_folder(store), reason="on-close",
                         keep=store.settings.get("backup_keep"), signer=store.signer, user_id=store.acting_user_id())
        except StoreError:
            log.warning("backup on close failed")

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
        if self.session is not None and self.session.exclusive:
            QTimer.singleShot(500, self.quit)  # after the key rotation on the worker
            return
        self._quitting = True
        self._stop_watching()
        if self.main_window is not None and self.main_window.flush():
            self._backup_on_close()
        if self.main_window is not None:
            window, self.main_window = self.main_window, None
            window.dispose()
        self._close_session()
        self.gate.hide()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def _gate_closed(self) -> None:
        if self.main_window is None:
            self.quit()

    def shutdown(self) -> None:
        """Last words on exit: nothing pending, store closed."""
        if self.main_window is not None:
            self.main_window.flush()
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
    """Quits the event loop at the first paint of a window (start-up timing, bundle check)."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
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
