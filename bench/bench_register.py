"""The cross-case action register and the dashboard on the ten-year store (1,000 cases,
12,000 meetings, 60,000 actions): time to the first paint of their data (bar: < 100 ms;
DESIGN.md section 4 asks < 50 ms for the dashboard and the cross-case register)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_NAME, BENCH_PASSPHRASE, ten_years_store  # noqa: E402


def first_paint_ms(make, app, repeat=7) -> list[float]:
    """Build the widget, show it, and stop the clock when its data is first painted."""
    from PySide6.QtCore import QEvent, QObject

    samples = []
    for _ in range(repeat):
        painted = []

        class Watch(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint and not painted:
                    painted.append(time.perf_counter())
                return False

        start = time.perf_counter()
        widget, view = make()
        watch = Watch()
        view.viewport().installEventFilter(watch)
        widget.resize(1280, 800)
        widget.show()
        while not painted and time.perf_counter() - start < 10:
            app.processEvents()
        samples.append((painted[0] - start) * 1000)
        widget.close()
        widget.deleteLater()
        app.processEvents()
    return samples


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from mappa_desktop.db.register import RegisterFilter
    from mappa_desktop.db.session import unlock
    from mappa_desktop.ui.dashboard import DashboardPage
    from mappa_desktop.ui.register_view import RegisterPage

    app = QApplication.instance() or QApplication([])
    paths, facts = ten_years_store()
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE)
    store = session.store
    today = store.today()
    total = store.db.execute("SELECT count(*) FROM actions").fetchone()[0]
    print(f"store: {store.cases.count(status=None)} cases, "
          f"{store.db.execute('SELECT count(*) FROM meetings').fetchone()[0]} meetings, {total} actions")

    def q(label, fn, repeat=20):
        fn()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        print(f"  {label:48s} median {statistics.median(samples):7.2f} ms   max {max(samples):7.2f} ms")

    print("queries")
    q("register ids: open + carried, by target date", lambda: store.register.ids(RegisterFilter(), today))
    q("register ids: all 60,000, by target date", lambda: store.register.ids(RegisterFilter(statuses=()), today))
    q("register ids: overdue only", lambda: store.register.ids(RegisterFilter(overdue_only=True), today))
    q("register: one page of 200 rows", lambda: store.register.rows(store.register.ids(RegisterFilter(), today)[:200]))
    q("dashboard: every panel", lambda: store.register.dashboard(today))

    print("first paint of data (build + show + first paint)")
    for label, make in (
        ("cross-case register (open actions)", lambda: (lambda p: (p, p.table))(RegisterPage(store, store.today))),
        ("dashboard", lambda: (lambda p: (p, p.lists['actions_overdue']))(DashboardPage(store, store.today))),
    ):
        samples = first_paint_ms(make, app)
        print(f"  {label:48s} median {statistics.median(samples):7.2f} ms   max {max(samples):7.2f} ms   (bar < 100 ms)")
    session.close()


if __name__ == "__main__":
    main()
