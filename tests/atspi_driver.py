"""The AT-SPI check, inside a D-Bus session of its own (``dbus-run-session``): an X server
(Xvfb), the accessibility bus (at-spi2-core), the application (``atspi_app.py``) and, for each
screen, the tree read through AT-SPI (``atspi_read.py``). Prints a JSON report: for each
screen, the names Qt gives and those of them AT-SPI does not show.

    dbus-run-session -- python tests/atspi_driver.py [SCREEN...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = os.environ.get("MAPPA_ATSPI_PYTHON", "/usr/bin/python3")
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"


def _start_x() -> tuple[subprocess.Popen, str]:
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise SystemExit("Xvfb did not start")
    return server, f":{number}"


def present(tree: list[dict]) -> set[str]:
    """What a screen reader can announce for a control: its name, or its label's name."""
    names = set()
    for node in tree:
        if node.get("focusable"):
            names.add(node["name"].strip())
            names.update(label.strip() for label in node.get("labelled_by", ()))
    return names


def unnamed(tree: list[dict]) -> list[str]:
    """Controls AT-SPI shows as focusable with neither a name nor a label."""
    return [f"{node['role']} in {node.get('in', '')[-160:]}" for node in tree
            if node.get("focusable") and node["role"] not in ("table cell", "list item")  # items, named by content
            and not node["name"].strip() and not any(label.strip() for label in node["labelled_by"])]


def ungrouped(tree: list[dict]) -> list[str]:
    """Radio buttons whose parent (the group of choices) has no name."""
    out = []
    for node in tree:
        if node["role"] == "radio button":
            parent = node.get("in", "").rsplit(" > ", 1)[-1]
            if parent.endswith("''") or parent.endswith('""'):
                out.append(f"{node['name']} in {parent}")
    return out


def shared(tree: list[dict], title: str) -> list[str]:
    """Names that two focusable controls of the window titled ``title`` share (a control is
    announced by its label when it has one, else by its name)."""
    from collections import Counter

    spoken = []
    for node in tree:
        window = node.get("in", "").split(" > ")[0]
        if window.split(" ", 1)[-1].strip("'\"") != title[:30] or not node.get("focusable"):
            continue
        if node["role"] in ("table cell", "list item", "page tab"):
            continue
        if node.get("in", "").rsplit(" > ", 1)[-1].startswith("combo box"):
            continue  # the box typed in inside a drop-down: one control with it
        labels = [label.strip() for label in node["labelled_by"] if label.strip()]
        spoken.append(labels[0] if labels else node["name"].strip())
    counts = Counter(name.casefold() for name in spoken if name)
    return sorted({name for name in spoken if name and counts[name.casefold()] > 1})


def main() -> None:
    x_server, display = _start_x()
    env = {**os.environ, "DISPLAY": display}
    bus = subprocess.Popen([BUS_LAUNCHER, "--launch-immediately"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = None
    report = {"screens": []}
    try:
        time.sleep(1.0)  # the bus launcher registers itself on the session bus
        with tempfile.TemporaryDirectory() as folder:
            app_env = {**env, "QT_QPA_PLATFORM": "xcb", "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                       "QT_ACCESSIBILITY": "1", "NO_AT_BRIDGE": "0"}
            app = subprocess.Popen([sys.executable, str(HERE / "atspi_app.py"), folder, *sys.argv[1:]],
                                   env=app_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            while True:
                line = app.stdout.readline()
                if not line:
                    break
                shown = json.loads(line)
                if shown.get("done"):
                    break
                read = subprocess.run([SYSTEM_PYTHON, str(HERE / "atspi_read.py"), str(app.pid)], env=env,
                                      capture_output=True, text=True, timeout=120)
                if read.returncode != 0:
                    report["screens"].append({"screen": shown["screen"], "error": read.stderr[-2000:]})
                else:
                    read_out = json.loads(read.stdout)
                    tree = read_out["objects"]
                    seen = present(tree)
                    missing = [n for n in shown["names"] if n.strip() not in seen]
                    report["screens"].append({"screen": shown["screen"], "names": shown["names"],
                                              "missing": missing, "unnamed": unnamed(tree),
                                              "ungrouped": ungrouped(tree),
                                              "groups": sorted({n.get("in", "").rsplit(" > ", 1)[-1] for n in tree
                                                                if n["role"] == "radio button"}),
                                              "shared": shared(tree, shown["title"]), "objects": len(tree),
                                              "windows": read_out["windows"]})
                app.stdin.write("next\n")
                app.stdin.flush()
            app.wait(timeout=60)
    finally:
        for process in (app, bus, x_server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
