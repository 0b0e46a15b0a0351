"""The application shown on a real (X) display with its accessibility bridge on, one screen
at a time, for the AT-SPI check. For each screen it prints one line of JSON: the screen's
name and the names Qt gives the controls Tab can reach (``a11y_walk``); then it waits for a
line on standard input before showing the next.

    QT_QPA_PLATFORM=xcb QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 python tests/atspi_app.py FOLDER [SCREEN...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _serve_until_told(app) -> bool:
    """Answer the accessibility bus (Qt does it in its event loop) until a line arrives on
    standard input; False when standard input is closed."""
    from PySide6.QtCore import QEventLoop, QSocketNotifier

    loop = QEventLoop()
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(loop.quit)
    loop.exec()
    notifier.setEnabled(False)
    return bool(sys.stdin.readline())


def main() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setApplicationName("MAPPA Desktop")
    from tests.a11y_walk import accessible_name, reachable
    from tests.screen_tour import open_session, prepared_store, settle, tour
    from mappa_desktop.ui.main_window import MainWindow
    from mappa_desktop.ui.tasks import TaskRunner

    folder, wanted = Path(sys.argv[1]), set(sys.argv[2:])
    session = open_session(prepared_store(folder))
    tasks = TaskRunner()
    window = MainWindow(session, tasks)
    try:
        for name, top in tour(window):
            if wanted and name not in wanted:
                continue
            for _ in range(10):
                settle(top)
            names = sorted({accessible_name(w) for w in reachable(top)})
            print(json.dumps({"screen": name, "title": top.windowTitle(), "names": names}), flush=True)
            if not _serve_until_told(app):
                break
    finally:
        print(json.dumps({"done": True}), flush=True)
        tasks.shutdown()
        session.close()


if __name__ == "__main__":
    main()
