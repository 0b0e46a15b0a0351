"""Usable by everyone on a real laptop, proved on every screen and dialog (the tour in
``screen_tour.py``): a unique name for every control a screen reader lands on and a name
for every group of choices; a visible focus frame on every control; no key claimed twice;
everything within 1366x768 with nothing cut and no sideways scrolling (the screenshots are
saved: set MAPPA_SCREENSHOTS to a folder to keep them); the keyboard on the first useful
field of each new screen and dialog."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from mappa_desktop.ui.style import COLOURS
from mappa_desktop.ui.widgets import first_field

from .a11y_walk import describe, focus_frame_problems, naming_problems
from .keys_walk import clashes
from .layout_checks import bare_dashes, layout_problems
from .screen_tour import (
    DIALOG_CLASSES,
    LAPTOP,
    dialog_classes_in_the_application,
    open_session,
    prepared_store,
    settle,
    tour,
)


@pytest.fixture
def window(qtbot, tmp_path):
    from mappa_desktop.ui.main_window import MainWindow
    from mappa_desktop.ui.tasks import TaskRunner

    session = open_session(prepared_store(tmp_path))
    tasks = TaskRunner()
    made = MainWindow(session, tasks)
    qtbot.addWidget(made)
    yield made
    tasks.shutdown()
    session.close()


def _first_field_problems(top) -> list[str]:
    if not isinstance(top, QDialog):
        return []
    focused, expected = QApplication.focusWidget(), first_field(top)
    return [] if focused is expected else [
        f"focus on {describe(focused) if focused else 'nothing'}, not {describe(expected)}"]


@pytest.fixture(scope="module")
def tour_report(qapp, tmp_path_factory):
    """One walk through every screen and dialog, each looked at by every check in turn (the
    focus frames last: they move the focus). Category -> what each check found."""
    from mappa_desktop.ui.main_window import MainWindow
    from mappa_desktop.ui.tasks import TaskRunner

    folder = Path(os.environ.get("MAPPA_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    session = open_session(prepared_store(tmp_path_factory.mktemp("tour")))
    tasks = TaskRunner()
    window = MainWindow(session, tasks)
    checks = {
        "first field": _first_field_problems,
        "names": naming_problems,
        "layout": lambda top: layout_problems(top, LAPTOP),
        "dashes": bare_dashes,
        "keys": lambda top: [f"{key}: {owners}" for key, owners in clashes(top).items()],
        "focus frames": lambda top: focus_frame_problems(top, COLOURS["focus"]),
    }
    report = {name: [] for name in checks}
    report["screenshots"] = []
    try:
        for screen, top in tour(window):
            path = folder / f"{len(report['screenshots']):03d}-{re.sub('[^a-z0-9]+', '-', screen.lower()).strip('-')}.png"
            assert top.grab().save(str(path))
            report["screenshots"].append(path)
            for name, check in checks.items():
                report[name] += [f"{screen}: {problem}" for problem in check(top)]
    finally:
        window.close()
        window.deleteLater()
        settle()
        tasks.shutdown()
        session.close()
    return report


def test_every_control_on_every_screen_has_a_unique_name(tour_report):
    """What Tab lands on has a name of its own (a date box its field's, four Withdraw
    buttons four names), and every group of choices is named."""
    assert not tour_report["names"], "\n".join(tour_report["names"])
    # The tour opened every dialog the application has (a new one must be added to it).
    missing = dialog_classes_in_the_application() - DIALOG_CLASSES
    assert not missing, f"dialogs the tour does not open: {sorted(missing)}"


def test_every_control_shows_where_the_keyboard_is(tour_report):
    """Each control, drawn with and without the focus: with it, a frame in the focus
    colour appears (drawn by the application's style sheet, on every platform)."""
    assert not tour_report["focus frames"], "\n".join(tour_report["focus frames"])


def test_no_key_is_claimed_twice_on_any_screen(tour_report):
    """Every shortcut and underlined letter on a screen has one owner (with two, Qt does
    nothing: Ctrl+P with a review open printed nothing)."""
    assert not tour_report["keys"], "\n".join(tour_report["keys"])


def test_every_screen_fits_a_laptop_and_is_kept_as_a_picture(tour_report):
    """At 1366x768 (less the taskbar and title bar) no screen or dialog scrolls sideways,
    none is larger than the screen, and no label or button is cut."""
    assert not tour_report["layout"], "\n".join(tour_report["layout"])
    shots = tour_report["screenshots"]
    assert len(shots) > 70 and all(p.stat().st_size > 5000 for p in shots)


def test_no_screen_shows_a_bare_dash_for_an_empty_value(tour_report):
    assert not tour_report["dashes"], "\n".join(tour_report["dashes"])


def test_each_dialog_opens_on_its_first_field(tour_report):
    assert not tour_report["first field"], "\n".join(tour_report["first field"])


def test_empty_parts_say_what_to_do_next(qtbot, session):
    """A case with no orders and no meetings, a minute with no documents yet."""
    from mappa_desktop import spec
    from mappa_desktop.ui.forms import RowsForm
    from mappa_desktop.ui.minute_sections import CaseSectionView

    store = session.store
    case_id = store.cases.create({"reference": "EMPTY-1", "full_name": "A N Other", "category": "1",
                                  "mappa_level": "2"})
    case = store.cases.get(case_id, consult=False)
    orders = CaseSectionView(spec.CASE_SECTIONS[[s.key for s in spec.CASE_SECTIONS].index("civil_orders")], case)
    qtbot.addWidget(orders)
    texts = [label.text() for label in orders.findChildren(QLabel)]
    assert any("No civil orders recorded" in t and "Edit case" in t for t in texts), texts
    documents = RowsForm(spec.section("documents"))
    qtbot.addWidget(documents)
    assert documents.empty_note.text() == "No documents yet: press Add document to record one."


def test_tables_give_their_columns_the_room_their_words_need(qtbot, window):
    """The People table shows every name whole; "Active" is no wider than its words."""
    window.resize(*LAPTOP)
    window.show()
    window.show_page("directory")
    people = window.page("directory").people
    window.page("directory").tabs.setCurrentWidget(people)
    settle(window)
    table, header = people.table, people.table.horizontalHeader()
    for column in (0, 1):  # names and agencies: whole
        assert header.sectionSize(column) >= table.sizeHintForColumn(column), column
    active = people.model.columnCount() - 1
    assert header.sectionSize(active) <= max(table.sizeHintForColumn(active),
                                             header.sectionSizeFromContents(active).width()) + 2


def test_a_laptop_gets_a_narrow_rail_and_a_wide_screen_the_full_names(qtbot, window):
    window.resize(*LAPTOP)
    window.show()
    settle(window)
    assert window.nav.width() <= 170
    assert window.nav.item(window._page_keys.index("search")).text() == "Find"
    window.resize(1920, 1040)
    settle(window)
    assert window.nav.item(window._page_keys.index("search")).text() == "Find in minutes"
    assert window.nav.width() > 170


def _active(qtbot, widget):
    widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=3000)


def _key(qtbot, widget, key, modifiers=Qt.KeyboardModifier.NoModifier):
    """A key as a person presses it: in the active window (offscreen, nobody else keeps it so)."""
    _active(qtbot, widget)
    qtbot.keyClick(widget, key, modifiers)


def test_new_screens_put_the_keyboard_on_their_first_field(qtbot, window):
    """Ctrl+2 lands in Find, Ctrl+N on the new case's first field, Enter on a case on its
    meetings, Enter on a meeting on the minute's first thing to do (never on "<- Case",
    where Space would leave the minute), and Enter on the navigation in the page."""
    window.resize(*LAPTOP)
    window.show()
    _active(qtbot, window)
    window.nav.setFocus()
    _key(qtbot, window.nav, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    cases = window.page("cases")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is cases.list_page.search, timeout=3000)

    _key(qtbot, cases.list_page.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cases.editor is not None and cases.editor.isVisible(), timeout=3000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is cases.editor.initial_focus(), timeout=3000)
    assert QApplication.focusWidget() is cases.editor.forms["case_status"].field_widget("category").focus_target()
    cases.editor._cancel()

    qtbot.waitUntil(lambda: cases.currentWidget() is cases.list_page)
    cases.list_page.search.setFocus()
    _key(qtbot, cases.list_page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cases.overview is not None, timeout=3000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is cases.overview.meeting_list, timeout=3000)

    meeting_list = cases.overview.meeting_list
    meeting_list.setCurrentRow(0)  # the newest: the draft
    _key(qtbot, meeting_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cases.minute_editor is not None, timeout=3000)
    editor = cases.minute_editor
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor.confirm_button, timeout=3000)
    assert QApplication.focusWidget() is not editor.back_button

    # Moving through the navigation with the arrows only shows each page; Enter goes in.
    window.nav.setFocus()
    window.nav.setCurrentRow(window._page_keys.index("register"))
    assert QApplication.focusWidget() is window.nav
    _key(qtbot, window.nav, Qt.Key.Key_Return)
    register = window.page("register")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is register.case, timeout=3000)


def test_the_section_list_hides_and_comes_back_with_a_key(qtbot, window):
    window.resize(*LAPTOP)
    window.show()
    _active(qtbot, window)
    cases = window.page("cases")
    window.show_page("cases")
    case = window.session.store.cases.rows(status=None)[0]
    draft = next(m for m in window.session.store.minutes.meetings(case.id) if m.status != "finalised")
    cases.open_meeting(draft.id)
    editor = cases.minute_editor
    settle(window)
    form_width = editor.pages.width()
    _key(qtbot, editor, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(window)
    assert not editor.section_list.isVisible() and editor.pages.width() > form_width + 100
    _key(qtbot, editor, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # sections still a key away
    assert editor.current_section() == "disclosure"
    _key(qtbot, editor, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # civil orders has its key too
    assert editor.current_section() == "civil_orders"
    _key(qtbot, editor, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(window)
    assert editor.section_list.isVisible()


def test_ctrl_p_prints_the_review_on_screen_and_the_case_otherwise(qtbot, window):
    window.resize(*LAPTOP)
    window.show()
    _active(qtbot, window)
    cases = window.page("cases")
    window.show_page("cases")
    case = window.session.store.cases.rows(status=None)[0]
    cases.open_case(case.id)
    overview = cases.overview
    _key(qtbot, overview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(overview, "print_dialog", None) is not None, timeout=3000)
    assert "Pre-meeting pack" in [b.text() for b in overview.print_dialog.group.buttons()]
    overview.print_dialog.reject()
    tab = overview.reviews_tab
    overview.tabs.setCurrentWidget(tab)
    editor = tab.open_review(window.session.store.scr.of_case(case.id)[0].id)
    editor.tabs.setFocus()
    _key(qtbot, editor.tabs, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(editor, "print_dialog", None) is not None, timeout=3000)
    assert "Full review" in [b.text() for b in editor.print_dialog.group.buttons()]
    editor.print_dialog.reject()


def test_the_register_printed_across_cases_says_no_case_in_its_header(qtbot, window):
    """"Case All cases" was printed at the top of every page of the cross-case register."""
    import io

    from pypdf import PdfReader

    window.show()
    window.show_page("register")
    dialog = window.page("register").print_register()
    result = dialog.kinds["Action register"]()()
    dialog.reject()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)
    assert "Open actions across cases" in text and "7 actions" in text
    assert "All cases" not in text and "Case " not in text.split("Open actions across cases")[0]
