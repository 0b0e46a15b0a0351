"""Logs and crash reports: types, ids and places only, never what a user typed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from mappa_desktop import __version__, logs
from mappa_desktop.paths import DataPaths

SECRET = "Kenneth AIRD secret"


def _raise_with_a_name():
    def inner_frame(value):
        raise ValueError(value)

    inner_frame(SECRET)


def _exc_info(func):
    try:
        func()
    except BaseException:
        return sys.exc_info()
    raise AssertionError("did not raise")


def test_crash_report_keeps_the_type_and_frames_not_the_message():
    exc_type, exc, tb = _exc_info(_raise_with_a_name)
    report = logs.crash_report_text(exc_type, exc, tb)
    assert SECRET not in report
    assert "Kenneth" not in report and "AIRD" not in report and "secret" not in report
    assert "exception: builtins.ValueError" in report
    assert "in inner_frame" in report and "in _raise_with_a_name" in report
    assert "test_logs.py:" in report
    assert __version__ in report
    # File names only, not the folders they sit in (a home folder carries a person's name).
    assert str(Path(__file__).parent) not in report


def test_crash_report_names_the_cause_without_its_message():
    def chained():
        try:
            {}["Seònaid Nic Dhòmhnaill"]
        except KeyError as err:
            raise RuntimeError(f"could not find {SECRET}") from err

    exc_type, exc, tb = _exc_info(chained)
    exc.add_note(f"note about {SECRET}")
    report = logs.crash_report_text(exc_type, exc, tb)
    assert "exception: builtins.RuntimeError" in report
    assert "caused by: builtins.KeyError" in report
    for words in (SECRET, "Seònaid", "Kenneth", "note about"):
        assert words not in report


def test_crash_report_of_implicit_context():
    def during_handling():
        try:
            raise OSError(f"open {SECRET}.db")
        except OSError:
            raise ValueError(SECRET)

    report = logs.crash_report_text(*_exc_info(during_handling))
    assert "caused by: builtins.OSError" in report
    assert SECRET not in report


def test_crash_report_without_an_exception_object():
    exc_type, _, tb = _exc_info(_raise_with_a_name)
    report = logs.crash_report_text(exc_type, None, tb)
    assert "builtins.ValueError" in report and SECRET not in report


def test_write_crash_report(tmp_path):
    paths = DataPaths(tmp_path / "data")
    path = logs.write_crash_report(paths, *_exc_info(_raise_with_a_name))
    assert path is not None and path.parent == paths.crash_reports
    assert path.name.startswith("crash-") and path.suffix == ".txt"
    text = path.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and SECRET not in text
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600


def test_write_crash_report_gives_up_quietly(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "crash-reports").write_text("a file where the folder should be")
    assert logs.write_crash_report(DataPaths(root), *_exc_info(_raise_with_a_name)) is None


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MAPPA_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_setup_logging_writes_owner_only_files(tmp_path):
    """In a subprocess: setup_logging replaces the root handlers and enables faulthandler."""
    data = tmp_path / "data"
    result = _run(
        f"""
        import logging
        from pathlib import Path
        from mappa_desktop.logs import setup_logging
        from mappa_desktop.paths import DataPaths
        setup_logging(DataPaths(Path({str(data)!r})))
        logging.getLogger("mappa_desktop.test").info("store opened (case %d)", 42)
        logging.getLogger("mappa_desktop.test").debug("not at INFO")
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    log_file = data / "logs" / "mappa.log"
    text = log_file.read_text(encoding="utf-8")
    assert "INFO mappa_desktop.test: store opened (case 42)" in text
    assert "not at INFO" not in text
    assert (data / "logs" / "faults.log").exists()
    if os.name == "posix":
        for path in (log_file, data / "logs" / "faults.log"):
            assert path.stat().st_mode & 0o777 == 0o600


def test_nothing_personal_reaches_the_logs(tmp_path):
    """Create, unlock, fail to unlock, damage: the logs and reports hold no name or passphrase."""
    data = tmp_path / "data"
    name, passphrase = "Kenneth AIRD", "Seònaid walks to Kirkwall"
    result = _run(
        f"""
        import logging, sys
        from pathlib import Path
        from mappa_desktop.logs import setup_logging, write_crash_report
        from mappa_desktop.paths import DataPaths
        from mappa_desktop.security import TEST_KDF, WrongPassphrase
        from mappa_desktop.db.session import create_store, unlock
        paths = DataPaths(Path({str(data)!r}))
        setup_logging(paths)
        s = create_store(paths, name={name!r}, agency="Police", role="", passphrase={passphrase!r}, kdf=TEST_KDF)
        s.store.settings.set("area_name", {name!r})
        s.close()
        try:
            unlock(paths, name={name!r}, passphrase="wrong " + {passphrase!r})
        except WrongPassphrase:
            logging.getLogger("mappa_desktop").warning("unlock refused")
        try:
            raise KeyError({name!r})
        except KeyError:
            write_crash_report(paths, *sys.exc_info())
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    files = [p for p in (data / "logs").rglob("*") if p.is_file()]
    files += [p for p in (data / "crash-reports").rglob("*") if p.is_file()]
    assert any(p.name == "mappa.log" for p in files) and len(files) >= 3
    assert "store created" in (data / "logs" / "mappa.log").read_text()
    for path in files:
        blob = path.read_bytes()
        for secret in (name, name.casefold(), "AIRD", passphrase, "Kirkwall"):
            assert secret.encode() not in blob, (path.name, secret)
