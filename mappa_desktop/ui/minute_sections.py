"""Section widgets of the minute that are more than a form: attendance (one keystroke per
person), the actions agreed, and the case's own sections shown read-only (the previous
actions under review: ``minute_review``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
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

from .. import spec
from ..dates import format_date
from ..model import Action
from .fields import DateField, LongTextField, NameField, set_read_only
from .messages import field_error_label
from .widgets import WrappingGrid, field_cell, label_for, plain_label, value_label


class CaseSectionView(QWidget):
    """A case section (offender, key dates, orders, lead authority) as the minute shows it."""

    def __init__(self, section: spec.Section, case, *, note: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        if note:
            hint = plain_label("From the case record, carried into every minute. Correct it on the case.")
            hint.setObjectName("muted")
            column.addWidget(hint)
        if section.source is spec.Source.CASE_ROWS:
            type_field = section.field("order_type")
            if not case.orders:
                column.addWidget(value_label("", empty="No civil orders recorded. Add one on the case form (Edit case)."))
            for order in case.orders:
                kind = type_field.label_of(order.order_type)
                if order.order_detail:
                    kind += f" ({order.order_detail})"
                ends = f", expires {format_date(order.expiry_date)}" if order.expiry_date else ", no end date"
                column.addWidget(value_label(f"{kind}: granted {format_date(order.granted_date) or '—'}{ends}"))
            return
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in section.fields:
            value = field.display(case.get(field.key))
            if not value and not field.required and not note:
                continue  # the overview leaves out what is empty and optional
            caption = plain_label(field.label)
            caption.setObjectName("caption")
            form.addRow(caption, value_label(value, caption=field.label))
        column.addLayout(form)


# -- attendance ------------------------------------------------------------------------------

NOT_MARKED = "Not marked (P, A or D)"
_STATUS_KEYS = {Qt.Key.Key_P: "present", Qt.Key.Key_A: "apologies", Qt.Key.Key_D: "did_not_attend"}
_REPORT_NEXT = {None: 1, 1: 0, 0: None}  # R: not recorded -> yes -> no -> not recorded


class AttendanceTable(QTableWidget):
    """Name, agency, role, attendance, note, written report. P, A or D marks the selected
    person and moves to the next; R cycles 'written report received' (yes, no, not
    recorded); F2 or Enter edits a cell; Delete removes the person from the list."""

    edited = Signal()
    refused = Signal()  # a key that would change a read-only table
    COLUMNS = ("name", "agency", "role", "status", "attendance_note", "report_received")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.section = spec.section("attendance")
        self.status_field = self.section.field("status")
        self.setHorizontalHeaderLabels([self.section.field(k).label for k in self.COLUMNS])
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.ResizeToContents)
        self.setAccessibleName("Attendance: P present, A apologies, D did not attend, R written report")
        self.setMinimumHeight(260)
        self.setTabKeyNavigation(False)  # Tab leaves the table: keyboard-first, not cell-first
        self._loading = False
        self._read_only = False
        self.itemChanged.connect(self._item_changed)

    def _item_changed(self, _item) -> None:
        if not self._loading:
            self.edited.emit()

    def load(self, rows) -> None:
        self._loading = True
        try:
            self.setRowCount(0)
            for row in rows:
                self._append(row)
        finally:
            self._loading = False

    def _append(self, row) -> int:
        was_loading, self._loading = self._loading, True  # no 'edited' for a half-built row
        try:
            return self._append_row(row)
        finally:
            self._loading = was_loading

    def _append_row(self, row) -> int:
        index = self.rowCount()
        self.insertRow(index)
        for column, key in enumerate(self.COLUMNS):
            value = row.get(key)
            if key == "status":
                item = QTableWidgetItem(self.status_field.label_of(value) if value else NOT_MARKED)
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            elif key == "report_received":
                item = QTableWidgetItem()
                self._show_report(item, value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            else:
                item = QTableWidgetItem(value or "")
            self.setItem(index, column, item)
        return index

    def add_person(self, name: str, agency: str = "", role: str = "") -> int:
        index = self._append({"name": name, "agency": agency, "role": role})
        self.setCurrentCell(index, 0)
        self.edited.emit()
        return index

    def mark(self, row: int, status: str | None) -> None:
        item = self.item(row, 3)
        item.setData(Qt.ItemDataRole.UserRole, status)
        item.setText(self.status_field.label_of(status) if status else NOT_MARKED)
        self.edited.emit()

    def _show_report(self, item: QTableWidgetItem, value) -> None:
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setText(self.section.field("report_received").display(value) or "Not recorded")

    def toggle_report(self, row: int) -> None:
        item = self.item(row, self.COLUMNS.index("report_received"))
        self._show_report(item, _REPORT_NEXT[item.data(Qt.ItemDataRole.UserRole)])
        self.edited.emit()

    def rows(self) -> list[dict]:
        out = []
        for index in range(self.rowCount()):
            row = {}
            for column, key in enumerate(self.COLUMNS):
                item = self.item(index, column)
                if item is None:
                    row[key] = None
                elif key in ("status", "report_received"):
                    row[key] = item.data(Qt.ItemDataRole.UserRole)
                else:
                    row[key] = item.text() if item and item.text().strip() else None
            out.append(row)
        return out

    def keyPressEvent(self, event: QKeyEvent) -> None:
        row = self.currentRow()
        if self._read_only and (event.key() in _STATUS_KEYS or event.key() == Qt.Key.Key_Delete):
            self.refused.emit()  # a finalised minute: the record cannot change, say so
            return
        no_modifiers = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if row >= 0 and no_modifiers and event.key() in _STATUS_KEYS and self.state() != QAbstractItemView.State.EditingState:
            self.mark(row, _STATUS_KEYS[event.key()])
            if row + 1 < self.rowCount():
                self.setCurrentCell(row + 1, self.currentColumn())
            return
        if row >= 0 and no_modifiers and event.key() == Qt.Key.Key_R and self.state() != QAbstractItemView.State.EditingState:
            self.toggle_report(row)
            return
        if row >= 0 and event.key() == Qt.Key.Key_Delete and self.state() != QAbstractItemView.State.EditingState:
            self.removeRow(row)
            self.edited.emit()
            return
        super().keyPressEvent(event)

    def set_read_only(self, read_only: bool) -> None:
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only else (
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed))
        self._read_only = read_only

    @property
    def read_only(self) -> bool:
        return self._read_only


class AttendancePanel(QWidget):
    """The table, and a picker to add someone from the directory or a new name."""

    edited = Signal()

    def __init__(self, people, parent: QWidget | None = None):
        super().__init__(parent)
        self.people = {p.name: p for p in people}
        self.table = AttendanceTable()
        self.picker = NameField(sorted(self.people))
        self.picker.setAccessibleName("Add a person to the attendance")
        self.add_button = QPushButton("Add person")
        hint = plain_label("Select a person and press P (present), A (apologies) or D (did not attend); "
                           "R marks whether a written report came from someone not present. "
                           "F2 edits a cell; Delete removes the person from this list.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        adder = QHBoxLayout()
        caption = QLabel("Add from the directory, or type a new name:")
        caption.setBuddy(self.picker)
        adder.addWidget(caption)
        adder.addWidget(self.picker, 1)
        adder.addWidget(self.add_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(hint)
        column.addWidget(self.table)
        column.addLayout(adder)
        self.table.edited.connect(self.edited)
        self.add_button.clicked.connect(self._add)
        self.picker.lineEdit().returnPressed.connect(self._add)

    def _add(self) -> None:
        name = (self.picker.currentText() or "").strip()
        if not name:
            return
        person = self.people.get(name)
        self.table.add_person(name, person.agency if person else "", person.role if person else "")
        self.picker.set_value(None)
        self.table.setFocus()

    def load(self, rows) -> None:
        self.table.load(rows)

    def rows(self) -> list[dict]:
        return self.table.rows()

    def set_read_only(self, read_only: bool) -> None:
        self.table.set_read_only(read_only)
        self.picker.setEnabled(not read_only)
        self.add_button.setVisible(not read_only)


# -- actions ------------------------------------------------------------------------------------


class ActionRow(QFrame):
    """One action agreed at this meeting: what, who, which agency, by when."""

    edited = Signal(int)  # action id
    withdraw_requested = Signal(int)

    def __init__(self, action: Action, person_names, agency_names, parent=None):
        super().__init__(parent)
        self.action_id = action.id
        self.setObjectName("repeatingRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        section = spec.section("actions")
        self.text = LongTextField()
        self.owner = NameField(person_names)
        self.agency = NameField(agency_names)
        self.target = DateField()
        self.widgets = {"action_text": self.text, "owner_person": self.owner,
                        "owner_agency": self.agency, "target_date": self.target}
        grid = QGridLayout(self)
        number = plain_label(f"Action {action.number}")
        number.setObjectName("sectionTitle")
        grid.addWidget(number, 0, 0, 1, 3)
        self.status_label = plain_label("")
        grid.addWidget(self.status_label, 0, 3)
        terms = WrappingGrid(columns=3)  # one line where there is room, two or three where not
        for key in ("owner_person", "owner_agency", "target_date"):
            field = section.field(key)
            caption = label_for(QLabel(field.label + " *"), self.widgets[key], f"Action {action.number}: {field.label}")
            terms.addWidget(field_cell(caption, self.widgets[key]))
        grid.addLayout(terms, 1, 0, 2, 4)
        self.withdraw_button = QPushButton("Withdraw…")
        self.withdraw_button.setAccessibleName(f"Withdraw action {action.number}…")
        caption = label_for(QLabel("Action *"), self.text, f"Action {action.number}: what")
        grid.addWidget(caption, 3, 0, 1, 4)
        grid.addWidget(self.text, 4, 0, 1, 4)
        self.error = field_error_label()
        grid.addWidget(self.error, 5, 0, 1, 4)
        withdraw = QHBoxLayout()  # last, so that Tab reaches it after the terms
        withdraw.addStretch(1)
        withdraw.addWidget(self.withdraw_button)
        grid.addLayout(withdraw, 6, 0, 1, 4)
        self.load(action)
        for widget in self.widgets.values():
            widget.edited.connect(lambda: self.edited.emit(self.action_id))
        self.withdraw_button.clicked.connect(lambda: self.withdraw_requested.emit(self.action_id))

    def load(self, action: Action) -> None:
        for key, widget in self.widgets.items():
            widget.set_value(action.get(key))
        withdrawn = action.status == "withdrawn"
        self.status_label.setText(f"WITHDRAWN: {action.withdrawn_reason}" if withdrawn else "")
        self.set_read_only(withdrawn)

    def raw(self) -> dict:
        """The terms exactly as typed (the rules parse them)."""
        return {key: widget.raw() for key, widget in self.widgets.items()}

    def set_raw(self, raw) -> None:
        for key, value in (raw or {}).items():
            if key in self.widgets:
                self.widgets[key].set_raw(value)

    def show_problems(self, problems) -> None:
        """Each problem in words under the row (the typed words stay where they are)."""
        text = "\n".join(p.message for p in problems)
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.widgets.values():
            set_read_only(widget, read_only)
        self.withdraw_button.setVisible(not read_only)


class ActionsPanel(QWidget):
    """The actions agreed at this meeting."""

    add_requested = Signal()

    def __init__(self, person_names, agency_names, parent=None):
        super().__init__(parent)
        self.person_names, self.agency_names = person_names, agency_names
        self.rows: dict[int, ActionRow] = {}
        self.box = QVBoxLayout()
        self.empty = plain_label("No actions agreed yet: Ctrl+Shift+A adds one from any section.")
        self.empty.setObjectName("muted")
        self.add_button = QPushButton("Add action (Ctrl+Shift+A)")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.box)
        column.addWidget(self.empty)
        column.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_button.clicked.connect(self.add_requested)

    def show_action(self, action: Action) -> ActionRow:
        row = self.rows.get(action.id)
        if row is None:
            row = ActionRow(action, self.person_names, self.agency_names)
            self.rows[action.id] = row
            self.box.addWidget(row)
            if self.isVisible():
                row.show()
        else:
            row.load(action)
        self.empty.setVisible(not self.rows)
        return row

    def set_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for row in self.rows.values():
            row.set_read_only(read_only)
