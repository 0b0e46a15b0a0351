"""Case bundles: export and import of the largest case of the ten-year store (40 meetings),
with the application's own Argon2id costs; the bundle's size; the same case exported from
a store that holds nothing else (growth with the store); and the memory an export and an
import of a 100 MB case take (a bundle is streamed, never held whole).

Prints figures only; nothing is asserted (DESIGN.md section 4 has no bar for bundles yet).
"""

from __future__ import annotations

import gc
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_NAME, BENCH_PASSPHRASE, ten_years_store  # noqa: E402

TRANSFER = "orbit velvet canyon ladder pepper mosaic"


def _seconds(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _export(store, case_id, folder, name):
    from mappa_desktop.transfer.exchange import export_case

    return export_case(store=store, case_id=case_id, path=folder / name, passphrase=TRANSFER,
                       recipient="Bench", purpose="Benchmark")


def _import(store, path, prefer="theirs"):
    from mappa_desktop.transfer.exchange import import_case, open_bundle, preview_import

    bundle, t_open = _seconds(lambda: open_bundle(path, TRANSFER))
    plan, t_preview = _seconds(lambda: preview_import(store=store, bundle=bundle))
    result, t_import = _seconds(lambda: import_case(store=store, bundle=bundle, plan=plan,
                                                    choices={d.key: prefer for d in plan.choosable}))
    return plan, result, (t_open, t_preview, t_import)


def _peak_mib(fn) -> tuple[object, float]:
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def main() -> None:
    from mappa_desktop.db.session import create_store, unlock
    from mappa_desktop.paths import DataPaths
    from mappa_desktop.security import DEFAULT_KDF, TEST_KDF, derive_key

    _, kdf_seconds = _seconds(lambda: derive_key(TRANSFER, b"0" * 16, DEFAULT_KDF))
    print(f"Argon2id with the application's costs ({DEFAULT_KDF.memory_kib // 1024} MiB, t={DEFAULT_KDF.time_cost}, "
          f"p={DEFAULT_KDF.parallelism}): {kdf_seconds:.2f} s, once per export and once per import")

    paths, facts = ten_years_store()
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE)
    store = session.store
    big = facts["big_case"]
    meetings = len(store.minutes.meetings(big))
    work = Path(tempfile.mkdtemp(prefix="mappa-bundles-"))

    first, t_first = _seconds(lambda: _export(store, big, work, "first"))
    again, t_again = _seconds(lambda: _export(store, big, work, "again"))
    print(f"\nthe largest case of the ten-year store ({meetings} meetings, {first.counts.get('action', 0)} actions, "
          f"{first.counts.get('audit', 0)} audit entries):")
    print(f"  export: {t_first:.2f} s the first time (global ids given), {t_again:.2f} s after; "
          f"bundle {again.size / 2**20:.2f} MiB ({again.size:,} bytes)")

    empty = create_store(DataPaths(work / "b"), name="Bea Deputy", agency="Police Scotland", role="",
                         passphrase=BENCH_PASSPHRASE, kdf=TEST_KDF)
    plan, result, (t_open, t_preview, t_import) = _import(empty.store, again.path)
    print(f"  import into an empty store (the case is new): open {t_open:.2f} s (Argon2id), preview {t_preview:.2f} s, "
          f"import {t_import:.2f} s; total {t_open + t_preview + t_import:.2f} s")

    back, t_back = _seconds(lambda: _export(empty.store, result.case_id, work, "back"))
    print(f"  the same case exported from a store that holds only it: {t_back:.2f} s "
          f"(ten-year store {t_again:.2f} s: x{t_again / t_back:.2f})")
    plan, _, (t_open, t_preview, t_import) = _import(store, back.path)
    print(f"  back into the ten-year store (compared record by record; {len(plan.differences)} differences, "
          f"{sum(plan.added.values())} records added): open {t_open:.2f} s, preview {t_preview:.2f} s, "
          f"import {t_import:.2f} s")
    empty.close()
    session.close()

    # -- a 100 MB case: memory stays flat ---------------------------------------------------------
    print("\na case of about 100 MB of minute text (40 meetings, random text that does not compress):")
    made = create_store(DataPaths(work / "c"), name="Cara Chair", agency="Police Scotland", role="",
                        passphrase=BENCH_PASSPHRASE, kdf=TEST_KDF)
    store = made.store
    store.db.execute("PRAGMA synchronous = OFF")  # building it is not what is measured
    case_id = store.cases.create({"reference": "BIG-0001", "full_name": "Bench Case", "category": "1",
                                  "mappa_level": "2"})
    long_fields = [("risk_assessment", "risk_assessment"), ("risk_management", "risk_management"),
                   ("contingency", "contingency"), ("victims", "victim_issues")]
    with store.transaction():
        for number in range(40):
            meeting_id = store.minutes.create(case_id, {"meeting_date": f"2020-{1 + number % 12:02d}-{1 + number // 12:02d}"})
            for section, key in long_fields:
                store.minutes.save_fields(meeting_id, section, {key: secrets.token_urlsafe(470_000)})
    result, peak_export = _peak_mib(lambda: _export(store, case_id, work, "hundred"))
    print(f"  bundle {result.size / 2**20:.0f} MiB; export's peak Python memory {peak_export:.0f} MiB")
    other = create_store(DataPaths(work / "d"), name="Dan Deputy", agency="Police Scotland", role="",
                         passphrase=BENCH_PASSPHRASE, kdf=TEST_KDF)
    other.store.db.execute("PRAGMA synchronous = OFF")
    (_, _, times), peak_import = _peak_mib(lambda: _import(other.store, result.path))
    print(f"  import: peak Python memory {peak_import:.0f} MiB (open {times[0]:.1f} s, preview {times[1]:.1f} s, "
          f"import {times[2]:.1f} s)")
    other.close()
    made.close()


if __name__ == "__main__":
    main()
