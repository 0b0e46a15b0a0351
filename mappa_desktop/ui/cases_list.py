"""The cases list: a sortable table, a search box that answers as you type (FTS5), filters."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..dates import format_date
from ..model import CaseRow
from .table_models import HeadedTableModel
from .changes import watch
from .widgets import plain_label

_SHORT_CATEGORY = {"1": "Cat 1 (RSO)", "restricted_patient": "Restricted patient", "3": "Cat 3", "2": "Cat 2"}


class CasesTableModel(HeadedTableModel):
    """Rows of the cases list. Sorting uses stored values (ISO dates sort as dates)."""

    COLUMNS = ("reference", "full_name", "category", "mappa_level", "current_rosh", "lead_authority", "next_review_date")
    HEADERS = ("Reference", "Name", "Category", "Level", "Risk of serious harm", "Lead authority", "Next review")
    SORT_ROLE = Qt.ItemDataRole.UserRole + 1
    ID_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[CaseRow] = []
        self._rosh = spec.field("rosh.agreed_rosh")

    def set_rows(self, rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> CaseRow:
        return self._rows[row]

    def _count(self) -> int:
        return len(self._rows)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = self.COLUMNS[index.column()]
        value = getattr(row, key)
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "category":
                return _SHORT_CATEGORY.get(value or "", value or "")
            if key == "mappa_level":
                return f"Level {value}" if value else ""
            if key == "current_rosh":
                return self._rosh.label_of(value)
            if key == "next_review_date":
                return format_date(value)
            return value or ""
        if role == self.SORT_ROLE:
            if key == "current_rosh":
                order = [c.value for c in self._rosh.choices]
                return order.index(value) if value in order else len(order)
            return (value or "").casefold() if isinstance(value, str) else (value or "")
        if role == self.ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and key == "full_name" and row.status in ("archived", "exited"):
            return "Archived" if row.status == "archived" else "Left MAPPA"
        return None


class CasesListPage(QWidget):
    """Search, filter and open cases."""

    open_case = Signal(int)
    new_case = Signal()
    resume_draft = Signal(str)

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        title = plain_label("Cases")
        title.setObjectName("pageTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a case by name, alias, reference, PNC, ViSOR or CHS number…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search cases")
        self.category = self._filter_box("Category", spec.CATEGORIES)
        self.level = self._filter_box("Level", spec.MAPPA_LEVELS)
        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        for label, value in (("Active", "active"), ("Archived", "archived"), ("Left MAPPA", "exited"), ("All", None)):
            self.status.addItem(label, value)
        self.new_button = QPushButton("&New case")
        self.new_button.setToolTip("New case (Ctrl+N)")
        self.count_label = plain_label("")
        self.count_label.setObjectName("muted")
        self.resume_button = QPushButton("Resume the unsaved case form")
        self.resume_button.setObjectName("resumeDraft")
        self.resume_button.hide()
        self._draft_key: str | None = None
        self.resume_button.clicked.connect(lambda: self.resume_draft.emit(self._draft_key))

        self.model = CasesTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(CasesTableModel.SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName("Cases")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)

        search_label = QLabel("Fin&d")
        search_label.setBuddy(self.search)
        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.resume_button)
        top.addWidget(self.new_button)
        filters = QHBoxLayout()
        for caption, box in (("C&ategory", self.category), ("&Level", self.level), ("S&tatus", self.status)):
            label = QLabel(caption)
            label.setBuddy(box)
            filters.addWidget(label)
            filters.addWidget(box)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._open_first)
        for box in (self.category, self.level, self.status):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.activated.connect(self._activated)
        self.new_button.clicked.connect(self.new_case)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_case.emit)
        self.refresh()
        watch(self, store, lambda _c: self.refresh(), lambda c: c.touches("case"))

    def show_resume(self, draft_key: str | None) -> None:
        self._draft_key = draft_key
        self.resume_button.setVisible(draft_key is not None)

    @staticmethod
    def _filter_box(name: str, choices) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(name)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        box.addItem("All", None)
        for option in choices:
            if option.in_use:
                box.addItem(option.label, option.value)
        return box

    def refresh(self) -> None:
        rows = self.store.cases.rows(
            search=self.search.text(),
            category=self.category.currentData(),
            level=self.level.currentData(),
            status=self.status.currentData(),
        )
        self.model.set_rows(rows)
        if self.search.text().strip():
            # Ranked by relevance while searching: the best match first.
            self.proxy.sort(-1)
        else:
            self.proxy.sort(self.table.horizontalHeader().sortIndicatorSection(),
                            self.table.horizontalHeader().sortIndicatorOrder())
        count = len(rows)
        self.count_label.setText(f"{count} case{'s' if count != 1 else ''}")
        if count:
            self.table.selectRow(0)

    def case_id_at(self, proxy_row: int) -> int:
        return self.proxy.index(proxy_row, 0).data(CasesTableModel.ID_ROLE)

    def _activated(self, index: QModelIndex) -> None:
        self.open_case.emit(index.data(CasesTableModel.ID_ROLE))

    def _open_first(self) -> None:
        if self.proxy.rowCount():
            current = self.table.currentIndex()
            row = current.row() if current.isValid() else 0
            self.open_case.emit(self.case_id_at(row))

    def keyPressEvent(self, event) -> None:
        # Down from the search box goes into the results.
        if event.key() == Qt.Key.Key_Down and self.search.hasFocus():
            self.table.setFocus()
            return
        super().keyPressEvent(event)
