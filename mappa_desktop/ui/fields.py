"""One widget per field kind of the spec. Forms pick from here; nothing is hand-placed.

Every field widget has ``edited`` (the user changed something), ``value()`` (the stored
form: ISO dates, choice values, 1/0; raises :class:`DateError` for text that is not a date
or time, leaving the text where it is), ``set_value()`` and ``focus_target()``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from .date_fields import DateField, TimeField
from .widgets import WrappedLabel


def _none_if_blank(text: str):
    return text if text.strip() else None


class _RawIsValue:
    """Fields whose value cannot fail to parse: the raw state is the value."""

    def raw(self):
        return self.value()

    def set_raw(self, raw) -> None:
        self.set_value(raw)


class LineField(_RawIsValue, QLineEdit):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.textEdited.connect(lambda _t: self.edited.emit())

    def value(self):
        return _none_if_blank(self.text())

    def set_value(self, value) -> None:
        self.setText("" if value is None else str(value))

    def focus_target(self) -> QWidget:
        return self


class LongTextField(_RawIsValue, QPlainTextEdit):
    """Paragraphs. Tab moves to the next field (keyboard first). The box grows with its
    text (from 3 to 18 lines) so that a long discussion scrolls with the form, not inside it."""

    edited = Signal()
    MIN_LINES, MAX_LINES = 3, 18

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self._loading = False
        self.textChanged.connect(self._changed)
        self._fit()

    def _changed(self) -> None:
        self._fit()
        if not self._loading:
            self.edited.emit()

    def _fit(self) -> None:
        # A plain-text document's layout measures its height in lines (wrapped lines count).
        lines = int(self.document().documentLayout().documentSize().height())
        lines = max(self.MIN_LINES, min(self.MAX_LINES, lines + 1))
        margins = self.contentsMargins()
        frame = int(self.document().documentMargin() * 2) + margins.top() + margins.bottom()
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + frame + 4)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()  # a narrower box wraps into more lines

    def value(self):
        # toPlainText() turns non-breaking spaces into spaces; the raw text keeps them.
        # Paragraph breaks come back as U+2029: they are line breaks to the user.
        return _none_if_blank(self.document().toRawText().replace("\u2029", "\n"))

    def set_value(self, value) -> None:
        self._loading = True
        try:
            self.setPlainText("" if value is None else str(value))
        finally:
            self._loading = False

    def focus_target(self) -> QWidget:
        return self


def narrow_combo(box: QComboBox, letters: int = 12) -> None:
    """A drop-down that asks for the room of ``letters`` letters, not of its longest
    choice (a long agency name must not widen a form past a laptop's screen); its list
    still opens wide enough to read every choice."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(letters)
    box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 32)


class ChoiceField(_RawIsValue, QComboBox):
    """A drop-down of the field's choices, with an empty first entry (not answered)."""

    edited = Signal()

    def __init__(self, field: spec.Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.addItem("", None)
        for option in field.choices:
            self.addItem(option.label, option.value)
            index = self.count() - 1
            if option.help:
                self.setItemData(index, option.help, Qt.ItemDataRole.ToolTipRole)
            if not option.in_use:
                item = self.model().item(index)
                item.setEnabled(False)
        narrow_combo(self)
        self.activated.connect(lambda _i: self.edited.emit())

    def value(self):
        return self.currentData()

    def set_value(self, value) -> None:
        index = self.findData(None if value is None else str(value))
        self.setCurrentIndex(max(index, 0))

    def focus_target(self) -> QWidget:
        return self


class YesNoField(ChoiceField):
    def __init__(self, field: spec.Field, parent: QWidget | None = None):
        QComboBox.__init__(self, parent)
        self.addItem("", None)
        self.addItem("Yes", 1)
        self.addItem("No", 0)
        self.setMinimumWidth(90)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.activated.connect(lambda _i: self.edited.emit())

    def set_value(self, value) -> None:
        if value is None or value == "":
            self.setCurrentIndex(0)
        else:
            self.setCurrentIndex(1 if int(value) else 2)


class RadioChoiceField(_RawIsValue, QGroupBox):
    """Choices shown with their meaning beside each (risk levels, categories...). A group
    (its caption is the form's label) named after the field, so a screen reader says
    which question a choice answers."""

    edited = Signal()

    def __init__(self, field: spec.Field, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFlat(True)
        self.setObjectName("radioGroup")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for option in field.choices:
            button = QRadioButton(option.label)
            button.setEnabled(option.in_use)
            button.setAccessibleName(f"{field.label}: {option.label}")
            self.group.addButton(button)
            self.buttons[option.value] = button
            layout.addWidget(button)
            if option.help:
                meaning = WrappedLabel(option.help)
                meaning.setTextFormat(Qt.TextFormat.PlainText)
                meaning.setObjectName("choiceHelp")
                meaning.setContentsMargins(24, 0, 0, 4)
                layout.addWidget(meaning)
        self.group.buttonClicked.connect(lambda _b: self.edited.emit())
        first = next(iter(self.buttons.values()), None)
        if first is not None:
            self.setFocusProxy(first)
        for button in self.buttons.values():
            button.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        from PySide6.QtCore import QEvent

        # Arriving in the group (a window opening, a jump to the field) lands on the choice
        # made, as Tab does: not on the first choice, where Space would change the answer.
        if event.type() == QEvent.Type.FocusIn and event.reason() in (
                Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.OtherFocusReason):
            checked = self.group.checkedButton()
            if checked is not None and checked is not watched:
                checked.setFocus(event.reason())
        return False

    def value(self):
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return None

    def set_value(self, value) -> None:
        self.group.setExclusive(False)
        for option_value, button in self.buttons.items():
            button.setChecked(value is not None and option_value == str(value))
        self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        checked = self.group.checkedButton()
        return checked or next(iter(self.buttons.values()))


class NameField(_RawIsValue, QComboBox):
    """A person or an agency: picked from the directory, or typed when new."""

    edited = Signal()

    def __init__(self, names: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("")
        self.addItems(names)
        narrow_combo(self, 14)
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self.lineEdit().textEdited.connect(lambda _t: self.edited.emit())
        self.activated.connect(lambda _i: self.edited.emit())

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt's name)
        super().setAccessibleName(name)
        self.lineEdit().setAccessibleName(name)  # the box typed in inside the drop-down

    def value(self):
        return _none_if_blank(self.currentText())

    def set_value(self, value) -> None:
        self.setEditText("" if value is None else str(value))

    def focus_target(self) -> QWidget:
        return self


class ConditionField(_RawIsValue, QComboBox):
    """One of the case's conditions (licence or order), by its global id; empty for none.
    A linked condition that is not in the list (not on this laptop) stays linked."""

    edited = Signal()

    def __init__(self, choices, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(30)
        self.set_choices(choices)
        self.activated.connect(lambda _i: self.edited.emit())

    def set_choices(self, choices) -> None:
        """``choices``: (global id, words) pairs. The current value is kept."""
        current = self.value() if self.count() else None
        self.clear()
        self.addItem("(none)", None)
        for uid, label in choices:
            self.addItem(label, uid)
            self.setItemData(self.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
        self.set_value(current)

    def value(self):
        return self.currentData()

    def set_value(self, value) -> None:
        index = self.findData(value) if value else 0
        if index < 0:
            self.addItem("(a condition not recorded on this case)", value)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def focus_target(self) -> QWidget:
        return self


def radio_suits(field: spec.Field) -> bool:
    """Choices whose every option carries a meaning are shown as radios with the meaning."""
    return bool(field.choices) and len(field.choices) <= 5 and all(c.help for c in field.choices)


def make_field(field: spec.Field, names_for=None) -> QWidget:
    """The widget for a spec field. ``names_for(kind)`` lists directory names to pick from."""
    kind = field.kind
    if kind is spec.Kind.TEXT:
        widget = LineField()
    elif kind is spec.Kind.LONG_TEXT:
        widget = LongTextField()
    elif kind is spec.Kind.DATE:
        widget = DateField()
    elif kind is spec.Kind.TIME:
        widget = TimeField()
    elif kind is spec.Kind.YES_NO:
        widget = YesNoField(field)
    elif kind is spec.Kind.CHOICE:
        widget = RadioChoiceField(field) if radio_suits(field) else ChoiceField(field)
    elif kind in (spec.Kind.PERSON, spec.Kind.AGENCY):
        widget = NameField(list(names_for(kind)) if names_for else [])
    elif kind is spec.Kind.CONDITION:
        widget = ConditionField(list(names_for(kind)) if names_for else [])
    else:  # pragma: no cover - a new kind must be given a widget here
        raise ValueError(f"no widget for {kind}")
    widget.setAccessibleName(field.label)
    if field.required:
        widget.setAccessibleDescription("Required")
    if field.help:
        widget.setToolTip(field.help)
    widget.setObjectName(f"field_{field.key}")
    return widget


def set_read_only(widget: QWidget, read_only: bool) -> None:
    """Read-only keeps text selectable where Qt allows; choices are disabled."""
    if isinstance(widget, DateField):
        widget.line.setReadOnly(read_only)
        widget.pick.setEnabled(not read_only)
    elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
        widget.setReadOnly(read_only)
    else:
        widget.setEnabled(not read_only)
