"""What a keyboard or screen-reader user meets on a screen: the widgets Tab can reach, and
the name each one announces (Qt's accessibility interface: what AT-SPI, UI Automation
and VoiceOver are given)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QImage
from PySide6.QtWidgets import QComboBox, QGroupBox, QRadioButton, QWidget


def labelled_by(widget: QWidget) -> str:
    """The name of the label that labels ``widget`` (its buddy), if any."""
    interface = QAccessible.queryAccessibleInterface(widget)
    for other, relation in interface.relations(QAccessible.RelationFlag.Label) if interface else ():
        return other.text(QAccessible.Text.Name).strip()
    return ""


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces. A combo box is the exception: on Linux Qt gives
    its current value as its name and screen readers announce the label that labels it
    (AT-SPI's labelled-by relation), so a combo box is named by its label and nothing else
    (Windows and macOS read the same words: ``widgets.label_for`` gives both one name)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    if isinstance(widget, QComboBox):
        return labelled_by(widget)
    return interface.text(QAccessible.Text.Name).strip()


def reachable(top: QWidget) -> list[QWidget]:
    """Widgets of ``top`` (not of its dialogs) that Tab can land on, as shown now."""
    found = []
    for widget in top.findChildren(QWidget):
        if widget.window() is not top or not widget.isVisible() or not widget.isEnabled():
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or widget.focusProxy() is not None:
            continue
        found.append(widget)
    return found


def describe(widget: QWidget) -> str:
    bits = [type(widget).__name__]
    if widget.objectName():
        bits.append(f"#{widget.objectName()}")
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    if parent is not None:
        bits.append(f"in {type(parent).__name__}#{parent.objectName()}")
    text = getattr(widget, "text", None)
    if callable(text):
        try:
            bits.append(repr(text()[:40]))
        except TypeError:
            pass
    return " ".join(bits)


def group_of(button: QWidget) -> QWidget | None:
    """The nearest enclosing group (a QGroupBox: AT-SPI's named panel round the choices)."""
    parent = button.parentWidget()
    while parent is not None and not isinstance(parent, QGroupBox):
        parent = parent.parentWidget()
    return parent


def naming_problems(top: QWidget) -> list[str]:
    """Every reachable widget without a name, every name two reachable widgets share, and
    every choice (radio button) outside a named group."""
    widgets = reachable(top)
    names = {w: accessible_name(w) for w in widgets}
    counts = Counter(n.casefold() for n in names.values() if n)
    problems = [f"no name: {describe(w)}" for w, n in names.items() if not n]
    problems += [f"name shared by {counts[n.casefold()]}: {n!r} ({describe(w)})"
                 for w, n in names.items() if n and counts[n.casefold()] > 1]
    for button in top.findChildren(QRadioButton):
        if button.window() is top and button.isVisible():
            group = group_of(button)
            if group is None or not accessible_name(group):
                problems.append(f"a choice outside a named group: {describe(button)}")
    return problems


def _pixels(widget: QWidget, colour: QColor) -> int:
    """How many pixels of ``widget``, drawn now, are exactly ``colour``."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    data = bytes(image.constBits())
    # ARGB32 is stored B, G, R, A in memory (little-endian).
    return data.count(bytes((colour.blue(), colour.green(), colour.red(), 255)))


def focus_frame_problems(top: QWidget, colour: str) -> list[str]:
    """Each reachable widget of ``top``, drawn without and then with the keyboard focus: with
    it, a frame in ``colour`` (the style's focus colour) must appear around it."""
    from PySide6.QtWidgets import QApplication

    focus = QColor(colour)
    problems = []
    for widget in reachable(top):
        if widget.width() < 4 or widget.height() < 4:
            continue
        if widget.hasFocus():
            widget.clearFocus()
        before = _pixels(widget, focus)
        if QApplication.activeWindow() is not top:  # what a window manager does on a click
            active = QApplication.activeWindow()
            top.activateWindow()
            QApplication.processEvents()
            if QApplication.activeWindow() is not top:
                problems.append(f"window not active ({active}): {describe(widget)}")
                continue
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if QApplication.focusWidget() is not widget:
            problems.append(f"cannot take the focus: {describe(widget)}")
            continue
        after = _pixels(widget, focus)
        # A 2-pixel frame round even a small control gives well over a hundred pixels.
        needed = min(120, widget.width() + widget.height())
        if after - before < needed:
            problems.append(f"no visible focus frame ({after - before} focus-coloured pixels): {describe(widget)}")
    return problems
