"""Forms built from the spec: one :class:`SectionForm` per single-valued section, one
:class:`RowsForm` per repeating section. Both keep what the user typed when it does not
parse, and show each problem beside its field."""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..rules.values import Problem, parse_record
from ..words import plural_of
from .fields import make_field, set_read_only
from .messages import field_error_label
from .widgets import WrappedLabel, WrappingGrid, field_cell, label_for, plain_label

NamesFor = Callable[[spec.Kind], Iterable[str]]


def _caption(field: spec.Field) -> str:
    return field.label + (" *" if field.required else "")


_error_label = field_error_label


class SectionForm(QWidget):
    """The fields of one section in a form layout, each with its label and error line."""

    edited = Signal()
    CAPTION_WIDTH = 190

    def __init__(self, section: spec.Section, names_for: NamesFor | None = None, parent=None, *,
                 qualify: Iterable[str] = ()):
        """``qualify``: labels that another form on the same screen uses too; their fields
        are named with this section's title ("Address (Lead authority)")."""
        super().__init__(parent)
        self.section = section
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        # Rows of box layouts, not a QFormLayout: a field whose height depends on its width
        # (the meanings under a choice, wrapped) is given that height, never squeezed.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        captions = []
        for field in section.fields:
            widget = make_field(field, names_for)
            name = f"{field.label} ({section.title})" if field.label in qualify else field.label
            caption = label_for(QLabel(_caption(field)), widget, name)
            caption.setWordWrap(True)
            caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            caption.setContentsMargins(0, 4, 0, 0)
            captions.append(caption)
            error = _error_label()
            column = QVBoxLayout()
            column.setSpacing(2)
            # A field that does not widen (yes/no, a time) sits at the left, under the others.
            narrow = widget.maximumWidth() < 10_000 or widget.sizePolicy().horizontalPolicy() in (
                QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft if narrow else Qt.AlignmentFlag(0))
            column.addWidget(error)
            row = QHBoxLayout()
            row.addWidget(caption)
            row.addLayout(column, 1)
            layout.addLayout(row)
            widget.edited.connect(self.edited)
            self.widgets[field.key] = widget
            self.errors[field.key] = error
        # One caption column: as wide as the longest caption, at most CAPTION_WIDTH (longer
        # captions wrap onto a second line).
        width = min(self.CAPTION_WIDTH, max((c.fontMetrics().horizontalAdvance(c.text()) + 4 for c in captions),
                                            default=0))
        for caption in captions:
            caption.setFixedWidth(width)

    def field_widget(self, key: str) -> QWidget:
        return self.widgets[key]

    def load(self, values: Mapping) -> None:
        for key, widget in self.widgets.items():
            widget.set_value(values.get(key))
        self.clear_problems()

    def read(self) -> tuple[dict, list[Problem]]:
        """The values in stored form, and a problem for each that does not parse (its value
        is None; the words stay in the widget)."""
        values, problems = parse_record(self.section.fields, self.raw_state())
        return {f.key: values.get(f.key) for f in self.section.fields}, problems

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.widgets.values():
            set_read_only(widget, read_only)

    def raw_state(self) -> dict:
        """Exactly what is in the widgets, parseable or not (for drafts)."""
        return {key: widget.raw() for key, widget in self.widgets.items()}

    def restore_raw_state(self, state: Mapping) -> None:
        for key, widget in self.widgets.items():
            if key in state:
                widget.set_raw(state[key])

    def clear_problems(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_problem(self, key: str, message: str) -> bool:
        label = self.errors.get(key)
        if label is None:
            return False
        label.setText(message)
        label.show()
        return True


class _Row(QFrame):
    remove_requested = Signal(object)

    def __init__(self, section: spec.Section, names_for: NamesFor | None, number: int):
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("repeatingRow")
        self.setAccessibleName(f"{section.row_noun.capitalize()} {number}")
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(6)
        # Three short fields a line where they fit, fewer (on more lines) where they do not.
        short = WrappingGrid(columns=3)
        for field in section.fields:
            if field.kind is not spec.Kind.LONG_TEXT:
                short.addWidget(self._cell(field, names_for, number))
        column.addLayout(short)
        for field in section.fields:
            if field.kind is spec.Kind.LONG_TEXT:
                column.addWidget(self._cell(field, names_for, number))
        # Created last so that Tab reaches it after the fields, never between them.
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove {section.row_noun} {number}")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        end = QHBoxLayout()
        end.addStretch(1)
        end.addWidget(self.remove_button)
        column.addLayout(end)

    def _cell(self, field, names_for, number) -> QWidget:
        widget = make_field(field, names_for)
        caption = label_for(WrappedLabel(_caption(field)), widget, f"{field.label} ({number})")
        error = _error_label()
        self.widgets[field.key] = widget
        self.errors[field.key] = error
        return field_cell(caption, widget, error)


class RowsForm(QWidget):
    """Repeating rows (civil orders, attendance, disclosures...) with Add and Remove."""

    edited = Signal()

    def __init__(
        self,
        section: spec.Section,
        names_for: NamesFor | None = None,
        *,
        problem_prefix: str = "rows",
        parent=None,
    ):
        super().__init__(parent)
        self.section = section
        self.names_for = names_for
        self.prefix = problem_prefix
        self.rows: list[_Row] = []
        self.ids: list[int | None] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rows_box = QVBoxLayout()
        layout.addLayout(self.rows_box)
        self.empty_note = plain_label(f"No {plural_of(section.row_noun)} yet: press Add {section.row_noun} to record one.")
        self.empty_note.setObjectName("muted")
        self.empty_note.setWordWrap(True)
        layout.addWidget(self.empty_note)
        self.add_button = QPushButton(f"Add {section.row_noun}")
        self.add_button.clicked.connect(self._add_clicked)
        layout.addWidget(self.add_button)

    def _add_clicked(self) -> None:
        row = self.add_row()
        first = next(iter(row.widgets.values()))
        first.focus_target().setFocus()
        self.edited.emit()

    def add_row(self, values: Mapping | None = None, row_id: int | None = None) -> _Row:
        row = _Row(self.section, self.names_for, len(self.rows) + 1)
        for key, widget in row.widgets.items():
            if values:
                widget.set_value(values.get(key))
            widget.edited.connect(self.edited)
        row.remove_requested.connect(self._remove)
        self.rows.append(row)
        self.ids.append(row_id)
        self.rows_box.addWidget(row)
        if self.isVisible():
            row.show()  # now, not on the next event loop turn: focus can go there at once
        self.empty_note.setVisible(False)
        return row

    def _remove(self, row: _Row) -> None:
        index = self.rows.index(row)
        self.rows.pop(index)
        self.ids.pop(index)
        row.hide()
        row.deleteLater()
        self.empty_note.setVisible(not self.rows)
        self.add_button.setFocus()
        self.edited.emit()

    def load(self, rows: Iterable[Mapping], ids: Iterable[int | None] | None = None) -> None:
        for row in self.rows:
            row.hide()
            row.deleteLater()
        self.rows, self.ids = [], []
        rows = list(rows)
        ids = list(ids) if ids is not None else [None] * len(rows)
        for values, row_id in zip(rows, ids):
            self.add_row(values, row_id)
        self.empty_note.setVisible(not self.rows)

    def read(self) -> tuple[list[dict], list[Problem]]:
        """Each row's values in stored form, and a problem for each that does not parse."""
        values, problems = [], []
        for index, raw in enumerate(self.raw_state()):
            row, row_problems = parse_record(self.section.fields, raw, f"{self.prefix}.{index}.")
            values.append({f.key: row.get(f.key) for f in self.section.fields})
            problems += row_problems
        return values, problems

    def raw_state(self) -> list[dict]:
        return [{key: w.raw() for key, w in row.widgets.items()} for row in self.rows]

    def set_read_only(self, read_only: bool) -> None:
        self.add_button.setVisible(not read_only)
        for row in self.rows:
            row.remove_button.setVisible(not read_only)
            for widget in row.widgets.values():
                set_read_only(widget, read_only)

    def restore_raw_state(self, rows: Iterable[Mapping], ids: Iterable[int | str | None] | None = None) -> None:
        """The rows as typed; with ``ids``, each row is again the record it was (a row
        restored without one is a new record)."""
        rows = list(rows)
        ids = list(ids) if ids is not None else [None] * len(rows)
        self.load([])
        for state, row_id in zip(rows, ids):
            row = self.add_row(row_id=row_id)
            for key, widget in row.widgets.items():
                if key in state:
                    widget.set_raw(state[key])

    def clear_problems(self) -> None:
        for row in self.rows:
            for label in row.errors.values():
                label.clear()
                label.hide()

    def show_problem(self, key: str, message: str) -> bool:
        """``key`` is ``prefix.N.field``."""
        parts = key.split(".")
        if len(parts) != 3 or parts[0] != self.prefix or not parts[1].isdigit():
            return False
        index = int(parts[1])
        if index >= len(self.rows) or parts[2] not in self.rows[index].errors:
            return False
        label = self.rows[index].errors[parts[2]]
        label.setText(message)
        label.show()
        return True

    def field_widget(self, index: int, key: str) -> QWidget:
        return self.rows[index].widgets[key]
