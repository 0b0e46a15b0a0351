"""Shared pieces of the benchmarks: a generated store of an area's ten years of work.

Benchmarks are scripts, not tests: they print figures to compare with DESIGN.md section 4.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

FIRST = ["Kenneth", "Mairi", "Siobhán", "Grzegorz", "Thanh", "Aileen", "Euan", "Łukasz", "Fiona",
         "Ross", "Karen", "Donnchadh", "Agnieszka", "Niamh", "Iain", "Bogdan", "Lan", "Callum",
         "Eilidh", "Tomasz", "Ruairidh", "Olena", "Dmitri", "Yiannis", "Hamish", "Catriona"]
LAST = ["AIRD", "MACLEOD", "NÍ BHRIAIN", "WIŚNIEWSKI", "NGUYỄN", "DOCHERTY", "MACDHÒMHNAILL",
        "NOWAK", "MCLEISH", "MACKAY", "STRACHAN", "Ó SÚILLEABHÁIN", "KOWALSKA", "PETRIE",
        "CAMPBELL", "KOVALENKO", "TRẦN", "STEWART", "PAPADOPOULOS", "FRASER", "ROBERTSON"]
STREETS = ["Carse View", "Bridge Street", "Station Road", "Wallace Crescent", "Abbey Road",
           "Craigs Court", "Forth Place", "Kings Park Avenue"]


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds per call, ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return (f"p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms, "
            f"max {samples[-1]:.2f} ms (n={len(samples)})")


def case_values(rng: random.Random, index: int) -> tuple[dict, list[dict]]:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
    offence = born + timedelta(days=rng.randrange(365 * 18, 365 * 40))
    category = rng.choice(["1", "1", "1", "restricted_patient", "3"])
    level = rng.choice(["2", "3"] if category == "3" else ["1", "2", "2", "3"])
    values = {
        "reference": f"FS-{2016 + index % 10}-{index:04d}",
        "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "aliases": "\n".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randrange(0, 3))),
        "date_of_birth": born.isoformat(),
        "gender": rng.choice(["male", "male", "male", "female"]),
        "address": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, Forthside FK{rng.randrange(1, 20)} {rng.randrange(1, 9)}ZZ",
        "pnc_number": f"{rng.randrange(50, 99)}/{rng.randrange(100000, 999999)}{rng.choice('ABCDEFX')}",
        "visor_number": f"V-{rng.randrange(1000, 9999):04d}-{rng.randrange(1000, 9999)}",
        "chs_number": f"{rng.randrange(2000, 2026)}-{rng.randrange(10, 99)}-{rng.randrange(10000, 99999)}",
        "category": category,
        "mappa_level": level,
        "current_rosh": rng.choice(["very_high", "high", "medium", "low"]),
        "index_offence_date": offence.isoformat() if offence < date(2026, 1, 1) else None,
        "lead_authority": rng.choice(["Police Scotland", "Forthside Council Justice Social Work Service"]),
        "case_officer": f"{rng.choice(FIRST)} {rng.choice(LAST).title()}",
        "next_review_date": (date(2026, 6, 1) + timedelta(days=rng.randrange(0, 365))).isoformat(),
    }
    orders = [{"order_type": "shpo", "granted_date": "2020-08-28", "expiry_date": "2030-08-28"}] if rng.random() < 0.3 else []
    return values, orders


def generated_store(cases: int = 1000, seed: int = 7, folder: Path | None = None):
    """A new store with ``cases`` generated cases; returns the open session."""
    folder = Path(folder or tempfile.mkdtemp(prefix="mappa-bench-"))
    session = create_store(DataPaths(folder), name="Bench Mark", agency="MAPPA unit", role="",
                           passphrase="bench mark passphrase", kdf=TEST_KDF)
    rng = random.Random(seed)
    store = session.store
    with store.transaction():
        for index in range(cases):
            values, orders = case_values(rng, index)
            store.cases.create(values, orders)
    return session
