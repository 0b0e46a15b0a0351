"""The main window: navigation on the left, the current page on the right, a status bar.

It receives the unlocked session and the task runner as arguments (no globals), so every
test builds a fresh one. On lock it is closed and deleted whole: a locked application
keeps no widget that could hold personal data.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .. import APP_NAME, __version__
from ..db.session import Session
from .audit_page import AuditPage
from .changes import watch
from .case_view import CasesArea
from .dashboard import DashboardPage
from .register_view import RegisterPage
from .retention_page import RetentionPage
from .settings_page import SettingsPage
from .users_page import ChangePassphraseDialog, UsersPage
from .directory_page import DirectoryPage
from .style import STYLE_SHEET
from .tasks import TaskRunner
from .widgets import plain_label


class MainWindow(QMainWindow):
    """Navigation frame that each feature fills with a page."""

    lock_requested = Signal()
    quit_requested = Signal()
    restore_requested = Signal(str)

    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None, *, kdf=None):
        super().__init__(parent)
        from ..security import DEFAULT_KDF

        self.session = session
        self.tasks = tasks
        self.kdf = kdf or DEFAULT_KDF
        self._closing_for_lock = False
        self.setWindowTitle(APP_NAME)
        self.setObjectName("mainWindow")
        self.setStyleSheet(STYLE_SHEET)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFixedWidth(250)
        self.pages = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self._page_keys: list[str] = []

        self._build_pages()
        self._build_menus()
        self._build_status_bar()
        self.nav.setCurrentRow(0)
        self.update_counts()

    # -- pages ----------------------------------------------------------------------------

    def add_page(self, key: str, title: str, widget: QWidget, shortcut: str = "") -> None:
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        if shortcut:
            item.setToolTip(f"{title} ({shortcut})")
        self.nav.addItem(item)
        self.pages.addWidget(widget)
        self._page_keys.append(key)
        if shortcut:
            action = QAction(title, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(action)

    def open_case(self, case_id: int) -> None:
        self.show_page("cases")
        self.page("cases").open_case(case_id)

    def open_meeting(self, meeting_id: int) -> None:
        self.show_page("cases")
        self.page("cases").open_meeting(meeting_id)

    def open_found(self, hit, query: str) -> None:
        """Open a search result where it was found, the words highlighted; opening it (not
        the search) is logged as a consultation."""
        store = self.session.store
        record = ("meeting", hit.meeting_id) if hit.meeting_id else ("case", hit.case_id)
        store.audit.record_now("consultation", *record, detail=f"opened from search; section {hit.section}")
        if hit.meeting_id is None:
            self.open_case(hit.case_id)
            overview = self.page("cases").overview
            if overview is not None:
                tab = overview.reviews_tab if hit.section == "review" else overview.register_tab
                overview.tabs.setCurrentWidget(tab)
            return
        self.open_meeting(hit.meeting_id)
        editor = self.page("cases").minute_editor
        if editor is not None:
            editor.show_found(hit.section, hit.field, query, hit.row_id)

    def update_counts(self) -> None:
        """The navigation says how many actions are overdue (in words, not colour alone)."""
        overdue = self.session.store.register.overdue_count(self.session.store.today())
        item = self.nav.item(self._page_keys.index("register"))
        item.setText(f"Action register ({overdue} overdue)" if overdue else "Action register")

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self._page_keys.index(key))

    def current_page(self) -> str:
        row = self.nav.currentRow()
        return self._page_keys[row] if row >= 0 else ""

    def page(self, key: str) -> QWidget:
        return self.pages.widget(self._page_keys.index(key))

    def location(self) -> dict:
        """Where the user is, as ids and keys only (kept across a lock, never personal data)."""
        key = self.current_page()
        inner = getattr(self.page(key), "location", None) if key else None
        return {"page": key, **(inner() if callable(inner) else {})}

    def restore(self, location: dict) -> None:
        key = location.get("page")
        if key not in self._page_keys:
            return
        self.show_page(key)
        restore = getattr(self.page(key), "restore", None)
        if callable(restore):
            restore(location)

    def _build_pages(self) -> None:
        store = self.session.store
        cases = CasesArea(store, self.tasks, kdf=self.kdf)
        dashboard = DashboardPage(store, store.today)
        register = RegisterPage(store, store.today)
        self.add_page("dashboard", "Dashboard", dashboard, "Ctrl+1")
        self.add_page("cases", "Cases", cases, "Ctrl+2")
        self.add_page("register", "Action register", register, "Ctrl+3")
        dashboard.open_case.connect(self.open_case)
        dashboard.open_meeting.connect(self.open_meeting)
        register.open_case.connect(self.open_case)
        # The overdue count follows the record (any change to an action or a case), and the
        # day (checked again whenever the user moves between pages).
        watch(self, store, lambda _c: self.update_counts(), lambda c: c.touches("action", "case"))
        self.nav.currentRowChanged.connect(lambda _r: self.update_counts())
        self.add_page("directory", "Directory", DirectoryPage(self.session.store), "Ctrl+4")
        self.add_page("users", "Users", UsersPage(self.session, self.kdf, tasks=self.tasks), "Ctrl+5")
        self.add_page("audit", "Audit log", AuditPage(store, tasks=self.tasks), "Ctrl+6")
        self.add_page("retention", "Retention", RetentionPage(self.session), "Ctrl+7")
        self.add_page("settings", "Settings", SettingsPage(self.session), "Ctrl+8")
        from .scr_list import ReviewsPage

        reviews = ReviewsPage(store)
        reviews.open_case.connect(self.open_case)
        self.add_page("reviews", "Reviews", reviews, "Ctrl+9")
        from .index_upkeep import SearchIndexUpkeep
        from .search_page import SearchPage

        search = SearchPage(store)
        search.open_hit.connect(self.open_found)
        self.add_page("search", "Find in minutes", search, "Ctrl+0")
        from .oversight_page import OversightPage

        self.add_page("oversight", "Oversight", OversightPage(store, self.tasks), "Ctrl+Shift+O")
        self.search_upkeep = SearchIndexUpkeep(store, self)

    # -- menus and status ---------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_requested)
        file_menu.addAction(self.lock_action)
        import_case = QAction("&Import case…", self)
        import_case.triggered.connect(self.import_case)
        file_menu.addAction(import_case)
        backups = QAction("&Backups…", self)
        backups.triggered.connect(self.show_backups)
        file_menu.addAction(backups)
        change = QAction("&Change my passphrase…", self)
        change.triggered.connect(self.change_passphrase)
        file_menu.addAction(change)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        for index, key in enumerate(self._page_keys):
            action = QAction(self.nav.item(index).text(), self)
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            go_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction(f"&About {APP_NAME}", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        user = self.session.user
        who = f"Signed in as {user.name}" + (f" · {user.agency}" if user.agency else "")
        self.user_label = plain_label(who)
        self.statusBar().addWidget(self.user_label)
        self.save_label = plain_label("")
        self.save_label.setObjectName("saveStatus")
        self.statusBar().addPermanentWidget(self.save_label)

    def show_backups(self):
        from .backup_dialog import BackupDialog

        dialog = BackupDialog(self.session, self.tasks, self)
        dialog.restore_requested.connect(self.restore_requested)
        self.backup_dialog = dialog
        dialog.open()
        return dialog

    def import_case(self):
        """A case bundle from another laptop: preview, differences, then import."""
        from .case_import import ImportCaseDialog

        dialog = ImportCaseDialog(self.session.store, self.tasks, self)
        dialog.imported.connect(self.open_case)
        self.import_dialog = dialog
        dialog.open()
        return dialog

    def change_passphrase(self) -> ChangePassphraseDialog:
        dialog = ChangePassphraseDialog(self.session, self)
        self.passphrase_dialog = dialog
        dialog.open()
        return dialog

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nMinutes, action register and printouts for MAPPA "
            "meetings. Works offline; everything is stored encrypted on this computer.",
        )

    # -- closing ----------------------------------------------------------------------------

    def flush(self) -> bool:
        """Save anything pending (pages with edits have ``flush``). False if something
        could not be saved: the caller must not throw the window away then."""
        ok = True
        for index in range(self.pages.count()):
            flush = getattr(self.pages.widget(index), "flush", None)
            if callable(flush) and flush() is False:
                ok = False
        return ok

    def close_for_lock(self) -> None:
        self._closing_for_lock = True
        self.close()

    def dispose(self) -> None:
        """Close (which saves), stop every timer (none may touch the store after this), delete."""
        self._closing_for_lock = True
        self.close()
        for timer in self.findChildren(QTimer):
            timer.stop()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self.session, "exclusive", False) and not self._closing_for_lock:
            event.ignore()  # a key rotation is running on the worker: it must finish first
            self.statusBar().showMessage("Wait: the store is being re-encrypted under a new key.", 5_000)
            return
        if not self.flush() and not self._closing_for_lock:
            answer = QMessageBox.warning(
                self,
                "Not saved",
                "Some of what you typed could not be saved (see NOT SAVED). If you quit now it "
                "will be lost. Quit anyway?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        event.accept()
        if not self._closing_for_lock:
            self.quit_requested.emit()
