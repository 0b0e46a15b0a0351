"""The minute's sign-off on screen: issuing the draft for comment (with the copies of it
already printed or saved), and the chair's approval that finalises it.

The approval is the chair's, not whoever is signed in: either the chair confirms here with
their own passphrase (their key slot must open), or the person finalising records an
approval given elsewhere, how and when, and is named as having recorded it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from .. import lifecycle_spec
from ..dates import format_date, format_datetime_local
from ..security import unlock_delay_seconds
from .fields import make_field
from .record_dialogs import RecordDialog
from ..words import plural
from .messages import message_label
from .widgets import WrappedLabel, label_for, plain_label, scroll_area


def copies_list(store, meeting_id: int) -> QWidget:
    """Every copy of the minute printed or saved so far, as the audit log has them."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    title = plain_label("Copies printed or saved so far (each is logged as a disclosure)")
    title.setObjectName("caption")
    column.addWidget(title)
    names = {u.id: u.name for u in store.users.all()}
    listing = QListWidget()
    listing.setAccessibleName("Copies of the draft printed or saved")
    listing.setWordWrap(True)
    listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    copies = store.signoff.copies(meeting_id)
    for entry in copies:
        who = names.get(entry.user_id) or "another laptop"
        listing.addItem(f"{format_datetime_local(entry.at)}, {who}: to {entry.recipient or '—'}, "
                        f"for {entry.purpose or '—'} ({entry.detail})")
    if not copies:
        listing.addItem("None yet. Print or save the draft with Print… (each copy is logged with its recipient).")
    listing.setMaximumHeight(110)
    column.addWidget(listing)
    box.listing = listing
    return box


def issue_dialog(store, meeting_id: int, today, *, case_id: int, parent=None) -> RecordDialog:
    """Record that the draft went out for comment."""
    from ..ops.minute import issue_draft
    from .kept_typing import draft_key

    return RecordDialog(
        lifecycle_spec.ISSUE, title="Issue the draft for comment", ok_text="Record the issue",
        save=lambda raw: issue_draft(store=store, meeting_id=meeting_id, raw=raw),
        values={"issued_on": today.isoformat()}, below=copies_list(store, meeting_id),
        keep=(store, draft_key(case_id, "issue", meeting_id)), parent=parent)


class FinaliseDialog(QDialog):
    """The chair's approval: who approved, as what, when and how; and a reason for each gap
    the check still finds. ``submitted(acknowledgements, approval, approver_user_id,
    passphrase)``; the editor stores it and calls ``show_problems`` if it is refused."""

    submitted = Signal(dict, dict, object, str)

    def __init__(self, items, *, users, chair: str = "", meeting_date: str | None = None, today=None,
                 corrections=(), issued_on: str | None = None, names_for=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Approve and finalise the minute")
        self.meeting_date, self.today = meeting_date, today
        self.failures = 0
        self.reasons: dict[str, QLineEdit] = {}
        layout = QVBoxLayout(self)
        intro = plain_label(
            "Finalising makes the minute read-only, here and in the store. Later corrections are addenda "
            "with a reason. The case's level, risk of serious harm and next review date are updated from "
            "this minute.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if issued_on:
            changed = ("; ".join(c.title for c in corrections) or "nothing")
            note = plain_label(f"Changed since the draft was issued on {format_date(issued_on)}: {changed}. "
                               "The printed minute lists these corrections section by section.")
            note.setWordWrap(True)
            note.setObjectName("muted")
            layout.addWidget(note)
        if items:
            note = plain_label(f"The check still finds {plural(len(items), 'thing')}. Give a reason for each to "
                               "finalise anyway:")
            note.setWordWrap(True)
            layout.addWidget(note)
            holder = QWidget()
            box = QFormLayout(holder)
            for item in items:
                reason = QLineEdit()
                caption = label_for(WrappedLabel(item.message), reason, f"Reason: {item.message}")
                box.addRow(caption, reason)
                self.reasons[item.key] = reason
                reason.textChanged.connect(self._update)
            layout.addWidget(scroll_area(holder), 1)  # many gaps scroll; the window stays on screen
        layout.addWidget(self._approval_box(users, chair, names_for))
        if not items:
            layout.addStretch(1)  # with gaps, their reasons take the room
        self.error = message_label()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Approve and finalise")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._method_changed()
        self.resize(680, min(660, 560 + 36 * len(items)))

    # -- the approval ---------------------------------------------------------------------------

    def _approval_box(self, users, chair: str, names_for) -> QGroupBox:
        box = QGroupBox("The chair's approval")
        form = QFormLayout(box)
        section = lifecycle_spec.APPROVAL
        self.fields = {f.key: make_field(f, names_for) for f in section.fields}
        self.fields["approved_by"].set_value(chair or None)
        self.fields["approved_as"].set_value("chair")
        self.method = self.fields["approval_method"]
        self.chair_user = QComboBox()
        self.chair_user.setAccessibleName("The chair's user on this laptop")
        self.chair_user.addItem("", None)
        for user in users:
            self.chair_user.addItem(user.name, user.id)
        match = self.chair_user.findText(chair, Qt.MatchFlag.MatchFixedString) if chair else -1
        if match > 0:
            self.chair_user.setCurrentIndex(match)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("The chair's own passphrase")
        self.rows = {}
        for key, caption, widget in (
                ("approval_method", "How *", self.method),
                ("approved_by", "Approved by *", self.fields["approved_by"]),
                ("chair_user", "Chair (user) *", self.chair_user),
                ("passphrase", "Chair's passphrase *", self.passphrase),
                ("approved_as", "As *", self.fields["approved_as"]),
                ("approved_on", "Date approved *", self.fields["approved_on"]),
                ("approval_note", "Reference", self.fields["approval_note"])):
            label = label_for(plain_label(caption), widget)
            form.addRow(label, widget)
            self.rows[key] = (label, widget)
        self.problem = message_label()
        form.addRow(self.problem)
        self.method.edited.connect(self._method_changed)
        self.chair_user.currentIndexChanged.connect(lambda _i: self._update())
        self.passphrase.textChanged.connect(lambda _t: self._update())
        return box

    def _method_changed(self) -> None:
        """Confirmed here: the chair's user and passphrase. Given elsewhere: who, when and a
        reference (the date defaults to the meeting's for an approval given there)."""
        method = self.method.value()
        here = method == "passphrase"
        for key in ("chair_user", "passphrase"):
            for widget in self.rows[key]:
                widget.setVisible(here)
        for key in ("approved_by", "approved_on", "approval_note"):
            for widget in self.rows[key]:
                widget.setVisible(method is not None and not here)
        on = self.fields["approved_on"]
        if method == "meeting" and not on.raw() and self.meeting_date:
            on.set_value(self.meeting_date)
        elif method in lifecycle_spec.RECORDED_METHODS and not on.raw() and self.today is not None:
            on.set_value(self.today.isoformat())
        self._update()

    def _update(self) -> None:
        method = self.method.value()
        ready = method is not None and all(r.text().strip() for r in self.reasons.values())
        if method == "passphrase":
            ready = ready and self.chair_user.currentData() is not None and bool(self.passphrase.text())
        self.ok.setEnabled(ready)

    def approval(self) -> dict:
        """The approval's fields as typed."""
        raw = {key: widget.raw() for key, widget in self.fields.items()}
        if raw.get("approval_method") == "passphrase":
            raw["approved_on"] = self.today.isoformat() if self.today else None
            raw["approval_note"] = None
        return raw

    def _submit(self) -> None:
        self.submitted.emit({key: edit.text().strip() for key, edit in self.reasons.items()}, self.approval(),
                            self.chair_user.currentData() if self.method.value() == "passphrase" else None,
                            self.passphrase.text())

    def show_problems(self, problems) -> None:
        """The approval refused: what is wrong, in words; a wrong passphrase is cleared, and
        after three in a row the next try waits (as unlocking does)."""
        self.problem.setText("\n".join(p.message for p in problems))
        if any(p.field == "passphrase" for p in problems):
            self.failures += 1
            self.passphrase.clear()
            delay = unlock_delay_seconds(self.failures)
            if delay:
                self.passphrase.setEnabled(False)
                self.problem.setText(self.problem.text() + f" Try again in {delay} seconds.")
                QTimer.singleShot(delay * 1000, lambda: self.passphrase.setEnabled(True))
            self.passphrase.setFocus()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
