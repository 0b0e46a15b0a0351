"""Backups: back up now, see what each copy holds, restore one (the current store is kept
aside, never deleted). Copies are made and checked on the worker thread.

After access was taken away (a user disabled, a passphrase re-issued) the database key
changed; copies made before still open with the slots of their time, old passphrases
included. The page says which, and offers to re-encrypt them under the current key and
slots, or to delete them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
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
from ..words import plural
from .messages import message_label
from .widgets import fit_columns, plain_label


NOUNS = {"cases": ("case", None), "meetings": ("meeting", None), "actions": ("action", None),
         "audit_log": ("audit entry", "audit entries"), "users": ("user", None)}


def _counts(counts: dict) -> str:
    return ", ".join(plural(n, *NOUNS.get(table, (table, table))) for table, n in counts.items())


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
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Made (UK time)", "Why", "Size", "Opens with"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table, stretch=(3,), widest=300)
        self.table.setAccessibleName("Backups")
        self.details = message_label()
        self.details.progress("Select a backup and press Check to see what it holds.")
        self.message = message_label("")
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
        self.reencrypt_button = QPushButton("Re-&encrypt under the current key")
        self.delete_button = QPushButton("&Delete…")
        self.older_note = message_label("")
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.check_button, self.restore_button, self.reencrypt_button,
                       self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.older_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.message)
        layout.addWidget(self.progress_box)
        layout.addLayout(buttons)
        self.backup_button.clicked.connect(self.back_up_now)
        self.check_button.clicked.connect(self.check_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        self.reencrypt_button.clicked.connect(self.reencrypt_selected)
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        close.clicked.connect(self.accept)
        self.inspected = None
        self.refresh()
        self.resize(820, 480)

    def refresh(self) -> None:
        from ..db.backup import list_backups
        from ..db.restore import CURRENT, OLDER, key_status
        from ..db.rotation import retired_keys
        from .restore_dialog import reason_text

        store = self.session.store
        self.backups = list_backups(backups_folder(store))
        retired = retired_keys(store)
        self.status = {b.path: key_status(b, store.key, retired) for b in self.backups}
        words = {CURRENT: "Current passphrases", OLDER: "Older key: passphrases of its time"}
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            cells = (info.created.astimezone(UK).strftime("%d/%m/%Y %H:%M"), reason_text(info.reason),
                     _size(info.size), words.get(self.status[info.path], "A key this store does not hold"))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        older = sum(1 for v in self.status.values() if v == OLDER)
        self.older_note.warning(
            f"{plural(older, 'backup')} {'was' if older == 1 else 'were'} made before access was last taken away. "
            "They still open with the "
            "passphrases of that time, including those of users removed since. Re-encrypt them under the "
            "current key (only current passphrases will open them), or delete them." if older else "")
        self.older_note.setVisible(bool(older))
        if self.backups:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        from ..db.restore import OLDER

        info = self._selected()
        admin = self.session.user.is_admin
        self.reencrypt_button.setEnabled(admin and info is not None and self.status.get(info.path) == OLDER)
        self.delete_button.setEnabled(admin and info is not None)

    def reencrypt_selected(self) -> None:
        from ..db.restore import reencrypt
        from ..db.rotation import retired_keys

        info = self._selected()
        if info is None or not self.reencrypt_button.isEnabled():
            return
        store = self.session.store
        key, retired, keys = bytes(store.key), retired_keys(store), store.paths.keyfile
        signer, user_id = store.signer, store.acting_user_id()
        self.message.progress("Re-encrypting…")
        self.reencrypt_button.setEnabled(False)
        self.tasks.run(lambda: reencrypt(info, current_key=key, retired=retired, keyfile_path=keys,
                                         signer=signer, user_id=user_id),
                       lambda fresh: self._reencrypted(fresh), self._failed)

    def _reencrypted(self, info) -> None:
        self.session.store.audit.record_now("alteration", "backup", None,
                                            detail=f"backup {info.path.name} re-encrypted under the current key")
        self.message.success("Re-encrypted: only the current passphrases open it now.")
        self.refresh()

    def delete_selected(self, confirm: bool = True) -> bool:
        from ..db.backup import delete_backup

        info = self._selected()
        if info is None or not self.delete_button.isEnabled():
            return False
        if confirm and QMessageBox.question(
                self, "Delete this backup?",
                "The backup and its manifest are deleted from this computer. This cannot be undone."
        ) != QMessageBox.StandardButton.Yes:
            return False
        from ..db.errors import StoreError, storage_errors

        try:
            with storage_errors():
                delete_backup(info.path)
        except StoreError as exc:
            self.message.setText(f"NOT DELETED: {exc.reason}.")
            return False
        self.session.store.audit.record_now("erasure", "backup", None, detail=f"backup {info.path.name} deleted")
        self.message.success("Deleted.")
        self.refresh()
        return True

    def _selected(self):
        row = self.table.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None

    def back_up_now(self) -> None:
        from ..db.backup import backup_store

        store = self.session.store
        path, key, folder, keep = store.paths.store, bytes(store.key), backups_folder(store), store.settings.get("backup_keep")
        self.message.progress("Backing up…")
        self.backup_button.setEnabled(False)
        signer, user_id = store.signer, store.acting_user_id()
        self.progress.setRange(0, 0)
        self.progress_box.show()
        self._job = self.tasks.run(lambda: backup_store(path, key, folder, reason="manual", keep=keep, signer=signer,
                                                        user_id=user_id),
                                   self._backed_up, self._failed, progress=self._progress, owner=self)

    def _progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)
        self.message.progress(f"{text}…")

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
        self._update_buttons()

    def _backed_up(self, info) -> None:
        self._finished_backup()
        self.message.success(f"Backed up and checked: {_counts(info.counts)}.")
        self.refresh()

    def _failed(self, exc) -> None:
        from ..jobs import Cancelled

        self._finished_backup()
        if isinstance(exc, Cancelled):
            self.message.warning("Backup stopped: nothing was written.")
            return
        self.message.setText(f"NOT BACKED UP: {getattr(exc, 'reason', 'an unexpected error')}.")

    def check_selected(self) -> None:
        from ..db.backup import inspect

        info = self._selected()
        if info is None:
            return
        from ..db.backup import opens_with
        from ..db.restore import UNKNOWN
        from ..db.rotation import retired_keys

        self.inspected = None
        self.message.clear()
        if self.status.get(info.path) == UNKNOWN:
            self.details.warning("No key this store holds opens this backup (another store made it, or a key this "
                                 "store no longer keeps). It can still be restored with the passphrase of its time "
                                 "(Restore a backup… on the unlock screen).")
            return
        keys = [bytes(self.session.store.key), *retired_keys(self.session.store).values()]  # an older backup: its key
        self.details.progress("Checking…")
        self.tasks.run(lambda: inspect(info.path, next((k for k in keys if opens_with(info.path, k)), keys[0])),
                       self._checked, self._check_failed)

    def _checked(self, info) -> None:
        self.inspected = info
        if info.integrity != "ok":
            self.details.error(f"This backup is DAMAGED (its integrity check fails): do not restore it. It holds "
                               f"{_counts(info.counts)}. Leave the file as it is and check another backup.")
            return
        self.details.success(f"This backup passes its integrity check and holds {_counts(info.counts)}.")

    def _check_failed(self, exc) -> None:
        """The check could not read the backup: say so where the check's answer goes."""
        from ..jobs import Cancelled

        if isinstance(exc, Cancelled):
            self.details.warning("The check was stopped.")
            return
        self.details.error(f"This backup cannot be checked: {getattr(exc, 'reason', 'an unexpected error')}. "
                           "Do not restore it; leave the file as it is and check another backup.")

    def restore_selected(self) -> None:
        info = self._selected()
        if info is None or not self.session.user.is_admin:
            return
        if self.inspected is None or self.inspected.path != info.path:
            self.message.warning("Check the backup first, to see what it holds.")
            return
        if self.inspected.integrity != "ok":
            self.message.error("This backup is damaged: it cannot be restored. Check another backup.")
            return
        answer = QMessageBox.question(
            self, "Restore this backup?",
            f"{self.details.text()}\n\nThe app will lock and ask for the passphrase that opens this copy "
            "(the one you had when it was made); then it puts the copy in place of the current store, "
            "which is kept aside.")
        if answer == QMessageBox.StandardButton.Yes:
            self.accept()
            self.restore_requested.emit(str(info.path))
