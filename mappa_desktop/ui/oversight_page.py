"""The Strategic Oversight Group's page: figures across cases for a chosen period, and
their printout. Numbers only: no case, no name."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..dates import DateError, format_date, from_iso
from .fields import DateField
from .messages import message_label
from .widgets import plain_label, scroll_area
from ..words import plural


def last_quarter(today: date) -> tuple[date, date]:
    """The last full calendar quarter before ``today`` (the SOG usually meets quarterly)."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def _table(headers) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows) -> None:
    table.setRowCount(0)
    for row, values in enumerate(rows):
        table.insertRow(row)
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(str(value)))
    height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(table.rowCount())) + 4
    table.setFixedHeight(max(height, 60))


class OversightPage(QWidget):
    def __init__(self, store, tasks=None, parent=None):
        super().__init__(parent)
        self.store, self.tasks = store, tasks
        self.report = None
        title = plain_label("Strategic oversight")
        title.setObjectName("pageTitle")
        self.start = DateField()
        self.end = DateField()
        first, last = last_quarter(store.today())
        self.start.set_value(first.isoformat())
        self.end.set_value(last.isoformat())
        self.show_button = QPushButton("&Show")
        self.print_button = QPushButton("&Print…")
        self.print_button.setEnabled(tasks is not None)
        self.message = message_label("")
        top = QHBoxLayout()
        for caption, field in (("Fro&m", self.start), ("&To", self.end)):
            label = QLabel(caption)
            label.setBuddy(field.focus_target())
            field.focus_target().setAccessibleName(caption.replace("&", ""))
            field.setMaximumWidth(170)
            label.setMinimumWidth(label.sizeHint().width() + 4)
            top.addWidget(label)
            top.addWidget(field)
            top.addSpacing(12)
        top.addWidget(self.show_button)
        top.addWidget(self.message, 1)
        top.addWidget(self.print_button)

        self.counts = QGridLayout()
        self.count_labels: dict[str, QLabel] = {}
        for row, (key, caption) in enumerate((
            ("meetings_held", "Meetings held"), ("initial_held", "Initial meetings"),
            ("review_held", "Review meetings"), ("in_draft", "Minutes still in draft"),
            ("initial_with_referral", "Initial meetings with a referral date"),
            ("initial_past_limit", "Of these, more than 20 working days after referral"),
            ("initial_without_referral", "Initial meetings without a referral date"),
            ("reviews_with_due_date", "Reviews held with a review date set"),
            ("reviews_late", "Of these, held after that date"),
        )):
            self.counts.addWidget(plain_label(caption), row, 0)
            value = plain_label("")
            value.setObjectName("figure")
            self.count_labels[key] = value
            self.counts.addWidget(value, row, 1)
        self.counts.setColumnStretch(2, 1)
        self.items = _table(("Item of the meeting audit (document 12)", "Minutes meeting it", "Share"))
        self.items.setAccessibleName("Minutes meeting each audit item")
        self.items_note = plain_label("")
        self.items_note.setObjectName("muted")
        self.items_note.setWordWrap(True)
        self.agencies = _table(("Agency", "Actions overdue"))
        self.agencies.setAccessibleName("Actions overdue by agency")
        self.agencies_title = plain_label("Actions overdue by agency")
        self.agencies_title.setObjectName("sectionTitle")

        body = QWidget()
        column = QVBoxLayout(body)
        for heading, part in (("Meetings and timeliness", self.counts), ("Minutes meeting each audit item", None)):
            label = plain_label(heading)
            label.setObjectName("sectionTitle")
            column.addWidget(label)
            if part is not None:
                column.addLayout(part)
        column.addWidget(self.items)
        column.addWidget(self.items_note)
        column.addWidget(self.agencies_title)
        column.addWidget(self.agencies)
        note = plain_label("Numbers only: no offender's name or case reference appears here or on the printout.")
        note.setObjectName("muted")
        column.addWidget(note)
        column.addStretch(1)
        scroll = scroll_area(body, "Figures for the period")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.show_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_report)
        for field in (self.start, self.end):
            field.line.returnPressed.connect(self.refresh)
        self._shown_once = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:  # the figures are read when first looked at, not at start-up
            self._shown_once = True
            self.refresh()

    def period(self) -> tuple[date, date] | None:
        try:
            start, end = from_iso(self.start.value()), from_iso(self.end.value())
        except DateError as exc:
            self.message.setText(f"{exc}")
            return None
        if start is None or end is None:
            self.message.setText("Give both dates of the period.")
            return None
        return (start, end) if start <= end else (end, start)

    def refresh(self) -> bool:
        from ..oversight.report import oversight_report

        period = self.period()
        if period is None:
            return False
        from ..db.errors import StoreError

        self.message.setText("")
        try:
            self.report = report = oversight_report(store=self.store, start=period[0], end=period[1],
                                                    today=self.store.today())
        except StoreError as exc:
            self.message.setText(f"The figures could not be read: {exc.reason}.")
            return False
        for key, label in self.count_labels.items():
            label.setText(str(getattr(report, key)))
        _fill(self.items, [(s.title, f"{s.meeting} of {s.of}", "none held" if s.percent is None else f"{s.percent}%")
                           for s in report.items])
        self.items_note.setText(
            f"A minute meets an item when graded 3 or 4: the auditor's grade for the {plural(report.audited, 'minute')} "
            "with a completed meeting audit, the grade the record suggests for the others.")
        self.agencies_title.setText(f"Actions overdue by agency, as at {format_date(report.as_at)} "
                                    f"({report.actions_overdue_total} in all)")
        _fill(self.agencies, report.actions_overdue or [("No action is overdue.", "")])
        return True

    def print_report(self):
        from .. import printing
        from ..printouts import print_meta
        from .print_dialog import PrintDialog

        if self.tasks is None or not self.refresh():
            return None
        report, store = self.report, self.store

        def job():
            meta = print_meta(store)
            return lambda: printing.render_oversight(report, meta)

        dialog = PrintDialog(store, self.tasks, title="Print the oversight report", kinds={"Oversight report": job},
                             record_type="oversight", record_id=None, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog
