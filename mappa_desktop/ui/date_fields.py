"""The date and time fields: dd/mm/yyyy typed or picked from a calendar, and hh:mm.

As every field widget (``fields.py``): ``edited``, ``value()`` (ISO; raises
:class:`DateError` for text that is not a date or time, leaving the text where it is),
``raw()``/``set_raw()``, ``set_value()`` and ``focus_target()``.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import QCalendarWidget, QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget, QWidgetAction

from ..dates import DateError, format_date, parse_user_date, parse_user_time, to_iso


class DateField(QWidget):
    """dd/mm/yyyy typed, or picked from a calendar (the button, or Alt+Down).

    The box that takes the keyboard is the line inside: naming the field names that box
    (and the calendar button after it), so a screen reader says "Date of birth", not
    nothing."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setPlaceholderText("dd/mm/yyyy")
        self.line.setMaxLength(10)
        self.line.setMaximumWidth(130)
        # Room for a whole date whatever the squeeze: "0/2026" is no date to read.
        self.line.setMinimumWidth(self.line.fontMetrics().horizontalAdvance("00/00/00000") + 16)
        self.pick = QToolButton()
        self.pick.setText("▾")
        self.pick.setToolTip("Pick from a calendar (Alt+Down)")
        self.pick.setAccessibleName("Pick a date")
        self.pick.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line)
        row.addWidget(self.pick)
        row.addStretch(1)
        self.setFocusProxy(self.line)
        self.line.textEdited.connect(lambda _t: self.edited.emit())
        self.pick.clicked.connect(self.open_calendar)
        self.line.installEventFilter(self)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt's name)
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)
        self.pick.setAccessibleName(f"Pick a date: {name}" if name else "Pick a date")

    def setAccessibleDescription(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setAccessibleDescription(text)
        self.line.setAccessibleDescription(text)

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self.open_calendar()
            return True
        return False

    def open_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget()
        calendar.setGridVisible(True)
        calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        try:
            current = parse_user_date(self.line.text())
        except DateError:
            current = None
        if current:
            calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(qdate: QDate) -> None:
            self.line.setText(qdate.toString("dd/MM/yyyy"))
            menu.close()
            self.line.setFocus()
            self.edited.emit()

        calendar.activated.connect(chosen)
        calendar.clicked.connect(chosen)
        calendar.setFocus()
        menu.popup(self.line.mapToGlobal(self.line.rect().bottomLeft()))

    def value(self):
        return to_iso(parse_user_date(self.line.text()))

    def raw(self):
        return self.line.text()

    def set_raw(self, raw) -> None:
        self.line.setText(raw or "")

    def set_value(self, value) -> None:
        self.line.setText(format_date(value))

    def text(self) -> str:
        return self.line.text()

    def focus_target(self) -> QWidget:
        return self.line


class TimeField(QLineEdit):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText("hh:mm")
        self.setMaxLength(5)
        self.setMaximumWidth(80)
        self.textEdited.connect(lambda _t: self.edited.emit())

    def value(self):
        return parse_user_time(self.text())

    def raw(self):
        return self.text()

    def set_raw(self, raw) -> None:
        self.setText(raw or "")

    def set_value(self, value) -> None:
        self.setText(value or "")

    def focus_target(self) -> QWidget:
        return self
