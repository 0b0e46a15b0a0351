"""Retention review: cases no longer managed (archived, or left MAPPA) past the retention
period, and their erasure (typed
confirmation; the erasure entry in the audit log keeps none of the erased data)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..dates import format_date
from .messages import message_label
from .widgets import fit_columns, plain_label


class RetentionPage(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.store = session.store
        title = plain_label("Retention review")
        title.setObjectName("pageTitle")
        self.intro = plain_label("")
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Case", "Last activity"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table, stretch=(1,))
        self.table.setAccessibleName("Cases past the retention period")
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText("Type the case reference to confirm")
        label = QLabel("&Confirm")
        label.setBuddy(self.confirm)
        self.erase_button = QPushButton("Erase this case")
        self.erase_button.setEnabled(session.user.is_admin)
        self.message = message_label("")
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.confirm, 1)
        row.addWidget(self.erase_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.erase_button.clicked.connect(self.erase)
        self.refresh()

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        years = int(self.store.settings.get("retention_years"))
        self.intro.setText(
            f"Cases archived or that have left MAPPA, with no activity for {years} years (the retention period, "
            "a setting). Erasing a "
            "case removes all of it for good: its record, minutes, actions and history. The audit log keeps "
            "that a case was erased, by whom and when, and nothing of what it held. Backups made before "
            "the erasure still hold it until rotation removes them."
            + ("" if self.session.user.is_admin else " Only an administrator can erase."))
        self.items = self.store.retention.past_retention(self.store.today(), years)
        self.table.setRowCount(len(self.items))
        for index, item in enumerate(self.items):
            self.table.setItem(index, 0, QTableWidgetItem(item.reference))
            self.table.setItem(index, 1, QTableWidgetItem(format_date(item.last_activity)))

    def erase(self) -> bool:
        from ..db.errors import StoreError

        row = self.table.currentRow()
        if not (0 <= row < len(self.items)) or not self.session.user.is_admin:
            self.message.setText("Choose a case first.")
            return False
        item = self.items[row]
        try:
            self.store.retention.erase_case(item.case_id, confirm_reference=self.confirm.text())
        except StoreError as exc:
            self.message.setText(exc.reason)
            return False
        self.confirm.clear()
        self.message.success(f"{item.reference} was erased. The erasure is in the audit log.")
        self.refresh()
        return True
