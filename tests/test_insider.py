"""Played as an insider would: a user of the store, who holds the database key through their
own slot, opens the file with sqlcipher, drops the triggers and rewrites the audit log or
the finished records. ``mappa-desktop check`` must name what was done, every time."""

from __future__ import annotations

import base64
import io

import pytest

from mappa_desktop import cli
from mappa_desktop.audit_chain import Anchor, entry_hash_v2, signing_message
from mappa_desktop.db import backup
from mappa_desktop.demo import add_example_case
from mappa_desktop.security import KeyFile
from tests.signoff_helpers import recorded_approval

ADMIN, ADMIN_PASS = "Ann Admin", "granite otter lantern violet"
BOB, BOB_PASS = "Bob Second", "walnut prism evening coast"


def check(paths, *anchors: str, name=BOB, passphrase=BOB_PASS) -> tuple[int, str]:
    argv = ["check", "--data-dir", str(paths.root), "--user", name]
    for token in anchors:
        argv += ["--anchor", token]
    args = cli.build_parser().parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_command(args, io.StringIO(passphrase + "\n"), out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def world(session, add_user):
    """A store with an administrator, Bob (not an administrator), some work by both, and
    a finalised minute, an addendum and a completed review stage."""
    from mappa_desktop.demo import add_example_meetings
    from mappa_desktop.ops.minute import finalise

    store = session.store
    bob = add_user(session, BOB, BOB_PASS)
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    from mappa_desktop.ops.minute import check as completeness

    from datetime import date

    items = completeness(store=store, meeting_id=review, today=date(2027, 1, 20))
    finalise(store=store, meeting_id=review, acknowledgements={i.key: "Accepted." for i in items},
             today=date(2027, 1, 20), approval=recorded_approval(store, review))
    addendum = store.minutes.add_addendum(review, body="The date of the visit was 3 March.", reason="Typo.")
    review_id = store.scr.create(case_id, {"incident_date": "2026-11-01", "description": "Breach."})
    store.scr.save_stage(review_id, "initial_notification", {"author": "DI Ross", "rationale": "Because."},
                         complete=True)
    for i in range(5):
        store.audit.record_now("consultation", "case", case_id, detail=f"opened {i}")
    paths, key = store.paths, store.key
    ids = {"case": case_id, "meeting": review, "addendum": addendum, "review": review_id, "bob": bob.id,
           "admin": session.user.id}
    session.close()
    return paths, key, ids


def tamper(raw_connection, paths, key, *statements):
    conn = raw_connection(paths.store, key)
    for trigger in [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
        conn.execute(f"DROP TRIGGER {trigger}")
    for sql, params in statements:
        conn.execute(sql, params)
    conn.commit()
    conn.close()


def entries(raw_connection, paths, key):
    conn = raw_connection(paths.store, key)
    rows = conn.execute("SELECT id, at, user_id, kind, record_type, record_id, detail, recipient, purpose, "
                        "prev_hash, hash, signature FROM audit_log ORDER BY id").fetchall()
    conn.close()
    return rows


def bob_identity(paths):
    return KeyFile.load(paths.keyfile).open_slot(BOB, BOB_PASS).identity


def test_the_untouched_store_checks_clean(world):
    paths, key, ids = world
    code, out = check(paths)
    assert code == 0, out
    assert "chain verified, signatures verified" in out and "check: ok" in out


def test_an_edited_entry_is_named(world, raw_connection):
    paths, key, ids = world
    tamper(raw_connection, paths, key, ("UPDATE audit_log SET detail = 'nothing to see' WHERE id = 6", []))
    code, out = check(paths)
    assert code == 1
    assert "chain broken at entry 6" in out and "changed" in out


def test_a_deleted_entry_is_named(world, raw_connection):
    paths, key, ids = world
    tamper(raw_connection, paths, key, ("DELETE FROM audit_log WHERE id = 6", []))
    code, out = check(paths)
    assert code == 1
    assert "chain broken at entry 7" in out and "does not follow" in out


def _recompute_from(raw_connection, paths, key, start: int, *, resign=None, rewrite=None):
    """Recompute every hash from entry ``start`` on (as an insider would after an edit),
    optionally re-signing with ``resign`` (an identity) and editing with ``rewrite``."""
    rows = entries(raw_connection, paths, key)
    prev = rows[start - 2][10] if start > 1 else "0" * 64
    statements = []
    for row in rows[start - 1:]:
        row = list(row)
        if rewrite:
            rewrite(row)
        digest = entry_hash_v2(row[0], prev, *row[1:9])
        signature = row[11]
        if resign is not None:
            signature = base64.b64encode(resign.sign(signing_message(digest))).decode()
        statements.append(("UPDATE audit_log SET user_id = ?, detail = ?, prev_hash = ?, hash = ?, signature = ? "
                           "WHERE id = ?", [row[2], row[6], prev, digest, signature, row[0]]))
        prev = digest
    tamper(raw_connection, paths, key, *statements)


def test_a_recomputed_chain_still_fails_on_the_signature(world, raw_connection):
    """Editing an entry and recomputing every hash after it makes the links agree, but the
    signatures were over the old hashes."""
    paths, key, ids = world

    def edit(row):
        if row[0] == 6:
            row[6] = "innocent"

    _recompute_from(raw_connection, paths, key, 6, rewrite=edit)
    code, out = check(paths)
    assert code == 1
    assert "chain broken at entry 6" in out and "signature is not user" in out


def test_a_recomputed_chain_re_signed_by_the_insider_fails_at_the_first_entry_not_theirs(world, raw_connection):
    """Bob recomputes and re-signs everything with his own key: every entry he did not
    write now carries a signature that is not its author's."""
    paths, key, ids = world
    _recompute_from(raw_connection, paths, key, 3, resign=bob_identity(paths))
    code, out = check(paths)
    assert code == 1
    assert "chain broken at entry 3" in out
    assert f"not user {ids['admin']}'s" in out


def test_an_entry_forged_in_another_users_name(world, raw_connection):
    paths, key, ids = world
    rows = entries(raw_connection, paths, key)
    last = rows[-1]
    seq = last[0] + 1
    values = ["2027-01-21T10:00:00+00:00", ids["admin"], "consultation", "case", ids["case"], "opened", "", ""]
    digest = entry_hash_v2(seq, last[10], *values)
    signature = base64.b64encode(bob_identity(paths).sign(signing_message(digest))).decode()
    tamper(raw_connection, paths, key, ("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                        [seq, *values, last[10], digest, signature]))
    code, out = check(paths)
    assert code == 1
    assert f"chain broken at entry {seq}" in out and f"not user {ids['admin']}'s" in out


def test_an_unsigned_entry_is_named(world, raw_connection):
    paths, key, ids = world
    rows = entries(raw_connection, paths, key)
    last = rows[-1]
    values = ["2027-01-21T10:00:00+00:00", ids["admin"], "consultation", "case", ids["case"], "opened", "", ""]
    digest = entry_hash_v2(last[0] + 1, last[10], *values)
    tamper(raw_connection, paths, key, ("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                                        [last[0] + 1, *values, last[10], digest]))
    code, out = check(paths)
    assert code == 1 and "it is not signed" in out


def test_truncating_the_tail_is_caught_by_an_anchor(world, raw_connection, act_as):
    """Removing the last entries leaves a chain that verifies; the anchor printed at the
    foot of a printout (or kept in a backup's manifest) shows the log once went further."""
    from mappa_desktop.db.store import Store

    paths, key, ids = world
    store = act_as(Store.open(paths, key), ADMIN, ADMIN_PASS)
    store.audit.record_now("disclosure", "meeting", ids["meeting"], detail="minute printed", recipient="Court",
                           purpose="Hearing")
    printed = store.audit.anchor().token()  # what the printout's footer carries
    store.close()
    seq = Anchor.parse(printed).seq
    tamper(raw_connection, paths, key, ("DELETE FROM audit_log WHERE id >= ?", [seq - 2]))
    code, out = check(paths)
    assert code == 0, out  # without an anchor the shorter chain verifies: that is the gap
    code, out = check(paths, printed)
    assert code == 1
    assert f"the log ends at entry {seq - 3}" in out and f"once reached entry {seq}" in out


def test_truncation_is_caught_by_the_backups_manifest_without_asking(world, raw_connection, act_as):
    from mappa_desktop.db.store import Store

    paths, key, ids = world
    store = act_as(Store.open(paths, key), ADMIN, ADMIN_PASS)
    info = backup.backup_store(paths.store, key, paths.backups, reason="manual", signer=store.signer,
                               user_id=store.user.id)
    seq = store.audit.head()[0]
    store.close()
    tamper(raw_connection, paths, key, ("DELETE FROM audit_log WHERE id = ?", [seq]))
    code, out = check(paths)
    assert code == 1
    assert f"the manifest of backup {info.path.name}" in out and "removed from its end" in out


def test_a_forged_anchor_is_not_believed(world):
    paths, key, ids = world
    fake = Anchor(9999, "ab" * 32, ids["admin"], bytes(64)).token()
    code, out = check(paths, fake)
    assert code == 1 and "signature is not that of user" in out


def test_making_oneself_an_administrator_is_named(world, raw_connection):
    paths, key, ids = world
    tamper(raw_connection, paths, key, ("UPDATE users SET is_admin = 1 WHERE id = ?", [ids["bob"]]))
    code, out = check(paths)
    assert code == 1
    assert f"user {ids['bob']}: an administrator in the users table, but the signed log never made them one" in out


@pytest.mark.parametrize("what, sql, words", [
    ("snapshot", "UPDATE minute_snapshots SET content = replace(content, 'a', 'e')", "finalised minute no longer"),
    ("snapshot and its hash", "UPDATE minute_snapshots SET content = '{}', sha256 = "
     "'44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'", "finalised minute no longer"),
    ("reopened", "UPDATE meetings SET status = 'draft' WHERE status = 'finalised'", "no longer marked finalised"),
    ("addendum", "UPDATE addenda SET body = 'The visit never happened.'", "addendum 1: changed"),
    ("addendum removed", "DELETE FROM addenda", "addendum 1: removed"),
    ("stage", "UPDATE scr_stages SET stage_values = '{\"rationale\": \"other\"}'", "stage initial_notification"),
    ("stage reopened", "UPDATE scr_stages SET status = 'draft'", "stage initial_notification"),
])
def test_finished_content_changed_behind_the_triggers_is_named(world, raw_connection, what, sql, words):
    paths, key, ids = world
    tamper(raw_connection, paths, key, (sql, []))
    code, out = check(paths)
    assert code == 1, out
    assert words in out


def test_the_anchor_at_the_foot_of_a_printout_catches_truncation(world, raw_connection, act_as):
    """Every page of a printout carries the chain's head in small type; read back from the
    PDF, it proves the log once reached that far."""
    import re

    from pypdf import PdfReader

    from mappa_desktop import printing
    from mappa_desktop.db.store import Store
    from mappa_desktop.printouts import minute_job

    paths, key, ids = world
    store = act_as(Store.open(paths, key), ADMIN, ADMIN_PASS)
    content, meta = minute_job(store, ids["meeting"])
    pdf = printing.render_minute(content, meta).pdf
    store.audit.record_now("disclosure", "meeting", ids["meeting"], detail="minute printed", recipient="File",
                           purpose="Case file")
    store.close()
    reader = PdfReader(io.BytesIO(pdf))
    tokens = {m for page in reader.pages for m in re.findall(r"MAPPA-ANCHOR-1:\S+", page.extract_text())}
    assert len(tokens) == 1 and len(reader.pages) > 1  # the same anchor on every page
    (token,) = tokens
    seq = Anchor.parse(token).seq
    assert check(paths, token)[0] == 0
    tamper(raw_connection, paths, key, ("DELETE FROM audit_log WHERE id >= ?", [seq - 1]))
    code, out = check(paths, token)
    assert code == 1 and "removed from its end" in out
