"""Check a built one-folder bundle: python tests/bundle_check.py DIST_DIR

DIST_DIR is the COLLECT folder, normally dist/mappa-desktop (``make bundle-check`` builds it
and runs this). This is a script, not a pytest module: its name does not match test_*.py,
so pytest never collects it; keep it that way (building a bundle takes a minute).

It runs the bundled executables the way users and scripts do, in a throw-away data
folder, offscreen, and checks what is inside the bundle:

* layout: both executables, the package data of mappa_desktop.resources, the Qt
  platform plugins, and (when PyInstaller is importable) the modules in the archive;
* ``--version``, ``--help``;
* ``init`` and ``check`` with the passphrase on standard input; a wrong passphrase is
  refused cleanly; the default data folder resolves through platformdirs;
* the window starts and quits at its first paint (``--exit-after-start``), from both
  executables, on an empty folder and on a folder holding a store.

Prints PASS/FAIL per check and a summary; exits 1 on any failure, 2 on wrong usage.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_NAME = "mappa-desktop"
WINDOWED_NAME = "MAPPA Desktop"
ENV_DATA_DIR = "MAPPA_DATA_DIR"

CLI_TIMEOUT = 60.0  # init derives a key with Argon2id: a second or two
GUI_TIMEOUT = 60.0  # the brief: the window must be up and gone within 60 s

USER = "Bundle Check"
AGENCY = "Police Scotland"
PASSPHRASE = "granite otter lantern violet"

# Modules that are imported lazily, by name, or by a C extension, and so are the first
# to go missing from a bundle. Checked in the archive when PyInstaller is importable.
REQUIRED_MODULES = (
    "mappa_desktop.cli",
    "mappa_desktop.resources",
    "mappa_desktop.settings",
    "mappa_desktop.security",
    "mappa_desktop.db.session",
    "mappa_desktop.db.migrations",
    "mappa_desktop.ui.app",
    "mappa_desktop.ui.main_window",
    "mappa_desktop.printing",
    "zxcvbn",
    "zxcvbn.frequency_lists",
    "zxcvbn.adjacency_graphs",
    "argon2",
    "argon2.low_level",
    "cryptography.hazmat.primitives.ciphers.aead",
    "sqlcipher3",
    "sqlcipher3.dbapi2",
    "sqlite_utils",
    "sqlite_utils.migrations",
    "platformdirs",
    "filelock",
    "zoneinfo",
    "tzdata",
    "reportlab",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
    "reportlab.lib.pagesizes",
    "reportlab.pdfbase.ttfonts",
    "PySide6",
)
# ... and modules that must not be there (size, or test tools).
FORBIDDEN_MODULES = ("pytest", "hypothesis", "PyInstaller", "tkinter", "pygments")


@dataclass
class Result:
    name: str
    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class Run:
    argv: list[str]
    code: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        def tail(text: str) -> str:
            lines = text.strip().splitlines()[-15:]
            return "\n".join("      " + line for line in lines) or "      (empty)"

        code = "timed out" if self.code is None else f"exit {self.code}"
        return (
            f"    ran: {' '.join(repr(a) if ' ' in a else a for a in self.argv)}\n"
            f"    {code} after {self.seconds:.1f}s\n"
            f"    stdout:\n{tail(self.stdout)}\n"
            f"    stderr:\n{tail(self.stderr)}"
        )


@dataclass
class Checker:
    dist: Path
    work: Path
    results: list[Result] = field(default_factory=list)

    # -- running ----------------------------------------------------------------------

    def exe(self, name: str) -> Path:
        suffix = ".exe" if os.name == "nt" else ""
        return self.dist / f"{name}{suffix}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env.pop(ENV_DATA_DIR, None)
        # Keep Qt's and platformdirs' per-user files out of the real home folder.
        if os.name == "posix":
            home = self.work / "home"
            for var, sub in (
                ("XDG_CONFIG_HOME", ".config"),
                ("XDG_DATA_HOME", ".local/share"),
                ("XDG_CACHE_HOME", ".cache"),
                ("XDG_STATE_HOME", ".local/state"),
            ):
                (home / sub).mkdir(parents=True, exist_ok=True)
                env[var] = str(home / sub)
            runtime = self.work / "runtime"
            runtime.mkdir(mode=0o700, exist_ok=True)
            env["XDG_RUNTIME_DIR"] = str(runtime)
        env.update(extra)
        return env

    def run(
        self,
        exe: Path,
        *args: str,
        stdin: str | None = None,
        timeout: float = CLI_TIMEOUT,
        env: dict[str, str] | None = None,
    ) -> Run:
        argv = [str(exe), *args]
        started = time.monotonic()
        try:
            proc = subprocess.run(
                argv,
                input=stdin if stdin is not None else "",
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout,
                env=env or self.env(),
                cwd=self.work,
            )
        except subprocess.TimeoutExpired as exc:
            def text(data) -> str:
                if isinstance(data, bytes):
                    return data.decode("utf-8", "replace")
                return data or ""

            return Run(argv, None, text(exc.stdout), text(exc.stderr), time.monotonic() - started)
        return Run(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)

    # -- recording --------------------------------------------------------------------

    def check(self, name: str, func) -> None:
        started = time.monotonic()
        try:
            problem = func()
        except Exception as exc:  # a bug in this script, or an unexpected OS error
            problem = f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - started
        result = Result(name, not problem, seconds, problem or "")
        self.results.append(result)
        status = "PASS" if result.ok else "FAIL"
        print(f"{status}  {name}  ({seconds:.1f}s)", flush=True)
        if problem:
            print(problem, flush=True)

    @staticmethod
    def expect(run: Run, code: int, *, stdout_has: tuple[str, ...] = ()) -> str | None:
        problems = []
        if run.code is None:
            problems.append("did not finish in time")
        elif run.code != code:
            problems.append(f"exit status {run.code}, expected {code}")
        for text in stdout_has:
            if text not in run.stdout:
                problems.append(f"stdout lacks {text!r}")
        if "Traceback" in run.stderr or "Traceback" in run.stdout:
            problems.append("a Traceback was printed")
        if "Failed to execute script" in run.stderr or "[PYI-" in run.stderr:
            problems.append("the PyInstaller bootloader reported an error")
        if not problems:
            return None
        return "    " + "; ".join(problems) + "\n" + run.describe()

    # -- the checks -------------------------------------------------------------------

    def check_layout(self) -> str | None:
        problems = []
        for name in (CONSOLE_NAME, WINDOWED_NAME):
            exe = self.exe(name)
            if not exe.is_file():
                problems.append(f"missing executable {exe}")
            elif os.name == "posix" and not os.access(exe, os.X_OK):
                problems.append(f"{exe} is not executable")
        package = find_dir(self.dist, Path("mappa_desktop", "resources"))
        if package is None:
            problems.append("no mappa_desktop/resources folder in the bundle")
        else:
            source = ROOT / "resources"
            expected = [
                p.relative_to(source)
                for p in source.rglob("*")
                if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
            ]
            if not expected:
                problems.append(f"no resource files found in {source} to compare with")
            for rel in expected:
                if not (package / rel).is_file():
                    problems.append(f"resource not bundled: resources/{rel.as_posix()}")
        platforms = find_dir(self.dist, Path("PySide6", "Qt", "plugins", "platforms"))
        if platforms is None:
            problems.append("no Qt platform plugins in the bundle")
        elif sys.platform.startswith("linux"):
            names = {p.name for p in platforms.iterdir()}
            for plugin in ("libqxcb.so", "libqoffscreen.so", "libqwayland.so"):
                if plugin not in names:
                    problems.append(f"Qt platform plugin missing: {plugin}")
        if find_dir(self.dist, Path("PySide6", "Qt", "qml")) is not None:
            problems.append("QML was bundled (it is excluded to keep the size down)")
        return "\n".join("    " + p for p in problems) or None

    def check_archive(self) -> str | None:
        try:
            from PyInstaller.archive.readers import pkg_archive_contents
        except ImportError:
            print("    (PyInstaller is not importable here: archive contents not checked)")
            return None
        contents = set(pkg_archive_contents(str(self.exe(CONSOLE_NAME))))
        problems = [f"module not bundled: {m}" for m in REQUIRED_MODULES if m not in contents]
        for name in FORBIDDEN_MODULES:
            if name in contents or any(m.startswith(name + ".") for m in contents):
                problems.append(f"module should not be bundled: {name}")
        binaries = {p.name.split(".")[0] for p in self.dist.rglob("*") if p.is_file()}
        for ext in ("_sqlite3", "_cffi_backend", "_rust", "_ffi"):
            if ext not in binaries:
                problems.append(f"extension module not bundled: {ext}")
        if find_dir(self.dist, Path("tzdata", "zoneinfo", "Europe")) is None:
            problems.append("tzdata's zoneinfo files are not bundled")
        return "\n".join("    " + p for p in problems) or None

    def check_version(self) -> str | None:
        run = self.run(self.exe(CONSOLE_NAME), "--version")
        version = source_version()
        wanted = (version,) if version else ()
        problem = self.expect(run, 0, stdout_has=wanted)
        if problem is None and not re.search(r"\d+\.\d+", run.stdout):
            problem = "    no version number printed\n" + run.describe()
        return problem

    def check_help(self) -> str | None:
        run = self.run(self.exe(CONSOLE_NAME), "--help")
        return self.expect(run, 0, stdout_has=("init", "check", "--data-dir"))

    def check_init(self) -> str | None:
        run = self.run(
            self.exe(CONSOLE_NAME),
            "init", "--data-dir", str(self.store_dir), "--user", USER, "--agency", AGENCY,
            stdin=PASSPHRASE + "\n",
        )
        problem = self.expect(run, 0)
        if problem is None and not (self.store_dir / "store.db").is_file():
            problem = f"    init exited 0 but there is no {self.store_dir / 'store.db'}\n" + run.describe()
        return problem

    def check_check(self) -> str | None:
        run = self.run(
            self.exe(CONSOLE_NAME),
            "check", "--data-dir", str(self.store_dir), "--user", USER,
            stdin=PASSPHRASE + "\n",
        )
        return self.expect(run, 0, stdout_has=("integrity_check: ok", "check: ok"))

    def check_wrong_passphrase(self) -> str | None:
        run = self.run(
            self.exe(CONSOLE_NAME),
            "check", "--data-dir", str(self.store_dir), "--user", USER,
            stdin="not the passphrase at all\n",
        )
        problem = self.expect(run, 1)
        if problem is None and "there is no store" in run.stderr:
            problem = "    refused for want of a store, not for the passphrase\n" + run.describe()
        return problem

    def check_default_folder(self) -> str | None:
        # No --data-dir and no MAPPA_DATA_DIR: the folder comes from platformdirs, which
        # must be in the bundle. The throw-away XDG folders keep this out of the real home.
        run = self.run(self.exe(CONSOLE_NAME), "check", "--user", USER, stdin=PASSPHRASE + "\n")
        problem = self.expect(run, 1)
        if problem is None:
            home = str(self.work / "home")
            if "there is no store" not in run.stderr or home not in run.stderr:
                problem = f"    expected 'there is no store in {home}/...'\n" + run.describe()
        return problem

    def check_gui(self, exe_name: str, data_dir: Path) -> str | None:
        run = self.run(
            self.exe(exe_name),
            "--data-dir", str(data_dir), "--exit-after-start",
            timeout=GUI_TIMEOUT,
        )
        problem = self.expect(run, 0)
        if problem is None:
            reports = data_dir / "crash-reports"
            if reports.is_dir() and any(reports.iterdir()):
                problem = f"    a crash report was written in {reports}\n" + run.describe()
        return problem

    def check_no_crash_reports(self) -> str | None:
        reports = sorted(self.work.rglob("crash-reports/*"))
        if reports:
            return "\n".join(f"    crash report: {p}" for p in reports)
        return None

    # -- all of it --------------------------------------------------------------------

    @property
    def store_dir(self) -> Path:
        return self.work / "store"

    def run_all(self) -> bool:
        self.check("bundle layout and package data", self.check_layout)
        self.check("archive contents (hidden imports)", self.check_archive)
        self.check("--version", self.check_version)
        self.check("--help mentions init and check", self.check_help)
        self.check("GUI starts on an empty folder (first run)", lambda: self.check_gui(CONSOLE_NAME, self.work / "empty"))
        self.check("init with the passphrase on stdin", self.check_init)
        self.check("check prints 'check: ok'", self.check_check)
        self.check("check refuses a wrong passphrase (exit 1)", self.check_wrong_passphrase)
        if os.name == "posix":
            self.check("default data folder via platformdirs", self.check_default_folder)
        self.check(f"GUI starts offscreen ({CONSOLE_NAME})", lambda: self.check_gui(CONSOLE_NAME, self.store_dir))
        self.check(f"GUI starts offscreen ({WINDOWED_NAME})", lambda: self.check_gui(WINDOWED_NAME, self.store_dir))
        self.check("no crash reports written", self.check_no_crash_reports)
        return all(r.ok for r in self.results)


def find_dir(base: Path, rel: Path) -> Path | None:
    """``base/rel`` or ``base/<contents dir>/rel`` (``_internal`` by default, PyInstaller 6)."""
    for candidate in (base / rel, *(child / rel for child in sorted(base.iterdir()) if child.is_dir())):
        if candidate.is_dir():
            return candidate
    return None


def source_version() -> str | None:
    """The checkout's __version__, read from the source without importing the package."""
    init = ROOT / "mappa_desktop" / "__init__.py"
    try:
        match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', init.read_text("utf-8"), re.M)
    except OSError:
        return None
    return match.group(1) if match else None


def bundle_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist_dir", type=Path, help="the bundle folder, e.g. dist/mappa-desktop")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    args = parser.parse_args(argv)
    dist = args.dist_dir.resolve()
    if not dist.is_dir():
        print(f"bundle_check: {dist} is not a folder (build it with `make bundle`)", file=sys.stderr)
        return 2

    print(f"Checking the bundle in {dist}")
    print(f"  size: {bundle_size(dist) / 1e6:.1f} MB in {sum(1 for _ in dist.rglob('*'))} files")
    work = Path(tempfile.mkdtemp(prefix="mappa-bundle-check-"))
    started = time.monotonic()
    try:
        checker = Checker(dist, work)
        ok = checker.run_all()
    finally:
        if args.keep:
            print(f"  kept the data folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    failed = [r for r in checker.results if not r.ok]
    total = len(checker.results)
    print()
    print(f"{total - len(failed)} of {total} checks passed in {time.monotonic() - started:.1f}s")
    if failed:
        for r in failed:
            print(f"  FAILED: {r.name}")
        print("BUNDLE CHECK: FAIL")
        return 1
    print("BUNDLE CHECK: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
