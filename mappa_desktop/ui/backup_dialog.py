"""Backups: back up now, see what each copy holds, restore one (the current store is kept
aside, never deleted). Copies are made and checked on the worker thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..dates import UK
from ..settings import backups_folder
from .widgets import plain_label


NOUNS = {"cases": "cases", "meetings": "meetings", "actions": "actions", "audit_log": "audit entries",
         "users": "users"}


def _counts(counts: dict) -> str:
    return ", ".join(f"{n} {NOUNS.get(table, table)}" for table, n in counts.items())


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n / 1024:.0f} KB"


class BackupDialog(QDialog):
    restore_requested = Signal(str)  # the path of the backup

    def __init__(self, session, tasks, parent=None):
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.setWindowTitle("Backups")
        intro = plain_label(
            "Backups are encrypted copies of the whole store, made daily and when the app "
            "closes. They open only with a passphrase of this store. Restoring puts a copy in "
            "place of the current store, which is kept aside, not deleted.")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Made (UK time)", "Why", "Size"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Backups")
        self.details = plain_label("Select a backup and press Check to see what it holds.")
        self.details.setWordWrap(True)
        self.message = plain_label("")
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        # A backup by hand: its progress, and a way to stop it (nothing is left behind).
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Backup progress")
        self.cancel_button = QPushButton("Stop the backup")
        self.cancel_button.clicked.connect(self.cancel_backup)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        self._job = None
        self.backup_button = QPushButton("Back up &now")
        self.check_button = QPushButton("&Check")
        self.restore_button = QPushButton("&Restore this backup…")
        self.restore_button.setEnabled(session.user.is_admin)
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.check_button, self.restore_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.message)
        layout.addWidget(self.progress_box)
        layout.addLayout(buttons)
        self.backup_button.clicked.connect(self.back_up_now)
        self.check_button.clicked.connect(self.check_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        close.clicked.connect(self.accept)
        self.inspected = None
        self.refresh()
        self.resize(640, 460)

    def refresh(self) -> None:
        from ..db.backup import list_backups

        self.backups = list_backups(backups_folder(self.session.store))
        self.table.setRowCount(len(self.backups))
        reasons = {"daily": "Daily", "on-close": "On closing", "manual": "By hand"}
        for row, info in enumerate(self.backups):
            reason = reasons.get(info.reason, "Before an upgrade" if info.reason.startswith("before-migration") else info.reason)
            for column, text in enumerate((info.created.astimezone(UK).strftime("%d/%m/%Y %H:%M"), reason, _size(info.size))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if self.backups:
            self.table.selectRow(0)

    def _selected(self):
        row = self.table.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def back_up_now(self) -> None:
        from ..db.backup import backup_store

        store = self.session.store
        path, key, folder, keep = store.paths.store, bytes(store.key), backups_folder(store), store.settings.get("backup_keep")
        self.message.setText("Backing up…")
        self.backup_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress_box.show()
        self._job = self.tasks.run(lambda: backup_store(path, key, folder, reason="manual", keep=keep),
                                   self._backed_up, self._failed, progress=self._progress, owner=self)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)
        self.message.setText(f"{text}…")

    def cancel_backup(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def done(self, result: int) -> None:  # closed: a backup by hand stops with it
        self.cancel_backup()
        super().done(result)

    def _finished_backup(self) -> None:
        self._job = None
        self.progress_box.hide()
        self.backup_button.setEnabled(True)

    def _backed_up(self, info) -> None:
        self._finished_backup()
        self.message.setText(f"Backed up and checked: {_counts(info.counts)}.")
        self.refresh()

    def _failed(self, exc) -> None:
        from ..jobs import Cancelled

        self._finished_backup()
        if isinstance(exc, Cancelled):
            self.message.setText("Backup stopped: nothing was written.")
            return
        self.message.setText(f"NOT BACKED UP: {getattr(exc, 'reason', 'an unexpected error')}.")

    def check_selected(self) -> None:
        from ..db.backup import inspect

        info = self._selected()
        if info is None:
            return
        key = bytes(self.session.store.key)
        self.details.setText("Checking…")
        self.tasks.run(lambda: inspect(info.path, key), self._checked, self._failed)

    def _checked(self, info) -> None:
        self.inspected = info
        state = "passes its integrity check" if info.integrity == "ok" else "is DAMAGED"
        self.details.setText(f"This backup {state} and holds {_counts(info.counts)}.")

    def restore_selected(self) -> None:
        info = self._selected()
        if info is None or not self.session.user.is_admin:
            return
        if self.inspected is None or self.inspected.path != info.path:
            self.message.setText("Check the backup first, to see what it holds.")
            return
        answer = QMessageBox.question(
            self, "Restore this backup?",
            f"{self.details.text()}\n\nThe app will lock, put this copy in place of the current "
            "store (which is kept aside), and ask for your passphrase again.")
        if answer == QMessageBox.StandardButton.Yes:
            self.accept()
            self.restore_requested.emit(str(info.path))
