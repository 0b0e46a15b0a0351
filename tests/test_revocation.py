"""Access that is taken away stays away: disabling a user or re-issuing a passphrase rotates
the database key, so an old key file and an old passphrase open nothing made afterwards."""

from __future__ import annotations

import shutil

import pytest

from mappa_desktop.db import access, backup, rotation
from mappa_desktop.db.connection import connect
from mappa_desktop.db.errors import StoreDamaged
from mappa_desktop.db.restore import CURRENT, OLDER, key_status, reencrypt
from mappa_desktop.db.session import UserDisabled, unlock
from mappa_desktop.security import TEST_KDF, KeyFile, WrongPassphrase, key_id

ADMIN, ADMIN_PASS = "Ann Admin", "granite otter lantern violet"
BOB, BOB_PASS = "Bob Second", "walnut prism evening coast"
CAT, CAT_PASS = "Cat Third", "saffron tundra pebble waltz"


@pytest.fixture
def three(session, add_user, tmp_path):
    """Admin, Bob and Cat; a copy of the key file as it is now (what Bob could keep)."""
    bob = add_user(session, BOB, BOB_PASS)
    add_user(session, CAT, CAT_PASS)
    old_keys = tmp_path / "old-keys.json"
    shutil.copyfile(session.store.paths.keyfile, old_keys)
    return session, bob, old_keys


def _old_key(old_keys, name, passphrase) -> bytes:
    return KeyFile.load(old_keys).unlock(name, passphrase)


def _opens(path, key) -> bool:
    try:
        connect(path, key).close()
    except StoreDamaged:
        return False
    return True


def test_disabling_rotates_the_key_and_the_old_slot_opens_nothing_new(three):
    session, bob, old_keys = three
    paths = session.store.paths
    old = session.store.key
    result = access.disable_user(session, user=bob)
    assert result.old_key_id == key_id(old) and result.new_key_id == key_id(session.store.key)
    assert result.carried == 2 and result.left_out_user_ids == ()
    # The session goes on under the new key.
    session.store.cases.create({"reference": "FS-2027-0001", "full_name": "Made After", "category": "1", "mappa_level": "2"})
    made_after = backup.backup_store(paths.store, session.store.key, paths.backups, reason="manual",
                                     signer=session.store.signer, user_id=session.user.id)
    session.close()

    # Bob's old slot in the old key file still gives him the old key...
    bobs_key = _old_key(old_keys, BOB, BOB_PASS)
    assert bobs_key == old
    # ...which opens neither the store nor a backup made after.
    assert not _opens(paths.store, bobs_key)
    assert not _opens(made_after.path, bobs_key)
    # His slot is gone from the key file; putting the old file back opens nothing either.
    assert not KeyFile.load(paths.keyfile).has_slot(BOB)
    shutil.copyfile(old_keys, paths.keyfile)
    with pytest.raises(StoreDamaged):
        unlock(paths, name=BOB, passphrase=BOB_PASS)


def test_the_others_keep_access_and_the_log_records_it(three):
    session, bob, old_keys = three
    paths = session.store.paths
    access.disable_user(session, user=bob)
    session.close()
    for name, passphrase in ((ADMIN, ADMIN_PASS), (CAT, CAT_PASS)):
        again = unlock(paths, name=name, passphrase=passphrase)
        details = [e.detail for e in again.store.audit.entries()]
        assert any(d.startswith("database key rotated (user 2 disabled)") and "slots removed for users 2" in d
                   for d in details)
        assert again.store.audit.verify().ok
        again.close()
    with pytest.raises(WrongPassphrase):  # no slot at all now
        unlock(paths, name=BOB, passphrase=BOB_PASS)


def test_a_reissued_passphrase_leaves_the_old_one_opening_nothing_new(three):
    session, bob, old_keys = three
    paths = session.store.paths
    access.reset_passphrase(session, user=bob, new="orchid canyon lantern seven", kdf=TEST_KDF)
    session.store.cases.create({"reference": "FS-2027-0002", "full_name": "After Reissue", "category": "1", "mappa_level": "2"})
    session.close()
    assert not _opens(paths.store, _old_key(old_keys, BOB, BOB_PASS))
    with pytest.raises(WrongPassphrase):
        unlock(paths, name=BOB, passphrase=BOB_PASS)
    bob_again = unlock(paths, name=BOB, passphrase="orchid canyon lantern seven")
    bob_again.store.audit.record_now("consultation", "case", 1, detail="opened")
    assert bob_again.store.audit.verify().ok  # his new keys are the ones the log knows
    bob_again.close()


def test_enabling_again_needs_a_new_passphrase(three):
    session, bob, _ = three
    paths = session.store.paths
    access.disable_user(session, user=bob)
    bob = session.store.users.get(bob.id)
    access.enable_user(session, user=bob, passphrase="orchid canyon lantern seven", kdf=TEST_KDF)
    session.close()
    with pytest.raises(WrongPassphrase):
        unlock(paths, name=BOB, passphrase=BOB_PASS)
    back = unlock(paths, name=BOB, passphrase="orchid canyon lantern seven")
    assert back.store.audit.verify().ok
    back.close()


def test_a_public_key_slipped_into_the_key_file_gets_nothing(three, tmp_path):
    """Bob, before being disabled, swaps Cat's public wrapping key in the key file for one
    of his own, hoping the rotation seals the new key to him. It seals to the key the
    signed log holds for Cat."""
    from mappa_desktop.security import Identity, Slot

    session, bob, _ = three
    keyfile = session.keyfile
    cat_slot = keyfile.slot_id(CAT)
    mine = Identity.generate()
    slot = keyfile.slots[cat_slot]
    keyfile.slots[cat_slot] = Slot(slot.salt, slot.kdf, slot.nonce, slot.secrets,
                                   type(slot.public)(slot.public.signing, mine.public.wrapping), slot.keys)
    access.disable_user(session, user=bob)
    sealed = session.keyfile.slots[cat_slot].keys[key_id(session.store.key)]
    with pytest.raises(Exception):
        mine.open_sealed(sealed, session.keyfile._seal_context(cat_slot, key_id(session.store.key)))
    session.close()


def test_a_rotation_stopped_half_way_is_finished_at_the_next_unlock(three, monkeypatch):
    session, bob, old_keys = three
    paths = session.store.paths
    real = rotation._rekey

    def power_cut(store, new_key):
        raise KeyboardInterrupt  # the app stops after the key file was saved, before the rekey

    monkeypatch.setattr(rotation, "_rekey", power_cut)
    with pytest.raises(KeyboardInterrupt):
        access.disable_user(session, user=bob)
    session.close()
    assert KeyFile.load(paths.keyfile).rotation is not None
    monkeypatch.setattr(rotation, "_rekey", real)
    with pytest.raises(UserDisabled):  # the intent was committed with the key file
        unlock(paths, name=BOB, passphrase=BOB_PASS)
    admin = unlock(paths, name=ADMIN, passphrase=ADMIN_PASS)  # finishes it
    assert KeyFile.load(paths.keyfile).rotation is None
    assert not _opens(paths.store, _old_key(old_keys, BOB, BOB_PASS))
    assert admin.store.audit.verify().ok
    admin.close()


def test_older_backups_are_told_apart_and_re_encrypted(three):
    session, bob, old_keys = three
    store, paths = session.store, session.store.paths
    before = backup.backup_store(paths.store, store.key, paths.backups, reason="manual", signer=store.signer,
                                 user_id=session.user.id)
    access.disable_user(session, user=bob)
    retired = rotation.retired_keys(store)
    assert key_status(before, store.key, retired) == OLDER
    assert _opens(before.path, _old_key(old_keys, BOB, BOB_PASS))  # what the page warns about
    again = reencrypt(before, current_key=store.key, retired=retired, keyfile_path=paths.keyfile,
                      signer=store.signer, user_id=session.user.id)
    assert again.path == before.path and again.integrity == "ok"
    assert key_status(again, store.key, retired) == CURRENT
    assert not _opens(before.path, _old_key(old_keys, BOB, BOB_PASS))
    assert sorted(p.name for p in paths.backups.iterdir()) == sorted(
        [before.path.name, backup.manifest_path(before.path).name])
    session.close()
