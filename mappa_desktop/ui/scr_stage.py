"""One stage of a Significant Case Review on screen: its form, kept as it is typed.

What is typed is saved as the stage's draft within a second (``Autosaver``), or, while a
value does not parse or breaks its rules, kept as typed in the encrypted store
(``scr.keep_stage``) with the problem beside the field; flushed on a change of tab, of page,
on lock and on close. A storage error shows "NOT SAVED" with Retry, the words still there.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .. import scr, scr_spec
from .autosave import Autosaver, SaveStatus
from .case_editor import names_from_directory
from .forms import RowsForm, SectionForm
from .messages import message_label
from .widgets import plain_label, scroll_area


def show_problems(problems, message: QLabel, *forms) -> None:
    for form in forms:
        form.clear_problems()
    for problem in problems:
        for form in forms:
            if form.show_problem(problem.field, problem.message):
                break
    message.setText("\n".join(p.message for p in problems))


class StagePanel(QWidget):
    """One stage: its status, its form (and the recommendations for the review), and the
    buttons to save a draft or complete it. What is typed is kept as it is typed: saved as
    the stage's draft within a second, or, while a value has a problem, kept as typed in the
    encrypted store (``scr.keep_stage``); flushed on a change of tab, lock and close.
    ``kept`` after each such save; ``saved`` when the stage was completed (its editor then
    shows the whole review again; other views hear of it from the store)."""

    saved = Signal()
    kept = Signal()

    def __init__(self, store, review_id: int, section, parent=None, *, origin=None):
        super().__init__(parent)
        self.store, self.review_id, self.section = store, review_id, section
        self.origin = origin if origin is not None else self
        self.read_only = False
        self._loading = False
        self.problems: list = []
        names_for = names_from_directory(store)
        self.status = plain_label("")
        self.status.setObjectName("stageStatus")
        guidance = plain_label(section.guidance)
        guidance.setWordWrap(True)
        guidance.setObjectName("muted")
        self.form = SectionForm(section, names_for)
        self.recommendations = None
        if section.key == "review":
            self.recommendations = RowsForm(scr_spec.RECOMMENDATIONS, names_for, problem_prefix="recommendations")
        self.message = message_label()
        self.save_button = QPushButton("&Save draft")
        self.save_button.setToolTip("Saving also happens by itself, within a second of typing")
        self.complete_button = QPushButton("&Complete stage")
        self.autosaver = Autosaver(parent=self)
        self.autosaver.register("stage", self._keep)
        self.save_status = SaveStatus(self.autosaver, lambda when: f"Saved {when}" if not self.problems
                                      else f"Kept as typed {when}: put right what is marked")
        self.save_state, self.retry_button = self.save_status.label, self.save_status.retry_button
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.complete_button)
        buttons.addStretch(1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.status)
        column.addWidget(guidance)
        column.addWidget(self.form)
        if self.recommendations is not None:
            column.addWidget(QLabel(f"<b>{scr_spec.RECOMMENDATIONS.title}</b>"))
            column.addWidget(plain_label(scr_spec.RECOMMENDATIONS.guidance))
            column.addWidget(self.recommendations)
        column.addWidget(self.message)
        column.addLayout(buttons)
        column.addStretch(1)
        scroll = scroll_area(body)  # the stage's fields take the keyboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.save_status)  # always in view, however far the form is scrolled
        self.form.edited.connect(self._edited)
        if self.recommendations is not None:
            self.recommendations.edited.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.complete_button.clicked.connect(self.complete)

    def load(self, review) -> None:
        """Show the stage as stored, with any words kept as typed over it."""
        self._loading = True
        try:
            status = scr.stage_status(review, self.section.key)
            if self.autosaver.dirty:
                # Typing not saved (NOT SAVED is showing): it stays on screen, for Retry.
                self.status.setText(f"Status: {status}")
                return
            stage = review.stages.get(self.section.key)
            self.form.load(stage.values if stage else {})
            if self.recommendations is not None:
                recs = review.recommendations
                self.recommendations.load([r.as_values() for r in recs], [r.id for r in recs])
            self.status.setText(f"Status: {status}")
            blocked = scr.order_problems(review, self.section.key)
            self.read_only = bool(blocked)
            self.form.set_read_only(self.read_only)
            if self.recommendations is not None:
                self.recommendations.set_read_only(self.read_only)
            self.save_button.setEnabled(not self.read_only)
            self.complete_button.setEnabled(not self.read_only)
            kept = None if self.read_only else scr.kept_stage(self.store, self.review_id, self.section.key)
            if kept:
                self.form.restore_raw_state(kept.get("values") or {})
                if self.recommendations is not None and kept.get("rows") is not None:
                    self.recommendations.restore_raw_state(kept["rows"])
                _values, _rows, problems = self._typed()
                self._show(problems)
                self.message.warning("Kept as typed, not yet saved as the draft: put right what is marked.")
            else:
                self.message.warning("" if status == "completed" or review.closed
                                     else "\n".join(p.message for p in blocked))
        finally:
            self._loading = False

    def _typed(self):
        raw_rows = self.recommendations.raw_state() if self.recommendations is not None else None
        return scr.typed_stage(self.section.key, self.form.raw_state(), raw_rows, now=self.store.clock())

    def _show(self, problems) -> None:
        forms = [self.form] + ([self.recommendations] if self.recommendations is not None else [])
        show_problems(problems, self.message, *forms)

    # -- kept as typed ---------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._loading or self.read_only:
            return
        self.autosaver.mark_dirty("stage")
        self.save_status.saving()

    def _keep(self) -> None:
        """The autosaver's save: a storage error goes back to it (NOT SAVED, Retry)."""
        raw_rows = self.recommendations.raw_state() if self.recommendations is not None else None
        with self.store.changes.origin(self.origin):
            self.problems = scr.keep_stage(store=self.store, review_id=self.review_id, stage_key=self.section.key,
                                           raw=self.form.raw_state(), raw_rows=raw_rows)
        self._show(self.problems)
        if not self.problems:
            self.status.setText("Status: draft")
        self.kept.emit()

    def flush(self) -> bool:
        """Save what is pending now (a change of tab, lock, close). False if it could not be."""
        return self.autosaver.flush()

    def dispose(self) -> None:
        self.flush()
        self.autosaver.stop()

    # -- the buttons --------------------------------------------------------------------------------

    def save(self) -> list:
        """Save draft: what is typed, now. Returns the problems (a storage error shows as
        NOT SAVED, with the words still in the form)."""
        if self.read_only:
            return []
        self.autosaver.mark_dirty("stage")
        if not self.flush():
            return []
        if not self.problems:
            self.message.success("Draft saved.")
        return self.problems

    def complete(self) -> list:
        from ..db.errors import StoreError

        if not self.flush():
            self.message.setText("The stage is not completed: what is typed could not be saved (see below).")
            return []
        values, rows, problems = self._typed()
        if not problems:
            try:
                with self.store.changes.origin(self.origin):
                    problems = scr.complete_stage(store=self.store, review_id=self.review_id,
                                                  stage_key=self.section.key, values=values, recommendations=rows)
            except StoreError as exc:
                self.message.setText(f"NOT SAVED: {exc.reason}. The stage is not completed; what you typed is kept.")
                return []
        self._show(problems)
        if not problems:
            self.saved.emit()
            self.message.success("Stage completed.")
        return problems
