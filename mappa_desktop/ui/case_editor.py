"""Create or edit a case: every section of ``spec.CASE_SECTIONS``, built from the spec.

Saving is explicit (Ctrl+S). Anything wrong is shown beside its field and nothing typed is
thrown away; a storage failure says NOT SAVED and keeps the form as it is.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..rules.values import Problem
from ..dates import DateError, format_date, parse_user_date
from ..model import Case
from ..sonr import Disposal, propose
from ..words import plural
from .forms import RowsForm, SectionForm
from .autosave import Autosaver, SaveStatus
from .messages import message_label
from .widgets import plain_label, scroll_area

log = logging.getLogger(__name__)


def names_from_directory(store):
    """``names_for`` for forms: people and agencies from the directory."""

    def names_for(kind: spec.Kind):
        if kind is spec.Kind.AGENCY:
            return [a.name for a in store.directory.agencies()]
        return [p.name for p in store.directory.people()]

    return names_for


def section_heading(section: spec.Section) -> QWidget:
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 14, 0, 4)
    title = plain_label(section.title)
    title.setObjectName("sectionTitle")
    column.addWidget(title)
    guidance = plain_label(section.guidance)
    guidance.setObjectName("guidance")
    guidance.setWordWrap(True)
    column.addWidget(guidance)
    return box


class CaseEditor(QWidget):
    saved = Signal(int)
    cancelled = Signal()

    def __init__(self, store, case: Case | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.case = case
        self.forms: dict[str, SectionForm] = {}
        names_for = names_from_directory(store)

        title = plain_label(f"Edit case {case.reference}" if case else "New case")
        title.setObjectName("pageTitle")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 8, 24, 24)
        # A label two sections share ("Address") names its field with its section's title.
        labels = [f.label for s in spec.CASE_SECTIONS if s.source is not spec.Source.CASE_ROWS for f in s.fields]
        shared = {label for label in labels if labels.count(label) > 1}
        for section in spec.CASE_SECTIONS:
            column.addWidget(section_heading(section))
            if section.source is spec.Source.CASE_ROWS:
                self.orders = RowsForm(section, names_for, problem_prefix="orders")
                column.addWidget(self.orders)
            else:
                form = SectionForm(section, names_for, qualify=shared)
                self.forms[section.key] = form
                column.addWidget(form)
            if section.key == "key_dates":
                self.sonr_button = QPushButton("Propose SONR expiry…")
                self.sonr_button.setToolTip(
                    "Work out the notification period from the sentence. The police hold "
                    "the authoritative date; nothing you typed is replaced without asking."
                )
                self.sonr_button.clicked.connect(self.propose_sonr)
                column.addWidget(self.sonr_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)
        self.scroll = scroll = scroll_area(body)  # the form's fields take the keyboard

        self.message = message_label()
        self.save_button = QPushButton("&Save case")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without saving (Esc)")
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 8)
        header = QHBoxLayout()
        header.setContentsMargins(24, 0, 24, 0)
        header.addWidget(title)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        bar.setContentsMargins(24, 0, 24, 0)
        layout.addLayout(bar)

        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self._cancel)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._cancel)
        self._dirty = False
        # A case is saved by the person (Save case); until then what is typed is kept as a
        # draft in the encrypted store within a second, as a minute is saved.
        self.autosaver = Autosaver(parent=self)
        self.autosaver.register("draft", self._keep_draft)
        self.save_status = SaveStatus(self.autosaver, lambda when: f"Draft kept {when} (not saved as the case yet)")
        bar.insertWidget(1, self.save_status)
        for form in (*self.forms.values(), self.orders):
            form.edited.connect(self._mark_dirty)
        if case is not None:
            self.load(case)

    def initial_focus(self):
        """The form opens on its first field (the case area puts the keyboard there)."""
        return self.forms["case_status"].field_widget("category").focus_target()

    # -- values -------------------------------------------------------------------------------

    def field_widget(self, key: str) -> QWidget:
        for form in self.forms.values():
            if key in form.widgets:
                return form.widgets[key]
        raise KeyError(key)

    def load(self, case: Case) -> None:
        for form in self.forms.values():
            form.load(case.values)
        self.orders.load([o.as_values() for o in case.orders], [o.id for o in case.orders])
        self._dirty = False

    def _mark_dirty(self) -> None:
        self._dirty = True
        self.autosaver.mark_dirty("draft")
        self.save_status.saving()

    def _keep_draft(self) -> None:
        """The autosaver's save (a storage error goes back to it: NOT SAVED, Retry)."""
        if self._dirty:
            self.store.drafts.put(self.draft_key, self.raw_state())

    # -- drafts: nothing typed is lost on lock or close ---------------------------------------

    @property
    def draft_key(self) -> str:
        return f"case_form:{self.case.id if self.case else 'new'}"

    def raw_state(self) -> dict:
        return {
            "forms": {key: form.raw_state() for key, form in self.forms.items()},
            "orders": self.orders.raw_state(),
        }

    def restore_raw_state(self, state: dict) -> None:
        for key, form in self.forms.items():
            form.restore_raw_state(state.get("forms", {}).get(key, {}))
        self.orders.restore_raw_state(state.get("orders", []))
        self._dirty = True
        self.message.warning(
            "Restored what was typed here before the app was locked or closed. Save when ready."
        )

    def flush(self) -> bool:
        """Keep unsaved typing as a draft in the (encrypted) store now (switch, lock,
        close). False if that failed (NOT SAVED shows, with Retry)."""
        return self.autosaver.flush()

    def dispose(self) -> None:
        """Replaced by another view: what is typed is kept as a draft (offered again)."""
        self.flush()

    @property
    def dirty(self) -> bool:
        return self._dirty

    # -- saving -------------------------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> None:
        for form in (*self.forms.values(), self.orders):
            form.clear_problems()
        first_widget = None
        for problem in problems:
            shown = self.orders.show_problem(problem.field, problem.message) or any(
                form.show_problem(problem.field, problem.message) for form in self.forms.values()
            )
            if not shown:
                log.warning("problem for a field not on the form: %s", problem.field)
            if first_widget is None:
                first_widget = self._widget_for(problem.field)
        if problems:
            count = len(problems)
            self.message.error(
                f"Not saved: {plural(count, 'thing')} to correct, marked below."
                if count > 1
                else f"Not saved: {problems[0].message}"
            )
        if first_widget is not None:
            target = first_widget.focus_target()
            target.setFocus()
            self.scroll.ensureWidgetVisible(target)

    def _widget_for(self, key: str) -> QWidget | None:
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "orders" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(self.orders.rows):
                return self.orders.field_widget(index, parts[2])
            return None
        try:
            return self.field_widget(key)
        except KeyError:
            return None

    def save(self) -> int | None:
        """Save through ``ops.cases``; returns the case id, or None when something is wrong
        (each problem shown beside its field, everything typed kept)."""
        from ..db.errors import StorageUnavailable, StoreError
        from ..ops.cases import save_case

        raw_values = {key: value for form in self.forms.values() for key, value in form.raw_state().items()}
        try:
            case_id, problems = save_case(store=self.store, case_id=self.case.id if self.case else None,
                                          raw_values=raw_values, raw_orders=self.orders.raw_state())
        except StorageUnavailable as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}. What you typed is kept; try Save again.")
            return None
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}.")
            return None
        if problems:
            self.show_problems(problems)
            return None
        self._dirty = False
        self.message.setText("")
        self._discard_draft()
        log.info("case %s saved", case_id)
        self.saved.emit(case_id)
        return case_id

    def _cancel(self) -> None:
        if self._dirty:
            answer = QMessageBox.question(
                self,
                "Discard changes?",
                "You have changes that are not saved. Close the form and lose them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        self._dirty = False  # discarded: nothing left to keep
        self._discard_draft()
        self.cancelled.emit()

    def _discard_draft(self) -> None:
        from ..db.errors import StoreError

        try:
            self.store.drafts.discard(self.draft_key)
        except StoreError:
            log.warning("could not discard a case form draft")

    # -- the SONR helper ----------------------------------------------------------------------

    def propose_sonr(self) -> None:
        start_widget = self.field_widget("sonr_start_date")
        try:
            start = parse_user_date(start_widget.text())
        except DateError:
            start = None
        if start is None:
            self.forms["key_dates"].show_problem(
                "sonr_start_date", "Enter the SONR start date first."
            )
            start_widget.focus_target().setFocus()
            return
        dialog = SonrDialog(start, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_sonr(dialog.proposal())

    def apply_sonr(self, proposal) -> bool:
        """Fill the SONR expiry from a proposal; asks before replacing a typed date."""
        expiry = self.field_widget("sonr_expiry_date")
        indefinite = self.field_widget("sonr_indefinite")
        typed = expiry.text().strip()
        new_text = format_date(proposal.expiry) if proposal.expiry else ""
        if typed and typed != new_text:
            answer = QMessageBox.question(
                self,
                "Replace the SONR expiry?",
                f"The SONR expiry already says {typed}. Replace it with the proposal "
                f"({new_text or 'indefinite'})? The police hold the authoritative date.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        expiry.set_value(proposal.expiry.isoformat() if proposal.expiry else None)
        indefinite.set_value(1 if proposal.indefinite else 0)
        self._mark_dirty()
        return True


class SonrDialog(QDialog):
    """Sentence in, proposed notification period out (Sexual Offences Act 2003 s.82)."""

    def __init__(self, start, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Propose the SONR expiry")
        self.start = start
        self.months = QDoubleSpinBox()
        self.months.setRange(0, 1200)
        self.months.setDecimals(1)
        self.months.setSuffix(" months")
        self.olr = QCheckBox("Order for Lifelong Restriction")
        self.hospital_restricted = QCheckBox("Hospital order with a restriction order")
        self.hospital = QCheckBox("Hospital order without a restriction order")
        self.under_18 = QCheckBox("Under 18 at conviction")
        self.result = plain_label("")
        self.result.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(plain_label(f"SONR from {format_date(start)}."))
        form.addRow("Custodial sentence", self.months)
        for box in (self.olr, self.hospital_restricted, self.hospital, self.under_18):
            form.addRow(box)
            box.toggled.connect(self._update)
        self.months.valueChanged.connect(self._update)
        form.addRow(self.result)
        form.addRow(
            plain_label("The police hold the authoritative date: check it with them.")
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._update()

    def proposal(self):
        months = self.months.value() or None
        return propose(
            self.start,
            Disposal(
                custody_months=months,
                lifelong_restriction=self.olr.isChecked(),
                hospital_with_restriction=self.hospital_restricted.isChecked(),
                hospital_without_restriction=self.hospital.isChecked(),
                under_18=self.under_18.isChecked(),
            ),
        )

    def _update(self) -> None:
        proposal = self.proposal()
        ends = "no fixed end" if proposal.indefinite else f"ends {format_date(proposal.expiry)}"
        self.result.setText(f"{proposal.explanation} Notification {ends}.")
