"""The Directory page: agencies and the people who attend meetings and own actions.

Each tab is a sortable, filterable table with an edit panel beside it. Records are never
deleted: unticking "Active" hides one from the pickers elsewhere, and this page lists all.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..db.directory import AGENCY_KINDS
from ..db.errors import StoreError
from ..ops.directory import save_agency, save_person
from .changes import watch
from ..model import Agency, Person
from .directory_models import KIND_LABELS, AgencyTableModel, PersonTableModel, RecordTableModel
from .kept_typing import PanelKeeper
from .messages import message_label
from .widgets import fit_columns, flush_each, label_for, plain_label

__all__ = ["AgencyTableModel", "DirectoryPage", "PersonTableModel"]


class _DirectoryTab(QWidget):
    """A table of one kind of record with its edit panel; subclasses supply the fields."""

    saved = Signal(int)
    NOUN = ""
    STRETCH_COLUMN = 0  # the column with the longest text takes any spare width

    def __init__(self, store, model: RecordTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model = model
        model.setParent(self)
        self._editing_id: int | None = None

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = self._build_table()
        filter_row = QHBoxLayout()
        filter_label = QLabel("F&ilter")
        filter_label.setBuddy(self.filter)
        self.filter.setAccessibleName(f"Filter the {self.NOUN} list")
        filter_row.addWidget(filter_label)
        filter_row.addWidget(self.filter, 1)
        list_side = QWidget()
        left = QVBoxLayout(list_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(filter_row)
        left.addWidget(self.table, 1)

        self.heading = plain_label("")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.note = message_label()  # "Saved." after a save, until a field changes
        self._panel: list[QWidget] = []  # the fields of the edit panel, in order
        self._build_fields()
        self.message = message_label("")
        self.new_button = QPushButton("Ne&w")
        self.save_button = QPushButton("&Save")
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        panel_side = QWidget()
        panel_side.setMinimumWidth(250)
        panel = QVBoxLayout(panel_side)
        panel.setContentsMargins(12, 0, 0, 0)
        panel.addWidget(self.heading)
        panel.addLayout(self.form)
        panel.addLayout(buttons)
        panel.addWidget(self.message)
        panel.addStretch(1)

        # A splitter, so a narrow window can give the table more room.
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(list_side)
        splitter.addWidget(panel_side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([720, 270])
        QVBoxLayout(self).addWidget(splitter)
        self.reload()
        self._fit_columns()
        self._blank()  # no focus grab here: the page may be built behind another one
        # What is typed in the panel is kept within a second and over a lock or quit.
        self.keeper = PanelKeeper(store, f"directory:{self.NOUN}", self._panel_state, self._set_panel_state,
                                  self.message, self)
        self.keeper.opened(None)
        kept = self.keeper.kept()
        if kept:
            record_id = kept.get("record_id")
            if record_id is not None and self.model.row_of(record_id) >= 0:
                self.select(record_id)
            self.keeper.restored(kept.get("state") or [])

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setAccessibleName(f"{self.NOUN.capitalize()} list")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        # No sort until the user asks: the store's order (authorities first) is the useful one.
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.selectionModel().currentRowChanged.connect(self._current_changed)
        return table

    def _fit_columns(self) -> None:
        """Columns as wide as their text; the longest text (``STRETCH_COLUMN``) takes the rest."""
        fit_columns(self.table, stretch=(self.STRETCH_COLUMN,))

    # -- for subclasses -----------------------------------------------------------------

    def _build_fields(self) -> None:
        raise NotImplementedError

    def _records(self) -> list:
        raise NotImplementedError

    def _show(self, record) -> None:
        """Fill the fields from a record, or blank them for a new one (None)."""
        raise NotImplementedError

    def _submit(self, record_id: int | None) -> int:
        raise NotImplementedError

    def _field(self, name: str) -> QWidget:
        widget = getattr(self, name, None)
        return widget if isinstance(widget, QWidget) else self.name

    def _labelled(self, text: str, widget: QWidget, accessible: str) -> None:
        self._panel.append(widget)
        label = label_for(QLabel(text), widget, accessible)
        self.form.addRow(label, widget)
        changed = getattr(widget, "textChanged", None) or getattr(widget, "toggled", None)
        (changed or widget.currentTextChanged).connect(self.note.clear)

    def _panel_state(self) -> list:
        return [w.isChecked() if isinstance(w, QCheckBox) else w.currentText() if isinstance(w, QComboBox)
                else w.text() for w in self._panel]

    def _set_panel_state(self, state) -> None:
        for widget, value in zip(self._panel, state):
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                index = widget.findText(str(value))
                if index >= 0:
                    widget.setCurrentIndex(index)
                elif widget.isEditable():
                    widget.setEditText(str(value))
            else:
                widget.setText(str(value))

    def flush(self) -> bool:
        """On a change of page, lock and close: what is typed in the panel is kept."""
        return self.keeper.keep_now()

    # -- behaviour ----------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        try:
            records = self._records()
        except StoreError as exc:
            self.message.setText(f"Could not read the directory: {exc.reason}")
            return
        self.model.set_records(records)
        if select_id is not None:
            self.select(select_id)

    def select(self, record_id: int) -> None:
        source_row = self.model.row_of(record_id)
        if source_row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():  # hidden by the filter: show it rather than lose it
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._load(self.model.record(source_row))

    def start_new(self) -> None:
        self._blank()
        self.name.setFocus()

    def _blank(self) -> None:
        keeper = getattr(self, "keeper", None)
        if keeper is not None:
            keeper.keep_now()  # what was typed for the record left is kept, not dropped
        self.table.selectionModel().clear()
        self._editing_id = None
        self.heading.setText(f"New {self.NOUN}")
        self.message.clear()
        self.note.clear()
        self._show(None)
        if keeper is not None:
            keeper.opened(None)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # An invalid index (cleared selection, row filtered out) leaves the panel as it is.
        if current.isValid():
            self._load(self.model.record(self.proxy.mapToSource(current).row()))

    def _load(self, record) -> None:
        keeper = getattr(self, "keeper", None)
        if keeper is not None:
            keeper.keep_now()  # what was typed for the record left is kept, not dropped
        self._editing_id = record.id
        self.heading.setText(f"Edit {self.NOUN}")
        self.message.clear()
        self.note.clear()
        self._show(record)
        if keeper is not None:
            keeper.opened(record.id)

    def save(self) -> None:
        try:
            record_id, problems = self._submit(self._editing_id)
        except StoreError as exc:  # StorageUnavailable above all; the typed text stays
            self.message.setText(f"NOT SAVED: {exc.reason}")
            self.note.clear()
            return
        if problems:  # said beside the form, the typed text kept
            self.message.setText("\n".join(p.message for p in problems))
            self.note.clear()
            self._field(problems[0].field).setFocus()
            return
        self.reload(select_id=record_id)
        self.keeper.forget()
        self.note.success("Saved.")
        self.saved.emit(record_id)


class AgenciesTab(_DirectoryTab):
    NOUN = "agency"
    STRETCH_COLUMN = 0

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(store, AgencyTableModel(), parent)

    def _build_fields(self) -> None:
        self.name = QLineEdit()
        self.kind = QComboBox()
        for kind in AGENCY_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.active = QCheckBox("Offered in pickers")
        self._labelled("&Name", self.name, "Agency name")
        self._labelled("&Kind", self.kind, "Kind of agency")
        self._labelled("Ac&tive", self.active, "Agency active")
        self.name.returnPressed.connect(self.save)

    def _records(self) -> list:
        return self.store.directory.agencies(include_inactive=True)

    def _show(self, agency: Agency | None) -> None:
        self.name.setText(agency.name if agency else "")
        kind = agency.kind if agency else "other"
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.active.setChecked(agency.active if agency else True)

    def _submit(self, record_id: int | None):
        return save_agency(
            store=self.store,
            name=self.name.text(),
            kind=self.kind.currentData(),
            active=self.active.isChecked(),
            agency_id=record_id,
        )


class PeopleTab(_DirectoryTab):
    NOUN = "person"
    STRETCH_COLUMN = 2  # the role: names and agencies are shown whole

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(store, PersonTableModel(), parent)
        self.refresh_agency_choices()

    def _build_fields(self) -> None:
        self.name = QLineEdit()
        self.agency = QComboBox()
        self.agency.setEditable(True)  # someone from an agency not (yet) in the list
        self.agency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.role = QLineEdit()
        self.contact = QLineEdit()
        self.contact.setPlaceholderText("Phone or email")
        self.active = QCheckBox("Offered in pickers")
        self._labelled("&Name", self.name, "Person's name")
        self._labelled("&Agency", self.agency, "Person's agency")
        self._labelled("&Role", self.role, "Person's role")
        self._labelled("&Contact", self.contact, "Person's contact details")
        self._labelled("Ac&tive", self.active, "Person active")
        for edit in (self.name, self.role, self.contact):
            edit.returnPressed.connect(self.save)

    def refresh_agency_choices(self, *_args) -> None:
        """Offer the active agencies, keeping whatever the agency box holds now."""
        try:
            names = [a.name for a in self.store.directory.agencies()]
        except StoreError as exc:
            self.message.setText(f"Could not read the agencies: {exc.reason}")
            return
        typed = self.agency.currentText()
        self.agency.clear()
        self.agency.addItems(names)
        self.agency.setCurrentIndex(-1)
        self.agency.setEditText(typed)

    def _records(self) -> list:
        return self.store.directory.people(include_inactive=True)

    def _show(self, person: Person | None) -> None:
        self.name.setText(person.name if person else "")
        self.agency.setCurrentIndex(-1)
        self.agency.setEditText(person.agency if person else "")
        self.role.setText(person.role if person else "")
        self.contact.setText(person.contact if person else "")
        self.active.setChecked(person.active if person else True)

    def _submit(self, record_id: int | None):
        return save_person(
            store=self.store,
            name=self.name.text(),
            agency=self.agency.currentText(),
            role=self.role.text(),
            contact=self.contact.text(),
            active=self.active.isChecked(),
            person_id=record_id,
        )


class DirectoryPage(QWidget):
    """Agencies and people, each listed in full (inactive too) with an edit panel."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        heading = plain_label("Directory")
        heading.setObjectName("pageTitle")
        intro = plain_label(
            "Agencies and the people who attend meetings and own actions. Nothing here is "
            "deleted: untick Active to stop offering a record in pickers."
        )
        intro.setWordWrap(True)
        self.agencies = AgenciesTab(store)
        self.people = PeopleTab(store)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The directory")
        self.tabs.tabBar().setAccessibleName("Agencies or people")
        self.tabs.addTab(self.agencies, "Agencies")
        self.tabs.addTab(self.people, "People")
        # A new or renamed agency is offered to people at once (the store says what changed).
        watch(self.people, store, self.people.refresh_agency_choices, lambda c: c.touches("directory"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)

    def flush(self) -> bool:
        """What is typed in either tab's panel is kept (a change of page, lock, close)."""
        return flush_each([self.agencies, self.people])
