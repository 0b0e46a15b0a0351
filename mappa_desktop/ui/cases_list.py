"""The cases list: a sortable table, a search box that answers as you type (FTS5), filters.

The table is a model over case ids: the store filters and sorts them in SQL and the rows
are fetched a page at a time as the view shows them (as the action register does), and
no column is sized by reading every row. So the list answers as fast at ten years as at
one. :meth:`CasesListPage.reload` is the one way in for "the cases changed".
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
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
from .changes import watch
from .table_models import LazyIdModel
from .messages import message_label
from .widgets import plain_label
from ..words import plural

_SHORT_CATEGORY = {"1": "Cat 1 (RSO)", "restricted_patient": "Restricted patient", "3": "Cat 3", "2": "Cat 2"}


class CasesTableModel(LazyIdModel):
    """Cases by id, rows fetched from the store in pages. Sorting asks the store for the ids
    in the new order; while searching, the best match comes first until a column is chosen."""

    COLUMNS = ("reference", "full_name", "category", "mappa_level", "current_rosh", "lead_authority", "next_review_date")
    HEADERS = ("Reference", "Name", "Category", "Level", "Risk of serious harm", "Lead authority", "Next review")
    WIDTHS = (120, None, 130, 70, 150, None, 100)  # None: shares what is left
    ID_ROLE = Qt.ItemDataRole.UserRole + 2
    PAGE = 200

    def __init__(self, store=None, parent=None):
        super().__init__(store.cases.rows_by_id if store is not None else (lambda ids: {}), parent)
        self.store = store
        self.filters: dict = {"search": "", "category": None, "level": None, "status": "active"}
        self.sort_key: str | None = "reference"
        self.descending = False
        self._rosh = spec.field("rosh.agreed_rosh")

    def set_filters(self, **filters) -> None:
        """Filter as the page's controls say; a new search ranks by relevance."""
        if filters.get("search", "").strip() != self.filters["search"].strip():
            self.sort_key = None if filters.get("search", "").strip() else (self.sort_key or "reference")
        self.filters = filters
        self.reload()

    def _query_ids(self) -> list[int]:
        return self.store.cases.ids(**self.filters, sort=self.sort_key, descending=self.descending)

    def reload(self) -> None:
        self.set_ids(self._query_ids())

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if self.store is None or not 0 <= column < len(self.COLUMNS):
            return
        self.sort_key = self.COLUMNS[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reorder(self._query_ids())

    def set_rows(self, rows: list[CaseRow]) -> None:
        """Rows already in hand (a test, a fixed list): no store needed to show them."""
        by_id = {r.id: r for r in rows}
        self._fetch = lambda ids: {i: by_id[i] for i in ids if i in by_id}
        self.set_ids([r.id for r in rows])

    def row_at(self, row: int) -> CaseRow:
        return self.record(row)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        row = self.record(index.row()) if index.isValid() else None
        if row is None:
            return None
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

        self.model = CasesTableModel(store, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAccessibleName("Cases")
        # Fixed widths: sizing a column to its contents would read every row.
        header = self.table.horizontalHeader()
        for column, width in enumerate(CasesTableModel.WIDTHS):
            if width is None:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, width)

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
        self.message = message_label()  # a case that could not be opened says why here
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._open_first)
        for box in (self.category, self.level, self.status):
            box.currentIndexChanged.connect(lambda _i: self.reload())
        self.table.activated.connect(self._activated)
        self.new_button.clicked.connect(self.new_case)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_case.emit)
        self.reload()
        watch(self, store, lambda _c: self.reload(), lambda c: c.touches("case"))

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

    def reload(self) -> None:
        """Ask the store again (search, filters, or the cases changed)."""
        searching = bool(self.search.text().strip())
        was_searching = bool(self.model.filters["search"].strip())
        self.model.set_filters(search=self.search.text(), category=self.category.currentData(),
                               level=self.level.currentData(), status=self.status.currentData())
        header = self.table.horizontalHeader()
        if searching and not was_searching:
            header.setSortIndicatorShown(False)  # ranked by relevance: the best match first
        elif not searching:
            header.setSortIndicatorShown(True)
        count = self.model.rowCount()
        self.count_label.setText(plural(count, "case"))
        if count:
            self.table.selectRow(0)

    refresh = reload  # the name the case area calls

    def case_id_at(self, row: int) -> int:
        return self.model.id_at(row)

    def _activated(self, index: QModelIndex) -> None:
        self.open_case.emit(index.data(CasesTableModel.ID_ROLE))

    def _open_first(self) -> None:
        if self.model.rowCount():
            current = self.table.currentIndex()
            row = current.row() if current.isValid() else 0
            self.open_case.emit(self.case_id_at(row))

    def keyPressEvent(self, event) -> None:
        # Down from the search box goes into the results.
        if event.key() == Qt.Key.Key_Down and self.search.hasFocus():
            self.table.setFocus()
            return
        super().keyPressEvent(event)
