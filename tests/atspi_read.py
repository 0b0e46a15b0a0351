"""Read a running application's accessibility tree through AT-SPI, as Orca reads it.

Run with the system's Python (``/usr/bin/python3``), which has PyGObject and the Atspi
typelib from Debian (python3-gi, gir1.2-atspi-2.0); the application runs elsewhere. Prints
JSON: every object that is showing, with its role, name, whether it can take the focus, and
the names of the labels that label it (AT-SPI's labelled-by relation).

    python3 tests/atspi_read.py PID
"""

from __future__ import annotations

import json
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402


def application(pid: int, wait: float = 20.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for index in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(index)
            if app is not None and app.get_process_id() == pid:
                return app
        time.sleep(0.2)
    raise SystemExit(f"no application with process id {pid} on the accessibility bus")


def walk(node, out: list, path: str = "") -> None:
    try:
        states = node.get_state_set()
        if not states.contains(Atspi.StateType.SHOWING):
            return
        labels = []
        for relation in node.get_relation_set() or ():
            if relation.get_relation_type() == Atspi.RelationType.LABELLED_BY:
                labels += [relation.get_target(i).get_name() for i in range(relation.get_n_targets())]
        role, name = node.get_role_name(), node.get_name() or ""
        out.append({"role": role, "name": name, "focusable": states.contains(Atspi.StateType.FOCUSABLE),
                    "labelled_by": labels, "in": path})
        here = f"{path} > {role} {name[:30]!r}".strip(" >")
        for index in range(node.get_child_count()):
            child = node.get_child_at_index(index)
            if child is not None:
                walk(child, out, here)
    except Exception as exc:  # an object that went away while being read
        out.append({"role": "gone", "name": "", "focusable": False, "labelled_by": [], "error": str(exc)})


def main() -> None:
    app = application(int(sys.argv[1]))
    found: list = []
    windows = []
    for index in range(app.get_child_count()):
        window = app.get_child_at_index(index)
        if window is not None:
            states = window.get_state_set()
            windows.append({"role": window.get_role_name(), "name": window.get_name(),
                            "children": window.get_child_count(),
                            "states": [s.value_nick for s in states.get_states()]})
            walk(window, found)
    json.dump({"windows": windows, "objects": found}, sys.stdout)


if __name__ == "__main__":
    main()
