"""The widgets of the risk management plan's page: an entry (its line, what the meeting did
to it, and its fields from ``spec.PLAN_ENTRY`` for its pillar) and a pillar (its entries, a
way to add one, and why it is not needed). No rule lives here: the page asks the state."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from .. import spec
from ..plan import before_words, change_words, condition_label, entry_summary, fields_for
from ..rules.values import is_required
from .fields import LongTextField, make_field, set_read_only
from .messages import field_error_label
from .widgets import plain_label

NOT_NEEDED = spec.PLAN_NOT_NEEDED


_error_label = field_error_label  # hidden until it has something to say


def _wide(field: spec.Field) -> bool:
    """Fields given a whole line: paragraphs, a condition's words, a trigger."""
    return field.kind in (spec.Kind.LONG_TEXT, spec.Kind.CONDITION) or (
        field.kind is spec.Kind.TEXT and field.max_length is None)


class EntryCard(QFrame):
    """One entry of the plan: a line that says what it is and what the meeting did to it,
    and its fields (folded away while it is carried over unchanged)."""

    edited = Signal(int)
    requested = Signal(str, int)  # "end" / "keep" / "remove" / "action", entry id

    def __init__(self, entry: dict, names_for, number: int, parent=None):
        super().__init__(parent)
        self.entry_id, self.pillar, self.number = entry["id"], entry["pillar"], number
        self.setObjectName("repeatingRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.read_only = False
        self.conditions: dict = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(3)
        head = QHBoxLayout()
        label = spec.pillar(self.pillar).label
        self.title = plain_label(f"Entry {number}")
        self.title.setObjectName("entryTitle")
        self.badge = plain_label("")
        self.badge.setObjectName("planChange")
        self.fold_button = QPushButton("Change…")
        self.action_button = QPushButton("Raise action")
        self.action_button.setToolTip("An action for this entry, owner and date carried over")
        self.end_button = QPushButton("End…")
        self.end_button.setToolTip("End the entry at this meeting, with the reason")
        self.keep_button = QPushButton("Keep in plan")
        self.remove_button = QPushButton("Take back")
        self.remove_button.setToolTip("Remove an entry added at this meeting by mistake")
        head.addWidget(self.title)
        head.addWidget(self.badge)
        head.addStretch(1)
        for button, name in ((self.fold_button, None), (self.action_button, "action"), (self.end_button, "end"),
                             (self.keep_button, "keep"), (self.remove_button, "remove")):
            button.setAccessibleName(f"{label}, entry {number}: {button.text().rstrip('…')}")
            head.addWidget(button)
            if name:
                button.clicked.connect(lambda _c=False, n=name: self.requested.emit(n, self.entry_id))
        self.fold_button.clicked.connect(lambda: self.set_expanded(not self.expanded))
        column.addLayout(head)
        self.summary = plain_label("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.summary)
        self._names_for, self._label = names_for, label
        self._column = column
        self.body: QWidget | None = None  # the fields, built when first needed (folded: never)
        self._widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        self.error = _error_label()
        column.addWidget(self.error)
        self.expanded = False
        self.entry = dict(entry)
        self.show_state(entry)

    @property
    def widgets(self) -> dict[str, QWidget]:
        """The entry's field widgets (built on first use: a folded card has none)."""
        self._build_body()
        return self._widgets

    def _build_body(self) -> None:
        if self.body is not None:
            return
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        row, slot = 0, 0
        for field in fields_for(self.pillar):
            wide = _wide(field)
            if wide and slot:
                row, slot = row + 3, 0
            widget = make_field(field, self._names_for)
            if isinstance(widget, QComboBox):  # long directory names must not widen the page
                widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                widget.setMinimumContentsLength(10)
            if isinstance(widget, LongTextField):
                widget.MIN_LINES = 2
                widget._fit()
            widget.setAccessibleName(f"{self._label}, entry {self.number}: {field.label}")
            caption = QLabel(field.label)
            caption.setBuddy(widget.focus_target())
            error = _error_label()
            span = 3 if wide else 1
            grid.addWidget(caption, row, slot, 1, span)
            grid.addWidget(widget, row + 1, slot, 1, span)
            grid.addWidget(error, row + 2, slot, 1, span)
            self._widgets[field.key], self.errors[field.key], self.captions[field.key] = widget, error, caption
            slot = 0 if wide else slot + 1
            if wide or slot == 3:
                row, slot = row + 3, 0
        for index in range(3):
            grid.setColumnStretch(index, 1)
        self._column.insertWidget(self._column.indexOf(self.error), self.body)
        self.body.setVisible(self.expanded)
        for key, widget in self._widgets.items():
            widget.set_value(self.entry.get(key))
        if "condition_uid" in self._widgets:
            self._widgets["condition_uid"].set_choices([(uid, condition_label(c)) for uid, c in self.conditions.items()])
        for widget in self._widgets.values():  # after the values: loading them is not an edit
            widget.edited.connect(lambda: self.edited.emit(self.entry_id))
        self.show_state(self.entry)

    # -- showing the entry -------------------------------------------------------------------------

    def load(self, entry: dict) -> None:
        """Show the entry as the state holds it (values and what the meeting did to it)."""
        for key, widget in self._widgets.items():
            widget.set_value(entry.get(key))
        self.show_state(entry)

    def show_state(self, entry: dict) -> None:
        """The line, the badge, the buttons and the required marks, from the entry."""
        self.entry = dict(entry)
        change = entry.get("change") or "carried"
        self.badge.setText(change_words(entry).upper() if change != "carried" else "carried over")
        self.badge.setToolTip(before_words(entry) if change == "changed" else entry.get("rationale") or "")
        if self.badge.property("change") != change:
            self.badge.setProperty("change", change)
            self.badge.style().polish(self.badge)
        raised = f"Action {entry['action_number']} raised from this entry." if entry.get("action_number") else ""
        line = entry_summary(entry, self.conditions.get(entry.get("condition_uid")))
        why = " ".join((entry.get("rationale") or "").split())
        if why and change != "carried":
            line += f"\nWhy: {why}"
        self.summary.setText(raised if self.expanded else f"{line}\n{raised}".strip())
        self.summary.setVisible(bool(self.summary.text()))
        ended = change == "ended"
        self.setProperty("ended", ended)
        record = {**entry, "change": change}
        for key, caption in self.captions.items():
            field = spec.PLAN_ENTRY.field(key)
            caption.setText(field.label + (" *" if is_required(field, record) else ""))
        self._buttons()

    def _buttons(self) -> None:
        change = self.entry.get("change") or "carried"
        editable = not self.read_only
        self.end_button.setVisible(editable and change != "ended" and change != "added")
        self.keep_button.setVisible(editable and change == "ended")
        self.remove_button.setVisible(editable and change == "added")
        self.action_button.setVisible(editable and change != "ended" and not self.entry.get("action_id"))
        self.fold_button.setVisible(True)
        self.fold_button.setText("Fold" if self.expanded else ("Change…" if editable else "Details"))
        for key, widget in self._widgets.items():
            set_read_only(widget, self.read_only or (change == "ended" and key != "rationale"))

    def set_conditions(self, conditions: dict) -> None:
        """The case's conditions by global id (for the line, and the choice of one)."""
        self.conditions = conditions
        widget = self._widgets.get("condition_uid")
        if widget is not None:
            widget.set_choices([(uid, condition_label(c)) for uid, c in conditions.items()])
        self.show_state(self.entry)

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        if expanded:
            self._build_body()
        if self.body is not None:
            self.body.setVisible(expanded)
        self.show_state(self.entry)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._buttons()

    # -- what is typed -------------------------------------------------------------------------------

    def raw(self) -> dict:
        return {key: widget.raw() for key, widget in self.widgets.items()}  # only a built card is edited

    def set_raw(self, raw) -> None:
        for key, value in (raw or {}).items():
            if key in self.widgets:
                self.widgets[key].set_raw(value)

    def show_problems(self, problems) -> None:
        """Each problem beside its field (the entry unfolds); any other under the entry."""
        if problems:
            self.set_expanded(True)
        for label in (*self.errors.values(), self.error):
            label.clear()
            label.hide()
        rest = []
        for problem in problems:
            label = self.errors.get(problem.field.rsplit(".", 1)[-1])
            if label is None:
                rest.append(problem.message)
                continue
            label.setText(problem.message)
            label.show()
        if rest:
            self.error.setText("\n".join(rest))
            self.error.show()


class PillarBox(QFrame):
    """A pillar of the plan: its entries, a way to add one, and why it is not needed."""

    def __init__(self, pillar: spec.Choice, parent=None):
        super().__init__(parent)
        self.pillar = pillar
        self.setObjectName("pillarBox")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 4)
        column.setSpacing(4)
        head = QHBoxLayout()
        title = plain_label(pillar.label)
        title.setObjectName("pillarTitle")
        title.setToolTip(pillar.help)
        head.addWidget(title)
        head.addStretch(1)
        self.add_button = QPushButton("Add entry" if pillar.value != "contingency" else "Add trigger and response")
        self.add_button.setAccessibleName(f"{pillar.label}: add an entry")
        head.addWidget(self.add_button)
        column.addLayout(head)
        help_text = plain_label(pillar.help)
        help_text.setObjectName("muted")
        help_text.setWordWrap(True)
        column.addWidget(help_text)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(4)
        column.addLayout(self.cards_box)
        self.cards: dict[int, EntryCard] = {}
        self.not_needed_row = QWidget()
        row = QHBoxLayout(self.not_needed_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.not_needed = make_field(NOT_NEEDED)
        self.not_needed.setAccessibleName(f"{pillar.label}: {NOT_NEEDED.label}")
        caption = QLabel(NOT_NEEDED.label + ":")
        caption.setBuddy(self.not_needed)
        row.addWidget(caption)
        row.addWidget(self.not_needed, 1)
        column.addWidget(self.not_needed_row)
        self.not_needed_error = _error_label()
        column.addWidget(self.not_needed_error)
        self.not_needed_row.setVisible(pillar.value != "contingency")  # a trigger is always needed
