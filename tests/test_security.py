"""Encryption at rest, key slots, passphrases (security.py and the store's files)."""

from __future__ import annotations

import inspect
import json
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_desktop import security
from mappa_desktop.db import session as session_mod
from mappa_desktop.db.session import UserDisabled, unlock
from mappa_desktop.security import (
    DEFAULT_KDF,
    MIN_PASSPHRASE_LENGTH,
    TEST_KDF,
    KeyFile,
    KeyFileError,
    Strength,
    WrongPassphrase,
    normalise_name,
    passphrase_strength,
    write_atomically,
)


SQLITE_HEADER = b"SQLite format 3"
CANARY = "Kenneth AIRD"


# -- the application's cost parameters ------------------------------------------------------


def test_default_kdf_stays_strong():
    assert DEFAULT_KDF.memory_kib >= 64 * 1024
    assert DEFAULT_KDF.time_cost >= 2
    assert DEFAULT_KDF.parallelism >= 1
    assert TEST_KDF != DEFAULT_KDF
    # What callers get when they do not say: the strong parameters, never the test ones.
    assert inspect.signature(KeyFile.set_slot).parameters["kdf"].default == DEFAULT_KDF
    assert inspect.signature(session_mod.create_store).parameters["kdf"].default == DEFAULT_KDF


# -- nothing readable on disk -----------------------------------------------------------------


def test_store_file_header_is_not_plaintext(closed_store):
    data = closed_store.paths.store.read_bytes()
    assert len(data) > 4096
    assert not data.startswith(SQLITE_HEADER)
    assert closed_store.name.encode() not in data
    assert b"CREATE TABLE" not in data


def test_wal_is_encrypted(session, add_user):
    wal = session.store.paths.store.with_name("store.db-wal")
    before = wal.stat().st_size if wal.exists() else 0
    add_user(session, CANARY, "plum kettle harbour north")
    # The connection is still open, so the write sits in the WAL, not yet checkpointed.
    assert wal.exists()
    data = wal.read_bytes()
    assert len(data) > max(before, 32 + 24 + 4096), "the new user should be in the WAL"
    assert not data.startswith(SQLITE_HEADER)
    for form in (CANARY, CANARY.casefold(), CANARY.upper()):
        assert form.encode("utf-8") not in data
        assert form.encode("utf-16-le") not in data
    assert CANARY.encode() not in session.store.paths.store.read_bytes()
    assert session.store.users.by_slot(session.keyfile.slot_id(CANARY)).name == CANARY


def test_plain_sqlite_cannot_read_the_store(closed_store, file_digest):
    before = file_digest(closed_store.paths.store)
    conn = sqlite3.connect(str(closed_store.paths.store))
    try:
        with pytest.raises(sqlite3.DatabaseError):
            conn.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        conn.close()
    assert file_digest(closed_store.paths.store) == before


def test_keyfile_holds_no_names(session, add_user):
    names = [session.user.name, CANARY, "Seònaid Nic Dhòmhnaill", "Łukasz Wójcik"]
    for name in names[1:]:
        add_user(session, name, "quartz meadow signal tide")
    text = session.store.paths.keyfile.read_bytes()
    for name in names:
        for form in {
            name,
            name.casefold(),
            normalise_name(name),
            unicodedata.normalize("NFD", name),
            *name.split(),
        }:
            assert form.encode("utf-8") not in text, form
            assert json.dumps(form).encode() not in text, form
    assert len(json.loads(text)["slots"]) == len(names)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_files_are_owner_only(closed_store):
    paths = closed_store.paths
    for path in (paths.store, paths.keyfile):
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    for folder in (paths.root, paths.backups, paths.logs, paths.crash_reports, paths.temp):
        assert folder.stat().st_mode & 0o777 == 0o700, folder.name


# -- unlocking ----------------------------------------------------------------------------------


def test_wrong_passphrase_opens_nothing(closed_store, folder_snapshot):
    before = folder_snapshot(closed_store.paths.root)
    with pytest.raises(WrongPassphrase) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase="not the passphrase")
    message = str(caught.value)
    assert message == "That name and passphrase do not match a user of this store."
    assert closed_store.name not in message and "Traceback" not in message
    after = folder_snapshot(closed_store.paths.root)
    # The only new file counts the failure (for the growing delay); it holds no name.
    counter = after.pop(security.FailedUnlocks.FILE)
    assert after == before
    assert closed_store.name.encode() not in (closed_store.paths.root / security.FailedUnlocks.FILE).read_bytes()
    assert counter and security.FailedUnlocks(closed_store.paths.root).failures == 1
    assert not closed_store.paths.store.with_name("store.db-wal").exists()


def test_unknown_name_fails_like_a_wrong_passphrase(closed_store, monkeypatch):
    """An unknown name raises the same error after the same (full-cost) derivation."""
    calls = []
    real = security.derive_key

    def spy(passphrase, salt, params):
        calls.append(params)
        # The full-cost derivation is the point, but it costs 0.5 s: pretend it ran.
        return b"\0" * 32 if params == DEFAULT_KDF else real(passphrase, salt, params)

    monkeypatch.setattr(security.keyfile, "derive_key", spy)
    with pytest.raises(WrongPassphrase) as caught:
        unlock(closed_store.paths, name="Nobody Known", passphrase=closed_store.passphrase)
    assert str(caught.value) == str(WrongPassphrase())
    assert calls == [DEFAULT_KDF]


def test_name_matches_whatever_case_and_spacing(closed_store):
    session = unlock(closed_store.paths, name="  ann   ADMIN ", passphrase=closed_store.passphrase)
    try:
        assert session.user.name == closed_store.name
        assert session.store.key == closed_store.key
    finally:
        session.close()


def test_two_users_each_unlock_with_their_own_passphrase(session, add_user):
    bob = add_user(session, "Bob Second", "walnut prism evening coast")
    key = session.store.key
    paths = session.store.paths
    session.close()

    for name, passphrase, user_id in (
        ("Ann Admin", "granite otter lantern violet", 1),
        ("Bob Second", "walnut prism evening coast", bob.id),
    ):
        s = unlock(paths, name=name, passphrase=passphrase)
        try:
            assert s.user.id == user_id and s.store.key == key
        finally:
            s.close()
    # One user's passphrase does not open another's slot.
    with pytest.raises(WrongPassphrase):
        unlock(paths, name="Bob Second", passphrase="granite otter lantern violet")


def test_changing_a_passphrase_rewraps_one_slot_only(session, add_user, file_digest):
    add_user(session, "Bob Second", "walnut prism evening coast")
    paths = session.store.paths
    session.close()
    store_before = file_digest(paths.store)
    slots_before = json.loads(paths.keyfile.read_text())["slots"]

    keyfile = KeyFile.load(paths.keyfile)
    keyfile.change_passphrase("bob second", "walnut prism evening coast", "cedar fjord mosaic tulip")

    assert file_digest(paths.store) == store_before, "the store must not be re-encrypted"
    assert not paths.store.with_name("store.db-wal").exists()
    slots_after = json.loads(paths.keyfile.read_text())["slots"]
    ann_id = keyfile.slot_id("Ann Admin")
    bob_id = keyfile.slot_id("Bob Second")
    assert slots_after[ann_id] == slots_before[ann_id]
    assert slots_after[bob_id] != slots_before[bob_id]
    assert slots_after[bob_id]["kdf"] == slots_before[bob_id]["kdf"]

    with pytest.raises(WrongPassphrase):
        unlock(paths, name="Bob Second", passphrase="walnut prism evening coast")
    for name, passphrase in (
        ("Bob Second", "cedar fjord mosaic tulip"),
        ("Ann Admin", "granite otter lantern violet"),
    ):
        s = unlock(paths, name=name, passphrase=passphrase)
        assert s.user.name == name
        s.close()


def test_change_passphrase_needs_the_old_one(closed_store):
    keyfile = KeyFile.load(closed_store.paths.keyfile)
    before = closed_store.paths.keyfile.read_bytes()
    with pytest.raises(WrongPassphrase):
        keyfile.change_passphrase(closed_store.name, "a wrong old passphrase", "new one entirely")
    assert closed_store.paths.keyfile.read_bytes() == before


def test_a_slot_only_opens_for_its_own_user(session, add_user):
    """Slots are bound to their user (AES-GCM associated data): copying one over another
    user's slot does not let the copied passphrase in under the other name."""
    add_user(session, "Bob Second", "walnut prism evening coast")
    paths = session.store.paths
    session.close()
    keyfile = KeyFile.load(paths.keyfile)
    keyfile.slots[keyfile.slot_id("Bob Second")] = keyfile.slots[keyfile.slot_id("Ann Admin")]
    keyfile.save()
    with pytest.raises(WrongPassphrase):
        unlock(paths, name="Bob Second", passphrase="granite otter lantern violet")


def test_a_changed_slot_is_named_as_damage(closed_store, file_digest):
    """A flipped bit in a slot is damage, and says so (the file's checksum), rather than
    passing for a wrong passphrase."""
    data = json.loads(closed_store.paths.keyfile.read_text())
    slot = next(iter(data["slots"].values()))
    secrets_ = bytearray(security._unb64(slot["secrets"]))
    secrets_[0] ^= 0x01
    slot["secrets"] = security._b64(bytes(secrets_))
    closed_store.paths.keyfile.write_text(json.dumps(data))
    before = file_digest(closed_store.paths.keyfile)
    with pytest.raises(KeyFileError) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert "damaged" in caught.value.reason and "keys.json" in caught.value.reason
    assert file_digest(closed_store.paths.keyfile) == before


def test_a_forged_slot_with_a_good_checksum_is_a_wrong_passphrase(closed_store):
    keyfile = KeyFile.load(closed_store.paths.keyfile)
    slot_id, slot = next(iter(keyfile.slots.items()))
    tampered = bytearray(slot.secrets)
    tampered[0] ^= 0x01
    keyfile.slots[slot_id] = security.Slot(slot.salt, slot.kdf, slot.nonce, bytes(tampered), slot.public, slot.keys)
    keyfile.save()  # a checksum that matches: someone who meant it
    with pytest.raises(WrongPassphrase):
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)


def test_a_slot_without_a_user_row_does_not_unlock(session):
    session.keyfile.set_slot("Ghost Writer", "phantom lattice orbit sand", session.store.key, TEST_KDF)
    session.keyfile.save()
    paths = session.store.paths
    session.close()
    with pytest.raises(WrongPassphrase):
        unlock(paths, name="Ghost Writer", passphrase="phantom lattice orbit sand")
    # ...and the refused attempt closed what it opened: the WAL is gone again.
    assert not paths.store.with_name("store.db-wal").exists()


def test_a_disabled_user_cannot_unlock(session, add_user):
    bob = add_user(session, "Bob Second", "walnut prism evening coast")
    with session.store.transaction():
        session.store.db.execute("UPDATE users SET active = 0 WHERE id = ?", [bob.id])
    paths = session.store.paths
    session.close()
    with pytest.raises(UserDisabled) as caught:
        unlock(paths, name="Bob Second", passphrase="walnut prism evening coast")
    assert "disabled" in caught.value.reason


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "missing"),
        (b"\xff\xfe not json", "damaged"),
        (b"{\"format\": 99, \"store_id\": \"\", \"slots\": {}}", "format"),
        (b"[1, 2, 3]", "format"),
        (b"{\"format\": 1, \"store_id\": \"***\", \"slots\": {}}", "damaged"),
        (b"{\"format\": 1, \"slots\": {}}", "damaged"),
        (b"{\"format\": 1, \"store_id\": \"AAAA\", \"slots\": {\"x\": {\"salt\": 1}}}", "damaged"),
    ],
)
def test_a_damaged_key_file_is_refused_with_a_reason(closed_store, content, reason, file_digest):
    if content is None:
        closed_store.paths.keyfile.unlink()
    else:
        closed_store.paths.keyfile.write_bytes(content)
    store_before = file_digest(closed_store.paths.store)
    with pytest.raises(KeyFileError) as caught:
        unlock(closed_store.paths, name=closed_store.name, passphrase=closed_store.passphrase)
    assert reason in caught.value.reason
    assert file_digest(closed_store.paths.store) == store_before


def test_unlock_without_a_store(data_paths):
    with pytest.raises(KeyFileError) as caught:
        unlock(data_paths, name="Ann Admin", passphrase="granite otter lantern violet")
    assert "no store" in caught.value.reason


def test_keyfile_round_trip(tmp_path):
    keyfile, db_key = KeyFile.create(tmp_path / "keys.json")
    assert len(db_key) == 32 and len(keyfile.store_id) == 16
    keyfile.set_slot("Ann", "first passphrase here", db_key, TEST_KDF)
    keyfile.save()
    loaded = KeyFile.load(tmp_path / "keys.json")
    assert loaded.store_id == keyfile.store_id
    assert loaded.slots == keyfile.slots
    assert loaded.unlock("ANN", "first passphrase here") == db_key
    loaded.remove_slot("ann")
    assert not loaded.has_slot("Ann")
    # Two stores never share slot identifiers for the same name.
    other, _ = KeyFile.create(tmp_path / "other.json")
    assert other.slot_id("Ann") != keyfile.slot_id("Ann")


# -- writing files ------------------------------------------------------------------------------


def test_write_atomically_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "keys.json"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600


def test_write_atomically_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "keys.json"
    write_atomically(target, b"old content")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomically(target, b"new content")
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


# -- Unicode names and passphrases (Hypothesis) -------------------------------------------------

REAL_NAMES = [
    "Ann Admin",
    "Seònaid Nic Dhòmhnaill",
    "Ruairidh MacAoidh",
    "Łukasz Wójcik",
    "Nguyễn Văn Anh",
    "Zoë Ødegård",
    "Straße Weiß",
    "Ἀλέξανδρος Παπαδόπουλος",
    "Şükrü Öztürk",
    "Žofie Dvořáková",
]


def _respace(words: list[str], seps: list[str]) -> str:
    out = seps[0]
    for i, word in enumerate(words):
        out += word + seps[(i + 1) % len(seps)]
    return out


whitespace = st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2003", "\n"]), min_size=1)


@settings(max_examples=150, deadline=None)
@given(name=st.text(min_size=1), seps=whitespace)
def test_name_normalisation_ignores_encoding_and_spacing(name, seps):
    nfd = unicodedata.normalize("NFD", name)
    respaced = _respace(name.split(), seps)
    assert normalise_name(nfd) == normalise_name(name)
    assert normalise_name(respaced) == normalise_name(name)
    keyfile, _ = KeyFile.create(Path("never-written.json"))  # only slot_id is used
    assert keyfile.slot_id(nfd) == keyfile.slot_id(name) == keyfile.slot_id(respaced)


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(REAL_NAMES),
    case=st.sampled_from([str.upper, str.lower, str.title, str.casefold, str.swapcase]),
    form=st.sampled_from(["NFC", "NFD"]),
    seps=whitespace,
)
def test_real_names_match_whatever_the_case(name, case, form, seps):
    typed = _respace(unicodedata.normalize(form, case(name)).split(), seps)
    keyfile, _ = KeyFile.create(Path("never-written.json"))  # only slot_id is used
    assert keyfile.slot_id(typed) == keyfile.slot_id(name)


passphrases = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=MIN_PASSPHRASE_LENGTH
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1).filter(lambda n: n.strip()), passphrase=passphrases)
def test_any_unicode_unlocks_in_either_normal_form(tmp_path, name, passphrase):
    keyfile, db_key = KeyFile.create(tmp_path / "keys.json")
    keyfile.set_slot(unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", passphrase), db_key, TEST_KDF)
    keyfile.save()
    loaded = KeyFile.load(tmp_path / "keys.json")
    nfd_name = unicodedata.normalize("NFD", name)
    assert loaded.unlock(nfd_name, unicodedata.normalize("NFD", passphrase)) == db_key
    assert loaded.unlock(name, passphrase) == db_key
    with pytest.raises(WrongPassphrase):
        loaded.unlock(name, passphrase + "x")


def test_nfd_passphrase_unlocks_the_store(session, add_user):
    passphrase = "Crème brûlée à l'Oban"
    assert unicodedata.normalize("NFD", passphrase) != passphrase
    add_user(session, "Seònaid Nic Dhòmhnaill", unicodedata.normalize("NFC", passphrase))
    paths = session.store.paths
    session.close()
    s = unlock(
        paths,
        name=unicodedata.normalize("NFD", "SEÒNAID  nic dhòmhnaill"),
        passphrase=unicodedata.normalize("NFD", passphrase),
    )
    try:
        assert s.user.name == "Seònaid Nic Dhòmhnaill"
    finally:
        s.close()


# -- passphrase strength ------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(passphrase=st.text(max_size=300), inputs=st.lists(st.text(max_size=40), max_size=3))
def test_passphrase_strength_never_raises(passphrase, inputs):
    result = passphrase_strength(passphrase, tuple(inputs))
    assert isinstance(result, Strength)
    assert 0 <= result.score <= 4
    assert isinstance(result.hint, str) and result.hint
    assert result.label
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        assert result.acceptable is False
    if result.acceptable:
        assert result.score >= 3 and len(passphrase) >= MIN_PASSPHRASE_LENGTH


@settings(max_examples=100, deadline=None)
@given(passphrase=st.text(max_size=MIN_PASSPHRASE_LENGTH - 1))
def test_short_passphrases_are_never_acceptable(passphrase):
    result = passphrase_strength(passphrase)
    assert result.acceptable is False and result.score == 0
    assert str(MIN_PASSPHRASE_LENGTH) in result.hint


@pytest.mark.parametrize(
    "passphrase, acceptable",
    [
        ("Password1!", False),
        ("aaaaaaaaaaaa", False),
        ("granite otter lantern violet", True),
        ("a lighthouse keeper sings badly at Ullapool " * 4, True),  # longer than zxcvbn takes
    ],
)
def test_passphrase_strength_examples(passphrase, acceptable):
    assert passphrase_strength(passphrase).acceptable is acceptable


def test_passphrase_strength_penalises_the_users_own_name():
    plain = passphrase_strength("kenneth aird 1990")
    with_name = passphrase_strength("kenneth aird 1990", ("Kenneth Aird", "kenneth", "aird"))
    assert with_name.score <= plain.score
    assert with_name.acceptable is False
