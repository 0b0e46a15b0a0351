"""Find in minutes and the oversight figures on ten years of an area's work (DESIGN.md 4).

Ranked top 20 with snippets (bar: < 30 ms for a common word), a phrase, a prefix, a rare
name, one case newest first; the index's size and segments; the meeting audit of one
meeting; the SOG's figures for one quarter, one year and all ten years.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_fulltext.py
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_minute import Table  # noqa: E402
from common import BENCH_NAME, BENCH_PASSPHRASE, ten_years_store, timed  # noqa: E402

RUNS = 100


def main() -> None:
    from mappa_desktop.db.session import unlock
    from mappa_desktop.oversight import meeting_audit, report

    started = time.perf_counter()
    paths, facts = ten_years_store()
    print(f"ten-year store ready in {time.perf_counter() - started:.1f} s "
          f"({paths.store.stat().st_size / 2**20:.0f} MiB, {facts['meetings']:,} meetings)")
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE)
    store = session.store
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    table = Table()
    try:
        db = store.db
        # The generator writes twelve thousand minutes without a pause; the app merges the
        # index at every pause. Leave it as the app would first.
        begun, steps = time.perf_counter(), 0
        while store.search.tidy():
            steps += 1
        table.add_text("index merged as the app does at pauses (the generator never pauses)",
                       f"{steps} steps, {time.perf_counter() - begun:5.1f} s in all")
        pages = db.execute("SELECT count(*), sum(length(block)) FROM minute_search_data").fetchone()
        table.add_text("index: rows of minute_search_data, bytes", f"{pages[0]:,} rows, {pages[1] / 2**20:.1f} MiB")
        queries = {
            "common word 'supervision'": ("supervision", None),
            "common word 'alcohol'": ("alcohol", None),
            "very common word 'the'": ("the", None),
            "phrase, typed plain: second phone": ("second phone", None),
            'quoted phrase "Moving Forward Making Changes"': ('"Moving Forward Making Changes"', None),
            "prefix 'alco*'": ("alco*", None),
            "rare name 'Zebedee' (no hit)": ("Zebedee", None),
            "staff name, accents left off: 'nguyen'": ("nguyen", None),
            f"one case ({facts['big_case']}, 40 meetings), 'alcohol', newest first": ("alcohol", facts["big_case"]),
        }
        for label, (text, case_id) in queries.items():
            hits = store.search.search(text, case_id=case_id)  # warm
            count = store.search.count(text, case_id=case_id)
            samples = timed(lambda: store.search.search(text, case_id=case_id), RUNS)
            bar = 30 if label.startswith("common word") else None
            table.add(f"top 20 + snippets: {label} [{len(hits)} of {count:,}]", samples, bar, on="p50",
                      bar_text="p50 < 30 ms" if bar else "")
        table.add("  count(*) of matches, 'alcohol' (the '20 of N' line)",
                  timed(lambda: store.search.count("alcohol"), RUNS))
        table.add("  next page (offset 20), 'supervision'",
                  timed(lambda: store.search.search("supervision", offset=20), RUNS))

        meeting = facts["big_meeting"]
        table.add("meeting audit: suggest(meeting) (facts + rules)",
                  timed(lambda: meeting_audit.suggest(store=store, meeting_id=meeting), RUNS))
        today = date(2026, 11, 30)
        for label, start, end in (("one quarter", date(2025, 4, 1), date(2025, 6, 30)),
                                  ("one year", date(2025, 1, 1), date(2025, 12, 31)),
                                  ("ten years", date(2016, 1, 1), date(2026, 12, 31))):
            figures = report.oversight_report(store=store, start=start, end=end, today=today)
            samples = timed(lambda: report.oversight_report(store=store, start=start, end=end, today=today), 5)
            table.add(f"SOG figures, {label} ({figures.meetings_held:,} meetings)", samples, on="p50")

        # A pause after a minute of typing (60 saves of a field, one of another, an agency
        # update): what the idle upkeep then does, catching up and merging.
        minute = store.minutes.get(meeting, consult=False)
        text = minute.values["risk_assessment"] or ""
        pauses, merges = [], []
        for _ in range(20):
            for n in range(60):
                text += f" pause{n}"
                store.minutes.save_fields(meeting, "risk_assessment", {"risk_assessment": text})
            store.minutes.save_fields(meeting, "victims", {"victim_issues": text[:400]})
            store.minutes.save_rows(meeting, "agency_updates", [
                {k: v for k, v in r.items() if k != "id"} for r in minute.rows["agency_updates"]])
            begun = time.perf_counter()
            store.search.catch_up()
            pauses.append((time.perf_counter() - begun) * 1000)
            begun = time.perf_counter()
            while store.search.tidy():
                pass
            merges.append((time.perf_counter() - begun) * 1000)
        table.add("at a pause after a minute of typing: catch up (index the changed rows)", pauses)
        table.add("  then merge until nothing is left to merge", merges)
        begun = time.perf_counter()
        store.search.integrity_check()
        table.add_text("  FTS5 integrity-check of the whole index", f"{(time.perf_counter() - begun) * 1000:7.0f} ms")
    finally:
        session.close()
        shutil.rmtree(paths.root.parent, ignore_errors=True)
    table.print()


if __name__ == "__main__":
    main()
