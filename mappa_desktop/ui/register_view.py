"""The action register: a lazy table model over action ids, the cross-case page with its
filters, and the dialogs to mark an action done or withdraw it (never delete)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..dates import format_date
from ..db.register import RegisterFilter, RegisterRow
from ..rules.actions import OUTSTANDING, due_words
from .changes import watch
from .fields import DateField, LongTextField
from .kept_typing import KeepsTyping, draft_key
from .table_models import LazyIdModel
from ..words import plural
from .messages import message_label
from .widgets import fit_columns, form_row, label_for, plain_label

OVERDUE = QColor("#9b1c1c")
DUE_SOON = QColor("#7a4b00")


def due_text(row: RegisterRow, today: date) -> str:
    """Overdue and due soon in words (``rules.actions``: one definition for every screen)."""
    return due_words(row.status, row.target_date, today, row.case_status)


class ActionRegisterModel(LazyIdModel):
    """Actions by id; rows are fetched from the store in pages as the view asks for them.
    Sorting asks the store for the ids in the new order."""

    COLUMNS = ("reference", "number", "raised_date", "action_text", "owner_person", "owner_agency",
               "target_date", "due", "status", "completed_date", "outcome")
    HEADERS = ("Case", "No.", "Raised", "Action", "Owner", "Agency", "Target", "Due",
               "Status", "Completed", "Outcome")
    ID_ROLE = Qt.ItemDataRole.UserRole + 1
    PAGE = 200

    def __init__(self, store, today, parent=None):
        super().__init__(store.register.rows, parent)
        self.store = store
        self.today = today  # a callable: the clock is injected
        self.filter = RegisterFilter()
        self.sort_key, self.descending = "target_date", False
        self._status = spec.section("previous_actions").field("status")

    def set_filter(self, register_filter: RegisterFilter) -> None:
        self.filter = register_filter
        self.reload()

    def reload(self) -> None:
        self.set_ids(self.store.register.ids(self.filter, self.today(), self.sort_key, self.descending))

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = self.COLUMNS[column]
        self.sort_key = "target_date" if key == "due" else key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reorder(self.store.register.ids(self.filter, self.today(), self.sort_key, self.descending))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row = self.record(index.row()) if index.isValid() else None
        if row is None:
            return None
        key = self.COLUMNS[index.column()]
        if role == self.ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "due":
                return due_text(row, self.today())
            if key == "status":
                text = self._status.label_of(row.status)
                return f"{text}: {row.withdrawn_reason}" if row.status == "withdrawn" else text
            if key in ("raised_date", "target_date", "completed_date"):
                return format_date(getattr(row, key))
            if key == "number":
                return row.number
            value = getattr(row, key)
            return (value or "").replace("\n", " ")
        if role == Qt.ItemDataRole.ToolTipRole and key in ("action_text", "outcome"):
            return getattr(row, key) or None
        if role == Qt.ItemDataRole.ForegroundRole and key in ("due", "target_date"):
            text = due_text(row, self.today())
            if text.startswith("OVERDUE"):
                return QBrush(OVERDUE)
            if text.startswith("due"):
                return QBrush(DUE_SOON)
        if role == Qt.ItemDataRole.FontRole and key == "due" and due_text(row, self.today()).startswith("OVERDUE"):
            font = QFont()
            font.setBold(True)
            return font
        return None


def configure_table(table: QTableView, model: ActionRegisterModel) -> None:
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    fit_columns(table, stretch=(ActionRegisterModel.COLUMNS.index("action_text"),
                                ActionRegisterModel.COLUMNS.index("outcome")), widest=170)


class MarkDoneDialog(KeepsTyping, QDialog):
    """Done with an outcome and the date, recorded between meetings."""

    submitted = Signal(str, str)  # the date completed as typed, the outcome

    def __init__(self, row: RegisterRow, today: date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Action {row.number} of {row.reference}: done")
        self.completed = DateField()
        self.completed.set_value(today.isoformat())
        self.outcome = LongTextField()
        self.outcome.set_value(row.outcome)
        self.error = message_label()
        form = QFormLayout(self)
        what = plain_label(row.action_text or "")
        what.setWordWrap(True)
        form.addRow("Action", what)
        for caption, widget in (("&Date completed", self.completed), ("&Outcome", self.outcome)):
            form_row(form, caption, widget).setBuddy(widget.focus_target())
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Mark done")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(520, 300)

    def typed_parts(self) -> dict:
        return {"completed_date": self.completed, "outcome": self.outcome}

    def _submit(self) -> None:
        if not self.outcome.value():
            self.error.setText("Record the outcome.")
            return
        self.submitted.emit(self.completed.raw(), self.outcome.value())


class RegisterPage(QWidget):
    """All open actions across cases, filterable; done or withdrawn from here."""

    open_case = Signal(int)

    def __init__(self, store, today, parent=None):
        super().__init__(parent)
        self.store = store
        self.today = today
        title = plain_label("Action register")
        title.setObjectName("pageTitle")
        self.case = QLineEdit()
        self.case.setPlaceholderText("Reference…")
        self.case.setClearButtonEnabled(True)
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("Owner's name…")
        self.owner.setClearButtonEnabled(True)
        self.agency = QComboBox()
        self.status = QComboBox()
        for label, statuses in (("Open and carried", OUTSTANDING), ("Done", ("done",)),
                                ("Withdrawn", ("withdrawn",)), ("All", ())):
            self.status.addItem(label, statuses)
        self.overdue = QCheckBox("&Overdue only")
        self.due_within = QSpinBox()
        self.due_within.setRange(0, 365)
        self.due_within.setSpecialValueText("any time")
        self.due_within.setSuffix(" days")
        self.count = plain_label("")
        self.count.setObjectName("muted")
        self.model = ActionRegisterModel(store, today, self)
        self.table = QTableView()
        self.table.setAccessibleName("Actions")
        configure_table(self.table, self.model)
        self.table.horizontalHeader().setSortIndicator(
            ActionRegisterModel.COLUMNS.index("target_date"), Qt.SortOrder.AscendingOrder)
        self.done_button = QPushButton("Mark &done…")
        self.carry_button = QPushButton("Ca&rry forward…")
        self.carry_button.setToolTip("A new target date and the reason; the old target stays in the history")
        self.reassign_button = QPushButton("Re-ass&ign…")
        self.reassign_button.setToolTip("Another owner or agency, with the reason; the old owner stays in the history")
        self.withdraw_button = QPushButton("&Withdraw…")
        self.open_button = QPushButton("Open the &case")
        self.print_button = QPushButton("Print…")
        self.message = message_label()

        filters = QHBoxLayout()
        for caption, widget in (("Ca&se", self.case), ("Own&er", self.owner), ("&Agency", self.agency),
                                ("S&tatus", self.status)):
            label = label_for(QLabel(caption), widget)
            filters.addWidget(label)
            filters.addWidget(widget, 1)
        filters.addStretch(1)
        # A second line, so that a laptop's width leaves the boxes above room to be read.
        more = QHBoxLayout()
        more.addWidget(self.overdue)
        label = QLabel("D&ue within")
        label_for(label, self.due_within, "Due within (days)")
        more.addWidget(label)
        more.addWidget(self.due_within)
        more.addStretch(1)
        more.addWidget(self.count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        for button in (self.print_button, self.open_button, self.withdraw_button, self.reassign_button,
                       self.carry_button, self.done_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addLayout(more)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.refresh)
        self.owner.textChanged.connect(lambda _t: self._debounce.start())
        self.case.textChanged.connect(lambda _t: self._debounce.start())
        for box in (self.agency, self.status):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue.toggled.connect(lambda _b: self.refresh())
        self.due_within.valueChanged.connect(lambda _v: self._debounce.start())
        self.done_button.clicked.connect(self.mark_done)
        self.carry_button.clicked.connect(self.carry_forward)
        self.reassign_button.clicked.connect(self.reassign)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.open_button.clicked.connect(self._open_case)
        self.print_button.clicked.connect(self.print_register)
        self.table.activated.connect(lambda _i: self._open_case())
        # Filled when first shown (showEvent): building the page costs no query. After
        # that it follows the record: any change to an action or a case refreshes it.
        self._filled = False
        watch(self, store, lambda _c: self.refresh(), lambda c: c.touches("action", "case", "directory"))

    def print_register(self):
        """The actions listed now (as filtered), across cases, as a printout."""
        from .. import printing
        from ..printouts import print_meta
        from .print_dialog import PrintDialog

        tasks = getattr(self.window(), "tasks", None)
        if tasks is None:
            return None
        store = self.store

        def register():
            from ..printouts import register_rows

            ordered = register_rows(store, self.model.ids())
            frame = print_meta(store)  # across cases: no "Case ..." in the header
            return lambda: printing.render_register(ordered, frame, title="Open actions across cases")

        dialog = PrintDialog(store, tasks, title="Print the action register", kinds={"Action register": register},
                             record_type="register", record_id=None, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def _fill_agencies(self) -> None:
        current = self.agency.currentData()
        self.agency.blockSignals(True)
        self.agency.clear()
        self.agency.addItem("All", "")
        for name in self.store.register.agencies():
            self.agency.addItem(name, name)
        index = self.agency.findData(current)
        self.agency.setCurrentIndex(max(index, 0))
        self.agency.blockSignals(False)

    def current_filter(self) -> RegisterFilter:
        return RegisterFilter(
            statuses=tuple(self.status.currentData()),
            case_reference=self.case.text(),
            owner=self.owner.text(),
            agency=self.agency.currentData() or "",
            overdue_only=self.overdue.isChecked(),
            due_within_days=self.due_within.value() or None,
        )

    def refresh(self) -> None:
        """Read the register again, keeping the selected action selected if it still shows."""
        index = self.table.currentIndex()
        selected = self.model.id_at(index.row()) if index.isValid() else None
        self._fill_agencies()
        self.model.set_filter(self.current_filter())
        count = self.model.rowCount()
        overdue = self.store.register.overdue_count(self.today())
        self.count.setText(f"{plural(count, 'action')}; {overdue} overdue in all")
        ids = self.model.ids()
        row = ids.index(selected) if selected in ids else None
        if row is not None:
            self.table.selectRow(row)
        elif count:
            self.table.selectRow(0)

    def showEvent(self, event) -> None:
        if not self._filled:
            self._filled = True
            self.refresh()
        super().showEvent(event)

    def selected_row(self) -> RegisterRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        action_id = self.model.id_at(index.row())
        return self.store.register.rows([action_id]).get(action_id)

    def _open_case(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.open_case.emit(row.case_id)

    def mark_done(self):
        row = self.selected_row()
        if row is None or row.status in ("done", "withdrawn"):
            self.message.setText("Choose an open action first.")
            return None
        dialog = MarkDoneDialog(row, self.today(), self)
        dialog.keep_typing(self.store, draft_key(row.case_id, "done", row.id))

        def submitted(completed: str, outcome: str) -> None:
            from ..db.errors import StoreError
            from ..ops.minute import review_action

            try:
                problems = review_action(store=self.store, action_id=row.id,
                                         raw={"status": "done", "completed_date": completed, "outcome": outcome})
            except StoreError as exc:
                dialog.error.setText(f"NOT SAVED: {exc.reason}")
                return
            if problems:
                dialog.error.setText("\n".join(p.message for p in problems))
                return
            dialog.accept()
            self.message.setText("")

        dialog.submitted.connect(submitted)
        self.done_dialog = dialog
        dialog.open()
        return dialog

    def carry_forward(self):
        """A new target date (today or later) and the reason, between meetings."""
        from .. import lifecycle_spec
        from ..ops.actions import carry_action
        from .record_dialogs import RecordDialog

        row = self.selected_row()
        if row is None or row.status not in OUTSTANDING:
            self.message.setText("Choose an open action first.")
            return None
        dialog = RecordDialog(
            lifecycle_spec.CARRY, title=f"Action {row.number} of {row.reference}: carry forward",
            ok_text="Carry forward", save=lambda raw: carry_action(store=self.store, action_id=row.id, raw=raw),
            keep=(self.store, draft_key(row.case_id, "carry", row.id)),
            intro=f"{row.action_text or ''}\n\nTarget now: {format_date(row.target_date) or 'none'}. "
                  + lifecycle_spec.CARRY.guidance, parent=self)
        self.carry_dialog = dialog
        dialog.open()
        return dialog

    def reassign(self):
        """Another owner or agency, with the reason, between meetings."""
        from .. import lifecycle_spec
        from ..ops.actions import reassign_action
        from .case_editor import names_from_directory
        from .record_dialogs import RecordDialog

        row = self.selected_row()
        if row is None or row.status == "withdrawn":
            self.message.setText("Choose an action that is not withdrawn.")
            return None
        dialog = RecordDialog(
            lifecycle_spec.REASSIGN, title=f"Action {row.number} of {row.reference}: re-assign", ok_text="Re-assign",
            save=lambda raw: reassign_action(store=self.store, action_id=row.id, raw=raw),
            intro=f"{row.action_text or ''}\n\nOwner now: "
                  f"{', '.join(x for x in (row.owner_person, row.owner_agency) if x) or 'none'}. "
                  + lifecycle_spec.REASSIGN.guidance,
            values={"owner_person": row.owner_person, "owner_agency": row.owner_agency},
            names_for=names_from_directory(self.store), keep=(self.store, draft_key(row.case_id, "reassign", row.id)),
            parent=self)
        self.reassign_dialog = dialog
        dialog.open()
        return dialog

    def withdraw(self):
        from .minute_dialogs import ask_reason

        row = self.selected_row()
        if row is None or row.status == "withdrawn":
            self.message.setText("Choose an action that is not withdrawn.")
            return None

        def then(reason: str) -> None:
            from ..db.errors import StoreError
            from ..ops.minute import withdraw_action

            try:
                problems = withdraw_action(store=self.store, action_id=row.id, reason=reason)
            except StoreError as exc:  # a case that has left MAPPA is read-only
                self.message.setText(f"Not withdrawn: {exc.reason}.")
                return
            self.message.setText("\n".join(p.message for p in problems))

        return ask_reason(self, f"Withdraw action {row.number} of {row.reference}",
                          "Why is this action withdrawn? It stays in the register with the reason.", then)
