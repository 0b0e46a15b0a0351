"""Import a case bundle: open it with its passphrase, see what it holds and how it differs
from this store, choose theirs or ours for every difference, then import.

Nothing is written before Import is pressed, and then all of it or nothing. Opening and
importing run on the worker through a connection of their own.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..words import plural
from .messages import message_label
from .widgets import form_row, plain_label, scroll_area

log = logging.getLogger(__name__)


class DifferenceRow(QGroupBox):
    """One difference: theirs and ours side by side, with the choice under each (a named
    group: a screen reader says which difference a choice is about)."""

    chosen = Signal()

    def __init__(self, difference, parent=None):
        super().__init__(parent)
        from ..transfer.compare import display

        self.difference = difference
        self.setObjectName("differenceRow")
        self.setAccessibleName(f"{difference.record}, {difference.label}")
        title = plain_label(f"{difference.record}  ·  {difference.label}")
        title.setObjectName("sectionTitle")
        grid = QGridLayout(self)
        grid.addWidget(title, 0, 0, 1, 2)
        self.group = QButtonGroup(self)
        self.sides = {}
        for column, (side, caption, value) in enumerate(
                (("theirs", "Theirs (in the bundle)", difference.theirs), ("ours", "Ours (in this store)", difference.ours))):
            text = QPlainTextEdit(display(difference, value))
            text.setReadOnly(True)
            text.setAccessibleName(f"{caption}: {difference.label}")
            lines = min(8, max(2, text.toPlainText().count("\n") + 1 + len(text.toPlainText()) // 70))
            text.setFixedHeight(22 * lines + 12)
            grid.addWidget(text, 2, column)
            if difference.choosable:
                button = QRadioButton("Take theirs" if side == "theirs" else "Keep ours")
                button.setAccessibleName(f"{button.text()}: {difference.record}, {difference.label}")
                self.group.addButton(button)
                self.sides[side] = button
                button.toggled.connect(lambda on: on and self.chosen.emit())
                grid.addWidget(button, 1, column)
            else:
                grid.addWidget(plain_label(caption), 1, column)
        if difference.note:
            note = plain_label(difference.note)
            note.setWordWrap(True)
            note.setObjectName("warning" if not difference.choosable else "muted")
            grid.addWidget(note, 3, 0, 1, 2)

    def choice(self) -> str | None:
        for side, button in self.sides.items():
            if button.isChecked():
                return side
        return None

    def choose(self, side: str) -> None:
        if side in self.sides:
            self.sides[side].setChecked(True)


class ImportCaseDialog(QDialog):
    """File and passphrase; Open; what it holds and every difference; Import."""

    imported = Signal(int)

    def __init__(self, store, tasks, parent=None):
        super().__init__(parent)
        self.store, self.tasks = store, tasks
        self.bundle = self.plan = None
        self.rows: list[DifferenceRow] = []
        self.setWindowTitle("Import a case")
        intro = plain_label(
            "Open a case bundle (.mappa-case) with the transfer passphrase you were given. You will see "
            "what it holds and, if the case is already here, every difference, before anything is written.")
        intro.setWordWrap(True)
        self.path = QLineEdit()
        choose = QPushButton("C&hoose…")
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.setContentsMargins(0, 0, 0, 0)
        where.addWidget(self.path, 1)
        where.addWidget(choose)
        where_box = QWidget()
        where_box.setLayout(where)
        self.passphrase = QLineEdit()
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(lambda: self.open_bundle())
        self.passphrase.returnPressed.connect(lambda: self.open_bundle())
        form = QFormLayout()
        form_row(form, "&Bundle", where_box, "Bundle file")
        self.path.setAccessibleName("Bundle file")
        form_row(form, "Transfer &passphrase", self.passphrase)
        opener = QHBoxLayout()
        opener.addWidget(self.open_button)
        opener.addStretch(1)
        form.addRow("", opener)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.hide()
        self.message = message_label()
        self.summary = plain_label("")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("caseSummary")
        self.additions = QListWidget()
        self.additions.setAccessibleName("What will be added")
        self.additions.setMaximumHeight(110)
        self.additions.hide()
        self.all_theirs = QPushButton("Theirs for &all")
        self.all_ours = QPushButton("Ours for a&ll")
        self.all_theirs.clicked.connect(lambda: self.choose_all("theirs"))
        self.all_ours.clicked.connect(lambda: self.choose_all("ours"))
        self.counter = plain_label("")
        choices = QHBoxLayout()
        choices.addWidget(self.counter, 1)
        choices.addWidget(self.all_theirs)
        choices.addWidget(self.all_ours)
        self.choice_bar = QWidget()
        self.choice_bar.setLayout(choices)
        self.choice_bar.hide()
        self.differences = QVBoxLayout()
        holder = QWidget()
        holder.setLayout(self.differences)
        self.scroll = scroll_area(holder)  # each difference's choices take the keyboard
        self.scroll.hide()
        self.import_button = QPushButton("&Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(lambda: self.import_now())
        self.open_case_button = QPushButton("Open the &case")
        self.open_case_button.hide()
        self.imported_case_id: int | None = None
        self.open_case_button.clicked.connect(self._open_imported)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.open_case_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addWidget(self.additions)
        layout.addWidget(self.choice_bar)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(buttons)
        self.resize(1000, 640)

    # -- opening and the preview ------------------------------------------------------------------

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a case bundle", self.path.text(),
                                              "MAPPA case bundles (*.mappa-case);;All files (*)")
        if path:
            self.path.setText(path)

    def open_bundle(self, path: str | None = None) -> None:
        """Prove the passphrase, read and verify the whole bundle, compare it: on the worker."""
        from ..db.bundles import worker_store
        from ..transfer.exchange import open_bundle, preview_import

        if path is not None:
            self.path.setText(path)
        target, passphrase, store = Path(self.path.text().strip()).expanduser(), self.passphrase.text(), self.store
        if not self.path.text().strip():
            self.message.setText("Choose the bundle file first.")
            return

        def work():
            bundle = open_bundle(target, passphrase)
            sibling = worker_store(store)
            try:
                return bundle, preview_import(store=sibling, bundle=bundle)
            finally:
                sibling.close()

        self._reset()
        self._set_busy(True)
        self.tasks.run(work, self._previewed, self._failed)

    def _reset(self) -> None:
        self.bundle = self.plan = None
        self.message.setText("")
        self.summary.setText("")
        self.additions.clear()
        self.additions.hide()
        self.choice_bar.hide()
        self.scroll.hide()
        self.import_button.setEnabled(False)
        for row in self.rows:
            row.deleteLater()
        self.rows = []

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.open_button.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)

    def _previewed(self, opened) -> None:
        from ..transfer.exchange import counted

        self._set_busy(False)
        self.bundle, self.plan = opened
        plan = self.plan
        self.passphrase.clear()  # the key is held; the passphrase is not needed again
        self.summary.setText(plan.summary())
        labelled = {a.kind for a in plan.additions}
        lines = [f"Add: {a.label}" for a in plan.additions if a.kind != "case"]
        lines += [f"Add: {counted(k, n)}" for k, n in plan.added.items() if n and k not in labelled]
        lines += [f"Note: {n}" for n in plan.notes]
        if lines:
            self.additions.addItems(lines)
            self.additions.show()
        # The list of additions takes the room when there is nothing to choose.
        self.additions.setMaximumHeight(110 if plan.differences else 16_777_215)
        self.layout().setStretchFactor(self.additions, 0 if plan.differences else 1)
        for difference in plan.differences:
            row = DifferenceRow(difference)
            row.chosen.connect(self._count)
            self.differences.addWidget(row)
            self.rows.append(row)
        self.differences.addStretch(1)
        if plan.differences:
            self.scroll.show()
            self.choice_bar.setVisible(bool(plan.choosable))
        self._count()

    def _count(self) -> None:
        if self.plan is None:
            return
        choosable = [r for r in self.rows if r.difference.choosable]
        chosen = sum(1 for r in choosable if r.choice())
        kept = len(self.rows) - len(choosable)
        self.counter.setText(f"{chosen} of {plural(len(choosable), 'difference')} chosen"
                             + (f"; {kept} kept as ours (cannot change here)" if kept else ""))
        self.import_button.setEnabled(chosen == len(choosable))

    def choose_all(self, side: str) -> None:
        for row in self.rows:
            row.choose(side)
        self._count()

    # -- importing ------------------------------------------------------------------------------------

    def import_now(self) -> None:
        from ..db.bundles import worker_store
        from ..transfer.exchange import import_case

        if self.plan is None:
            return
        choices = {r.difference.key: r.choice() for r in self.rows if r.difference.choosable}
        bundle, plan, store = self.bundle, self.plan, self.store

        def work():
            sibling = worker_store(store)
            try:
                return import_case(store=sibling, bundle=bundle, plan=plan, choices=choices)
            finally:
                sibling.close()

        self._set_busy(True)
        self.tasks.run(work, self._imported, self._failed)

    def _imported(self, result) -> None:
        self._set_busy(False)
        self.import_button.setEnabled(False)
        self.open_button.setEnabled(False)
        self.all_theirs.setEnabled(False)
        self.all_ours.setEnabled(False)
        self.message.success(f"Imported: case {self.plan.case_reference}. {plural(result.chosen_theirs, 'difference')} "
                             f"took theirs, {result.chosen_ours} kept ours, {result.kept} could not change. "
                             "Every choice is in the audit log with both values.")
        for row in self.rows:
            row.setEnabled(False)
        self.imported_case_id = result.case_id
        self.open_case_button.show()
        self.bundle = None

    def _open_imported(self) -> None:
        if self.imported_case_id is not None:
            self.imported.emit(self.imported_case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from ..db.errors import StoreError
        from ..transfer.container import BundleError

        self._set_busy(False)
        if isinstance(exc, (BundleError, StoreError)):
            self.message.setText(f"{exc.reason} Nothing was imported." if "Nothing was" not in exc.reason
                                 else exc.reason)
        else:
            log.error("case import failed: %s", type(exc).__name__)
            self.message.setText("Something went wrong; nothing was imported. Please tell IT support.")
        if self.plan is not None:
            self._count()

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.passphrase.clear()
        self.bundle = None
        super().done(result)
