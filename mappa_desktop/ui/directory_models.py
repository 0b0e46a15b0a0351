"""Table models of the directory: agencies and people, one frozen record a row.

The directory is small (tens to a few hundred rows), so each model holds all its records.
Cells are returned exactly as typed; views draw DisplayRole text literally.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ..model import Agency, Person

KIND_LABELS = {
    "responsible_authority": "Responsible authority",
    "duty_to_cooperate": "Duty to co-operate",
    "other": "Other",
}
_INACTIVE_TEXT = QBrush(QColor("#6b6b6b"))


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


class RecordTableModel(QAbstractTableModel):
    """Rows of frozen records (the directory is small, so all are held)."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._records: list = []

    def cells(self, record) -> tuple[str, ...]:
        raise NotImplementedError

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(record)[index.column()]  # as typed: views show it literally
        if role == Qt.ItemDataRole.ForegroundRole and not record.active:
            return _INACTIVE_TEXT
        return None

    def set_records(self, records) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record(self, row: int):
        return self._records[row]

    def row_of(self, record_id: int) -> int:
        return next((i for i, r in enumerate(self._records) if r.id == record_id), -1)


class AgencyTableModel(RecordTableModel):
    """Every agency, inactive too, in the store's order (responsible authorities first)."""

    COLUMNS = ("Name", "Kind", "Active")

    def cells(self, agency: Agency) -> tuple[str, ...]:
        return (agency.name, KIND_LABELS.get(agency.kind, agency.kind), _yes_no(agency.active))


class PersonTableModel(RecordTableModel):
    """Every person in the directory, inactive too, by name."""

    COLUMNS = ("Name", "Agency", "Role", "Contact", "Active")

    def cells(self, person: Person) -> tuple[str, ...]:
        return (person.name, person.agency, person.role, person.contact, _yes_no(person.active))
