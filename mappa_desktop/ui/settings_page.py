"""The area's settings, built from their declarations in ``mappa_desktop.settings``.
Administrators change them; everyone can read them. Each change is audited."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from .. import settings as declared
from .widgets import plain_label


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
            label = QLabel(setting.label)
            label.setBuddy(widget)
            help_text = plain_label(setting.help)
            help_text.setObjectName("muted")
            help_text.setWordWrap(True)
            column = QVBoxLayout()
            column.addWidget(widget)
            column.addWidget(help_text)
            form.addRow(label, column)
            self.widgets[setting.key] = widget
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.message = plain_label("" if admin else "Only an administrator can change the settings.")
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
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

    def _shown(self, key: str):
        value = self.store.settings.get(key)
        if declared.declared(key).kind == "lines":
            return "\n".join(value or [])
        return value

    def load(self) -> None:
        for key, widget in self.widgets.items():
            value = self._shown(key)
            if isinstance(widget, QSpinBox):
                widget.setValue(int(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value or ""))
            else:
                widget.setText(str(value or ""))

    def _typed(self, widget):
        if isinstance(widget, QSpinBox):
            return widget.value()
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
        self.message.setText(("Saved: " + ", ".join(changed) + ".") if changed else "Nothing changed.")
        return True
