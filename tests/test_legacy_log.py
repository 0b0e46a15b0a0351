"""A store from before signatures: its entries are hash-chained only and its key file has
first-format slots. The first administrator to unlock seals the old entries with one signed
entry; the verifier then says how far the unsigned entries reach, and changes made to them
after the seal are caught like any other."""

from __future__ import annotations

import base64
import json
import re
import secrets

import pytest

from mappa_desktop.audit_chain import GENESIS, entry_hash_v1
from mappa_desktop.db.session import unlock
from mappa_desktop.security import TEST_KDF, KeyFile, LegacySlot, derive_key
from tests.signoff_helpers import recorded_approval

ADMIN, ADMIN_PASS = "Ann Admin", "granite otter lantern violet"
BOB, BOB_PASS = "Bob Second", "walnut prism evening coast"

_TRIGGERS = """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'read-only: the audit log cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'read-only: the audit log cannot be changed'); END;
"""


def make_legacy(paths, key: bytes, users: list[tuple[str, str]]) -> None:
    """Turn a store of this version back into one of the version before signatures: v1
    hashes, no signature column, no 0008 tables, details as they were, first-format slots."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from mappa_desktop.db.connection import connect

    conn = connect(paths.store, key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    rows = conn.execute("SELECT id, at, user_id, kind, record_type, record_id, detail, recipient, purpose "
                        "FROM audit_log ORDER BY id").fetchall()
    prev = GENESIS
    for row in rows:
        detail = re.sub(r"; (administrator; )?keys ed25519:\S+ x25519:\S+", "", row[6])
        detail = re.sub(r"(addendum \d+|stage \S+; completed; fields \S*); sha256 \S+", r"\1", detail)
        digest = entry_hash_v1(prev, row[1], row[2], row[3], row[4], row[5], detail, row[7], row[8])
        conn.execute("UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ?, signature = NULL WHERE id = ?",
                     [detail, prev, digest, row[0]])
        prev = digest
    conn.execute("ALTER TABLE audit_log DROP COLUMN signature")
    conn.execute("DROP TABLE key_history")
    conn.execute("DROP TABLE pending_exports")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE '0008%'")
    for statement in _TRIGGERS.strip().split(";\n"):
        conn.execute(statement + (";" if not statement.endswith(";") else ""))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    keyfile = KeyFile.load(paths.keyfile)
    data = {"format": 1, "store_id": base64.b64encode(keyfile.store_id).decode(), "slots": {}}
    for name, passphrase in users:
        slot_id = keyfile.slot_id(name)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        wrapped = AESGCM(derive_key(passphrase, salt, TEST_KDF)).encrypt(nonce, key, keyfile._aad(slot_id))
        data["slots"][slot_id] = LegacySlot(salt, nonce, wrapped, TEST_KDF).to_json()
    paths.keyfile.write_text(json.dumps(data))


@pytest.fixture
def legacy(session, add_user):
    from mappa_desktop.demo import add_example_case, add_example_meetings

    store = session.store
    add_user(session, BOB, BOB_PASS)
    case_id = add_example_case(store)
    from datetime import date

    from mappa_desktop.ops.minute import check, finalise

    first, review = add_example_meetings(store, case_id)
    store.minutes.save_fields(first, "dissent", {"dissent": "None."})
    items = check(store=store, meeting_id=review, today=date(2027, 1, 20))
    finalise(store=store, meeting_id=review, acknowledgements={i.key: "Accepted." for i in items},
             today=date(2027, 1, 20), approval=recorded_approval(store, review))
    store.minutes.add_addendum(review, body="The visit was on 3 March.", reason="Typo.")
    paths, key = store.paths, store.key
    count = store.audit.count()
    session.close()
    make_legacy(paths, key, [(ADMIN, ADMIN_PASS), (BOB, BOB_PASS)])
    return paths, key, count


def test_the_first_administrator_seals_the_old_log(legacy):
    paths, key, count = legacy
    admin = unlock(paths, name=ADMIN, passphrase=ADMIN_PASS)
    report = admin.store.audit.verify()
    assert report.ok, report.lines()
    assert report.legacy_up_to == count and report.sealed_at_id == count + 1
    assert f"unsigned legacy entries up to {count}" in report.lines()[1]
    seal = admin.store.audit.entries(after_id=count)[0]
    assert seal.detail.startswith("legacy log sealed: entries 1-") and seal.signature
    assert KeyFile.load(paths.keyfile).slots[admin.keyfile.slot_id(ADMIN)].__class__.__name__ == "Slot"
    admin.close()


def test_a_member_before_the_seal_stays_unsigned_then_registers_after_it(legacy):
    paths, key, count = legacy
    bob = unlock(paths, name=BOB, passphrase=BOB_PASS)
    assert bob.store.signer is None and not bob.store.audit.sealed
    bob.store.audit.record_now("consultation", "case", 1, detail="read before the seal")
    bob.close()
    unlock(paths, name=ADMIN, passphrase=ADMIN_PASS).close()  # seals, Bob's entry included
    bob = unlock(paths, name=BOB, passphrase=BOB_PASS)
    assert bob.store.signer is not None  # registered his first keys, signed with them
    bob.store.audit.record_now("consultation", "case", 1, detail="read after the seal")
    report = bob.store.audit.verify()
    assert report.ok, report.lines()
    assert report.legacy_up_to == count + 1
    bob.close()


def test_a_legacy_entry_changed_after_the_seal_is_named(legacy, raw_connection):
    paths, key, count = legacy
    unlock(paths, name=ADMIN, passphrase=ADMIN_PASS).close()
    conn = raw_connection(paths.store, key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET detail = 'nothing' WHERE id = 3")
    conn.commit()
    conn.close()
    admin = unlock(paths, name=ADMIN, passphrase=ADMIN_PASS)
    report = admin.store.audit.verify()
    assert report.first_broken_id == 3 and "changed after it was written" in report.reason
    admin.close()


def test_a_legacy_log_rewritten_before_the_seal_cannot_be_told(legacy, raw_connection):
    """The honest limit: what was changed before the seal, with the chain recomputed, is
    sealed as it was found. The report says how far that reaches."""
    paths, key, count = legacy
    admin = unlock(paths, name=ADMIN, passphrase=ADMIN_PASS)
    lines = admin.store.audit.verify().lines()
    assert any("only changes made after the seal can be detected" in line for line in lines)
    admin.close()


def test_a_legacy_addendum_changed_after_the_seal_is_named(legacy, raw_connection):
    paths, key, count = legacy
    unlock(paths, name=ADMIN, passphrase=ADMIN_PASS).close()
    conn = raw_connection(paths.store, key)
    conn.execute("DROP TRIGGER addenda_no_update")
    conn.execute("UPDATE addenda SET body = 'There was no visit.'")
    conn.commit()
    conn.close()
    admin = unlock(paths, name=ADMIN, passphrase=ADMIN_PASS)
    report = admin.store.audit.verify()
    assert report.first_broken_id is None
    assert any("recorded before signatures were changed since the log was sealed" in p for p in report.problems)
    admin.close()
