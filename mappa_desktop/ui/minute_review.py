"""An earlier action under review at a meeting, on the "Previous actions reviewed" page."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFrame, QGridLayout, QLabel

from .. import spec
from ..dates import format_date
from ..model import Action
from .fields import ChoiceField, DateField, LineField, LongTextField, NameField, set_read_only
from .messages import field_error_label
from .widgets import label_for, plain_label, value_label


class ReviewRow(QFrame):
    """An earlier action under review at this meeting. It arrives "to review" (being carried
    forward at an earlier meeting is not a review at this one); the chair records it as done
    (date and outcome), carried forward (a new target date after the meeting, the reason, and
    a new owner or agency if it changes hands) or withdrawn (the reason)."""

    edited = Signal(int)
    TO_REVIEW = "To review"

    def __init__(self, action: Action, reviewed: bool, person_names=(), agency_names=(), parent=None):
        super().__init__(parent)
        from ..ops.minute import REVIEW_NEEDS

        self._needs = REVIEW_NEEDS
        self.action_id = action.id
        self.setObjectName("repeatingRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        section = spec.section("previous_actions")
        grid = QGridLayout(self)
        title = plain_label(f"Action {action.number} (raised {format_date(action.raised_date)}): {action.action_text or ''}")
        title.setWordWrap(True)
        title.setObjectName("reviewTitle")
        grid.addWidget(title, 0, 0, 1, 2)
        self.terms = value_label("")
        grid.addWidget(self.terms, 1, 0, 1, 2)
        self.status = ChoiceField(section.field("status"))
        self.status.setItemText(0, self.TO_REVIEW)
        opened = self.status.findData("open")
        if opened >= 0:
            self.status.removeItem(opened)  # "open" is not a decision: it stays to review
        # Created in tab order: the hidden ones (not needed for the decision) are skipped.
        self.completed = DateField()
        self.target = DateField()
        self.outcome = LongTextField()
        self.outcome.MIN_LINES = 2
        self.owner = NameField(list(person_names))
        self.agency = NameField(list(agency_names))
        self.reason = LineField()
        self.widgets = {"status": self.status, "completed_date": self.completed, "target_date": self.target,
                        "outcome": self.outcome, "owner_person": self.owner, "owner_agency": self.agency,
                        "withdrawn_reason": self.reason}
        self.captions = {}
        captions = {"status": "Status *", "completed_date": "Date completed *", "target_date": "New target date *",
                    "outcome": "Outcome *", "owner_person": "Owner from now", "owner_agency": "Agency from now",
                    "withdrawn_reason": "Why withdrawn *"}
        # The date completed and the new target share a place: a decision needs one or the other.
        places = {"status": (2, 0, 1), "completed_date": (2, 1, 1), "target_date": (2, 1, 1),
                  "outcome": (4, 0, 2), "owner_person": (6, 0, 1), "owner_agency": (6, 1, 1),
                  "withdrawn_reason": (8, 0, 2)}
        for name_field in (self.owner, self.agency):  # long directory names must not widen the page
            name_field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            name_field.setMinimumContentsLength(14)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        for key, widget in self.widgets.items():
            row, column, span = places[key]
            caption = label_for(QLabel(captions[key]), widget,
                                f"Previous action {action.number}: {captions[key].rstrip(' *').lower()}")
            grid.addWidget(caption, row, column, 1, span)
            grid.addWidget(widget, row + 1, column, 1, span)
            self.captions[key] = caption
        self.error = field_error_label()
        grid.addWidget(self.error, 10, 0, 1, 2)
        self._read_only = False
        self.load(action, reviewed)
        for widget in self.widgets.values():
            widget.edited.connect(lambda: self.edited.emit(self.action_id))
        self.status.edited.connect(self._status_changed)

    def load(self, action: Action, reviewed: bool) -> None:
        """Show the action as stored: its decision at this meeting, or "to review"."""
        from ..rules.actions import is_outstanding

        self.action = action
        owner = ", ".join(x for x in (action.owner_person, action.owner_agency) if x) or "no owner"
        self.terms.setText(f"Owner: {owner}. Target: {format_date(action.target_date) or 'none'}.")
        decided = reviewed or not is_outstanding(action.status)
        self.status.set_value(action.status if decided else None)
        self.completed.set_value(action.completed_date)
        self.target.set_value(action.target_date if decided and action.status == "carried" else None)
        self.target.line.setPlaceholderText(f"was {format_date(action.target_date)}" if action.target_date else "")
        self.outcome.set_value(action.outcome if decided else None)
        self.owner.set_value(action.owner_person)
        self.agency.set_value(action.owner_agency)
        self.reason.set_value(action.withdrawn_reason)
        self._show_needed()

    def _status_changed(self) -> None:
        self._show_needed()
        if self.status.value() == "carried":
            self.target.focus_target().setFocus()

    def _show_needed(self) -> None:
        """Only what the decision needs is shown (done: date and outcome; carried: the new
        date, the reason and the owner; withdrawn: the reason)."""
        status = self.status.value()
        needed = set(self._needs.get(status, ("status",)))
        for key, widget in self.widgets.items():
            widget.setVisible(key in needed)
            self.captions[key].setVisible(key in needed)
        self.captions["outcome"].setText("Why carried forward *" if status == "carried" else "Outcome *")
        withdrawn = self.action.status == "withdrawn"
        self._apply_read_only(self._read_only or withdrawn)

    def raw(self) -> dict:
        """What the decision needs, as typed (the rules parse the dates)."""
        status = self.status.value()
        keys = self._needs.get(status, ("status",))
        return {key: self.widgets[key].raw() for key in keys} | {"status": status}

    def set_raw(self, raw) -> None:
        raw = raw or {}
        self.status.set_value(raw.get("status"))
        for key, value in raw.items():
            if key != "status" and key in self.widgets:
                self.widgets[key].set_raw(value)
        self._show_needed()

    def show_problems(self, problems) -> None:
        self.show_error("\n".join(p.message for p in problems))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self._apply_read_only(read_only or self.action.status == "withdrawn")

    def _apply_read_only(self, read_only: bool) -> None:
        for widget in self.widgets.values():
            set_read_only(widget, read_only)
