"""Damaged files are evidence: every file of the data folder is damaged in turn (the store's
first page, a page in the middle, a frame of the write-ahead log, the key file) with a
write-ahead log of saved but not yet checkpointed commits beside the store, as after a
crash. Unlocking, ``check`` and the unlock screen must refuse with the exact reason and
leave every file byte-identical."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mappa_desktop import cli
from mappa_desktop.db import wal
from mappa_desktop.db.errors import StoreDamaged
from mappa_desktop.db.session import unlock
from mappa_desktop.security import KeyFileError

COMMITS = 12
ROOT = Path(cli.__file__).resolve().parent.parent


@pytest.fixture
def crashed(closed_store):
    """The store after the app died with COMMITS commits still only in the write-ahead log."""
    code = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from mappa_desktop.db.session import unlock
        from mappa_desktop.paths import DataPaths
        session = unlock(DataPaths(Path({str(closed_store.paths.root)!r})), name={closed_store.name!r},
                         passphrase={closed_store.passphrase!r})
        for i in range({COMMITS}):
            session.store.audit.record_now("consultation", "case", i, detail=f"commit {{i}}")
        os._exit(0)  # no close, no checkpoint: as a crash leaves it
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)
    log = closed_store.paths.store.with_name("store.db-wal")
    report = wal.examine(log)
    assert report.commits >= COMMITS and not report.damaged
    return closed_store


def _files(paths) -> dict[str, bytes]:
    """Every file of the data folder but the logs (which say what happened, without data)
    and the empty one-instance lock file that ``check`` holds while it looks."""
    return {str(p.relative_to(paths.root)): p.read_bytes() for p in sorted(paths.root.rglob("*"))
            if p.is_file() and "logs" not in p.parts and p != paths.instance_lock}


def _flip(path: Path, offset: int, count: int = 16) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        data = bytearray(handle.read(count))
        handle.seek(offset)
        handle.write(bytes(b ^ 0x5A for b in data))


def _frame_offset(log: Path, frame: int) -> int:
    page_size = int.from_bytes(log.read_bytes()[8:12], "big")
    return wal.HEADER + (frame - 1) * (wal.FRAME_HEADER + page_size) + wal.FRAME_HEADER + 100


DAMAGE = {
    "store header": (lambda p: _flip(p.store, 200), StoreDamaged, "cannot be decrypted"),
    "middle page": (lambda p: _flip(p.store, (p.store.stat().st_size // 4096 // 2) * 4096 + 300),
                    StoreDamaged, "the store file is damaged"),
    "WAL frame": (lambda p: _flip(p.store.with_name("store.db-wal"), _frame_offset(p.store.with_name("store.db-wal"), 3)),
                  StoreDamaged, "write-ahead log (store.db-wal) is damaged at frame 3"),
    "WAL header": (lambda p: _flip(p.store.with_name("store.db-wal"), 16, 8), StoreDamaged,
                   "header of the write-ahead log (store.db-wal) is damaged"),
    "keys.json": (lambda p: _flip(p.keyfile, 300, 4), KeyFileError, "keys.json) is damaged"),
}


@pytest.mark.parametrize("where", list(DAMAGE))
def test_unlock_refuses_with_the_reason_and_touches_nothing(crashed, where):
    damage, error, words = DAMAGE[where]
    paths = crashed.paths
    damage(paths)
    before = _files(paths)
    with pytest.raises(error) as caught:
        unlock(paths, name=crashed.name, passphrase=crashed.passphrase)
    assert words in caught.value.reason
    assert _files(paths) == before


@pytest.mark.parametrize("where", list(DAMAGE))
def test_check_refuses_with_the_reason_and_touches_nothing(crashed, where):
    damage, _error, words = DAMAGE[where]
    paths = crashed.paths
    damage(paths)
    before = _files(paths)
    args = cli.build_parser().parse_args(["check", "--data-dir", str(paths.root), "--user", crashed.name])
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_command(args, io.StringIO(crashed.passphrase + "\n"), out, err)
    assert code == 1
    assert words in err.getvalue() and "Traceback" not in err.getvalue()
    assert _files(paths) == before


def test_a_sound_wal_keeps_every_commit(crashed):
    """Undamaged, the log's commits are all there after the next unlock (the examination
    reads them read-only, then the store opens and replays them as usual)."""
    session = unlock(crashed.paths, name=crashed.name, passphrase=crashed.passphrase)
    details = [e.detail for e in session.store.audit.entries()]
    assert [f"commit {i}" for i in range(COMMITS)] == [d for d in details if d.startswith("commit ")]
    session.close()


def test_a_torn_last_frame_is_a_crash_not_damage(crashed):
    """A crash can tear only the transaction being written: half a frame at the end is
    what SQLite recovers from, and is not refused."""
    log = crashed.paths.store.with_name("store.db-wal")
    with open(log, "ab") as handle:
        handle.write(os.urandom(1500))
    session = unlock(crashed.paths, name=crashed.name, passphrase=crashed.passphrase)
    assert sum(1 for e in session.store.audit.entries() if e.detail.startswith("commit ")) == COMMITS
    session.close()


def test_the_unlock_screen_says_what_is_damaged(qtbot, crashed):
    from mappa_desktop.security import TEST_KDF
    from mappa_desktop.ui.app import AppController
    from mappa_desktop.ui.tasks import TaskRunner

    DAMAGE["WAL frame"][0](crashed.paths)
    before = _files(crashed.paths)
    tasks = TaskRunner()
    controller = AppController(crashed.paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    controller.start()
    screen = controller.gate.unlock
    screen.name.setText(crashed.name)
    screen.passphrase.setText(crashed.passphrase)
    screen.unlock_button.click()
    qtbot.waitUntil(lambda: "write-ahead log" in screen.message.text(), timeout=10_000)
    assert "damaged at frame 3" in screen.message.text() and "left exactly as it is" in screen.message.text()
    assert _files(crashed.paths) == before
    tasks.shutdown()


def test_without_its_index_the_log_is_still_only_read(crashed):
    """With the -shm index gone too, SQLite must build one to read the log: that new file
    is the only change; the store, its log and the key file stay byte-identical."""
    paths = crashed.paths
    paths.store.with_name("store.db-shm").unlink()
    _flip(paths.store, (paths.store.stat().st_size // 4096 // 2) * 4096 + 300)
    before = _files(paths)
    with pytest.raises(StoreDamaged):
        unlock(paths, name=crashed.name, passphrase=crashed.passphrase)
    after = _files(paths)
    after.pop("store.db-shm", None)
    assert after == before
