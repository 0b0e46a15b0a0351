"""The app killed (SIGKILL) at random moments while a minute is typed (DESIGN.md section 4).

Each run starts tests/kill_worker.py: the real MinuteEditor, offscreen, typing into the risk
assessment discussion through key events, continuing what the last run left in the store.
The test kills it at a random moment (every third run: just as an autosave commit begins),
then opens the store itself: it must pass ``integrity_check``, hold a prefix of what was
typed (never garbage, never more) and at least everything typed up to KILL_GRACE_S before the
kill ("about a second": autosave runs one second after the first unsaved edit; the rest is
slack for a slow CI machine). The next typist is started while the current one types, so
that loading Qt does not add to the run time. The worst loss is printed, kept with
``record_property`` and written to kill_figures.json in the test's tmp_path.

MAPPA_KILL_RUNS and MAPPA_KILL_SEED change the number of runs and the random moments.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from mappa_desktop import demo
from mappa_desktop.db.session import create_store, unlock
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

from .kill_worker import KILL_TEXT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]

WORKER = Path(__file__).with_name("kill_worker.py")
NAME = "Lorna Petrie"
PASSPHRASE = "heron kettle marmalade"
RUNS = int(os.environ.get("MAPPA_KILL_RUNS", "30"))
SEED = int(os.environ.get("MAPPA_KILL_SEED", "20261014"))
KILL_AFTER_S = (0.3, 2.5)  # after the first character typed
KILL_GRACE_S = 1.5
START_TIMEOUT_S = 30.0
CHAR_INTERVAL_MS = 7


@dataclass
class Run:
    """What one worker printed, and what the test saw after killing it."""

    number: int
    start_len: int = 0
    ready_at: float = 0.0
    typed: list[tuple[int, float]] = field(default_factory=list)  # (total length, monotonic)
    saves: list[list] = field(default_factory=list)  # [length, began, committed or None]
    killed_at: float = 0.0
    stored_len: int = 0

    @property
    def killed_mid_save(self) -> bool:
        return bool(self.saves) and self.saves[-1][2] is None

    @property
    def typed_len(self) -> int:
        return self.typed[-1][0] if self.typed else self.start_len

    def typed_len_at(self, moment: float) -> int:
        """How much text there was by ``moment`` (what the store must hold by then)."""
        done = [n for n, t in self.typed if t <= moment]
        return done[-1] if done else self.start_len

    def typed_at(self, length: int) -> float:
        """When the text reached ``length`` (-inf: before this run began)."""
        return next((t for n, t in self.typed if n == length), float("-inf"))

    @property
    def lost_chars(self) -> int:
        return self.typed_len - self.stored_len

    @property
    def lost_seconds(self) -> float:
        """The age, at the kill, of the oldest character not saved (0 when none was lost)."""
        if self.lost_chars <= 0:
            return 0.0
        return self.killed_at - self.typed_at(self.stored_len + 1)


def _aims_at_a_save(number: int) -> bool:
    """Every third run is killed as soon as the worker says a save has begun (a commit
    takes a few milliseconds), to land inside a commit now and then; the others at a
    random moment 0.3 to 2.5 s after the first character."""
    return number % 3 == 0


class Typist:
    """One kill_worker.py process, started ahead (it loads Qt while the previous one types)
    and told to go when the store is free of the previous run."""

    def __init__(self, number: int, paths: DataPaths, meeting_id: int, logs: Path):
        self.number = number
        self.stderr_path = logs / f"worker-{number:02d}.stderr"
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKER), str(paths.root), str(meeting_id), NAME, PASSPHRASE,
                 str(CHAR_INTERVAL_MS), "--wait"],
                stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.PIPE, env=env,
            )
        self.lines: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in iter(self.proc.stdout.readline, b""):
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)  # end of output

    def go(self) -> None:
        try:
            self.proc.stdin.write(b"go\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass  # it died already: reported when no key arrives

    def failure(self, what: str, run: "Run") -> str:
        stderr = self.stderr_path.read_text("utf-8", "replace") if self.stderr_path.exists() else ""
        return (f"run {run.number}: {what} (exit code {self.proc.returncode}, typed {run.typed_len} "
                f"characters)\n--- worker stderr ---\n{stderr}")

    def stop(self) -> None:
        """Make sure the process is gone (a spare typist, or after a failure)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _stored_text(paths: DataPaths, meeting_id: int) -> tuple[list[str], str]:
    session = unlock(paths, name=NAME, passphrase=PASSPHRASE)
    try:
        integrity = session.store.integrity_check()
        minute = session.store.minutes.get(meeting_id, consult=False)
        return integrity, minute.values["risk_assessment"] or ""
    finally:
        session.close()


def _type_and_kill(typist: Typist, run: Run, rng: random.Random, start_next) -> None:
    """Let the typist go, start the next one, and kill this one at the chosen moment."""
    proc = typist.proc
    typist.go()
    start_next()
    kill_at = None
    ended = False
    while True:
        now = time.monotonic()
        if kill_at is not None and now >= kill_at:
            break
        wait = (kill_at - now) if kill_at is not None else START_TIMEOUT_S
        try:
            line = typist.lines.get(timeout=max(0.0, wait))
        except queue.Empty:
            if kill_at is None:
                proc.poll()
                pytest.fail(typist.failure(f"no key typed within {START_TIMEOUT_S:.0f} s", run))
            break
        if line is None:
            ended = True
            break
        _take(run, line)
        if kill_at is None and _aims_at_a_save(run.number):
            if run.saves:
                kill_at = time.monotonic() + rng.uniform(0.0, 0.002)
        elif kill_at is None and run.typed:
            kill_at = run.typed[0][1] + rng.uniform(*KILL_AFTER_S)
    if ended or proc.poll() is not None:
        proc.wait(timeout=10)
        pytest.fail(typist.failure("the worker stopped on its own", run))
    run.killed_at = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    typist.reader.join(timeout=10)
    while not typist.lines.empty():  # what it printed between our last read and the kill
        line = typist.lines.get_nowait()
        if line is not None:
            _take(run, line)
    if proc.returncode != -signal.SIGKILL:
        pytest.fail(typist.failure("the worker did not die by our SIGKILL", run))


def _take(run: Run, line: str) -> None:
    word, _, rest = line.partition(" ")
    if word == "ready":
        length, moment = rest.split()
        run.start_len, run.ready_at = int(length), float(moment)
    elif word == "typed":
        length, moment = rest.split()
        run.typed.append((int(length), float(moment)))
    elif word == "saving":
        length, moment = rest.split()
        run.saves.append([int(length), float(moment), None])
    elif word == "saved" and run.saves:
        run.saves[-1][2] = float(rest.split()[1])
    # anything else (a stray print from a library) is ignored


def _check(run: Run, paths: DataPaths, meeting_id: int, stored: str) -> str:
    """What the store holds after the kill; returns the stored text."""
    number = run.number
    assert run.start_len == len(stored), (
        f"run {number}: the editor loaded {run.start_len} characters, the store held {len(stored)}")
    integrity, stored = _stored_text(paths, meeting_id)
    run.stored_len = len(stored)
    assert integrity == ["ok"], f"run {number}: integrity_check says {integrity[:5]}"
    assert KILL_TEXT.startswith(stored), (
        f"run {number}: the stored text is not what was typed (length {len(stored)}): "
        f"{stored[-80:]!r}")
    assert len(stored) <= run.typed_len, (
        f"run {number}: the store holds {len(stored)} characters, only {run.typed_len} were typed")
    must_hold = run.typed_len_at(run.killed_at - KILL_GRACE_S)
    assert len(stored) >= must_hold, (
        f"run {number}: lost text typed more than {KILL_GRACE_S} s before the kill: the store "
        f"holds {len(stored)} characters, {must_hold} had been typed by then "
        f"(oldest unsaved character typed {run.lost_seconds:.2f} s before the kill)")
    return stored


def test_killed_while_typing_keeps_everything_saved_a_second_before(tmp_path, record_property):
    paths = DataPaths(tmp_path / "data")
    session = create_store(paths, name=NAME, agency="MAPPA unit", role="Co-ordinator",
                           passphrase=PASSPHRASE, kdf=TEST_KDF)
    try:
        case_id = demo.add_example_case(session.store)
        meeting_id = session.store.minutes.create(
            case_id, {"meeting_type": "review", "meeting_date": "2026-10-14", "meeting_time": "10:00"})
    finally:
        session.close()
    logs = tmp_path / "workers"
    logs.mkdir()
    rng = random.Random(SEED)
    started = time.monotonic()
    runs: list[Run] = []
    stored = ""
    typists = {1: Typist(1, paths, meeting_id, logs)}

    def start_next(number: int):
        def start() -> None:
            if number <= RUNS:
                typists[number] = Typist(number, paths, meeting_id, logs)
        return start

    try:
        for number in range(1, RUNS + 1):
            run = Run(number)
            _type_and_kill(typists[number], run, rng, start_next(number + 1))
            runs.append(run)
            typists.pop(number).stop()
            stored = _check(run, paths, meeting_id, stored)
    finally:
        for typist in typists.values():
            typist.stop()

    elapsed = time.monotonic() - started
    worst_chars = max(runs, key=lambda r: r.lost_chars)
    worst_time = max(runs, key=lambda r: r.lost_seconds)
    figures = {
        "runs": len(runs),
        "seconds": round(elapsed, 1),
        "characters_typed": runs[-1].typed_len,
        "worst_lost_characters": worst_chars.lost_chars,
        "worst_lost_seconds": round(worst_time.lost_seconds, 3),
        "mean_lost_seconds": round(sum(r.lost_seconds for r in runs) / len(runs), 3),
        "runs_with_nothing_lost": sum(1 for r in runs if r.lost_chars == 0),
        "runs_killed_during_a_save": sum(1 for r in runs if r.killed_mid_save),
        "saves_completed": sum(sum(1 for s in r.saves if s[2] is not None) for r in runs),
        "per_run": [
            {"run": r.number, "typed": r.typed_len - r.start_len, "lost_chars": r.lost_chars,
             "lost_s": round(r.lost_seconds, 3), "mid_save": r.killed_mid_save,
             "typing_s": round(r.killed_at - r.typed[0][1], 3) if r.typed else 0.0}
            for r in runs
        ],
    }
    for key in ("runs", "seconds", "characters_typed", "worst_lost_characters",
                "worst_lost_seconds", "mean_lost_seconds", "runs_with_nothing_lost",
                "runs_killed_during_a_save", "saves_completed"):
        record_property(f"kill_{key}", figures[key])
    (tmp_path / "kill_figures.json").write_text(json.dumps(figures, indent=1), "utf-8")
    print(f"\nkill test: {len(runs)} runs in {elapsed:.1f} s, {figures['characters_typed']} characters "
          f"typed; worst loss {worst_chars.lost_chars} characters, oldest unsaved character "
          f"{worst_time.lost_seconds:.3f} s before the kill (bar {KILL_GRACE_S} s); "
          f"{figures['runs_killed_during_a_save']} runs killed during a save, "
          f"{figures['saves_completed']} saves completed; "
          f"figures in {tmp_path / 'kill_figures.json'}")
