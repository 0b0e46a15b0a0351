"""Case search as you type over 1,000 generated cases (bar: < 50 ms; DESIGN.md: < 30 ms)."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import FIRST, LAST, generated_store, summary, timed  # noqa: E402


def main() -> None:
    start = time.perf_counter()
    session = generated_store(1000)
    print(f"generated 1,000 cases in {time.perf_counter() - start:.1f} s")
    store = session.store
    rng = random.Random(1)
    some = store.cases.rows()[::97]
    queries = {
        "common first name (prefix, many hits)": lambda: store.cases.rows(search=rng.choice(FIRST)[:3]),
        "full name": lambda: store.cases.rows(search=f"{rng.choice(FIRST)} {rng.choice(LAST)}"),
        "PNC as typed": lambda: store.cases.rows(search=store.cases.get(rng.choice(some).id, consult=False).values["pnc_number"]),
        "reference prefix": lambda: store.cases.rows(search="FS-2019"),
        "no search, list all active": lambda: store.cases.rows(),
        "rare name (no hit)": lambda: store.cases.rows(search="Zebedee"),
    }
    for label, query in queries.items():
        query()  # warm
        print(f"{label:40s} {summary(timed(query, 200))}")
    session.close()


if __name__ == "__main__":
    main()
