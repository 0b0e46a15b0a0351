"""Restore a backup without an open store: from the unlock screen (a damaged store is
refused there) and from the Backups page (which locks first). Whoever can unlock the
backup's slot may restore it; the store as it is now is kept aside, never deleted. The
work runs on the worker thread; no case data is shown (only dates and counts of entries)."""

from __future__ import annotations

import math

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..dates import UK
from .messages import message_label
from .widgets import fit_columns, form_row, plain_label

REASONS = {"daily": "Daily", "on-close": "On closing", "manual": "By hand"}


def reason_text(reason: str) -> str:
    return REASONS.get(reason, "Before an upgrade" if reason.startswith("before-migration") else reason)


class RestoreDialog(QDialog):
    """Choose a backup, say who you are, restore. Emits ``restored`` with the new session."""

    restored = Signal(object)

    def __init__(self, paths, tasks, *, name: str = "", preselect: str | None = None, parent=None):
        from ..db.backup import list_backups, read_manifest

        super().__init__(parent)
        self.paths, self.tasks = paths, tasks
        self.setWindowTitle("Restore a backup")
        intro = plain_label(
            "Put a backup in place of the store. The store as it is now is kept aside in the data "
            "folder, renamed, never deleted. A backup opens with the passphrases users had when it "
            "was made, and brings back the users and key slots of that time: after restoring, "
            "disable again anyone whose access was removed since.")
        intro.setWordWrap(True)
        self.backups = list_backups(paths.backups) if paths.backups.is_dir() else []
        self.table = QTableWidget(len(self.backups), 4)
        self.table.setHorizontalHeaderLabels(["Made (UK time)", "Why", "Size", "Audit log"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table, stretch=(3,), widest=300)
        self.table.setAccessibleName("Backups")
        for row, info in enumerate(self.backups):
            anchor = (read_manifest(info.path) or {}).get("audit_anchor", "")
            entries = anchor.split(":")[1] if anchor.count(":") >= 2 else ""
            cells = (info.created.astimezone(UK).strftime("%d/%m/%Y %H:%M"), reason_text(info.reason),
                     f"{info.size / 1_048_576:.1f} MB", f"up to entry {entries}" if entries else "")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        chosen = next((i for i, b in enumerate(self.backups) if str(b.path) == preselect), 0)
        if self.backups:
            self.table.selectRow(chosen)
        self.name, self.passphrase = QLineEdit(name), QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form_row(form, "&Name", self.name, "Name")
        form_row(form, "&Passphrase", self.passphrase, "Passphrase")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.message = message_label("" if self.backups else f"There are no backups in {paths.backups}.")
        self.restore_button = QPushButton("&Restore")
        self.restore_button.setEnabled(bool(self.backups))
        self.other_button = QPushButton("&Other file…")  # a backup kept elsewhere (a chosen folder, a disk)
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.restore_button.clicked.connect(self.submit)
        self.other_button.clicked.connect(lambda: self.add_file())
        self.passphrase.returnPressed.connect(self.submit)
        cancel.clicked.connect(self.reject)
        (self.passphrase if name else self.name).setFocus()
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(lambda: self.restore_button.setEnabled(True))
        self.resize(720, 520)

    def add_file(self, path: str | None = None) -> None:
        """Add a backup file from anywhere to the list, and select it."""
        from datetime import datetime, timezone
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        from ..db.backup import BackupInfo, list_backups

        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "A backup of this store", "", "Backups (store-*.db);;All files (*)")
            if not path:
                return
        chosen = Path(path)
        info = next((b for b in list_backups(chosen.parent) if b.path == chosen), None) or BackupInfo(
            chosen, datetime.fromtimestamp(chosen.stat().st_mtime, timezone.utc), "", chosen.stat().st_size)
        self.backups.append(info)
        row = self.table.rowCount()
        self.table.setRowCount(row + 1)
        for column, text in enumerate((info.created.astimezone(UK).strftime("%d/%m/%Y %H:%M"),
                                       reason_text(info.reason) or chosen.name, f"{info.size / 1_048_576:.1f} MB", "")):
            self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.selectRow(row)
        self.restore_button.setEnabled(True)
        self.message.setText("")

    def selected(self):
        row = self.table.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def submit(self) -> None:
        from datetime import datetime, timezone

        from ..db.restore import restore_backup
        from ..security import FailedUnlocks

        info, name, passphrase = self.selected(), self.name.text().strip(), self.passphrase.text()
        if info is None or not self.restore_button.isEnabled():
            return
        if not name or not passphrase:
            self.message.setText("Enter the name and passphrase that open this backup.")
            return
        wait = FailedUnlocks(self.paths.root).wait_seconds()
        if wait > 0:
            return self._hold(wait)
        paths, path = self.paths, info.path
        self._set_busy(True)
        self.message.progress("Checking the backup and restoring it…")
        self.tasks.run(lambda: restore_backup(paths, path, name=name, passphrase=passphrase,
                                              now=datetime.now(timezone.utc)),
                       self._done, self._failed)

    def _hold(self, seconds: float) -> None:
        self.restore_button.setEnabled(False)
        self.message.setText(f"Too many wrong passphrases. Try again in {math.ceil(seconds)} s.")
        self._wait.start(int(seconds * 1000) + 50)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.restore_button.setEnabled(not busy)
        for edit in (self.name, self.passphrase):
            edit.setReadOnly(busy)

    def _done(self, session) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.accept()
        self.restored.emit(session)

    def _failed(self, exc: BaseException) -> None:
        from ..db.errors import StoreError
        from ..security import FailedUnlocks, KeyFileError, WrongPassphrase

        self._set_busy(False)
        self.passphrase.clear()
        if isinstance(exc, WrongPassphrase):
            counter = FailedUnlocks(self.paths.root)
            counter.failed()
            self.message.setText("That name and passphrase open neither this backup's slots nor the current "
                                 "ones. Nothing was changed.")
            if counter.wait_seconds() > 0:
                self._hold(counter.wait_seconds())
            return
        if isinstance(exc, (StoreError, KeyFileError)):
            prefix = "" if "put in place" in exc.reason else "NOT RESTORED: "
            self.message.setText(f"{prefix}{exc.reason}.")
            return
        self.message.setText("The backup could not be restored. A report was saved.")
        raise exc
