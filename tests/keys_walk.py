"""Every key that does something on a screen as it is shown: shortcuts (QShortcut and
QAction) and mnemonics (the underlined letter of a label, a button or a tab). Two owners of
one key on one screen make Qt do nothing at all ("ambiguous shortcut"): the key is dead."""

from __future__ import annotations

from collections import defaultdict

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QGroupBox, QLabel, QTabBar, QWidget

from .a11y_walk import describe


def _key(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def _mnemonic(text: str) -> str:
    key = QKeySequence.mnemonic(text)
    return _key(key) if not key.isEmpty() else ""


def _active(widget: QWidget, top: QWidget) -> bool:
    return widget is not None and widget.window() is top and widget.isVisible() and widget.isEnabled()


def shortcuts(top: QWidget, *, mnemonics: bool = True) -> dict[str, list[str]]:
    """Key (PortableText, e.g. "Ctrl+P", "Alt+D") -> who answers it on ``top`` now."""
    found: dict[str, list[str]] = defaultdict(list)
    for shortcut in top.findChildren(QShortcut):
        parent = shortcut.parent()
        if shortcut.isEnabled() and isinstance(parent, QWidget) and _active(parent, top):
            for key in shortcut.keys():
                if not key.isEmpty():
                    found[_key(key)].append(f"shortcut of {describe(parent)}")
    actions = set()
    for widget in [top, *top.findChildren(QWidget)]:
        if widget is top or _active(widget, top):
            actions.update((a, widget) for a in widget.actions())
    app = QApplication.instance()
    for action, owner in actions:
        if action.isEnabled() and not action.shortcut().isEmpty():
            global_ = action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut
            if global_ or owner is top or owner.window() is top:
                found[_key(action.shortcut())].append(f"action {action.text().replace('&', '')!r}")
    menu_bar = top.menuBar() if hasattr(top, "menuBar") else None
    if menu_bar is not None and menu_bar.isVisible():
        for menu_action in menu_bar.actions():
            for action in (menu_action.menu().actions() if menu_action.menu() else ()):
                if action.isEnabled() and not action.shortcut().isEmpty():
                    found[_key(action.shortcut())].append(f"menu item {action.text().replace('&', '')!r}")
    # Application-wide shortcuts of other windows (Ctrl+L locks from any dialog).
    for window in app.topLevelWidgets():
        if window is top or not window.isVisible():
            continue
        for action in window.findChildren(QAction):
            if action.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut and action.isEnabled():
                found[_key(action.shortcut())].append(f"application action {action.text().replace('&', '')!r}")
    if mnemonics:
        for label in top.findChildren(QLabel):
            if _active(label, top) and label.buddy() is not None and (key := _mnemonic(label.text())):
                found[key].append(f"label {label.text()!r}")
        for button in top.findChildren(QAbstractButton):
            if _active(button, top) and (key := _mnemonic(button.text())):
                found[key].append(f"button {button.text()!r}")
        for box in top.findChildren(QGroupBox):
            if _active(box, top) and (key := _mnemonic(box.title())):
                found[key].append(f"group {box.title()!r}")
        for bar in top.findChildren(QTabBar):
            if _active(bar, top):
                for index in range(bar.count()):
                    if bar.isTabEnabled(index) and (key := _mnemonic(bar.tabText(index))):
                        found[key].append(f"tab {bar.tabText(index)!r}")
        if menu_bar is not None and menu_bar.isVisible():
            for action in menu_bar.actions():
                if key := _mnemonic(action.text()):
                    found[key].append(f"menu {action.text()!r}")
    return dict(found)


def clashes(top: QWidget) -> dict[str, list[str]]:
    """Keys with more than one owner on ``top`` as it is shown."""
    return {key: owners for key, owners in shortcuts(top).items() if len(owners) > 1}
