"""Logging and crash reports: ids and kinds only, never names, minute text or passphrases.

Logs are not encrypted, so nothing a user typed may reach them. Crash reports keep the
exception's type and the stack's file/line/function, never the exception's message (it can
quote a value) and never local variables.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from . import APP_NAME, __version__
from .paths import DataPaths

_fault_file = None


def setup_logging(paths: DataPaths, *, console: bool = False, level: int = logging.INFO) -> None:
    """A rotating log file in the data folder (owner-only), and faulthandler beside it."""
    global _fault_file
    try:
        paths.ensure()
        handler = logging.handlers.RotatingFileHandler(
            paths.logs / "mappa.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        if os.name == "posix":
            os.chmod(paths.logs / "mappa.log", 0o600)
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    if console:
        root.addHandler(logging.StreamHandler(sys.stderr))
    root.setLevel(level)
    try:
        if _fault_file is None:
            _fault_file = open(paths.logs / "faults.log", "a", encoding="utf-8")
            if os.name == "posix":
                os.chmod(paths.logs / "faults.log", 0o600)
            faulthandler.enable(_fault_file)
    except OSError:
        pass


def crash_report_text(exc_type, exc, tb) -> str:
    """The report: type and frames only. The message may quote user data, so it is left out."""
    frames = traceback.extract_tb(tb)
    lines = [
        f"{APP_NAME} {__version__} crash report",
        f"time (UTC): {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
        f"python: {sys.version.split()[0]} on {sys.platform}",
        f"exception: {exc_type.__module__}.{exc_type.__qualname__}",
        "stack (most recent call last):",
    ]
    for frame in frames:
        lines.append(f"  {Path(frame.filename).name}:{frame.lineno} in {frame.name}")
    cause = exc.__cause__ or exc.__context__ if exc is not None else None
    if cause is not None:
        lines.append(f"caused by: {type(cause).__module__}.{type(cause).__qualname__}")
    return "\n".join(lines) + "\n"


def write_crash_report(paths: DataPaths, exc_type, exc, tb) -> Path | None:
    """Save a crash report in the data folder; None if even that failed."""
    try:
        paths.crash_reports.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = paths.crash_reports / f"crash-{stamp}-{os.getpid()}.txt"
        path.write_text(crash_report_text(exc_type, exc, tb), encoding="utf-8")
        if os.name == "posix":
            os.chmod(path, 0o600)
        logging.getLogger(__name__).error("crash report written: %s", path.name)
        return path
    except OSError:
        return None
