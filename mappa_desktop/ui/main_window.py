"""The main window: navigation on the left, the current page on the right, a status bar.

It receives the unlocked session and the task runner as arguments (no globals), so every
test builds a fresh one. On lock it is closed and deleted whole: a locked application
keeps no widget that could hold personal data.

A page is built the first time it is shown (or asked for through :meth:`page`), so that
unlocking builds only the page the user lands on, whatever the size of the store.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QVBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .. import APP_NAME, __version__
from ..db.session import Session
from .changes import watch
from . import style
from .messages import message_label
from .tasks import TaskRunner
from .widgets import after_first_paint, flush_each, focus_first, plain_label


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
        style.install()

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._compact: bool | None = None  # a narrow rail below RAIL_BELOW pixels of window
        self.pages = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        # A banner over the pages for what must not be missed (a damaged store).
        self.alert = plain_label("")
        self.alert.setObjectName("storeAlert")
        self.alert.setWordWrap(True)
        self.alert.hide()
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.alert)
        right.addWidget(self.pages, 1)
        row.addWidget(self.nav)
        row.addLayout(right, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self._show_row)
        # Enter (or a click) on the navigation opens the page with the keyboard on its first
        # field; moving through the list with the arrows only shows each page.
        self.nav.itemActivated.connect(lambda item: self.show_page(item.data(Qt.ItemDataRole.UserRole)))
        self._page_keys: list[str] = []
        self._makers: dict[str, object] = {}  # pages not built yet: key -> factory

        self._build_pages()
        self._build_menus()
        self._build_status_bar()
        self.nav.setCurrentRow(0)
        self.update_counts()
        after_first_paint(self, self._warm_up)

    # -- pages ----------------------------------------------------------------------------

    #: Below this window width the navigation is a narrow rail of short names.
    RAIL_BELOW = 1500
    _TITLE, _SHORT = Qt.ItemDataRole.UserRole + 1, Qt.ItemDataRole.UserRole + 2

    def add_page(self, key: str, title: str, widget, shortcut: str = "", short: str = "") -> None:
        """A page: a widget, or a function that makes it the first time it is shown.
        ``short`` is its name in the narrow rail (``title`` when not given)."""
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(self._TITLE, title)
        item.setData(self._SHORT, short or title)
        if shortcut:
            item.setToolTip(f"{title} ({shortcut})")
        self.nav.addItem(item)
        if isinstance(widget, QWidget):
            self.pages.addWidget(widget)
        else:
            self._makers[key] = widget
            self.pages.addWidget(QWidget())  # stands in until the page is first shown
        self._page_keys.append(key)
        if shortcut:
            action = QAction(title, self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(action)

    def open_case(self, case_id: int) -> bool:
        self.show_page("cases")
        return self.page("cases").open_case(case_id)

    def open_meeting(self, meeting_id: int) -> bool:
        self.show_page("cases")
        return self.page("cases").open_meeting(meeting_id)

    def open_found(self, hit, query: str) -> None:
        """Open a search result where it was found, the words highlighted; opening it (not
        the search) is logged as a consultation."""
        store = self.session.store
        record = ("meeting", hit.meeting_id) if hit.meeting_id else ("case", hit.case_id)
        if hit.meeting_id is None:
            if not self.open_case(hit.case_id):
                return  # the view on screen says NOT SAVED and stays
            store.audit.record_now("consultation", *record, detail=f"opened from search; section {hit.section}")
            overview = self.page("cases").overview
            if overview is not None:
                tab = overview.reviews_tab if hit.section == "review" else overview.register_tab
                overview.tabs.setCurrentWidget(tab)
            return
        if not self.open_meeting(hit.meeting_id):
            return
        store.audit.record_now("consultation", *record, detail=f"opened from search; section {hit.section}")
        editor = self.page("cases").minute_editor
        if editor is not None:
            editor.show_found(hit.section, hit.field, query, hit.row_id)

    def update_counts(self) -> None:
        """The navigation says how many actions are overdue (in words, not colour alone)."""
        self._counted_on = self.session.store.today()
        self._overdue = self.session.store.register.overdue_count(self._counted_on)
        self._name_items()

    def _new_day(self) -> None:
        """Moving between pages: counted again only when the day has changed since (the
        record's own changes recount through ``watch``)."""
        if self.session.store.today() != getattr(self, "_counted_on", None):
            self.update_counts()

    def _name_items(self) -> None:
        """Each item's words: full titles, or the rail's short names in a narrow window."""
        role = self._SHORT if self._compact else self._TITLE
        overdue = getattr(self, "_overdue", 0)
        for index in range(self.nav.count()):
            item = self.nav.item(index)
            text = item.data(role)
            if item.data(Qt.ItemDataRole.UserRole) == "register" and overdue:
                text += f"\n({overdue} overdue)" if self._compact else f" ({overdue} overdue)"
            item.setText(text)
        self.nav.setFixedWidth(max(96, min(250, self.nav.sizeHintForColumn(0) + 34)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        compact = self.width() < self.RAIL_BELOW
        if compact != self._compact:
            self._compact = compact
            self._name_items()

    def show_page(self, key: str) -> None:
        """Go to a page (a shortcut, Enter on the navigation) with the keyboard on its first
        useful field."""
        self.nav.setCurrentRow(self._page_keys.index(key))
        focus_first(self.page(key))

    def _show_row(self, row: int) -> None:
        if self.pages.currentIndex() != row:
            flush_each([self.pages.currentWidget()])  # the page left saves now (its own line says if it could not)
        if 0 <= row < len(self._page_keys):
            self.page(self._page_keys[row])  # built now if it is the first visit
        self.pages.setCurrentIndex(row)

    def current_page(self) -> str:
        row = self.nav.currentRow()
        return self._page_keys[row] if row >= 0 else ""

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built if it has not been yet."""
        index = self._page_keys.index(key)
        make = self._makers.pop(key, None)
        if make is not None:
            placeholder = self.pages.widget(index)
            widget = make()
            current = self.pages.currentIndex()
            self.pages.insertWidget(index, widget)
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            if current == index:
                self.pages.setCurrentIndex(index)
        return self.pages.widget(index)

    @staticmethod
    def _warm_up() -> None:
        """Load the code of the case and minute screens while the person reads the first
        page (some 70 ms, once), so that opening the first case does not wait for it."""
        from . import case_view, chronology_view, minute_editor, scr_view  # noqa: F401

    def built_pages(self) -> list[QWidget]:
        """The pages built so far (the others hold nothing to save)."""
        return [self.pages.widget(i) for i, key in enumerate(self._page_keys) if key not in self._makers]

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
        from .index_upkeep import SearchIndexUpkeep
        from .pages import PAGES

        for page in PAGES:
            self.add_page(page.key, page.title, lambda p=page: p.make(self), page.shortcut, page.short)
        store = self.session.store
        # The overdue count follows the record (any change to an action or a case), and the
        # day (checked again whenever the user moves between pages).
        watch(self, store, lambda _c: self.update_counts(), lambda c: c.touches("action", "case"))
        self.nav.currentRowChanged.connect(lambda _r: self._new_day())
        session = self.session  # not the window: the upkeep must not keep it alive
        self.search_upkeep = SearchIndexUpkeep(store, self, busy=lambda: bool(getattr(session, "exclusive", False)))

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
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # the same on every platform (Windows has no standard one)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        for index, key in enumerate(self._page_keys):
            action = QAction(self.nav.item(index).data(self._TITLE), self)
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
        self.health_label = message_label()
        self.health_label.setWordWrap(False)
        self.health_label.progress("Checking the store…")
        self.health_label.setToolTip("The full integrity check of the store runs after every unlock.")
        self.statusBar().addPermanentWidget(self.health_label)

    # -- the store's integrity check (run by the controller after unlock) ----------------------

    def show_store_checked(self) -> None:
        from datetime import datetime

        self.health_label.success(f"Store checked {datetime.now().strftime('%H:%M')}: sound")

    def show_store_damaged(self, reason: str) -> None:
        """Said where it cannot be missed: the banner over every page, and the status bar."""
        self.health_label.error("STORE DAMAGED: nothing more is saved")
        self.alert.setText(
            f"The integrity check after unlocking found that {reason}. To keep it as evidence, "
            "nothing more will be written to it: what you type now is NOT SAVED. Restore the "
            "newest backup (File > Backups) or ask IT support to run 'mappa-desktop check'.")
        self.alert.show()

    def show_store_unchecked(self, reason: str) -> None:
        self.health_label.warning(f"Store not checked: {reason}")

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

    def change_passphrase(self):
        from .users_page import ChangePassphraseDialog

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
        return flush_each([*self.built_pages(), *self.open_dialogs()])

    def open_dialogs(self) -> list:
        """The small windows open over this one (an action being added, an outcome...)."""
        from PySide6.QtWidgets import QDialog

        return [dialog for dialog in self.findChildren(QDialog) if dialog.isVisible()]

    def kept_titles(self) -> list[str]:
        """The titles of the open windows holding words kept for later (asked at a lock)."""
        return [t for d in self.open_dialogs() if callable(getattr(d, "kept_title", None)) and (t := d.kept_title())]

    def say_kept_windows(self, titles: list[str]) -> None:
        """After unlocking: the windows that were open with words typed in them."""
        if titles:
            self.statusBar().showMessage(
                f"Words typed before the lock were kept in: {'; '.join(titles)}. Open the same window again to "
                "carry on (Cancel there discards them).")

    def close_for_lock(self) -> None:
        self._closing_for_lock = True
        self.close()

    def dispose(self) -> None:
        """Close (which saves), stop every timer (none may touch the store after this), delete."""
        self._closing_for_lock = True
        self.close()
        self._makers.clear()  # the factories hold the window: no cycle left to outlive it
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
        for dialog in self.open_dialogs():  # closed with the window: their kept words stay
            release = getattr(dialog, "release_for_lock", None)
            if callable(release):
                release()
        if not self._closing_for_lock:
            self.quit_requested.emit()
