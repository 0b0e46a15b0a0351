"""The lock cycle: the gate (first run, unlock), a fresh main window per unlock, locking
and quitting. (Process start and the crash hook: ``startup.py``; the checks, backups and
restore around a session: ``session_upkeep.py``.)

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
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from .. import APP_NAME
from ..paths import DataPaths
from ..security import DEFAULT_KDF, KdfParams, KeyFileError, WrongPassphrase
from .closing import ClosingScreen
from .session_upkeep import SessionUpkeep
from .gate import FirstRunScreen, UnlockScreen
from . import style
from .tasks import TaskRunner
from .widgets import after_first_paint

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
        style.install()
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
        self.resize(1100, 680)

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


class AppController(SessionUpkeep, QObject):
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
        self._kept_titles: list[str] = []
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
        window.say_kept_windows(self._kept_titles)
        self._kept_titles = []
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
        self._kept_titles = window.kept_titles()  # said after unlocking; titles only
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
