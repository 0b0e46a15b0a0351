"""What the window shows while the application finishes its backup on closing.

Quitting never freezes the window: the main window is saved and closed at once (it holds
no personal data from then on), and this screen says that a backup is being written, with
its progress, until it is done. Skipping the backup is the user's choice, asked for.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QProgressBar, QPushButton, QVBoxLayout, QWidget

from .gate import _Card, _centred
from .widgets import plain_label


class ClosingScreen(QWidget):
    """"Finishing a backup before closing", a progress bar, and a way to skip it."""

    skip_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        card = _Card(
            "Finishing a backup before closing",
            "Everything you typed is saved in the store. A backup copy of it is being written "
            "and checked; the application closes by itself when it is done.",
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setAccessibleName("Backup progress")
        self.step = plain_label("Starting the backup…")
        self.step.setObjectName("muted")
        self.skip_button = QPushButton("&Quit without this backup…")
        self.skip_button.clicked.connect(self.skip_requested)
        card.body.addWidget(self.step)
        card.body.addWidget(self.progress)
        card.body.addWidget(self.skip_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(_centred(card))

    def show_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        else:
            self.progress.setRange(0, 0)  # a step whose length is not known: busy
        if text:
            self.step.setText(f"{text}…")


def ask_skip_backup(parent: QWidget) -> QMessageBox:
    """The question when quit is asked for again while the backup runs (shown, not run:
    the answer comes through the box's ``finished`` signal)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("A backup is being written")
    box.setText("A backup of the store is being written before the application closes.")
    box.setInformativeText(
        "Wait for it to finish (recommended), or quit now without this backup? Nothing you "
        "typed is lost either way: it is already saved in the store. The next backup is "
        "made the next time the application is opened.")
    box.wait_button = box.addButton("&Wait for the backup", QMessageBox.ButtonRole.RejectRole)
    box.skip_button = box.addButton("&Quit without it", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.wait_button)
    return box
