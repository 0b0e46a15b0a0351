"""Search and lists through the real models, in the app, on stores of 1 and 10 years.

- the cases list (CasesListPage, shown): a search typed, cleared, a column sorted, each
  timed from the request to the table's next paint, beside the floor measured in the same
  run (the SQL query for the ids alone);
- opening the 40-meeting case from the dashboard in the main window (MainWindow.open_case
  to the next paint), the first time (the Cases page is built then) and again.

Bars (DESIGN.md section 4): search and list < 30 ms at ten years; opening a case < 50 ms;
nothing may grow with the store, so the growth from one to ten years is printed too.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_search.py
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import BENCH_NAME, BENCH_PASSPHRASE, bench_years, growth, years_store  # noqa: E402

REPEAT = 15


def _painted_after(app, widget, action) -> float:
    """Milliseconds from ``action()`` to the next paint of ``widget``."""
    from PySide6.QtCore import QEvent, QObject

    painted: list[float] = []

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.perf_counter())
            return False

    watch = Watch()
    widget.installEventFilter(watch)
    start = time.perf_counter()
    action()
    widget.update()  # a paint is due even when nothing changed (the clock stops there)
    while not painted and time.perf_counter() - start < 10:
        app.processEvents()
    widget.removeEventFilter(watch)
    return (painted[0] - start) * 1000


def child(data: str, facts: dict) -> dict:
    from PySide6.QtWidgets import QApplication

    from mappa_desktop.db.session import unlock
    from mappa_desktop.paths import DataPaths
    from mappa_desktop.ui.cases_list import CasesListPage
    from mappa_desktop.ui.main_window import MainWindow
    from mappa_desktop.ui.tasks import TaskRunner

    app = QApplication([])
    session = unlock(DataPaths(Path(data)), name=BENCH_NAME, passphrase=BENCH_PASSPHRASE, verify=False)
    store = session.store
    out: dict[str, list[float]] = {}
    hits: dict[str, int] = {}

    def add(label, samples):
        out[label] = samples

    # -- the cases list ------------------------------------------------------------------------
    page = CasesListPage(store)
    page.resize(1300, 800)
    page.show()
    for _ in range(20):
        app.processEvents()
    viewport = page.table.viewport()
    searches = {
        "type a common name prefix ('Mai')": "Mai",
        "type a full name ('Siobhán MACLEOD')": "Siobhán MACLEOD",
        "type a reference prefix ('FS-2019')": "FS-2019",
        "type a rare name (no hit)": "Zebedee",
    }
    for label, text in searches.items():
        samples, floor = [], []
        for _ in range(REPEAT):
            page.search.setText("")
            page.reload()
            app.processEvents()
            page.search.setText(text)
            samples.append(_painted_after(app, viewport, page.reload))
            t = time.perf_counter()
            store.cases.ids(search=text, sort=None)
            floor.append((time.perf_counter() - t) * 1000)
        add(f"cases list: {label}", samples)
        add(f"  floor ('{text}'): the SQL for its ids alone", floor)
        hits[label] = len(store.cases.ids(search=text, sort=None))
    samples, floor = [], []
    for _ in range(REPEAT):
        page.search.setText("Mai")
        page.reload()
        app.processEvents()
        page.search.setText("")
        samples.append(_painted_after(app, viewport, page.reload))
        t = time.perf_counter()
        store.cases.ids()
        floor.append((time.perf_counter() - t) * 1000)
    add("cases list: clear the search box (every active case)", samples)
    add("  floor (cleared): the SQL for its ids alone", floor)
    hits["clear"] = len(store.cases.ids())
    samples = []
    for i in range(REPEAT):
        column = (1, 4, 6, 5)[i % 4]
        samples.append(_painted_after(app, viewport, lambda c=column: page.table.sortByColumn(c, page.table.horizontalHeader().sortIndicatorOrder())))
    add("cases list: sort by name, risk, review or authority", samples)
    samples = []
    for _ in range(REPEAT):
        samples.append(_painted_after(app, viewport, lambda: page.table.verticalScrollBar().setValue(
            page.table.verticalScrollBar().maximum())))
        page.table.verticalScrollBar().setValue(0)
        app.processEvents()
    add("cases list: scroll to the end", samples)
    page.close()

    # -- opening a case from the dashboard, in the main window ----------------------------------
    tasks = TaskRunner()
    window = MainWindow(session, tasks)
    window.resize(1366, 768)
    window.show()
    for _ in range(20):
        app.processEvents()
    first = [_painted_after(app, window, lambda: window.open_case(facts["big_case"]))]
    again = []
    for _ in range(REPEAT):
        window.show_page("dashboard")
        app.processEvents()
        again.append(_painted_after(app, window, lambda: window.open_case(facts["big_case"])))
    complete = []
    for _ in range(REPEAT):
        window.show_page("dashboard")
        app.processEvents()
        start = time.perf_counter()
        window.open_case(facts["big_case"])
        overview = window.page("cases").overview
        while not overview.complete:
            app.processEvents()
        complete.append((time.perf_counter() - start) * 1000)
    add("open the 40-meeting case from the dashboard, first time", first)
    add("open the 40-meeting case from the dashboard, again", again)
    add("  the same, until the record below the fold is laid out too", complete)
    window.dispose()
    tasks.shutdown()
    session.close()
    out["hits"] = hits
    return out


BARS = {
    "cases list:": 30,
    "open the 40-meeting case": 50,
}


def main() -> None:
    years = bench_years()
    results: dict[int, dict[str, list[float]]] = {}
    for y in years:
        paths, facts = years_store(y)
        try:
            run = subprocess.run([sys.executable, __file__, "--child", str(paths.root), json.dumps(facts)],
                                 capture_output=True, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
            if run.returncode != 0:
                raise SystemExit(run.stderr[-3000:])
            results[y] = json.loads(run.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(paths.root.parent, ignore_errors=True)
    for y in years:
        print(f"{y}-year store, hits: " + ", ".join(f"{k}: {v}" for k, v in results[y].pop("hits").items()))
    labels = list(results[years[0]])
    print(f"{'what (median ms)':64s} " + " ".join(f"{str(y) + ' years':>10s}" for y in years)
          + "  max@" + str(max(years)) + "   growth             bar")
    for label in labels:
        medians = {y: statistics.median(results[y][label]) for y in years}
        worst = max(results[max(years)][label])
        bar = next((v for k, v in BARS.items() if label.startswith(k)), None)
        verdict = "" if bar is None else ("ok" if medians[max(years)] < bar else "MISSES")
        bar_text = "" if bar is None else f"< {bar} ms {verdict}"
        print(f"{label:64s} " + " ".join(f"{medians[y]:10.2f}" for y in years)
              + f"  {worst:7.1f}   {growth(medians):>18s}  {bar_text}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], json.loads(sys.argv[3]))))
    else:
        main()
