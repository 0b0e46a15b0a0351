"""The names a screen reader hears, read through AT-SPI as Orca reads them: the application
runs on an X server (Xvfb) with Qt's accessibility bridge on the accessibility bus
(at-spi2-core), and each screen and dialog of the tour is read back with Atspi (PyGObject,
from Debian). Every name ``a11y_walk`` finds for a control must be there, and no focusable
control may be there without a name or a label.

Needs the Debian packages xvfb, at-spi2-core, dbus, python3-gi, gir1.2-atspi-2.0 and the
xcb libraries Qt uses (``.ci/run`` installs them). Without them the test is skipped, unless
MAPPA_REQUIRE_ATSPI=1 (CI sets it), when it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = os.environ.get("MAPPA_ATSPI_PYTHON", "/usr/bin/python3")


def _missing_tools() -> list[str]:
    missing = [tool for tool in ("Xvfb", "dbus-run-session") if shutil.which(tool) is None]
    if not Path("/usr/libexec/at-spi-bus-launcher").exists():
        missing.append("at-spi2-core")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Atspi', '2.0'); "
                            "from gi.repository import Atspi"], capture_output=True) if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        missing.append("python3-gi with gir1.2-atspi-2.0")
    return missing


def test_screen_readers_hear_every_name_through_atspi():
    missing = _missing_tools()
    if missing:
        message = f"the AT-SPI check needs {', '.join(missing)} (see .ci/run)"
        if os.environ.get("MAPPA_REQUIRE_ATSPI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS")}
    run = subprocess.run(["dbus-run-session", "--", sys.executable, str(HERE / "atspi_driver.py")],
                         capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    screens = json.loads(run.stdout)["screens"]
    assert len(screens) > 70, [s["screen"] for s in screens]
    errors = [f"{s['screen']}: {s['error']}" for s in screens if s.get("error")]
    assert not errors, "\n".join(errors)
    # What the test reads is the real tree: every screen has its controls, date boxes too.
    assert all(s["names"] and s["objects"] > len(s["names"]) for s in screens), screens
    form = next(s for s in screens if s["screen"] == "new case form")
    assert {"Date of birth", "Index offence", "Address (Lead authority)", "Address (Offender information)"} <= set(
        form["names"])
    problems = [f"{s['screen']}: not heard through AT-SPI: {s['missing']}" for s in screens if s["missing"]]
    problems += [f"{s['screen']}: focusable, no name nor label: {s['unnamed']}" for s in screens if s["unnamed"]]
    problems += [f"{s['screen']}: one name for two controls: {s['shared']}" for s in screens if s["shared"]]
    problems += [f"{s['screen']}: choices in a group without a name: {s['ungrouped']}" for s in screens
                 if s["ungrouped"]]
    meeting = next(s for s in screens if s["screen"] == "new meeting")
    assert {"panel 'Category'", "panel 'MAPPA level'"} <= set(meeting["groups"]), meeting["groups"]
    assert not problems, "\n".join(problems)
