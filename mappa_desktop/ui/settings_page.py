"""The area's settings, built from their declarations in ``mappa_desktop.settings``.
Administrators change them; everyone can read them. Each change is audited. Every setting
is shown in words: what an executive summary keeps is a list of the minute's sections and
fields by their titles, ticked, never the keys it is stored as."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import settings as declared
from .. import spec
from .kept_typing import PanelKeeper
from .messages import message_label
from .widgets import label_for, plain_label, scroll_area


class SectionChoice(QTreeWidget):
    """The minute's sections, each with its fields, by title; ticked to keep. A section
    ticked whole is kept whole; some fields ticked keep those fields."""

    KEY = Qt.ItemDataRole.UserRole

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setMinimumHeight(220)
        self.setMaximumHeight(320)
        self.sections: dict[str, QTreeWidgetItem] = {}
        for section in spec.SECTIONS:
            top = QTreeWidgetItem([section.title])
            top.setData(0, self.KEY, section.key)
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate)
            top.setCheckState(0, Qt.CheckState.Unchecked)
            for field in section.fields:
                child = QTreeWidgetItem([field.label])
                child.setData(0, self.KEY, f"{section.key}.{field.key}")
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                top.addChild(child)
            self.addTopLevelItem(top)
            self.sections[section.key] = top

    def set_keys(self, keys) -> None:
        chosen = set(keys or ())
        for key, top in self.sections.items():
            for index in range(top.childCount()):
                child = top.child(index)
                whole = key in chosen
                state = whole or child.data(0, self.KEY) in chosen
                child.setCheckState(0, Qt.CheckState.Checked if state else Qt.CheckState.Unchecked)
            if top.childCount() == 0:
                top.setCheckState(0, Qt.CheckState.Checked if key in chosen else Qt.CheckState.Unchecked)
            top.setExpanded(top.checkState(0) == Qt.CheckState.PartiallyChecked)

    def keys(self) -> list[str]:
        out = []
        for key, top in self.sections.items():
            state = top.checkState(0)
            if state == Qt.CheckState.Checked:
                out.append(key)
            elif state == Qt.CheckState.PartiallyChecked:
                out += [top.child(i).data(0, self.KEY) for i in range(top.childCount())
                        if top.child(i).checkState(0) == Qt.CheckState.Checked]
        return out

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 (as the other settings' widgets)
        self.setEnabled(True)
        for top in self.sections.values():
            for item in (top, *(top.child(i) for i in range(top.childCount()))):
                flags = item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable if read_only else \
                    item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                item.setFlags(flags)


class SettingsPage(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.store = session.store
        admin = session.user.is_admin
        title = plain_label("Settings")
        title.setObjectName("pageTitle")
        body = QWidget()
        form = QFormLayout(body)
        self.widgets: dict[str, QWidget] = {}
        for setting in declared.SETTINGS:
            if setting.kind == "int":
                widget = QSpinBox()
                widget.setRange(setting.low, setting.high)
            elif setting.kind == "sections":
                widget = SectionChoice()
            elif setting.kind in ("long_text", "lines"):
                widget = QPlainTextEdit()
                widget.setTabChangesFocus(True)
                widget.setMaximumHeight(150)
            else:
                widget = QLineEdit()
            widget.setAccessibleName(setting.label)
            widget.setToolTip(setting.help)
            if hasattr(widget, "setReadOnly"):
                widget.setReadOnly(not admin)
            else:
                widget.setEnabled(admin)
            label = label_for(QLabel(setting.label), widget)
            label.setWordWrap(True)
            help_text = plain_label(setting.help)
            help_text.setObjectName("muted")
            help_text.setWordWrap(True)
            column = QVBoxLayout()
            column.addWidget(widget)
            column.addWidget(help_text)
            form.addRow(label, column)
            self.widgets[setting.key] = widget
        scroll = scroll_area(body)  # the settings' fields take the keyboard
        self.message = message_label()
        if not admin:
            self.message.warning("Only an administrator can change the settings.")
        self.save_button = QPushButton("&Save settings")
        self.save_button.setVisible(admin)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save)
        self.load()
        # Changes typed and not saved are kept (encrypted) within a second and over a lock.
        self.keeper = None
        if admin:
            self.keeper = PanelKeeper(self.store, "settings_page", self._typed_all, self._put_all, self.message, self)
            self.keeper.opened(None)
            kept = self.keeper.kept()
            if kept:
                self.keeper.restored(kept.get("state") or {})

    def flush(self) -> bool:
        """On a change of page, lock and close: changes not saved are kept as a draft."""
        return self.keeper.keep_now() if self.keeper is not None else True

    def _typed_all(self) -> dict:
        return {key: self._typed(widget) for key, widget in self.widgets.items()}

    def _put_all(self, values: dict) -> None:
        for key, value in values.items():
            if key in self.widgets:
                self._put(self.widgets[key], value)

    def _shown(self, key: str):
        value = self.store.settings.get(key)
        if declared.declared(key).kind in ("lines", "sections"):
            return "\n".join(value or [])
        return value

    def load(self) -> None:
        for key, widget in self.widgets.items():
            self._put(widget, self._shown(key))

    @staticmethod
    def _put(widget, value) -> None:
        """Show a value in its widget, in the form ``_typed`` reads back."""
        if isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, SectionChoice):
            widget.set_keys([k for k in str(value or "").split("\n") if k])
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value or ""))
        else:
            widget.setText(str(value or ""))

    def _typed(self, widget):
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, SectionChoice):
            return "\n".join(widget.keys())
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.text()

    def save(self) -> bool:
        from ..db.errors import StoreError

        changed = []
        for key, widget in self.widgets.items():
            typed = self._typed(widget)
            if str(typed) == str(self._shown(key) or ""):
                continue
            try:
                self.store.settings.set(key, typed)
            except declared.SettingError as exc:
                self.message.setText(str(exc))
                widget.setFocus()
                return False
            except StoreError as exc:
                self.message.setText(f"NOT SAVED: {exc.reason}.")
                return False
            changed.append(declared.declared(key).label)
        if self.keeper is not None:
            self.keeper.forget()
            self.keeper.opened(None)  # what is shown now is what is stored
        if changed:
            self.message.success("Saved: " + ", ".join(changed) + ".")
        else:
            self.message.progress("Nothing changed.")
        return True
