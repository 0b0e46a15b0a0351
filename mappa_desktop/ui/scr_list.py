"""Every Significant Case Review across cases, by stage, with what each is waiting on (Ctrl+9)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from .. import scr, scr_spec
from ..dates import format_date
from .changes import watch
from .widgets import fit_columns, plain_label


class ReviewsModel(QAbstractTableModel):
    """Every review across cases, ordered by stage, with what each is waiting on."""

    COLUMNS = ("Case", "Incident", "Stage", "Waiting on", "Status")

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.reviews: list = []
        self.references: dict[int, str] = {}

    def refresh(self) -> None:
        self.beginResetModel()
        rows = self.store.scr.listing()
        self.references = {r.id: r.reference for r in rows}
        reviews = [self.store.scr.get(r.id) for r in rows]
        order = {key: i for i, key in enumerate(scr_spec.STAGE_KEYS)}
        self.reviews = sorted(reviews, key=lambda r: (r.closed, order.get(scr.next_stage(r), 99),
                                                      r.incident.get("incident_date") or ""))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.reviews)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        review = self.reviews[index.row()]
        return (self.references.get(review.id, ""), format_date(review.incident.get("incident_date")),
                scr.stage_words(review), scr.waiting_on(review),
                "Closed" if review.closed else "Open")[index.column()]


class ReviewsPage(QWidget):
    """The cross-case list of Significant Case Reviews by stage (Ctrl+9)."""

    open_case = Signal(int)

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.model = ReviewsModel(store, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAccessibleName("Significant Case Reviews")
        fit_columns(self.table, stretch=(3,))
        self.table.doubleClicked.connect(self._open)
        title = QLabel("Significant Case Reviews")
        title.setObjectName("pageTitle")
        note = plain_label("Open reviews by stage, with who each is waiting on. Double-click to open the case; "
                           "its Reviews tab holds the stages.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        self.model.refresh()
        watch(self, store, lambda _c: self.model.refresh(), lambda c: c.touches("review", "case"))

    def _open(self, index) -> None:
        if index.isValid():
            self.open_case.emit(self.model.reviews[index.row()].case_id)
