"""The screens before the store is open: first run (create the store) and unlock.

Neither shows any case data: they are what a locked laptop displays. Slow key derivation
runs on the worker thread; the screens stay responsive and say what they are doing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME
from ..security import MIN_PASSPHRASE_LENGTH, passphrase_strength, unlock_delay_seconds
from .messages import message_label
from .widgets import form_row, plain_label


class _Card(QFrame):
    """A centred panel with a title, used by both screens."""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("gateCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMaximumWidth(560)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(12)
        heading = plain_label(title)
        heading.setObjectName("gateTitle")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        intro = plain_label(subtitle)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.body = QVBoxLayout()
        layout.addLayout(self.body)


def _centred(card: QWidget) -> QWidget:
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.addStretch(1)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 3)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addStretch(2)
    return page


class FirstRunScreen(QWidget):
    """Create the encrypted store and its first (administrator) user."""

    create_requested = Signal(str, str, str, str)  # name, agency, role, passphrase

    def __init__(self, data_folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        card = _Card(
            f"Welcome to {APP_NAME}",
            "Set up the encrypted store on this computer. You will be its first user and "
            "its administrator. Everything is kept encrypted under your passphrase: if you "
            "forget it, only another administrator's passphrase can let you back in, so "
            "add a second administrator soon.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.agency = QLineEdit()
        self.role = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form_row(form, "Your &name", self.name, "Your name")
        form_row(form, "&Agency", self.agency, "Agency")
        form_row(form, "&Role", self.role, "Role")
        form_row(form, "&Passphrase", self.passphrase, "Passphrase")
        self.strength_bar = QProgressBar()
        self.strength_bar.setRange(0, 4)
        self.strength_bar.setTextVisible(True)
        self.strength_bar.setAccessibleName("Passphrase strength")
        self.strength_hint = plain_label("")
        self.strength_hint.setWordWrap(True)
        strength_box = QVBoxLayout()
        strength_box.addWidget(self.strength_bar)
        strength_box.addWidget(self.strength_hint)
        form.addRow("Strength", strength_box)
        form_row(form, "Pa&ssphrase again", self.repeat, "Passphrase again")
        card.body.addLayout(form)
        self.folder_note = plain_label(f"Data folder: {data_folder}")
        self.folder_note.setWordWrap(True)
        self.folder_note.setObjectName("muted")
        card.body.addWidget(self.folder_note)
        self.message = message_label("")
        card.body.addWidget(self.message)
        self.create_button = QPushButton("&Create the store")
        self.create_button.setDefault(True)
        self.create_button.setAutoDefault(True)
        card.body.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self)
        layout.addWidget(_centred(card))

        self.passphrase.textChanged.connect(self._update_strength)
        self.name.textChanged.connect(self._update_strength)
        self.create_button.clicked.connect(self._submit)
        for edit in (self.name, self.agency, self.role, self.passphrase, self.repeat):
            edit.returnPressed.connect(self._submit)
        self.name.setFocus()
        self._update_strength()

    def _update_strength(self) -> None:
        text = self.passphrase.text()
        if not text:
            self.strength_bar.setValue(0)
            self.strength_bar.setFormat("")
            self.strength_hint.setText(
                f"At least {MIN_PASSPHRASE_LENGTH} characters. A few unrelated words work well."
            )
            return
        strength = passphrase_strength(text, (self.name.text(), self.agency.text()))
        self.strength_bar.setValue(strength.score)
        self.strength_bar.setFormat(strength.label)
        self.strength_hint.setText(strength.hint)

    def _submit(self) -> None:
        name, agency = self.name.text().strip(), self.agency.text().strip()
        passphrase, repeat = self.passphrase.text(), self.repeat.text()
        if not name:
            return self._refuse("Enter your name.", self.name)
        if not agency:
            return self._refuse("Enter your agency.", self.agency)
        strength = passphrase_strength(passphrase, (name, agency))
        if not strength.acceptable:
            return self._refuse(
                f"Choose a stronger passphrase: {strength.hint}", self.passphrase
            )
        if passphrase != repeat:
            return self._refuse("The two passphrases are not the same.", self.repeat)
        self.set_busy(True, "Creating the encrypted store…")  # said as work in progress
        self.create_requested.emit(name, agency, self.role.text().strip(), passphrase)

    def _refuse(self, text: str, field: QWidget) -> None:
        self.message.setText(text)
        field.setFocus()

    def set_busy(self, busy: bool, text: str = "") -> None:
        self.create_button.setEnabled(not busy)
        for edit in (self.name, self.agency, self.role, self.passphrase, self.repeat):
            edit.setReadOnly(busy)
        self.message.progress(text)

    def failed(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)

    def clear_secrets(self) -> None:
        self.passphrase.clear()
        self.repeat.clear()


class UnlockScreen(QWidget):
    """Name and passphrase. One calm message for any mismatch; a growing wait after three."""

    unlock_requested = Signal(str, str)  # name, passphrase
    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        card = _Card(
            f"{APP_NAME} is locked",
            "Enter your name and passphrase to unlock.",
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name = QLineEdit()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form_row(form, "&Name", self.name, "Name")
        form_row(form, "&Passphrase", self.passphrase, "Passphrase")
        card.body.addLayout(form)
        self.message = message_label("")
        card.body.addWidget(self.message)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        # Reachable while locked: a damaged store is refused here, and whoever can unlock a
        # backup's slot may put it back (the current store is kept aside).
        self.restore_button = QPushButton("&Restore a backup…")
        self.restore_button.setFlat(True)
        self.restore_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        card.body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(_centred(card))

        self.failures = 0
        self._wait_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.unlock_button.clicked.connect(self._submit)
        self.restore_button.clicked.connect(self.restore_requested)
        self.name.returnPressed.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)

    def prepare(self, name: str = "") -> None:
        """Show afresh: keep the name (if any), clear the passphrase, focus what is next."""
        self.passphrase.clear()
        self.name.setText(name)
        self.set_busy(False)
        (self.passphrase if name else self.name).setFocus()

    def _submit(self) -> None:
        if self._wait_left > 0 or not self.unlock_button.isEnabled():
            return
        if not self.name.text().strip():
            self.message.setText("Enter your name.")
            self.name.setFocus()
            return
        if not self.passphrase.text():
            self.message.setText("Enter your passphrase.")
            self.passphrase.setFocus()
            return
        self.set_busy(True)
        self.unlock_requested.emit(self.name.text().strip(), self.passphrase.text())

    def set_busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy and self._wait_left == 0)
        self.name.setReadOnly(busy)
        self.passphrase.setReadOnly(busy)
        if busy:
            self.message.progress("Unlocking…")

    def wrong_passphrase(self, text: str, failures: int | None = None, wait: int | None = None) -> None:
        """``failures`` and ``wait`` come from the data folder's count (shared with the
        command line) when the caller has it; otherwise this screen counts alone."""
        self.failures = self.failures + 1 if failures is None else failures
        self.passphrase.clear()
        self.set_busy(False)
        self.passphrase.setFocus()
        wait = unlock_delay_seconds(self.failures) if wait is None else wait
        if wait:
            self.hold_off(wait)
        self._show_failure(text)

    def hold_off(self, seconds: int) -> None:
        """No attempt for ``seconds`` (after wrong passphrases, here or on the command line)."""
        self._wait_left = max(self._wait_left, int(seconds))
        self.unlock_button.setEnabled(False)
        self._countdown.start()
        self.message.setText(f"Too many wrong passphrases. Try again in {self._wait_left} s.")

    def failed(self, text: str) -> None:
        """A problem that is not a wrong passphrase (damaged store...): say it plainly."""
        self.set_busy(False)
        self.message.setText(text)

    def _show_failure(self, text: str) -> None:
        if self._wait_left:
            self.message.setText(f"{text} Try again in {self._wait_left} s.")
        else:
            self.message.setText(text)

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._wait_left = 0
            self._countdown.stop()
            self.unlock_button.setEnabled(True)
            self.message.progress("You can try again now.")
        else:
            self.message.setText(f"That did not match. Try again in {self._wait_left} s.")

    def succeeded(self) -> None:
        self.failures = 0
        self.passphrase.clear()
        self.message.setText("")

