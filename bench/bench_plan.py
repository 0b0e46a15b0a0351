"""The risk management plan on ten years of an area's work (DESIGN.md section 4).

The ten-year store is given ten years of plans first (on the working copy only): ten entries
at every one of its 12,000 meetings, and a frozen version with every finalised minute (about
11,000, each the JSON of its ten entries). Then: opening a meeting and a case as before,
autosave of one entry, the editor's plan page, a meeting's plan opened from its version,
finalising with a plan, the chronology's versions, and the plan printed. Prints a table with
each figure beside its bar.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_plan.py
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
import uuid
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_minute import Table, bench_floor, rss_now_mb  # noqa: E402
from common import BENCH_NAME, BENCH_PASSPHRASE, ten_years_store, timed  # noqa: E402

OPENS = 300
SAVES = 500
PILLARS = ("supervision", "monitoring", "monitoring", "interventions", "interventions", "victim_safety",
           "victim_safety", "supervision", "contingency", "contingency")
WHAT = ("Unannounced home visits to check the address, who lives there and any devices; the outcome is "
        "shared with the supervising officer the same day.")


def seed_plans(store, rng: random.Random) -> dict:
    """Ten entries per meeting and a version per finalised minute, written straight into the
    working copy (the freeze triggers set aside while seeding, then put back)."""
    from mappa_desktop.db.migrations import _freeze_rows_of_finalised
    from mappa_desktop.plan import plan_content

    db = store.db
    start = time.perf_counter()
    db.execute("DROP TRIGGER plan_entries_frozen_insert")
    db.execute("DROP TRIGGER plan_openings_frozen_insert")
    meetings = db.execute("SELECT id, case_id, status, meeting_date FROM meetings ORDER BY case_id, meeting_date").fetchall()
    version_of_case: dict[int, int] = {}
    with db.atomic():
        for meeting_id, case_id, status, day in meetings:
            db.execute("DELETE FROM plan_openings WHERE meeting_id = ?", [meeting_id])
            db.execute("INSERT INTO plan_openings (meeting_id, base_version, opened_at) VALUES (?, ?, ?)",
                       [meeting_id, version_of_case.get(case_id), "2026-01-01T10:00:00+00:00"])
            entries = []
            for position, pillar in enumerate(PILLARS):
                entry = {"entry_uid": str(uuid.uuid4()), "status": "live", "pillar": pillar,
                         "what": WHAT, "owner_person": "DS Fiona McLeish", "owner_agency": "Police Scotland",
                         "frequency": "Monthly" if pillar != "contingency" else None,
                         "trigger_event": "Any breach of the SHPO" if pillar == "contingency" else None,
                         "start_date": day, "rationale": "Agreed at the meeting after the agency updates.",
                         "base": None}
                # After a case's first meeting the entries are carried over (as most are).
                base = {k: entry[k] for k in ("pillar", "what", "owner_person", "owner_agency", "frequency",
                                              "trigger_event", "start_date")} if case_id in version_of_case else None
                entry["base"] = base
                db.execute("INSERT INTO plan_entries (meeting_id, entry_uid, position, status, pillar, owner_person, "
                           "owner_agency, frequency, start_date, updated_at, trigger_event, what, rationale, base) "
                           "VALUES (?, ?, ?, 'live', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [meeting_id, entry["entry_uid"], position, pillar, entry["owner_person"],
                            entry["owner_agency"], entry["frequency"], day, "2026-01-01T10:00:00+00:00",
                            entry["trigger_event"], WHAT, entry["rationale"] if base is None else None,
                            json.dumps(base, sort_keys=True) if base else None])
                entries.append(entry)
            if status == "finalised":
                version = version_of_case.get(case_id, 0) + 1
                version_of_case[case_id] = version
                plan = plan_content(entries, {}, [], version=version, base_version=version - 1 or None,
                                    meeting_id=meeting_id, meeting_date=day)
                db.execute("INSERT INTO plan_versions (case_id, meeting_id, user_id, version, finalised_at, plan) "
                           "VALUES (?, ?, NULL, ?, ?, ?)",
                           [case_id, meeting_id, version, "2026-01-01T10:00:00+00:00",
                            json.dumps(plan, ensure_ascii=False, sort_keys=True, separators=(",", ":"))])
        freeze = _freeze_rows_of_finalised("plan_entries") + _freeze_rows_of_finalised("plan_openings")
        for statement in freeze.split("END;\n"):
            if statement.strip() and "_frozen_insert" in statement:
                db.execute(statement + "END;")
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("plan_entries", "plan_versions")}
    counts["seconds"] = round(time.perf_counter() - start, 1)
    return counts


def bench(store, facts: dict, table: Table, rng: random.Random) -> None:
    from mappa_desktop.chronology import case_chronology
    from mappa_desktop.ops import minute as ops_minute
    from mappa_desktop.ops import plan as ops_plan

    ids = [r[0] for r in store.db.execute("SELECT id FROM meetings").fetchall()]
    picks = iter([rng.choice(ids) for _ in range(OPENS)])
    table.add("minutes.get(id) with its 10-entry plan, consult=False",
              timed(lambda: store.minutes.get(next(picks), consult=False), OPENS), 50)
    picks = iter([rng.choice(ids) for _ in range(OPENS)])
    table.add("  part of get: plan.entries(meeting)", timed(lambda: store.plan.entries(next(picks)), OPENS))
    big_case = facts["big_case"]

    def open_case():
        store.cases.get(big_case)  # with its conditions
        store.minutes.meetings(big_case)
        store.actions.of_case(big_case)

    table.add("open the 40-meeting case: cases.get (+conditions) + meetings + actions", timed(open_case, OPENS), 50)
    versions = len(store.plan.versions(big_case))

    def chronology():
        case = store.cases.get(big_case, consult=False)
        case_chronology(case, store.minutes.meetings(big_case), store.actions.of_case(big_case), {},
                        store.plan.versions(big_case))

    table.add(f"the big case's chronology with its {versions} plan versions", timed(chronology, 50), 50)
    table.add("plan.current(case): the plan as it stands", timed(lambda: store.plan.current(big_case), OPENS), 50)

    # A new meeting of the big case: its plan opens from the last version; one entry autosaved.
    meeting = store.minutes.create(big_case, {"meeting_date": "2027-01-13", "meeting_time": "10:00",
                                              "location": "MAPPA unit"})
    start = time.perf_counter()
    ops_plan.open_plan(store=store, meeting_id=meeting)
    table.add("open a meeting's plan from the last version (10 entries copied)", (time.perf_counter() - start) * 1000,
              50)
    entry = store.plan.entries(meeting)[0]["id"]
    words = iter(("and then " * SAVES).split() * 2)
    text = WHAT

    def save_entry():
        nonlocal text
        text += " " + next(words)
        ops_plan.save_entry(store=store, meeting_id=meeting, entry_id=entry, raw={"what": text})

    table.add("autosave of one plan entry (ops.plan.save_entry)", timed(save_entry, SAVES), 3)
    # The same in the same run for a section of the minute, to compare (DESIGN.md's autosave).
    discussion = iter(f"Discussion {i}" for i in range(SAVES))
    table.add("  beside it: autosave of a section (ops.minute.save_section)",
              timed(lambda: ops_minute.save_section(store=store, meeting_id=meeting, section_key="risk_management",
                                                    raw={"risk_management": next(discussion)}), SAVES), 3)
    items = ops_minute.check(store=store, meeting_id=meeting, today=date(2027, 1, 13))
    start = time.perf_counter()
    ops_minute.finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "bench" for i in items},
                        today=date(2027, 1, 13))
    table.add("finalise a minute with its plan (the version frozen)", (time.perf_counter() - start) * 1000,
              bar_text="-")


def bench_ui(store, facts: dict, table: Table) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from mappa_desktop import printing
    from mappa_desktop.printouts import pack_job, plan_job
    from mappa_desktop.ui.minute_editor import MinuteEditor

    app = QApplication.instance() or QApplication([sys.argv[0]])

    def settle():
        for _ in range(2):
            app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    built, page_ms, plain_ms = [], [], []
    for _ in range(10):
        start = time.perf_counter()
        editor = MinuteEditor(store, facts["big_meeting"])
        editor.resize(1366, 768)
        editor.show()
        settle()
        built.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        editor.go_to("risk_assessment")  # a page of one long text, for comparison
        settle()
        plain_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        editor.go_to("risk_management")
        settle()
        page_ms.append((time.perf_counter() - start) * 1000)
        editor.dispose()
        editor.close()
        editor.deleteLater()
        settle()
    table.add("MinuteEditor of the big meeting built + shown (plan loaded)", built, 50, on="p50",
              bar_text="p50 < 50 ms")
    table.add("  go to risk assessment (one long text), for comparison", plain_ms, on="p50", bar_text="-")
    table.add("  go to risk management: plan page, 8 entries carried over (folded)", page_ms, 50, on="p50",
              bar_text="p50 < 50 ms")
    # The worst case: a first meeting whose eight entries are all added here (each unfolded).
    meeting = store.minutes.create(facts["big_case"], {"meeting_date": "2027-04-14", "meeting_time": "10:00",
                                                       "location": "MAPPA unit"})
    for pillar in PILLARS[:8]:
        store.plan.add_entry(meeting, pillar, {"what": WHAT, "owner_agency": "Police Scotland"})
    added_ms = []
    for _ in range(10):
        editor = MinuteEditor(store, meeting)
        editor.resize(1366, 768)
        editor.show()
        settle()
        start = time.perf_counter()
        editor.go_to("risk_management")
        settle()
        added_ms.append((time.perf_counter() - start) * 1000)
        editor.dispose()
        editor.close()
        editor.deleteLater()
        settle()
    table.add("  the same with 8 entries added at this meeting (unfolded)", added_ms, on="p50", bar_text="-")
    plan, meta = plan_job(store, case_id=facts["big_case"])
    table.add("render the plan as its own document", timed(lambda: printing.render_plan(plan, meta), 10),
              bar_text="-", on="p50")
    content, meta, actions, documents = pack_job(store, facts["big_case"])
    table.add("render the pre-meeting pack (with the plan as it stands)",
              timed(lambda: printing.render_pack(content, meta, open_actions=actions, documents=documents), 10),
              bar_text="-", on="p50")


def main() -> None:
    from mappa_desktop.db.session import unlock

    paths, facts = ten_years_store()
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE)
    store = session.store
    rng = random.Random(15)
    table = Table()
    try:
        before = store.plan.versions(facts["big_case"])
        counts = seed_plans(store, rng)
        print(f"seeded {counts['plan_entries']:,} plan entries and {counts['plan_versions']:,} versions "
              f"in {counts['seconds']} s (store now {paths.store.stat().st_size / 2**20:.0f} MiB; "
              f"{len(before)} versions before)")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
        bench_floor(store, table)
        bench(store, facts, table, rng)
        bench_ui(store, facts, table)
        table.add_text("resident memory now", f"{rss_now_mb():7.1f} MB", "-")
    finally:
        session.close()
        shutil.rmtree(paths.root.parent, ignore_errors=True)
    table.print()


if __name__ == "__main__":
    main()
