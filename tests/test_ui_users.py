"""Users through the window: an administrator adds, disables and re-issues; everyone
changes their own passphrase; the store is never re-encrypted; all of it audited."""

from __future__ import annotations

import pytest

from mappa_desktop.db.session import create_store, unlock
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF, WrongPassphrase
from mappa_desktop.ui.users_page import ChangePassphraseDialog, UsersPage

from .typing_helpers import type_text

ADMIN = "granite otter lantern violet"
NEW = "copper kestrel harbour mist"


@pytest.fixture
def paths(tmp_path):
    paths = DataPaths(tmp_path / "d")
    create_store(paths, name="Ann Admin", agency="MAPPA unit", role="", passphrase=ADMIN, kdf=TEST_KDF).close()
    return paths


def test_admin_adds_a_user_who_then_unlocks_and_changes_their_passphrase(qtbot, paths):
    session = unlock(paths, name="Ann Admin", passphrase=ADMIN)
    page = UsersPage(session, TEST_KDF)
    qtbot.addWidget(page)
    type_text(page.name, "Siobhán Ní Bhriain")
    type_text(page.agency, "Justice Social Work")
    type_text(page.passphrase, "short")
    type_text(page.repeat, "short")
    assert page.add_user() is False and "stronger" in page.message.text()
    page.passphrase.setText(NEW)
    page.repeat.setText(NEW)
    assert page.add_user() is True
    assert [u.name for u in session.store.users.all()] == ["Ann Admin", "Siobhán Ní Bhriain"]
    assert b"Siobh" not in paths.keyfile.read_bytes()
    session.close()

    user = unlock(paths, name="siobhán ní bhriain", passphrase=NEW)
    dialog = ChangePassphraseDialog(user)
    qtbot.addWidget(dialog)
    dialog.old.setText("wrong wrong wrong")
    dialog.new.setText("amber lighthouse orchard rain")
    dialog.repeat.setText("amber lighthouse orchard rain")
    assert dialog.submit() is False and "not right" in dialog.message.text()
    dialog.old.setText(NEW)
    assert dialog.submit() is True
    user.close()
    with pytest.raises(WrongPassphrase):
        unlock(paths, name="Siobhán Ní Bhriain", passphrase=NEW)
    again = unlock(paths, name="Siobhán Ní Bhriain", passphrase="amber lighthouse orchard rain")
    details = [(e.kind, e.record_type, e.detail.split(";")[0]) for e in again.store.audit.entries()]
    assert ("alteration", "user", "passphrase changed") in details
    assert again.store.audit.verify().ok
    again.close()


def test_admin_disables_and_reissues_and_the_last_admin_stays(qtbot, paths, tmp_path):
    import shutil

    from mappa_desktop.security import KeyFile
    from mappa_desktop.ui.tasks import TaskRunner

    tasks = TaskRunner()
    session = unlock(paths, name="Ann Admin", passphrase=ADMIN)
    page = UsersPage(session, TEST_KDF, tasks=tasks)
    qtbot.addWidget(page)
    page.name.setText("Ross Mackay")
    page.passphrase.setText(NEW)
    page.repeat.setText(NEW)
    assert page.add_user()
    shutil.copyfile(paths.keyfile, tmp_path / "kept.json")  # what Ross might keep
    page.table.selectRow(1)
    page.passphrase.setText("amber lighthouse orchard rain")
    page.repeat.setText("amber lighthouse orchard rain")
    with qtbot.waitSignal(page.rotated, timeout=20_000):
        assert page.reset_passphrase() is True  # on the worker, with a progress bar
        assert page.progress is not None and session.exclusive
    assert page.progress is None and not session.exclusive
    assert "new key" in page.message.text()
    old_key = KeyFile.load(tmp_path / "kept.json").unlock("Ross Mackay", NEW)
    assert old_key != session.store.key
    page.table.selectRow(1)
    with qtbot.waitSignal(page.rotated, timeout=20_000):
        page.toggle_active(confirm=False)
    assert [u.active for u in session.store.users.all()] == [True, False]
    assert not KeyFile.load(paths.keyfile).has_slot("Ross Mackay")
    page.table.selectRow(0)
    assert not page.toggle_button.isEnabled()  # nobody disables themselves
    session.close()
    with pytest.raises(WrongPassphrase):  # no slot left at all
        unlock(paths, name="Ross Mackay", passphrase="amber lighthouse orchard rain")
    tasks.shutdown()


def test_a_member_sees_the_list_but_cannot_change_users(qtbot, paths):
    from mappa_desktop.db.session import add_user

    admin = unlock(paths, name="Ann Admin", passphrase=ADMIN)
    add_user(admin, name="Member One", agency="Police Scotland", role="", passphrase=NEW, kdf=TEST_KDF)
    admin.close()
    member = unlock(paths, name="Member One", passphrase=NEW)
    page = UsersPage(member, TEST_KDF)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 2
    assert not page.add_button.isVisible() and page.add_button.parent() is None
    from mappa_desktop.db.errors import ValidationError

    with pytest.raises(ValidationError):
        add_user(member, name="Sneaky", agency="", role="", passphrase=NEW, kdf=TEST_KDF)
    member.close()
