"""The layer rules of DESIGN.md section 3, checked on the code itself.

- The core (everything but ``mappa_desktop/ui/``) never imports Qt: importing it in a fresh
  interpreter leaves PySide6 unloaded.
- Only ``mappa_desktop/ui/`` imports PySide6; only ``mappa_desktop/db/`` imports a SQLite
  driver or sqlite-utils; nothing but the entry points reaches into ``ui``; printing does
  not reach into ``db``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import mappa_desktop

PACKAGE = Path(mappa_desktop.__file__).resolve().parent
ROOT = PACKAGE.parent

QT_MODULES = {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2", "pytestqt"}
SQL_MODULES = {"sqlite3", "sqlcipher3", "sqlite_utils", "pysqlite3", "apsw"}
ENTRY_POINTS = {"mappa_desktop.cli", "mappa_desktop.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved, at any depth in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
                found.add(target)
                # "from . import x" may import a submodule x.
                found.update(f"{target}.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def _roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def _in(path: Path, folder: str) -> bool:
    return (PACKAGE / folder) in path.parents


def test_the_scanner_sees_imports():
    """The checks below are only as good as the scanner: it finds what it should."""
    found = _imports(PACKAGE / "db" / "store.py")
    assert "mappa_desktop.db.connection" in found and "mappa_desktop.model" in found
    assert "sqlcipher3" in _imports(PACKAGE / "db" / "connection.py")
    assert len(_sources()) > 15


def test_only_ui_imports_qt():
    offenders = {
        _module_name(p): sorted(_roots(_imports(p)) & QT_MODULES)
        for p in _sources()
        if not _in(p, "ui") and _roots(_imports(p)) & QT_MODULES
    }
    assert not offenders, f"Qt imported outside mappa_desktop/ui: {offenders}"


def test_only_db_imports_sql():
    offenders = {
        _module_name(p): sorted(_roots(_imports(p)) & SQL_MODULES)
        for p in _sources()
        if not _in(p, "db") and _roots(_imports(p)) & SQL_MODULES
    }
    assert not offenders, f"SQL driver imported outside mappa_desktop/db: {offenders}"


def test_only_entry_points_reach_into_ui():
    offenders = {}
    for p in _sources():
        name = _module_name(p)
        if _in(p, "ui") or name in ENTRY_POINTS:
            continue
        ui = sorted(m for m in _imports(p) if m == "mappa_desktop.ui" or m.startswith("mappa_desktop.ui."))
        if ui:
            offenders[name] = ui
    assert not offenders, f"the core reaches into the UI: {offenders}"


def test_printing_does_not_reach_into_db():
    offenders = {
        _module_name(p): sorted(m for m in _imports(p) if m.startswith("mappa_desktop.db"))
        for p in _sources()
        if _in(p, "printing")
    }
    assert not any(offenders.values()), offenders


def _core_modules() -> list[str]:
    return sorted(
        _module_name(p)
        for p in _sources()
        if not _in(p, "ui") and _module_name(p) != "mappa_desktop.__main__"
    )


def _fresh_import(modules: list[str]) -> dict:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_importing_the_core_does_not_load_qt():
    modules = _core_modules()
    for required in (
        "mappa_desktop",
        "mappa_desktop.spec",
        "mappa_desktop.db.store",
        "mappa_desktop.db.session",
        "mappa_desktop.cli",
        "mappa_desktop.security",
        "mappa_desktop.logs",
    ):
        assert required in modules
    loaded = _fresh_import(modules)
    assert "mappa_desktop.db.store" in loaded
    qt = sorted(m for m in loaded if m.split(".")[0] in QT_MODULES)
    assert not qt, f"the core loaded Qt: {qt[:5]}"


def test_the_path_to_the_unlock_screen_stays_light():
    """Nothing heavy before the unlock screen: ReportLab is imported only when printing."""
    loaded = _fresh_import(
        [
            "mappa_desktop.cli",
            "mappa_desktop.db.session",
            "mappa_desktop.security",
            "mappa_desktop.logs",
            "mappa_desktop.spec",
            "mappa_desktop.settings",
            "mappa_desktop.instance",
        ]
    )
    assert "mappa_desktop.db.session" in loaded
    assert not {m for m in loaded if m.split(".")[0] in {"reportlab", "PySide6"}}
    # zxcvbn's dictionaries load only when a passphrase is being chosen.
    assert "zxcvbn" not in loaded


@pytest.mark.parametrize("module", ["mappa_desktop.cli", "mappa_desktop.db.store"])
def test_core_modules_import_on_their_own(module):
    """Each core module imports cleanly first, without another having primed it."""
    loaded = _fresh_import([module])
    assert module in loaded
