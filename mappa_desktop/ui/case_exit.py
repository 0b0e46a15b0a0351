"""Leaving MAPPA on a case's overview: the point at which the person is due to exit (from the
category and the case's dates), recording the exit decision, and, once the case has left,
the decision and the addenda that are all that can still be added to it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from .. import lifecycle_spec
from ..cases import expected_exit
from ..dates import format_date, format_datetime_local
from ..rules.actions import is_outstanding
from ..words import plural
from .kept_typing import draft_key
from .record_dialogs import RecordDialog
from .widgets import plain_label, value_label


class ExitBox(QFrame):
    """Where the case stands on leaving MAPPA. ``changed`` after an exit or an addendum."""

    changed = Signal()

    def __init__(self, store, case, parent=None):
        super().__init__(parent)
        self.store, self.case = store, case
        self.setObjectName("attentionBox")
        column = QVBoxLayout(self)
        title = plain_label("Leaving MAPPA")
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        decision = store.exits.exit_of(case.id)
        row = QHBoxLayout()
        if decision is None:
            expected = expected_exit(case.values, [o.as_values() for o in case.orders])
            when = f"Expected exit: {format_date(expected.on)}, at" if expected.on else "No expected exit date:"
            self.expected = value_label(f"{when} {expected.basis}. The police hold the authoritative notification "
                                        "dates.")
            row.addWidget(self.expected, 1)
            self.exit_button = QPushButton("Record the exi&t…")
            self.exit_button.setToolTip("The decision that the person leaves MAPPA: the case becomes read-only")
            self.exit_button.clicked.connect(self.record_exit)
            row.addWidget(self.exit_button)
            column.addLayout(row)
            return
        names = {u.id: u.name for u in store.users.all()}
        reason = lifecycle_spec.CASE_EXIT.field("exit_reason").display(decision.exit_reason)
        held = {m.id: m.meeting_date for m in store.minutes.meetings(case.id)}.get(decision.meeting_id)
        decided = f", decided at the meeting of {format_date(held)}" if held else ""
        who = names.get(decision.recorded_by) or "someone on another laptop"
        self.decision = value_label(
            f"LEFT MAPPA on {format_date(decision.exit_date)}: {reason}{decided}. Recorded by {who} on "
            f"{format_datetime_local(decision.recorded_at)}. The case is read-only; what is added to it is an "
            "addendum.")
        self.decision.setObjectName("warning")
        row.addWidget(self.decision, 1)
        self.addendum_button = QPushButton("Add an a&ddendum…")
        self.addendum_button.clicked.connect(self.add_addendum)
        row.addWidget(self.addendum_button)
        column.addLayout(row)
        if decision.exit_detail:
            column.addWidget(value_label(decision.exit_detail))
        for addendum in store.exits.addenda(case.id):
            by = names.get(addendum.user_id) or "another laptop"
            column.addWidget(value_label(f"Addendum, {format_datetime_local(addendum.at)}, {by}. "
                                         f"Reason: {addendum.reason}\n{addendum.body}"))

    def record_exit(self) -> RecordDialog:
        """The exit decision: date, reason, and the meeting that decided it."""
        from ..ops.cases import record_exit

        meetings = self.store.minutes.meetings(self.case.id)
        chooser = QWidget()
        form = QFormLayout(chooser)
        form.setContentsMargins(0, 0, 0, 0)
        self.meeting = QComboBox()
        self.meeting.setAccessibleName("Decided at")
        self.meeting.addItem("Not at a meeting (for example after a death)", None)
        for meeting in reversed([m for m in meetings if m.status == "finalised"]):
            self.meeting.addItem(f"The meeting of {format_date(meeting.meeting_date) or '(no date)'}", meeting.id)
        if self.meeting.count() > 1:
            self.meeting.setCurrentIndex(1)  # most often the latest meeting decides it
        form.addRow("Decided &at", self.meeting)
        outstanding = sum(1 for a in self.store.actions.of_case(self.case.id) if is_outstanding(a.status))
        drafts = [m for m in meetings if m.status != "finalised"]
        warnings = []
        if drafts:
            warnings.append(f"{plural(len(drafts), 'minute')} of this case still {'is' if len(drafts) == 1 else 'are'} "
                            "in draft: finalise first (a case that has left MAPPA is read-only).")
        if outstanding:
            warnings.append(f"{plural(outstanding, 'action')} still open: {'it stays' if outstanding == 1 else 'they stay'} "
                            "in the register, no longer chased.")
        note = plain_label(" ".join(warnings))
        note.setObjectName("warning")
        note.setWordWrap(True)
        dialog = RecordDialog(
            lifecycle_spec.CASE_EXIT, title=f"{self.case.reference}: leaving MAPPA", ok_text="Record the exit",
            save=lambda raw: record_exit(store=self.store, case_id=self.case.id, raw=raw,
                                         meeting_id=self.meeting.currentData()),
            values={"exit_date": self.store.today().isoformat()}, above=chooser,
            below=note if warnings else None, keep=(self.store, draft_key(self.case.id, "exit", self.case.id)),
            parent=self)
        dialog.saved.connect(self.changed)
        self.exit_dialog = dialog
        dialog.open()
        return dialog

    def add_addendum(self) -> RecordDialog:
        from ..ops.cases import add_case_addendum

        dialog = RecordDialog(
            lifecycle_spec.CASE_ADDENDUM, title=f"{self.case.reference}: addendum", ok_text="Add the addendum",
            save=lambda raw: add_case_addendum(store=self.store, case_id=self.case.id, raw=raw),
            keep=(self.store, draft_key(self.case.id, "addendum", self.case.id)), parent=self)
        dialog.saved.connect(self.changed)
        self.addendum_dialog = dialog
        dialog.open()
        return dialog
