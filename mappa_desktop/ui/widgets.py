"""Small widget helpers used across screens: labels, names for assistive technology, where
the keyboard lands on a new screen, scroll areas."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

#: What an empty read-only value says: a bare dash tells a screen reader nothing.
NOT_RECORDED = "Not recorded"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets markup: user text with ``<b>`` stays literal."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class WrappedLabel(QLabel):
    """A caption that wraps onto more lines when its column is narrow, and asks its layout
    for the height of those lines (a form's label column would otherwise cut them)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        needed = self.heightForWidth(self.width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


def value_label(text: str, parent: QWidget | None = None, *, caption: str = "", empty: str = NOT_RECORDED) -> QLabel:
    """A read-only value: plain text, wrapped, selectable (so Tab reaches it, with a focus
    frame). Empty, it says ``empty`` in words. With a ``caption`` a screen reader hears
    "caption: value", not the value alone."""
    label = plain_label(text or empty, parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setProperty("selectable", True)
    if caption:
        label.setAccessibleName(f"{caption}: {text or empty}")
    if not text:
        label.setObjectName("muted")
    return label


def spoken(caption: str) -> str:
    """A caption as a name: no mnemonic ``&``, no required mark."""
    return caption.replace("&", "").removesuffix(" *").strip()


def label_for(caption: QLabel, widget: QWidget, name: str = "") -> QLabel:
    """Make ``caption`` the label of ``widget``: its mnemonic focuses the widget, and the
    widget and the caption carry one name (``name``, else the widget's own, else the
    caption's words). Screen readers on Linux announce a drop-down by its label, on
    Windows by its own name: both then say the same unique thing."""
    target = widget.focus_target() if hasattr(widget, "focus_target") else widget
    caption.setBuddy(target)
    name = name or widget.accessibleName() or spoken(caption.text())
    widget.setAccessibleName(name)
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget.lineEdit().setAccessibleName(name)  # the box typed in, inside the drop-down
    caption.setAccessibleName(name)
    return caption


def form_row(form: QFormLayout, caption: str, widget: QWidget, accessible: str = "") -> QLabel:
    """A form row whose label is the widget's buddy (its & mnemonic focuses the field) and
    whose caption is the field's accessible name."""
    label = QLabel(caption)
    label_for(label, widget, accessible or spoken(caption))
    form.addRow(label, widget)
    return label


def scroll_area(content: QWidget, name: str = "") -> QScrollArea:
    """A frameless scroll area around ``content``. A form's fields take the keyboard (Qt
    scrolls each into view), so the area itself is no stop for Tab; read-only content is
    scrolled with the keys, so the area is a stop and has a ``name``."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(content)
    if name:
        scroll.setAccessibleName(name)
        scroll.setProperty("keys", True)  # the style sheet's focus frame goes round it
    else:
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll


# -- where the keyboard lands ------------------------------------------------------------------

#: Widgets a person types or chooses in, before lists and buttons.
_INPUTS = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QRadioButton, QCheckBox)


def _reachable(widget: QWidget, root: QWidget) -> bool:
    return (widget.isVisibleTo(root) and widget.isEnabled() and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and widget.focusProxy() is None)


def first_field(root: QWidget) -> QWidget | None:
    """What a new screen or dialog should put the keyboard on: the screen's own
    ``initial_focus()`` if it has one, else its first field in Tab order (a box to type
    in or to choose from), else its first list, else its first button."""
    chooser = getattr(root, "initial_focus", None)
    if callable(chooser):
        chosen = chooser()
        if chosen is not None:
            return chosen
    # In the order the widgets were made, which is the Tab order unless a screen says otherwise.
    chain = [w for w in root.findChildren(QWidget) if w.window() is root.window() and _reachable(w, root)]
    for kinds in (_INPUTS, (QAbstractItemView,), (QAbstractButton,)):
        for candidate in chain:
            if isinstance(candidate, kinds) and not getattr(candidate, "isReadOnly", lambda: False)():
                group = candidate.group() if isinstance(candidate, QRadioButton) else None
                return (group.checkedButton() if group is not None else None) or candidate
    return chain[0] if chain else None


def flush_each(widgets) -> bool:
    """Ask each widget that has ``flush`` (it saves what is typed in it) to save now; every
    one is asked even after one fails. False if any could not."""
    ok = True
    for widget in widgets:
        flush = getattr(widget, "flush", None)
        if callable(flush) and flush() is False:
            ok = False
    return ok


def focus_first(root: QWidget) -> QWidget | None:
    """Put the keyboard on ``root``'s first useful field (now if it is shown, else as soon
    as it is). Returns the widget chosen."""
    target = first_field(root)
    if target is None:
        return None

    def put() -> None:
        try:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        except RuntimeError:  # the screen was closed before it was painted
            pass

    if root.isVisible():
        put()
    else:
        after_first_paint(root, put)
    return target


class _FirstPaintThen(QObject):
    """Calls ``then`` once, on the next turn of the event loop after ``widget`` is painted."""

    def __init__(self, widget: QWidget, then: Callable[[], object]):
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(0, then)
        return False


def after_first_paint(widget: QWidget, then: Callable[[], object]) -> None:
    """Run ``then`` just after ``widget`` is first painted: for work the person is not
    waiting for (a check, the part of a page below the fold)."""
    _FirstPaintThen(widget, then)


# -- fields that wrap instead of widening -------------------------------------------------------


class WrappingGrid(QLayout):
    """Cells of equal width, as many a line as fit (at most ``columns``), wrapping onto
    the next line when the room is narrower: a row of fields that reads on one line on
    a wide screen and on two at 1366x768, never behind a horizontal scroll bar. Its
    minimum width is one cell's."""

    def __init__(self, parent: QWidget | None = None, *, columns: int = 3, spacing: int = 10, cell: int = 200):
        super().__init__(parent)
        self._items = []
        self.columns = columns
        self.cell = cell  # the narrowest a cell is given while another line is possible
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def _live(self) -> list:
        """The items Qt has not deleted (a widget deleted with its row takes its item along)."""
        from shiboken6 import isValid

        self._items = [item for item in self._items if isValid(item)]
        return self._items

    def count(self) -> int:
        return len(self._live())

    def itemAt(self, index: int):  # noqa: N802
        items = self._live()
        return items[index] if 0 <= index < len(items) else None

    def takeAt(self, index: int):  # noqa: N802
        items = self._live()
        return items.pop(index) if 0 <= index < len(items) else None

    def expandingDirections(self):  # noqa: N802
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def _cell_minimum(self) -> int:
        return max((item.minimumSize().width() for item in self._live()), default=0)

    def _cell_preferred(self) -> int:
        return max((item.sizeHint().width() for item in self._live()), default=0)

    def minimumSize(self) -> QSize:  # noqa: N802
        # The height at a given width comes from heightForWidth; this is only the floor.
        margins = self.contentsMargins()
        height = max((item.minimumSize().height() for item in self._live()), default=0)
        return QSize(self._cell_minimum() + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:  # noqa: N802
        columns = min(self.columns, max(1, len(self._live())))
        width = columns * max(self.cell, self._cell_preferred()) + (columns - 1) * self.spacing()
        return QSize(width, self.heightForWidth(width))

    def setGeometry(self, rect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def columns_for(self, width: int) -> int:
        """How many cells a line holds at ``width``."""
        cell = max(1, self.cell, self._cell_preferred())
        fit = (width + self.spacing()) // (cell + self.spacing())
        return max(1, min(self.columns, len(self._live()) or 1, fit))

    def _place(self, rect, *, move: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        columns = self.columns_for(area.width())
        width = (area.width() - (columns - 1) * self.spacing()) // columns
        y, line_height = area.y(), 0
        for index, item in enumerate(self._live()):
            column = index % columns
            if column == 0 and index:
                y += line_height + self.spacing()
                line_height = 0
            height = item.heightForWidth(width) if item.hasHeightForWidth() else item.sizeHint().height()
            height = max(height, item.minimumSize().height())
            if move:
                item.setGeometry(QRect(area.x() + column * (width + self.spacing()), y, width, height))
            line_height = max(line_height, height)
        return y + line_height - rect.y() + margins.bottom()


def field_cell(caption: QLabel, widget: QWidget, below: QWidget | None = None) -> QWidget:
    """A caption over its field (and the field's error line): one cell of a WrappingGrid."""
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(caption)
    column.addWidget(widget)
    if below is not None:
        column.addWidget(below)
    return cell


def fit_columns(table, *, stretch=(), widest: int = 240) -> None:
    """Columns as wide as what they show (at most ``widest``: a longer text is cut with
    "…"), the ``stretch`` columns sharing what is left, so
    the names in a table are read whole and no short column ("Active") takes the room.
    Only the rows on screen are measured: a long lazy list is never read to size it."""
    from PySide6.QtWidgets import QHeaderView

    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMaximumSectionSize(widest)
    header.setResizeContentsPrecision(0)  # the rows in view
    for column in range(header.count()):
        mode = QHeaderView.ResizeMode.Stretch if column in stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
