"""Users: who can unlock this store. Administrators add, disable and re-issue passphrases;
everyone changes their own. A forgotten passphrase cannot be recovered: an administrator
issues a new one.

Disabling and re-issuing take access away, so they rotate the database key: the store is
re-encrypted under a new key on the worker thread, with a progress bar, while the window
waits (nothing else may use the store meanwhile)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..security import DEFAULT_KDF, passphrase_strength
from .kept_typing import PanelKeeper
from .messages import message_label
from ..words import plural
from .widgets import fit_columns, form_row, plain_label


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def _acceptable(new: str, repeat: str, names=()) -> str:
    """Why a new passphrase cannot be used ('' when it can)."""
    strength = passphrase_strength(new, tuple(names))
    if not strength.acceptable:
        return f"Choose a stronger passphrase: {strength.hint}"
    if new != repeat:
        return "The two passphrases are not the same."
    return ""


class _Busy:
    def __enter__(self):
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc):
        QGuiApplication.restoreOverrideCursor()


class ChangePassphraseDialog(QDialog):
    """The signed-in user's own passphrase."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Change my passphrase")
        self.old, self.new, self.repeat = _password(), _password(), _password()
        form = QFormLayout(self)
        form_row(form, "&Current passphrase", self.old)
        form_row(form, "&New passphrase", self.new)
        form_row(form, "New passphrase &again", self.repeat)
        self.message = message_label("")
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def submit(self) -> bool:
        from ..db.access import change_passphrase
        from ..db.errors import StoreError
        from ..security import WrongPassphrase

        problem = _acceptable(self.new.text(), self.repeat.text(), (self.session.user.name,))
        if problem:
            self.message.setText(problem)
            return False
        try:
            with _Busy():
                change_passphrase(self.session, old=self.old.text(), new=self.new.text())
        except WrongPassphrase:
            self.message.setText("The current passphrase is not right.")
            return False
        except StoreError as exc:
            self.message.setText(f"NOT CHANGED: {exc.reason}")
            return False
        for edit in (self.old, self.new, self.repeat):
            edit.clear()
        self.accept()
        return True


class UsersPage(QWidget):
    """The users of this store (administrators can change them)."""

    COLUMNS = ("Name", "Agency", "Role", "Administrator", "Active")
    rotated = Signal(object)  # a RotationResult, once a rotation has finished

    def __init__(self, session, kdf=DEFAULT_KDF, parent=None, *, tasks=None):
        super().__init__(parent)
        self.session = session
        self.kdf = kdf
        self.tasks = tasks
        self.progress = None
        admin = session.user.is_admin
        title = plain_label("Users")
        title.setObjectName("pageTitle")
        note = plain_label(
            "Each user unlocks with their own passphrase. A forgotten passphrase cannot be "
            "recovered: an administrator can only issue a new one. Keep at least two "
            "administrators. Disabling a user or issuing a new passphrase re-encrypts the store "
            "under a new key, so the old passphrase (even in a copied key file) opens nothing "
            "written afterwards; on a large store this takes a little while." if admin else
            "Only an administrator can add users or issue new passphrases. Use File › Change "
            "my passphrase for your own."
        )
        note.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table, stretch=(self.COLUMNS.index("Role"),))
        self.table.setAccessibleName("Users")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        self.message = message_label("")

        self.name, self.agency, self.role = QLineEdit(), QLineEdit(), QLineEdit()
        self.is_admin = QCheckBox("Administrator")
        self.passphrase, self.repeat = _password(), _password()
        self.add_button = QPushButton("Add user")
        self.toggle_button = QPushButton("Disable")
        self.reset_button = QPushButton("Issue a new passphrase")
        if admin:
            form = QFormLayout()
            form_row(form, "&Name", self.name)
            form_row(form, "&Agency", self.agency)
            form_row(form, "R&ole", self.role)
            form.addRow("", self.is_admin)
            form_row(form, "&Passphrase", self.passphrase)
            form_row(form, "Pa&ssphrase again", self.repeat)
            hint = plain_label("Give the passphrase to the person in private, and ask them to change it "
                               "at their first unlock (until then, whoever knows it could act in their name).")
            hint.setObjectName("muted")
            form.addRow(hint)
            layout.addLayout(form)
            buttons = QHBoxLayout()
            buttons.addWidget(self.message, 1)
            for button in (self.toggle_button, self.reset_button, self.add_button):
                buttons.addWidget(button)
            layout.addLayout(buttons)
            self.add_button.clicked.connect(self.add_user)
            self.toggle_button.clicked.connect(self.toggle_active)
            self.reset_button.clicked.connect(self.reset_passphrase)
            self.table.currentCellChanged.connect(lambda *_: self._update_buttons())
        else:
            layout.addWidget(self.message)
        self.refresh()
        self.keeper = None
        if admin:  # a user half-added is kept over a lock; the passphrases never are
            self.keeper = PanelKeeper(session.store, "users_add", self._typed, self._put_typed, self.message, self)
            self.keeper.opened(None)
            kept = self.keeper.kept()
            if kept:
                self.keeper.restored(kept.get("state") or [])

    def _typed(self) -> list:
        return [self.name.text(), self.agency.text(), self.role.text(), self.is_admin.isChecked()]

    def _put_typed(self, state) -> None:
        for edit, value in zip((self.name, self.agency, self.role), state):
            edit.setText(str(value))
        if len(state) > 3:
            self.is_admin.setChecked(bool(state[3]))

    def flush(self) -> bool:
        """On a change of page, lock and close: a user half-added is kept (no passphrase)."""
        return self.keeper.keep_now() if self.keeper is not None else True

    def refresh(self) -> None:
        self.users = self.session.store.users.all()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            for column, text in enumerate((user.name, user.agency, user.role,
                                           "Yes" if user.is_admin else "No", "Yes" if user.active else "No")):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self._update_buttons()

    def selected(self):
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def _update_buttons(self) -> None:
        user = self.selected()
        idle = self.progress is None
        self.toggle_button.setEnabled(idle and user is not None and user.id != self.session.user.id)
        self.reset_button.setEnabled(idle and user is not None and user.id != self.session.user.id and user.active)
        self.toggle_button.setText("Enable" if user is not None and not user.active else "Disable")

    def add_user(self) -> bool:
        from ..db.access import add_user
        from ..db.errors import StoreError

        name = self.name.text().strip()
        problem = "Enter the user's name." if not name else _acceptable(
            self.passphrase.text(), self.repeat.text(), (name, self.agency.text()))
        if problem:
            self.message.setText(problem)
            return False
        try:
            with _Busy():
                add_user(self.session, name=name, agency=self.agency.text().strip(), role=self.role.text().strip(),
                         passphrase=self.passphrase.text(), is_admin=self.is_admin.isChecked(), kdf=self.kdf)
        except StoreError as exc:
            self.message.setText(exc.reason)
            return False
        for edit in (self.name, self.agency, self.role, self.passphrase, self.repeat):
            edit.clear()
        self.is_admin.setChecked(False)
        self.keeper.forget()
        self.message.success(f"{name} can now unlock with the passphrase you gave.")
        self.refresh()
        return True

    def toggle_active(self, confirm: bool = True) -> bool:
        """Disable the selected user (their slot removed, the key rotated), or enable a
        disabled one with the new passphrase typed in the two passphrase fields."""
        from ..db.access import disable_user, enable_user
        from ..db.errors import StoreError

        user = self.selected()
        if user is None:
            return False
        if not user.active:
            problem = _acceptable(self.passphrase.text(), self.repeat.text(), (user.name,))
            if problem:
                self.message.setText(f"To enable {user.name}, type a new passphrase for them in the two "
                                     f"passphrase fields. {problem}")
                return False
            try:
                with _Busy():
                    enable_user(self.session, user=user, passphrase=self.passphrase.text(), kdf=self.kdf)
            except StoreError as exc:
                self.message.setText(exc.reason)
                return False
            self.passphrase.clear()
            self.repeat.clear()
            self.message.success(f"{user.name} can unlock again, with the passphrase you gave.")
            self.refresh()
            return True
        if confirm and QMessageBox.question(
                self, "Disable this user?",
                f"{user.name} will no longer be able to unlock. Their key slot is removed and the store is "
                "re-encrypted under a new key, so no copy of their old passphrase opens anything written "
                "afterwards. The window waits while this runs.") != QMessageBox.StandardButton.Yes:
            return False
        session = self.session
        return self._rotate(lambda: disable_user(session, user=user),
                            f"{user.name} is disabled and can no longer unlock.")

    def reset_passphrase(self) -> bool:
        from ..db.access import reset_passphrase

        user = self.selected()
        if user is None:
            return False
        problem = _acceptable(self.passphrase.text(), self.repeat.text(), (user.name,))
        if problem:
            self.message.setText(f"Type the new passphrase for {user.name} in the two passphrase fields. {problem}")
            return False
        session, new, kdf = self.session, self.passphrase.text(), self.kdf
        self.passphrase.clear()
        self.repeat.clear()
        return self._rotate(lambda: reset_passphrase(session, user=user, new=new, kdf=kdf),
                            f"{user.name} has a new passphrase; the old one no longer opens anything.")

    # -- the rotation, on the worker ------------------------------------------------------------

    def _rotate(self, work, done_text: str) -> bool:
        """Run a key rotation on the worker with a progress bar; the window waits (modal)."""
        from ..db.rotation import progress_of

        window = self.window()
        flush = getattr(window, "flush", None)
        if callable(flush) and flush() is False:
            self.message.setText("Save what you typed first (see NOT SAVED): nothing was changed.")
            return False
        self.session.exclusive = True  # no lock, autosave or quit may use the store meanwhile
        self.progress = QProgressDialog("Re-encrypting the store under a new key…", "", 0, 100, self)
        self.progress.setWindowTitle("Taking access away")
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.progress.setMinimumDuration(0)
        self.progress.setValue(0)
        self.progress.show()
        poll = QTimer(self.progress)
        poll.setInterval(200)
        store_path = self.session.store.paths.store
        poll.timeout.connect(lambda: self.progress and self.progress.setValue(int(99 * progress_of(store_path))))
        poll.start()
        self._update_buttons()

        def finished(result) -> None:
            self._end_rotation()
            left_out = len(result.left_out_user_ids)
            self.message.success(f"{done_text} The store is now under a new key ({result.seconds:.1f} s)."
                                 + (f" {plural(left_out, 'user')} who had not unlocked since the upgrade must "
                                    "be given a new passphrase." if left_out else ""))
            self.refresh()
            self.rotated.emit(result)

        def failed(exc) -> None:
            self._end_rotation()
            reason = getattr(exc, "reason", None)
            if reason is None:
                self.message.setText("The change could not be completed. A report was saved.")
                raise exc
            self.message.setText(f"NOT DONE: {reason}. If the key file was already changed, the next "
                                 "unlock finishes the change.")
            self.refresh()

        if self.tasks is None:  # no worker (a page on its own): run here
            try:
                finished(work())
            except Exception as exc:  # noqa: BLE001 - handed to the same path as the worker's
                failed(exc)
                return False
            return True
        self.tasks.run(work, finished, failed)
        return True

    def _end_rotation(self) -> None:
        self.session.exclusive = False
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._update_buttons()
