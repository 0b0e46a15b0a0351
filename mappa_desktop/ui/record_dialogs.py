"""Small windows that record one thing, built from its declaration in ``lifecycle_spec``:
issuing a draft for comment, carrying an action forward, re-assigning it, a case leaving
MAPPA, an addendum to the case. Each shows the words typed back with the problems beside
the fields (from ``mappa_desktop.ops``), and closes only when the record is stored."""

from __future__ import annotations

from typing import Callable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from .. import spec
from .fields import make_field
from .kept_typing import KeepsTyping
from .messages import field_error_label, message_label
from .widgets import WrappedLabel, focus_first, label_for, plain_label


class RecordDialog(KeepsTyping, QDialog):
    """A form for one ``spec.Section`` of ``lifecycle_spec``. ``save(raw)`` stores it and
    returns the problems (empty: stored, and the window closes). With ``keep`` (a store and
    a ``kept_typing.draft_key``), what is typed outlives a lock."""

    saved = Signal()

    def __init__(self, section: spec.Section, *, title: str, save: Callable[[dict], list], ok_text: str,
                 intro: str = "", values: Mapping | None = None, names_for=None, above: QWidget | None = None,
                 below: QWidget | None = None, keep: tuple | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.section, self._save, self.below = section, save, below
        layout = QVBoxLayout(self)
        guidance = plain_label(intro or section.guidance)
        guidance.setWordWrap(True)
        guidance.setObjectName("muted")
        layout.addWidget(guidance)
        if above is not None:
            layout.addWidget(above)
        self.form = QFormLayout()
        self.widgets: dict[str, QWidget] = {}
        self.problems: dict[str, object] = {}
        for field in section.fields:
            widget = make_field(field, names_for)
            if values and values.get(field.key) is not None:
                widget.set_value(values[field.key])
            caption = field.label + (" *" if field.required else "")
            label = label_for(WrappedLabel(caption), widget)
            self.form.addRow(label, widget)
            problem = field_error_label()
            self.form.addRow("", problem)
            self.widgets[field.key], self.problems[field.key] = widget, problem
        layout.addLayout(self.form)
        if below is not None:
            layout.addWidget(below)
        layout.addStretch(1)
        self.error = message_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        focus_first(self)  # the first field, above the record's own when there is one
        if keep is not None:
            self.keep_typing(*keep)
        self.resize(560, 200 + 60 * len(section.fields))

    def raw(self) -> dict:
        """The words as typed (the rules parse them)."""
        return {key: widget.raw() for key, widget in self.widgets.items()}

    def typed_parts(self) -> dict:
        return dict(self.widgets)

    def submit(self) -> bool:
        from ..db.errors import StoreError

        try:
            problems = self._save(self.raw())
        except StoreError as exc:
            from ..db.errors import RecordLocked

            self.show_problems([])
            # A refusal (read-only) is not a failure to save: say which it is.
            self.error.setText(f"Refused: {exc.reason}." if isinstance(exc, RecordLocked) else f"NOT SAVED: {exc.reason}")
            return False
        if problems:
            self.show_problems(problems)
            return False
        self.saved.emit()
        self.accept()
        return True

    def show_problems(self, problems) -> None:
        """Each problem beside its field; others (and the first) in the message line."""
        for label in self.problems.values():
            label.hide()
        loose = []
        for problem in problems:
            label = self.problems.get(problem.field.rsplit(".", 1)[-1])
            if label is None:
                loose.append(problem.message)
                continue
            label.setText(problem.message)
            label.show()
        self.error.setText("\n".join(loose))
