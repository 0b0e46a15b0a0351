"""What every list of ours shares: fixed headers, and for large sets, ids fetched up front
and rows fetched in pages as the view asks for them."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt


class HeadedTableModel(QAbstractTableModel):
    """A flat table with ``HEADERS``; subclasses say how many rows there are."""

    HEADERS: tuple[str, ...] = ()

    def _count(self) -> int:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count()

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class LazyIdModel(HeadedTableModel):
    """Holds ids only; ``fetch(ids) -> {id: row}`` is called one page at a time."""

    PAGE = 200

    def __init__(self, fetch: Callable[[Sequence[int]], Mapping[int, object]], parent=None):
        super().__init__(parent)
        self._fetch = fetch
        self._ids: list[int] = []
        self._cache: dict[int, object] = {}

    def _count(self) -> int:
        return len(self._ids)

    def set_ids(self, ids: Sequence[int]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._cache.clear()
        self.endResetModel()

    def reorder(self, ids: Sequence[int]) -> None:
        """The same rows in a new order (a sort), keeping the view's selection model."""
        self.layoutAboutToBeChanged.emit()
        self._ids = list(ids)
        self._cache.clear()
        self.layoutChanged.emit()

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, item_id: int) -> int:
        return self._ids.index(item_id)

    def record(self, row: int):
        """The row's record, fetching its page if needed (None if it vanished)."""
        if not (0 <= row < len(self._ids)):
            return None
        item_id = self._ids[row]
        if item_id not in self._cache:
            start = (row // self.PAGE) * self.PAGE
            self._cache.update(self._fetch(self._ids[start : start + self.PAGE]))
        return self._cache.get(item_id)
