"""Whether a screen fits a laptop: no horizontal scroll bar, no label or button cut short,
the window or dialog itself within the screen."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QWidget

from .a11y_walk import describe


def _shown_in(widget: QWidget, top: QWidget) -> bool:
    return widget.window() is top and widget.isVisible() and widget.width() > 0


def layout_problems(top: QWidget, screen=(1366, 698)) -> list[str]:
    problems = []
    if top.width() > screen[0] or top.height() > screen[1]:
        problems.append(f"{type(top).__name__} is {top.width()}x{top.height()}, larger than {screen[0]}x{screen[1]}")
    minimum = top.minimumSizeHint()
    if minimum.width() > screen[0] or minimum.height() > screen[1]:
        problems.append(f"{type(top).__name__} needs at least {minimum.width()}x{minimum.height()}")
    for area in top.findChildren(QAbstractScrollArea):
        if _shown_in(area, top) and area.horizontalScrollBar().isVisible():
            problems.append(f"horizontal scroll bar: {describe(area)}")
    for label in top.findChildren(QLabel):
        if not _shown_in(label, top) or not label.text() or label.pixmap() is not None and not label.pixmap().isNull():
            continue
        rect = label.contentsRect()
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 2:
                problems.append(f"label cut ({label.height()} of {needed} px high): {describe(label)}")
        elif label.sizeHint().width() > label.width() + 2:
            problems.append(f"label cut ({label.width()} of {label.sizeHint().width()} px wide): {describe(label)}")
        del rect
    for button in top.findChildren(QAbstractButton):
        if _shown_in(button, top) and button.text() and button.sizeHint().width() > button.width() + 2:
            problems.append(f"button cut ({button.width()} of {button.sizeHint().width()} px): {describe(button)}")
    return problems


def bare_dashes(top: QWidget) -> list[str]:
    """Values shown as a lone dash: an empty state must say what it means, or what to do."""
    from PySide6.QtWidgets import QTableWidget

    dashes = {"—", "–", "-"}
    problems = [f"a bare dash: {describe(label)}" for label in top.findChildren(QLabel)
                if _shown_in(label, top) and label.text().strip() in dashes]
    for table in top.findChildren(QTableWidget):
        if _shown_in(table, top):
            for row in range(table.rowCount()):
                for column in range(table.columnCount()):
                    item = table.item(row, column)
                    if item is not None and item.text().strip() in dashes:
                        problems.append(f"a bare dash in {describe(table)} at row {row + 1}, column {column + 1}")
    return problems
