"""Signatures and key rotation on the ten-year store (DESIGN.md section 4, security bars).

Figures: the cost of signing one audit entry (it rides on every autosave that is audited),
the full verification ``check`` and the in-app verifier do (every entry's hash and
signature), and the key rotation that disabling a user or re-issuing a passphrase runs
(``PRAGMA rekey`` of every page, then a checkpoint), each on a fresh copy of the cached
ten-year store, with the one-year store beside it for growth.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_NAME, BENCH_PASSPHRASE, generated_store, summary, ten_years_store, timed  # noqa: E402
from mappa_desktop.db import access  # noqa: E402
from mappa_desktop.db.audit_check import verify_log  # noqa: E402
from mappa_desktop.db.session import unlock  # noqa: E402
from mappa_desktop.db.store import Store  # noqa: E402
from mappa_desktop.security import TEST_KDF  # noqa: E402


def measure(paths, label: str) -> None:
    size = paths.store.stat().st_size / 1_048_576
    started = time.perf_counter()
    session = unlock(paths, name=BENCH_NAME, passphrase=BENCH_PASSPHRASE)
    opened = time.perf_counter() - started
    store = session.store
    entries = store.audit.count()
    print(f"[{label}] store {size:.0f} MB, {entries:,} audit entries; unlock (cheap KDF) {opened:.2f} s")

    signed = timed(lambda: store.audit.record_now("consultation", "case", 1, detail="bench"), 200)
    print(f"[{label}] one signed audit entry in its own commit: {summary(signed)}")

    reader = Store.open_read_only(paths, store.key, full_check=False)
    started = time.perf_counter()
    report = verify_log(reader)
    verified = time.perf_counter() - started
    reader.close()
    assert report.ok, report.lines()
    print(f"[{label}] full verification (chain, {entries:,} signatures, sealed content): {verified:.1f} s "
          f"({verified / max(1, entries) * 1e6:.0f} us per entry)")

    bob = access.add_user(session, name="Bench Leaver", agency="", role="",
                          passphrase="walnut prism evening coast", kdf=TEST_KDF)
    result = access.disable_user(session, user=bob)
    print(f"[{label}] key rotation on disabling a user (rekey {size:.0f} MB, checkpoint, slots): "
          f"{result.seconds:.1f} s ({size / max(result.seconds, 1e-6):.0f} MB/s)")
    assert session.store.audit.verify().ok
    session.close()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="mappa-bench-keys-"))
    try:
        one_year = generated_store(cases=100, folder=work / "one")
        paths = one_year.store.paths
        one_year.close()
        measure(paths, "one year (generated, 100 cases)")
        ten, _facts = ten_years_store()
        try:
            measure(ten, "ten years")
        finally:
            shutil.rmtree(ten.root.parent, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
