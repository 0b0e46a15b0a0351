"""A tour of every screen and dialog of the application, on a store that has something in
every part (a case with orders, meetings, actions under review, a finalised minute with an
addendum, a Significant Case Review, a meeting audit, a second user, a backup).

``tour(window)`` yields ``(name, top)`` for each screen as a person would see it: ``top``
is the window or dialog that is showing, laid out and painted. The checks (names for
assistive technology, focus, shortcuts, the 1366x768 layout, screenshots) walk the same
tour, so a screen added to the application is checked as soon as the tour opens it, and
a new section of the minute, a new page or a new tab is visited without a change here.
``DIALOG_CLASSES`` says which dialog classes the tour opens; a test compares it with every
dialog class in ``mappa_desktop.ui``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import datetime, timezone

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from tests.signoff_helpers import recorded_approval
from mappa_desktop import scr, spec
from mappa_desktop.db.backup import backup_store
from mappa_desktop.db.session import create_store, unlock
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.oversight import meeting_audit
from mappa_desktop.ops import minute as minutes
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

PASS = "heron kettle marmalade"
CLOCK = lambda: datetime(2026, 10, 14, 15, 0, tzinfo=timezone.utc)  # noqa: E731
#: 1366x768, less a 40-pixel taskbar and a 30-pixel title bar: what a window or dialog has.
LAPTOP = (1366, 698)

INCIDENT = {"incident_date": "2026-10-01", "what_happened": "Arrested after an assault in Perth",
            "reported_by": "Perth Women's Aid", "reporter_type": "third_sector", "reported_date": "2026-10-02",
            "criterion_charged": 1, "criterion_other": 1}


def prepared_store(root) -> DataPaths:
    """A store with something in every part of the application (closed again)."""
    paths = DataPaths(root / "data")
    session = create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="Co-ordinator",
                           passphrase=PASS, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    store.settings.set("area_name", "Forthside")
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id, review_outcomes=False)
    # The July meeting is finalised (with an addendum); October's is the live draft, with
    # July's three actions to review.
    items = minutes.check(store=store, meeting_id=first, today=store.today())
    minutes.finalise(store=store, meeting_id=first, acknowledgements={i.key: "ok" for i in items},
                     today=store.today(), approval=recorded_approval(store, first))
    store.minutes.add_addendum(first, body="The visit was on 16/07/2026.", reason="Date corrected")
    review_id, problems = scr.report_incident(store=store, case_id=case_id, values=INCIDENT)
    assert not problems, problems
    grades = {f.key: (f.suggested, "") for f in meeting_audit.suggest(store=store, meeting_id=first)}
    meeting_audit.save(store=store, meeting_id=first, grades=grades, completed=False, today=store.today())
    from mappa_desktop.db.access import add_user

    add_user(session, name="Dr Nguyễn Thị Lan", agency="NHS health board", role="", passphrase="quartz meadow lantern",
             is_admin=False, kdf=TEST_KDF)
    backup_store(paths.store, store.key, paths.backups, reason="manual")
    session.close()
    return paths


def open_session(paths: DataPaths):
    return unlock(paths, name="Lorna Petrie", passphrase=PASS, clock=CLOCK)


def settle(widget: QWidget | None = None) -> None:
    """Let layouts, deferred work (``after_first_paint``) and deleteLater run."""
    for _ in range(4):
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, 0)
    if widget is not None:
        widget.repaint()
    QCoreApplication.processEvents()


def _activate(top: QWidget) -> None:
    """What a window manager does: the window shown last is the active one."""
    top.activateWindow()
    top.raise_()
    for _ in range(20):
        settle()
        if QApplication.activeWindow() is top:
            return


def _shown(top: QWidget) -> QWidget:
    _activate(top)
    settle(top)
    return top


def _dialog(opened) -> QDialog:
    """A dialog the application opened (``open()``), activated as a window manager would."""
    assert isinstance(opened, QDialog), opened
    return _shown(opened)


def _close(dialog: QDialog | None) -> None:
    if dialog is not None and dialog.isVisible():
        dialog.reject()
    settle()


#: The dialog classes the tour opens (and, by name, the ones it cannot open offscreen).
DIALOG_CLASSES: set[str] = set()
#: Dialogs that only the operating system or a blocking call shows (file pickers, message
#: boxes, the SONR and disclosure questions opened with exec()): opened here by hand.
BY_HAND = {"SonrDialog", "DisclosureDialog"}


def dialog_classes_in_the_application() -> set[str]:
    """Every QDialog subclass defined in ``mappa_desktop.ui``."""
    import mappa_desktop.ui as ui

    found = set()
    for module_info in pkgutil.iter_modules(ui.__path__):
        module = importlib.import_module(f"mappa_desktop.ui.{module_info.name}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == module.__name__:
                found.add(name)
    return found


def _tabs(name: str, tabs: QTabWidget, top: QWidget):
    """Each tab of ``tabs`` in turn (tabs built when first shown are built by showing them)."""
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        settle(top)
        yield f"{name}, tab {tabs.tabText(index).replace('&', '')}", top


def tour(window, *, gate: bool = True):
    """Every screen and dialog, in the order a person would meet them."""
    window.resize(*LAPTOP)
    window.show()
    _shown(window)
    store = window.session.store
    case = store.cases.rows(status=None)[0]
    meetings = store.minutes.meetings(case.id)
    finalised = next(m for m in meetings if m.status == "finalised")
    draft = next(m for m in meetings if m.status != "finalised")

    # -- the pages of the navigation -------------------------------------------------------
    for index, key in enumerate(window._page_keys):
        window.show_page(key)
        settle(window)
        page = window.page(key)
        yield f"page {key}", window
        if key == "directory":
            yield from _tabs("page directory", page.tabs, window)

    # -- a case ---------------------------------------------------------------------------------
    cases = window.page("cases")
    window.show_page("cases")
    cases.list_page.new_case.emit()
    settle(window)
    yield "new case form", window
    cases.editor._dirty = False
    cases.editor.cancelled.emit()
    cases.edit_case(case.id)
    settle(window)
    yield "case form", window
    from mappa_desktop.ui.case_editor import SonrDialog
    from mappa_desktop.dates import from_iso

    sonr = SonrDialog(from_iso("2019-11-05"), cases.editor)
    sonr.open()
    DIALOG_CLASSES.add("SonrDialog")
    yield "SONR proposal", _dialog(sonr)
    _close(sonr)
    cases.editor._dirty = False
    cases.open_case(case.id)
    settle(window)
    overview = cases.overview
    yield from _tabs("case", overview.tabs, window)
    tab = overview.reviews_tab
    overview.tabs.setCurrentWidget(tab)
    review_id = store.scr.of_case(case.id)[0].id
    editor = tab.open_review(review_id)
    settle(window)
    yield from _tabs("case, review", editor.tabs, window)
    for opener, name in ((tab.report_incident, "IncidentDialog"), (editor.print_review, "PrintDialog"),
                         (overview.print_case, "PrintDialog"), (overview.export_case, "ExportCaseDialog")):
        dialog = _dialog(opener())
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"dialog {type(dialog).__name__} from the case ({opener.__name__})", dialog
        _close(dialog)
    overview.tabs.setCurrentWidget(overview.audit_tab)
    settle(window)
    audit_tab = overview.audit_tab
    for row in range(audit_tab.table.rowCount()):
        audit_tab.table.selectRow(row)
        dialog = _dialog(audit_tab.open_audit())
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"meeting audit {row + 1}", dialog
        _close(dialog)
    overview.tabs.setCurrentIndex(0)
    settle(window)
    for opener in (overview.edit_conditions, overview.exit_box.record_exit):
        dialog = _dialog(opener())
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"dialog {type(dialog).__name__} from the case ({opener.__name__})", dialog
        _close(dialog)
    cases.new_meeting(case.id)
    dialog = _dialog(cases.new_meeting_dialog)
    DIALOG_CLASSES.add(type(dialog).__name__)
    yield "new meeting", dialog
    _close(dialog)

    # -- the minute being taken -----------------------------------------------------------------
    cases.open_meeting(draft.id)
    settle(window)
    minute = cases.minute_editor
    yield "minute opened", window
    for section in spec.SECTIONS:
        minute.go_to(section.key)
        settle(window)
        yield f"minute section {section.key}", window
    for opener in (minute.go_to_dialog, minute.capture_action, minute.show_check, minute.issue_draft,
                   minute.start_finalise, minute.print_minute):
        opened = opener()
        dialog = _dialog(opened if opened is not None else window.findChildren(QDialog)[-1])
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"minute dialog {type(dialog).__name__}", dialog
        _close(dialog)
    actions_page = minute.ensure_page("actions")
    minute.go_to("actions")
    first_action = next(iter(actions_page.panel.rows))
    actions_page._withdraw(first_action)
    dialog = _dialog(actions_page.reason_dialog)
    yield "withdraw an action (reason)", dialog
    _close(dialog)

    # -- a finalised minute and its addenda -------------------------------------------------------
    cases.open_meeting(finalised.id)
    settle(window)
    minute = cases.minute_editor
    yield "finalised minute", window
    dialog = _dialog(minute.show_addenda())
    DIALOG_CLASSES.add(type(dialog).__name__)
    yield "addenda", dialog
    _close(dialog)

    # -- the register's dialogs ---------------------------------------------------------------------
    window.show_page("register")
    register = window.page("register")
    settle(window)
    register.table.selectRow(0)
    for opener in (register.mark_done, register.carry_forward, register.reassign, register.print_register):
        dialog = _dialog(opener())
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"register dialog {type(dialog).__name__} ({opener.__name__})", dialog
        _close(dialog)
    register.withdraw()
    dialog = _dialog(register.reason_dialog)
    yield "register: withdraw (reason)", dialog
    _close(dialog)

    # -- the audit log's disclosure question (opened with exec() by the page) -----------------------
    from mappa_desktop.ui.audit_page import DisclosureDialog

    dialog = DisclosureDialog("Exporting the audit log", window.page("audit"))
    dialog.open()
    DIALOG_CLASSES.add("DisclosureDialog")
    yield "audit log disclosure", _dialog(dialog)
    _close(dialog)

    # -- the File menu ----------------------------------------------------------------------------------
    for opener in (window.show_backups, window.import_case, window.change_passphrase):
        dialog = _dialog(opener())
        DIALOG_CLASSES.add(type(dialog).__name__)
        yield f"file menu {type(dialog).__name__}", dialog
        _close(dialog)

    if gate:
        window.hide()  # locked: the application shows the gate instead of the window
        yield from gate_tour(window.session.store.paths)
        window.show()


def gate_tour(paths: DataPaths):
    """The screens shown while locked, and the restore dialog reachable from there."""
    from mappa_desktop.ui.app import GateWindow
    from mappa_desktop.ui.restore_dialog import RestoreDialog
    from mappa_desktop.ui.tasks import TaskRunner

    gate = GateWindow(paths)
    gate.resize(*LAPTOP)
    gate.show()
    try:
        gate.show_first_run()
        yield "first run", _shown(gate)
        gate.show_unlock("")
        yield "unlock", _shown(gate)
        gate.show_closing()
        yield "closing", _shown(gate)
        gate.show_unlock("")
        tasks = TaskRunner()
        try:
            dialog = RestoreDialog(paths, tasks, parent=gate)
            dialog.open()
            DIALOG_CLASSES.add("RestoreDialog")
            yield "restore a backup", _dialog(dialog)
            _close(dialog)
        finally:
            tasks.shutdown()
    finally:
        gate.hide()
        gate.deleteLater()
        settle()


def visible_child_windows(top: QWidget) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not top]

