"""The cross-case action register and the dashboard on stores of 1 and 10 years (ten years:
1,000 cases, 12,000 meetings, 60,000 actions): time to the first paint of their data
(DESIGN.md section 4: < 50 ms), the queries beneath them, and the growth from one to ten
years of each figure."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_NAME, BENCH_PASSPHRASE, bench_years, growth, years_store  # noqa: E402

BAR_MS = 50


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


def measure(app, years: int) -> dict[str, list[float]]:
    from mappa_desktop.db.register import RegisterFilter
    from mappa_desktop.db.session import unlock
    from mappa_desktop.ui.dashboard import DashboardPage
    from mappa_desktop.ui.register_view import RegisterPage

    paths, facts = years_store(years)
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE, verify=False)
    store = session.store
    today = store.today()
    out: dict[str, list[float]] = {}

    def q(label, fn, repeat=20):
        fn()
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - start) * 1000)
        out[label] = samples

    q("query: register ids, open + carried, by target date", lambda: store.register.ids(RegisterFilter(), today))
    q("query: register ids, every action, by target date", lambda: store.register.ids(RegisterFilter(statuses=()), today))
    q("query: register ids, overdue only", lambda: store.register.ids(RegisterFilter(overdue_only=True), today))
    q("query: register, one page of 200 rows", lambda: store.register.rows(store.register.ids(RegisterFilter(), today)[:200]))
    q("query: dashboard, every panel", lambda: store.register.dashboard(today))
    for label, make in (
        ("first paint: cross-case register (open actions)", lambda: (lambda p: (p, p.table))(RegisterPage(store, store.today))),
        ("first paint: dashboard", lambda: (lambda p: (p, p.lists['actions_overdue']))(DashboardPage(store, store.today))),
    ):
        out[label] = first_paint_ms(make, app)
    session.close()
    import shutil

    shutil.rmtree(paths.root.parent, ignore_errors=True)
    return out


def main() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    years = bench_years()
    results = {y: measure(app, y) for y in years}
    print(f"{'what (median ms)':52s} " + " ".join(f"{str(y) + ' years':>10s}" for y in years)
          + f"  max@{max(years)}   growth                bar")
    for label in results[years[0]]:
        medians = {y: statistics.median(results[y][label]) for y in years}
        bar = ""
        if label.startswith("first paint"):
            bar = f"< {BAR_MS} ms {'ok' if medians[max(years)] < BAR_MS else 'MISSES'}"
        print(f"{label:52s} " + " ".join(f"{medians[y]:10.2f}" for y in years)
              + f"  {max(results[max(years)][label]):7.1f}   {growth(medians):>18s}  {bar}")


if __name__ == "__main__":
    main()
