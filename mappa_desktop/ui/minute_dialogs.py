"""The small windows of the meeting editor: go to a section, capture an action, the
completeness check, a reason, and addenda (issuing and approving: ``signoff_dialogs``). Each is opened with ``open()``
(window-modal, never a nested event loop) and reports through signals."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..rules.completeness import CheckItem
from ..dates import format_datetime_local
from ..words import match_rank, plural
from .fields import DateField, LongTextField, NameField
from .kept_typing import KeepsTyping, draft_key
from .messages import message_label
from .widgets import form_row, plain_label, value_label


class GoToSectionDialog(QDialog):
    """Ctrl+G: type part of a section's name, Enter to go there. The best match comes
    first: the whole title, a title that starts so, a word that starts so, then the rest."""

    chosen = Signal(str)

    def __init__(self, sections, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Go to section")
        self.sections = list(sections)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type part of a section's name…")
        self.filter.setAccessibleName("Section name")
        self.list = QListWidget()
        self.list.setAccessibleName("Sections found")
        self._fill(self.sections)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self._choose)
        self.list.itemActivated.connect(lambda _i: self._choose())
        self.list.setCurrentRow(0)
        self.resize(360, 480)

    def _fill(self, sections) -> None:
        self.list.clear()
        for section in sections:
            item = QListWidgetItem(section.title)
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            self.list.addItem(item)

    def _filter(self, text: str) -> None:
        ranked = [(rank, index, s) for index, s in enumerate(self.sections)
                  if (rank := match_rank(text, s.title)) is not None]
        self._fill([s for _rank, _index, s in sorted(ranked, key=lambda r: r[:2])])
        if self.list.count():
            self.list.setCurrentRow(0)

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self.accept()
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.filter.hasFocus():
            self.list.keyPressEvent(event)
            return
        super().keyPressEvent(event)


class ActionCaptureDialog(KeepsTyping, QDialog):
    """The small action panel: what, who, which agency, by when. Enter adds it."""

    submitted = Signal(dict)

    def __init__(self, person_names, agency_names, agency_of: dict | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Add an action")
        self._agency_of = agency_of or {}
        self.text = LongTextField()
        self.text.MIN_LINES = 2
        self.owner = NameField(person_names)
        self.agency = NameField(agency_names)
        self.target = DateField()
        form = QFormLayout(self)
        for caption, widget in (("&Action", self.text), ("&Owner", self.owner),
                                ("A&gency", self.agency), ("&Target date", self.target)):
            form_row(form, caption, widget).setBuddy(widget.focus_target())
        note = plain_label("An action without an owner or a date can be added now; the check will ask for them.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        form.addRow(note)
        self.error = message_label()
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add action")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.text.setFocus()
        self.resize(520, 300)
        self.owner.edited.connect(self._fill_agency)

    def typed_parts(self) -> dict:
        return {"action_text": self.text, "owner_person": self.owner, "owner_agency": self.agency,
                "target_date": self.target}

    def _fill_agency(self) -> None:
        """Picking a person from the directory fills their agency, if none is typed yet."""
        agency = self._agency_of.get(self.owner.value() or "")
        if agency and not self.agency.value():
            self.agency.set_value(agency)

    def _submit(self) -> None:
        """Hand over the words as typed; the rules say what is wrong (``show_error``)."""
        self.submitted.emit({"action_text": self.text.value(), "owner_person": self.owner.value(),
                             "owner_agency": self.agency.value(), "target_date": self.target.raw()})

    def show_error(self, text: str) -> None:
        self.error.setText(text)


class CheckDialog(QDialog):
    """What is missing or inconsistent; Enter or double-click jumps to the field."""

    jump = Signal(object)

    def __init__(self, items: list[CheckItem], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Completeness check")
        self.items = items
        self.list = QListWidget()
        self.list.setAccessibleName("Items still to do")
        self.list.setWordWrap(True)  # a long item takes two lines, not a sideways scroll
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for item in items:
            entry = QListWidgetItem(item.message)
            entry.setData(Qt.ItemDataRole.UserRole, item)
            self.list.addItem(entry)
        summary = plain_label(
            "Nothing is missing: the minute meets 5B and the meeting audit form."
            if not items else f"{plural(len(items), 'thing')} to look at. "
            "Press Enter on one to go to it."
        )
        summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.list)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.list.itemActivated.connect(self._jump)
        self.list.setCurrentRow(0)
        self.resize(620, 440)

    def _jump(self, entry: QListWidgetItem) -> None:
        item = entry.data(Qt.ItemDataRole.UserRole)
        self.accept()
        self.jump.emit(item)


def ask_reason(parent: QWidget, title: str, question: str, then) -> QDialog:
    """A small window asking for a reason; ``then(reason)`` when given."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    label = plain_label(question)
    label.setWordWrap(True)
    layout.addWidget(label)
    edit = QLineEdit()
    edit.setAccessibleName("Reason")
    layout.addWidget(edit)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setEnabled(False)
    edit.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
    buttons.accepted.connect(lambda: (dialog.accept(), then(edit.text().strip())))
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.reason_edit = edit
    parent.reason_dialog = dialog
    dialog.open()
    return dialog


class AddendaPanel(QFrame):
    """Addenda under a finalised minute, and a form to add one (text and reason)."""

    added = Signal()

    def __init__(self, store, meeting_id: int, addenda, parent=None):
        super().__init__(parent)
        self.store = store
        self.meeting_id = meeting_id
        self.setObjectName("addendaBox")
        column = QVBoxLayout(self)
        title = plain_label("Addenda")
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        users = {u.id: u.name for u in store.users.all()}
        if not addenda:
            column.addWidget(value_label("", empty="No addenda yet. To correct or add to the minute, write the "
                                                   "addendum below with its reason."))
        for addendum in addenda:
            # Made on another laptop: its author is not a user of this store.
            who = users.get(addendum.user_id) or store.bundles.author("addendum", addendum.id) or "unknown user"
            column.addWidget(value_label(f"{format_datetime_local(addendum.at)}, {who}. Reason: {addendum.reason}"))
            column.addWidget(value_label(addendum.body))
        self.body = LongTextField()
        self.body.setAccessibleName("Addendum")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for the addendum")
        form = QFormLayout()
        label = QLabel("New a&ddendum")
        label.setBuddy(self.body)
        form.addRow(label, self.body)
        label = QLabel("Reaso&n")
        label.setBuddy(self.reason)
        form.addRow(label, self.reason)
        column.addLayout(form)
        self.message = message_label()
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        self.add_button = QPushButton("Add addendum")
        row.addWidget(self.add_button)
        column.addLayout(row)
        self.add_button.clicked.connect(self._add)

    def _add(self) -> None:
        from ..db.errors import StoreError
        from ..ops.minute import add_addendum

        try:
            problems = add_addendum(store=self.store, meeting_id=self.meeting_id, body=self.body.toPlainText(),
                                    reason=self.reason.text())
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}")
            return
        if problems:
            self.message.setText(problems[0].message)
            return
        self.added.emit()


class _LineText:
    """A one-line box as a kept window reads and writes it."""

    def __init__(self, edit: QLineEdit):
        self.edit = edit

    def raw(self) -> str:
        return self.edit.text()

    def set_raw(self, value) -> None:
        self.edit.setText(value or "")


class AddendaDialog(KeepsTyping, QDialog):
    """The addenda of a finalised minute, and the one being written (kept as it is typed)."""

    def __init__(self, store, meeting_id: int, addenda, *, case_id: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Addenda to the finalised minute")
        column = QVBoxLayout(self)
        self.panel = AddendaPanel(store, meeting_id, addenda)
        self.message = self.panel.message
        column.addWidget(self.panel)
        column.addStretch(1)  # the form at the top, the room below it
        self.resize(640, 520)
        self.keep_typing(store, draft_key(case_id, "addendum", meeting_id))

    def typed_parts(self) -> dict:
        return {"body": self.panel.body, "reason": _LineText(self.panel.reason)}
