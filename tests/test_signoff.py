"""The chair's sign-off: the draft issued for comment (to whom, when, its copies), the chair's
approval (confirmed here with the chair's own passphrase, or recorded by whoever finalises),
the corrections made after issue, and all of it on the printed minute and in the audit log."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st
from pypdf import PdfReader

from mappa_desktop import printing
from mappa_desktop.corrections import corrections, text_changes
from mappa_desktop.db.errors import RecordLocked, ValidationError
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops.minute import check, content_of, finalise, issue_draft
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import minute_job
from mappa_desktop.security import TEST_KDF

CHAIR, CHAIR_PASSPHRASE = "DI Euan MacDhòmhnaill", "heather basalt otter ferry"
OTHER, OTHER_PASSPHRASE = "Siobhán Ní Bhriain", "copper lantern meadow quay"
NOW = datetime(2026, 10, 20, 10, 0, tzinfo=timezone.utc)
ISSUED = {"issued_to": "All attendees and those who sent apologies, by secure e-mail", "issued_on": "15/10/2026",
          "issue_note": "Corrections by 19/10/2026."}


@pytest.fixture
def world(tmp_path, add_user):
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit",
                           role="MAPPA co-ordinator", passphrase="granite otter lantern violet", kdf=TEST_KDF,
                           clock=lambda: NOW)
    store = session.store
    chair = add_user(session, CHAIR, CHAIR_PASSPHRASE, agency="Police Scotland")
    other = add_user(session, OTHER, OTHER_PASSPHRASE)
    case_id = add_example_case(store)
    _first, review = add_example_meetings(store, case_id)
    yield session, review, chair, other
    session.close()


def _here(chair_id=None, passphrase=CHAIR_PASSPHRASE):
    return {"approval_method": "passphrase", "approved_as": "chair", "approved_on": NOW.date().isoformat()}, \
        {"approver_user_id": chair_id, "passphrase": passphrase}


def _finalise(store, review, approval, **more):
    items = check(store=store, meeting_id=review, today=store.today())
    return finalise(store=store, meeting_id=review, acknowledgements={i.key: "ok" for i in items},
                    today=store.today(), approval=approval, **more)


def _pdf_text(result) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(result.pdf)).pages)


# -- the chair confirms here ---------------------------------------------------------------------


def test_the_chair_confirms_with_their_own_passphrase(world):
    session, review, chair, _other = world
    store = session.store
    approval, proof = _here(chair.id)
    digest = _finalise(store, review, approval, **proof)
    found = store.signoff.approval(review)
    assert (found.approved_by, found.approved_as, found.approval_method, found.approver_user_id, found.recorded_by) == (
        CHAIR, "chair", "passphrase", chair.id, session.user.id)
    assert store.minutes.get(review, consult=False).status == "finalised"
    entry = [e for e in store.audit.entries() if e.record_type == "meeting" and e.detail.startswith("finalised")][-1]
    assert entry.detail == (f"finalised; approved by the chair (passphrase, confirmed by user {chair.id}); "
                            f"recorded by user {session.user.id}; sha256 {digest}")
    assert CHAIR not in entry.detail  # ids in the log, never names
    assert store.audit.verify().ok


@pytest.mark.parametrize("passphrase", ["wrong passphrase entirely", OTHER_PASSPHRASE, "granite otter lantern violet", ""],
                         ids=["wrong", "another user's", "the signed-in user's", "empty"])
def test_anything_but_the_chairs_own_passphrase_refuses(world, passphrase):
    session, review, chair, _other = world
    store = session.store
    audit = store.audit.count()
    approval, proof = _here(chair.id, passphrase)
    with pytest.raises(ValidationError) as refused:
        _finalise(store, review, approval, **proof)
    assert refused.value.field == "passphrase"
    assert store.minutes.get(review, consult=False).status == "draft"
    assert store.signoff.approval(review) is None and store.audit.count() == audit


def test_a_disabled_chair_cannot_approve(world):
    session, review, chair, _other = world
    session.store.users.set_active(chair.id, False)
    approval, proof = _here(chair.id)
    with pytest.raises(ValidationError) as refused:
        _finalise(session.store, review, approval, **proof)
    assert refused.value.field == "approver"
    assert session.store.minutes.get(review, consult=False).status == "draft"


def test_confirmed_here_needs_the_chairs_user(world):
    session, review, _chair, _other = world
    approval, _proof = _here()
    with pytest.raises(ValidationError) as refused:
        _finalise(session.store, review, approval)
    assert refused.value.field == "approver"


# -- an approval given elsewhere, recorded ---------------------------------------------------------


def test_an_approval_by_email_is_recorded_with_its_reference_and_who_recorded_it(world):
    session, review, _chair, _other = world
    store = session.store
    approval = {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "email", "approved_on": "16/10/2026"}
    with pytest.raises(ValidationError) as refused:
        _finalise(store, review, approval)
    assert refused.value.field == "approval_note"  # which e-mail?
    _finalise(store, review, {**approval, "approval_note": "E-mail of 16/10/2026 09:14"})
    found = store.signoff.approval(review)
    assert (found.approved_by, found.approval_method, found.approved_on, found.approval_note, found.approver_user_id,
            found.recorded_by) == (CHAIR, "email", "2026-10-16", "E-mail of 16/10/2026 09:14", None, session.user.id)


@pytest.mark.parametrize("field, value, words", [
    ("approved_on", "13/10/2026", "cannot be before"),  # before the meeting
    ("approved_on", "21/10/2026", "cannot be in the future"),
    ("approved_on", "31/02/2026", "not a real date"),
    ("approved_by", "", "needed"),
    ("approval_method", "", "needed"),
    ("approval_method", "because I say so", "not one of the choices"),
])
def test_an_approval_that_is_not_right_is_refused_and_nothing_is_finalised(world, field, value, words):
    session, review, _chair, _other = world
    approval = {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "meeting", "approved_on": "14/10/2026",
                field: value}
    with pytest.raises(ValidationError) as refused:
        _finalise(session.store, review, approval)
    assert any(p.field == field and words in p.message for p in refused.value.problems), refused.value.problems
    assert session.store.minutes.get(review, consult=False).status == "draft"


def test_a_minute_is_approved_once(world):
    session, review, chair, _other = world
    _finalise(session.store, review, {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "meeting",
                                      "approved_on": "14/10/2026"})
    with pytest.raises(RecordLocked):
        _finalise(session.store, review, {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "meeting",
                                          "approved_on": "14/10/2026"})
    with pytest.raises(RecordLocked):  # the approval, like the minute, cannot be changed
        with session.store.transaction():
            session.store.db.execute("UPDATE minute_approvals SET approved_by = 'Someone else'")
    assert session.store.signoff.approval(review).approved_by == CHAIR


# -- issued for comment, copies, corrections ---------------------------------------------------------


def test_issue_for_comment_records_to_whom_and_when_and_keeps_the_minute_as_issued(world):
    session, review, _chair, _other = world
    store = session.store
    assert issue_draft(store=store, meeting_id=review, raw={**ISSUED, "issued_to": ""})[0].field == "issued_to"
    assert issue_draft(store=store, meeting_id=review, raw={**ISSUED, "issued_on": "13/10/2026"})[0].field == "issued_on"
    assert store.signoff.issues(review) == []
    assert issue_draft(store=store, meeting_id=review, raw=ISSUED) == []
    [issue] = store.signoff.issues(review)
    assert (issue.issued_to, issue.issued_on, issue.issue_note, issue.user_id) == (
        ISSUED["issued_to"], "2026-10-15", "Corrections by 19/10/2026.", session.user.id)
    assert store.signoff.issued_content(issue.id)["meeting"] == content_of(store, review)["meeting"]
    assert store.minutes.get(review, consult=False).status == "issued"


def test_corrections_after_issue_and_the_copies_of_the_draft_are_on_the_approved_minute(world):
    session, review, _chair, _other = world
    store = session.store
    issue_draft(store=store, meeting_id=review, raw=ISSUED)
    # A copy of the draft printed for the chair (the print dialog logs it as a disclosure).
    store.audit.record_now("disclosure", "meeting", review, detail="full minute printed, 9 pages",
                           recipient="DI Euan MacDhòmhnaill", purpose="Corrections before approval")
    store.minutes.save_fields(review, "dissent", {"dissent": "None."})
    store.minutes.save_fields(review, "rosh", {"rosh_to_whom": "Children and the partner"})
    _finalise(store, review, {"approved_by": CHAIR, "approved_as": "chair", "approval_method": "meeting",
                              "approved_on": "14/10/2026"})
    content, _digest = store.minutes.snapshot(review)
    record = content["sign_off"]
    assert [i["issued_to"] for i in record["issues"]] == [ISSUED["issued_to"]]
    assert [(c["recipient"], c["purpose"], c["by"]) for c in record["copies"]] == [
        ("DI Euan MacDhòmhnaill", "Corrections before approval", "Lorna Petrie")]
    changed = {c["section"]: c["changes"] for c in record["corrections"]}
    assert set(changed) == {"rosh", "dissent"}
    assert changed["rosh"] == ["To whom: Children → Children and the partner"]
    assert changed["dissent"][0].startswith("Dissent: ") and "“None.”" in changed["dissent"][0]
    text = _pdf_text(printing.render_minute(*minute_job(store, review)))
    for words in ("Issued for comment", "Issued on 15/10/2026 to All attendees", "Corrections after issue",
                  "Corrections before approval", "Children → Children and the partner"):
        assert words in " ".join(text.split()), words


def test_the_approval_is_printed_with_a_signature_block_and_left_out_of_the_summary_names(world):
    session, review, chair, _other = world
    store = session.store
    approval, proof = _here(chair.id)
    _finalise(store, review, approval, **proof)
    content, meta = minute_job(store, review)
    text = " ".join(_pdf_text(printing.render_minute(content, meta)).split())
    assert f"Approved by {CHAIR} (chair) on 20/10/2026; recorded by Lorna Petrie." in text
    assert "Confirmed on this laptop by the chair, with their own passphrase." in text
    assert "Signed" in text and "Date" in text
    assert "finalised by Lorna Petrie" not in text  # the footer names the chair's approval
    assert f"approved by {CHAIR} (chair) on 20/10/2026; recorded by Lorna Petrie" in text
    summary = " ".join(_pdf_text(printing.render_minute(content, meta, summary_sections=("rosh",))).split())
    assert "approved by the chair on 20/10/2026" in summary and "Lorna Petrie" not in summary


def test_a_draft_printout_says_it_is_not_approved_and_lists_its_copies(world):
    session, review, _chair, _other = world
    store = session.store
    issue_draft(store=store, meeting_id=review, raw=ISSUED)
    store.audit.record_now("disclosure", "meeting", review, detail="full minute saved as PDF, 9 pages",
                           recipient="Attendees", purpose="For comment")
    text = " ".join(_pdf_text(printing.render_minute(*minute_job(store, review))).split())
    assert "Not yet approved" in text and "Attendees" in text and "For comment" in text
    assert "Nothing changed between the draft issued on 15/10/2026 and the minute as it stands." in text


# -- the words of a correction ------------------------------------------------------------------------


def test_text_changes_quote_what_changed():
    assert text_changes("Supervision stays weekly; visits monthly.", "Supervision fortnightly; visits monthly.") == [
        "“stays weekly;” → “fortnightly;”"]
    assert text_changes("A B", "A B C") == ["added “C”"]
    many = text_changes(" ".join(f"w{i}" for i in range(40)), " ".join(f"w{i}" if i % 3 else "x" for i in range(40)))
    assert len(many) == 5 and many[-1].startswith("and ") and many[-1].endswith("more changes")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.text(max_size=400))
def test_corrections_of_any_text_are_words_and_none_when_equal(old, new):
    base = {"meeting": {"dissent": old}, "rows": {}, "case": {}}
    assert corrections(base, base) == []
    found = corrections(base, {**base, "meeting": {"dissent": new}})
    if (old or None) == (new or None) or (not old.strip() and not new.strip() and old.split() == new.split()):
        return
    for correction in found:
        assert correction.section == "dissent" and all(isinstance(c, str) and c for c in correction.changes)
