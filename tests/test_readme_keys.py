"""The README's keys are the window's keys: its page table and its table of keys are read and
compared with the shortcuts the real window holds, place by place."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from PySide6.QtGui import QKeySequence, QShortcut

from .screen_tour import LAPTOP, open_session, prepared_store, settle

README = Path(__file__).resolve().parent.parent / "README.md"
KEY = re.compile(r"(?:Ctrl\+|Alt\+|Shift\+)*(?:PgUp|PgDown|Left|Right|Esc|F\d+|[A-Z0-9])\b")


def _table(heading_row: str) -> list[list[str]]:
    """The rows of the README table whose header row is ``heading_row``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(heading_row)
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _keys(text: str) -> set[str]:
    keys = set()
    for low, high in re.findall(r"Ctrl\+(\d) to Ctrl\+(\d)", text):  # "Ctrl+4 to Ctrl+8"
        keys |= {f"Ctrl+{n}" for n in range(int(low), int(high) + 1)}
    return keys | set(KEY.findall(re.sub(r"Ctrl\+\d to Ctrl\+\d", "", text)))


def _portable(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def _own_shortcuts(widget) -> set[str]:
    """The keys of the QShortcuts that belong to ``widget`` itself (a standard key's extra
    sequences, such as the "Find" key of some keyboards, are left out: nobody types them)."""
    keys = {_portable(k) for s in widget.findChildren(QShortcut) if s.parent() is widget for k in s.keys()}
    return {k for k in keys if KEY.fullmatch(k)}


def test_the_readme_keys_are_the_windows_keys(qtbot, tmp_path):
    from mappa_desktop.ui.main_window import MainWindow
    from mappa_desktop.ui.tasks import TaskRunner

    session = open_session(prepared_store(tmp_path))
    tasks = TaskRunner()
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.resize(*LAPTOP)
    window.show()
    try:
        # The page table: each page's key.
        titles = {window.nav.item(i).data(window._TITLE): key for i, key in enumerate(window._page_keys)}
        action_keys = {a.text(): _portable(a.shortcut()) for a in window.actions() if not a.shortcut().isEmpty()}
        documented = {}
        for row in _table("| page | keys | what |"):
            pages = [p.strip() for p in row[0].split(",")]
            keys = sorted(_keys(row[1]), key=lambda k: (len(k), k))
            assert len(pages) == len(keys), row
            for page, key in zip(pages, sorted(keys, key=lambda k: int(k[-1]) if k[-1].isdigit() else 99)):
                documented[page] = key
        assert documented == action_keys, (documented, action_keys)
        assert set(documented) == set(titles)

        # The table of keys, place by place.
        said = defaultdict(set)
        for where, keys, _what in _table("| where | keys | what |"):
            said[where] |= _keys(keys)
        cases = window.page("cases")
        window.show_page("cases")
        menu_keys = {_portable(a.shortcut()) for m in window.menuBar().actions() if m.menu()
                     for a in m.menu().actions() if not a.shortcut().isEmpty()}
        menu_keys = {k for k in menu_keys if KEY.fullmatch(k)}
        held = {"everywhere": set(action_keys.values()) | menu_keys,
                "cases list": _own_shortcuts(cases.list_page),
                "find in minutes": _own_shortcuts(window.page("search"))}
        case = session.store.cases.rows(status=None)[0]
        cases.open_case(case.id)
        held["a case"] = _own_shortcuts(cases.overview)
        cases.edit_case(case.id)
        held["case form"] = _own_shortcuts(cases.editor)
        draft = next(m for m in session.store.minutes.meetings(case.id) if m.status != "finalised")
        cases.open_meeting(draft.id)
        settle(window)
        held["meeting editor"] = _own_shortcuts(cases.minute_editor)
        assert dict(said) == held
    finally:
        tasks.shutdown()
        session.close()
