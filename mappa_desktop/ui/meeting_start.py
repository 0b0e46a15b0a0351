"""Starting a meeting: its type, date, time, place, chair and minute taker."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from .. import spec
from .forms import SectionForm
from .kept_typing import KeepsTyping, draft_key
from .case_editor import names_from_directory
from .messages import message_label
from .widgets import plain_label, scroll_area


class NewMeetingDialog(KeepsTyping, QDialog):
    """The meeting's details; a review meeting starts from the case and the last minute."""

    created = Signal(int)

    def __init__(self, store, case_id: int, parent=None):
        super().__init__(parent)
        self.store = store
        self.case_id = case_id
        self.setWindowTitle("New meeting")
        names_for = names_from_directory(store)
        previous = store.minutes.meetings(case_id)
        self.purpose = SectionForm(spec.section("purpose"), names_for)
        self.details = SectionForm(spec.section("meeting_details"), names_for)
        case = store.cases.get(case_id, consult=False)
        from ..dates import UK

        now = store.clock().astimezone(UK)
        self.purpose.load({"meeting_type": "review" if previous else "initial"})
        self.details.load({
            "meeting_date": store.today().isoformat(),
            "meeting_time": now.strftime("%H:00"),
            "category": case.get("category"),
            "mappa_level": case.get("mappa_level"),
            "minute_taker": store.user.name if store.user else None,
        })
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        intro = plain_label(
            "A review meeting starts with the last meeting's invitees and papers; offender "
            "information, key dates and lead authority come from the case."
            if previous else "The first meeting of this case."
        )
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addWidget(self.purpose)
        column.addWidget(self.details)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        # The meanings of the categories and levels are long: the form scrolls on a laptop.
        layout.addWidget(scroll_area(body), 1)
        self.message = message_label()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start the minute")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 640)
        self.keep_typing(store, draft_key(case_id, "new_meeting", case_id))

    def typed_parts(self) -> dict:
        return {"purpose": self.purpose, "details": self.details}

    def submit(self) -> int | None:
        from ..db.errors import StoreError
        from ..ops.minute import start_meeting

        for form in (self.details, self.purpose):
            form.clear_problems()
        raw = {**self.purpose.raw_state(), **self.details.raw_state()}
        try:
            meeting_id, problems = start_meeting(store=self.store, case_id=self.case_id, raw=raw)
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}")
            return None
        if problems:
            for problem in problems:
                self.details.show_problem(problem.field, problem.message) or self.purpose.show_problem(problem.field, problem.message)
            self.message.setText("Not started: correct what is marked.")
            return None
        self.accept()
        self.created.emit(meeting_id)
        return meeting_id
