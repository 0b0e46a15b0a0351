"""Export a case as an encrypted case bundle for another laptop.

The transfer passphrase is made here (six words, editable; a typed one must pass the same
strength rule as a user's passphrase), shown once when the bundle is written, and never
stored. The export runs on the worker through a connection of its own and is logged as a
disclosure with the recipient and the purpose.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..security import DEFAULT_KDF
from .messages import message_label
from .widgets import form_row, plain_label

log = logging.getLogger(__name__)


class ExportCaseDialog(QDialog):
    """Recipient, purpose, transfer passphrase and file; then Export."""

    exported = Signal(str)

    def __init__(self, store, tasks, case, parent=None, *, kdf=DEFAULT_KDF):
        super().__init__(parent)
        from ..transfer.exchange import new_transfer_passphrase, suggested_file_name

        self.store, self.tasks, self.case, self.kdf = store, tasks, case, kdf
        self.setWindowTitle(f"Export case {case.reference}")
        intro = plain_label(
            "The bundle holds the whole case: the record, every meeting and minute (finalised ones with "
            "their fingerprints and addenda), the action register with its history, reviews and the "
            "case's audit entries. It is encrypted with the transfer passphrase below. Give the "
            "passphrase to the recipient by another channel (read it out by telephone), never with "
            "the file. Exporting is a disclosure: it is logged with the recipient and the purpose.")
        intro.setWordWrap(True)
        self.recipient, self.purpose = QLineEdit(), QLineEdit()
        self.passphrase = QLineEdit(new_transfer_passphrase())
        self.passphrase.setMinimumWidth(380)
        self.new_words = QPushButton("New &words")
        self.new_words.clicked.connect(lambda: self.passphrase.setText(new_transfer_passphrase()))
        self.strength = plain_label("")
        self.strength.setObjectName("muted")
        self.passphrase.textChanged.connect(self._show_strength)
        for edit in (self.recipient, self.purpose, self.passphrase):
            edit.textEdited.connect(lambda _text: self.message.setText(""))
        words = QHBoxLayout()
        words.setContentsMargins(0, 0, 0, 0)
        words.addWidget(self.passphrase, 1)
        words.addWidget(self.new_words)
        words_box = QWidget()
        words_box.setLayout(words)
        self.path = QLineEdit(str(_documents() / suggested_file_name(case.reference, store.today())))
        choose = QPushButton("C&hoose…")
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        where_box = QWidget()
        where_box.setLayout(where)
        form = QFormLayout()
        form_row(form, "&Recipient", self.recipient)
        form_row(form, "&Purpose", self.purpose)
        form_row(form, "&Transfer passphrase", words_box, "Transfer passphrase")
        self.passphrase.setAccessibleName("Transfer passphrase")
        form.addRow("", self.strength)
        form_row(form, "&Save as", where_box, "Bundle file")
        self.path.setAccessibleName("Bundle file")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.message = message_label()
        self.shown_once = plain_label("")
        self.shown_once.setObjectName("transferPassphrase")
        self.shown_once.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shown_once.setStyleSheet("font-size: 16pt; font-weight: bold; padding: 8px; background: #fff8e6;")
        self.shown_once.hide()
        self.export_button = QPushButton("&Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(lambda: self.export())
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.shown_once)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._show_strength()
        self.resize(760, 420)

    def _show_strength(self) -> None:
        from ..transfer.exchange import transfer_passphrase_strength

        strength = transfer_passphrase_strength(self.passphrase.text())
        self.strength.setText(f"{strength.label}. {strength.hint}")

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the case bundle", self.path.text(),
                                              "MAPPA case bundles (*.mappa-case)")
        if path:
            self.path.setText(path)

    def export(self, path: str | None = None) -> None:
        """Write the bundle on the worker; say where it went and show the passphrase once."""
        from ..db.bundles import worker_store
        from ..transfer.exchange import export_case

        if path is not None:
            self.path.setText(path)
        target = Path(self.path.text().strip()).expanduser()
        recipient, purpose, passphrase = self.recipient.text(), self.purpose.text(), self.passphrase.text()
        store, case_id, kdf = self.store, self.case.id, self.kdf

        def work():
            sibling = worker_store(store)
            try:
                return export_case(store=sibling, case_id=case_id, path=target, passphrase=passphrase,
                                   recipient=recipient, purpose=purpose, kdf=kdf)
            finally:
                sibling.close()

        self._set_busy(True)
        self.message.setText("")
        self.tasks.run(work, lambda result: self._done(result, passphrase), self._failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.export_button.setEnabled(not busy)

    def _done(self, result, passphrase: str) -> None:
        self._set_busy(False)
        self.export_button.setEnabled(False)  # one bundle per passphrase: open the dialog again for another
        self.passphrase.blockSignals(True)
        self.passphrase.clear()
        self.passphrase.blockSignals(False)
        self.passphrase.setEnabled(False)
        self.new_words.setEnabled(False)
        self.strength.setText("Shown below, once.")
        self.message.success(f"Exported to {result.path} ({result.size:,} bytes; export {result.sequence} of this "
                             "case). Write the transfer passphrase down now: it is shown only this once.")
        self.shown_once.setText(passphrase)
        self.shown_once.show()
        self.exported.emit(str(result.path))

    def _failed(self, exc: BaseException) -> None:
        from ..db.errors import StoreError, os_reason
        from ..transfer.container import BundleError
        from ..transfer.exchange import ExportRefused

        self._set_busy(False)
        if isinstance(exc, ExportRefused):
            self.message.setText(exc.reason)
            target = {"recipient": self.recipient, "purpose": self.purpose, "passphrase": self.passphrase}
            if exc.field in target:
                target[exc.field].setFocus()
        elif isinstance(exc, (BundleError, StoreError)):
            self.message.setText(f"NOT EXPORTED: {exc.reason}")
        elif isinstance(exc, OSError):
            self.message.setText(f"NOT EXPORTED: the bundle could not be written: {os_reason(exc)}. "
                                 "Nothing was left half-written.")
        else:
            log.error("case export failed: %s", type(exc).__name__)
            self.message.setText("NOT EXPORTED: something went wrong; please tell IT support.")

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.shown_once.clear()
        self.passphrase.clear()
        super().done(result)


def _documents() -> Path:
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()
