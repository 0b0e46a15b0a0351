"""Starting the process: the data folder, the single instance, the crash hook, and the
controller's event loop (``mappa-desktop`` with no command)."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import APP_ID, APP_NAME
from ..instance import AlreadyRunning, hold_instance_lock
from ..logs import setup_logging, write_crash_report
from ..paths import DataPaths, resolve_data_dir
from .app import AppController, is_offscreen
from .tasks import TaskRunner

log = logging.getLogger("mappa_desktop.ui.app")


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
