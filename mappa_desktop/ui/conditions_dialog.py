"""The conditions of the licence and of civil orders recorded on a case, edited in a form
built from ``spec.CONDITIONS`` and saved through ``ops.plan.save_conditions``."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from .. import spec
from ..ops.plan import save_conditions
from .forms import RowsForm
from .kept_typing import KeepsTyping, draft_key
from .messages import message_label
from .widgets import focus_first, plain_label, scroll_area


class _RowsAndIds:
    """The conditions as typed with the condition each row is (kept over a lock)."""

    def __init__(self, form: RowsForm):
        self.form = form

    def raw_state(self) -> dict:
        return {"rows": self.form.raw_state(), "ids": list(self.form.ids)}

    def restore_raw_state(self, state) -> None:
        self.form.restore_raw_state(state.get("rows") or [], state.get("ids"))


class ConditionsDialog(KeepsTyping, QDialog):
    """Add, correct or remove the case's conditions. A condition the plan rests on cannot be
    removed (the store refuses, and this says so); it is given an end date instead."""

    def __init__(self, store, case, *, origin=None, parent=None):
        super().__init__(parent)
        self.store, self.case, self.origin = store, case, origin
        self.setWindowTitle(f"Conditions: {case.reference}")
        column = QVBoxLayout(self)
        hint = plain_label(spec.CONDITIONS.guidance)
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        column.addWidget(hint)
        self.form = RowsForm(spec.CONDITIONS, problem_prefix="conditions")
        self.form.load([c.as_values() for c in case.conditions], [c.uid for c in case.conditions])
        column.addWidget(scroll_area(self.form), 1)
        self.message = message_label()
        column.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.resize(760, 560)
        focus_first(self)
        self.keep_typing(store, draft_key(case.id, "conditions", case.id))

    def typed_parts(self) -> dict:
        return {"conditions": _RowsAndIds(self.form)}

    def save(self) -> bool:
        from ..db.errors import StoreError

        self.form.clear_problems()
        try:
            with self.store.changes.origin(self.origin or self):
                problems = save_conditions(store=self.store, case_id=self.case.id, raw_rows=self.form.raw_state(),
                                           uids=list(self.form.ids))
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}.")
            return False
        unplaced = [p.message for p in problems if not self.form.show_problem(p.field, p.message)]
        self.message.setText("\n".join(unplaced) or ("Put right what is marked, then save." if problems else ""))
        if problems:
            return False
        self.accept()
        return True
