"""One rule book: over complete and incomplete minutes, the editor's section marks, the
completeness check and the printed draft say the same thing.

Starts from the complete example review and takes away any few of a dozen things a chair can
leave undone or get wrong (hypothesis picks which). For each minute: a section is marked
complete exactly when it has content and the check names nothing in it; and the printed
draft lists exactly the check's words under "Still open in the completeness check".
"""

from __future__ import annotations

import io
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from mappa_desktop import printing, security, spec
from mappa_desktop.db.session import create_store
from mappa_desktop.db.store import Store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops import minute as ops
from mappa_desktop.ops.minute_state import MinuteState
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import minute_job
from tests.conftest import ADMIN_NAME, ADMIN_PASSPHRASE, act_as_admin
from tests.signoff_helpers import recorded_approval


def _squash(text: str) -> str:
    return "".join(text.split())


def _raw(store, sql: str, params=()) -> None:
    """A value written behind the application's back (an old version, a hand edit): the
    guard triggers are dropped for the statement and made again on the next opening."""
    from mappa_desktop.db import guards

    names = [r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'guard_*'")]
    with store.transaction():
        for name in names:
            store.db.execute(f"DROP TRIGGER {name}")
        store.db.execute(sql, list(params))
        for statement in guards.statements():
            store.db.execute(statement)


def _first_action(store, review):
    return store.minutes.get(review, consult=False).actions[0]


MUTATIONS = {
    "no rationale": lambda s, r: s.minutes.save_fields(r, "rosh", {"rosh_rationale": None}),
    "statement not agreed": lambda s, r: s.minutes.save_fields(r, "confidentiality", {"confidentiality_agreed": 0}),
    "nobody present": lambda s, r: s.minutes.save_rows(r, "attendance", [
        {"name": "DS Fiona McLeish", "agency": "Police Scotland", "status": "apologies"}]),
    "attendee with no agency": lambda s, r: s.minutes.save_rows(r, "attendance", [
        {"name": "DS Fiona McLeish", "status": "present"}]),
    "level says stays but moves": lambda s, r: s.minutes.save_fields(r, "mappa_level", {"new_level": "3"}),
    "review before the meeting": lambda s, r: s.minutes.save_fields(r, "next_review", {"next_review_date": "2026-10-01"}),
    "disclose to nobody": lambda s, r: s.minutes.save_rows(r, "disclosure", [
        {"disclosure_needed": 1, "reason": "To protect", "decided_by": "DI Euan MacDhòmhnaill"}]),
    "action without target": lambda s, r: s.actions.update_terms(_first_action(s, r).id, {"target_date": None}),
    "a previous action reopened": lambda s, r: s.actions.set_state(
        s.minutes.get(r, consult=False).previous[0].id, status="open", meeting_id=r),
    "a date typed that does not parse": lambda s, r: ops.save_section(
        store=s, meeting_id=r, section_key="next_review", raw={"next_review_date": "31/02/2027"}),
    "a stored risk that is no level": lambda s, r: _raw(s, "UPDATE meetings SET agreed_rosh = 'banana' WHERE id = ?", [r]),
    "no victim issues": lambda s, r: s.minutes.save_fields(r, "victims", {"victim_issues": None}),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    paths = DataPaths(tmp_path_factory.mktemp("agree") / "data")
    made = create_store(paths, name=ADMIN_NAME, agency="Police Scotland", role="", passphrase=ADMIN_PASSPHRASE,
                        kdf=security.TEST_KDF)
    store = made.store
    case_id = add_example_case(store)
    _first, review = add_example_meetings(store, case_id)
    store.minutes.save_fields(review, "meeting_details", {"chair": "DI Euan MacDhòmhnaill", "minute_taker": "Lorna Petrie"})
    assert ops.check(store=store, meeting_id=review, today=store.today()) == []
    ids = (made.user.id, review)
    key = store.key
    made.close()
    return paths, key, ids


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(sorted(MUTATIONS)), max_size=3))
def test_marks_check_and_printout_agree(template, tmp_path_factory, chosen):
    paths, key, (user_id, review) = template
    copy = DataPaths(tmp_path_factory.mktemp("copy") / "data")
    shutil.copytree(paths.root, copy.root)
    store = act_as_admin(Store.open(copy, key))  # signs its audit entries as an unlock would
    try:
        for name in sorted(chosen):
            MUTATIONS[name](store, review)
        items = ops.check(store=store, meeting_id=review, today=store.today())
        assert bool(items) == bool(chosen), (chosen, items)

        # The marks: what the editor shows in the list of sections.
        state = MinuteState(store, review, consult=False)
        assert [(i.key, i.message) for i in state.items()] == [(i.key, i.message) for i in items]
        flagged = {i.section for i in items}
        for section in spec.SECTIONS:
            mark = state.mark(section.key)
            if section.key in flagged:
                assert mark in ("started", "empty"), (section.key, mark, chosen)
            else:
                assert mark in ("complete", "empty"), (section.key, mark, chosen)
                if mark == "empty":  # nothing there, and nothing the check asks for
                    assert not any(f.required for f in section.fields) or section.repeating
        # The printed draft: the same words, under its own heading.
        content, meta = minute_job(store, review)
        text = _squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(printing.render_minute(content, meta).pdf)).pages))
        assert _squash("Still open in the completeness check") in text
        tail = text[text.index(_squash("Still open in the completeness check")):]
        for item in items:
            assert _squash(item.message) in tail, item
        if not items:
            assert _squash("The completeness check names nothing.") in tail
    finally:
        store.close()


def test_a_finalised_minute_prints_the_words_the_chair_acknowledged(template, tmp_path):
    paths, key, (user_id, review) = template
    copy = DataPaths(tmp_path / "data")
    shutil.copytree(paths.root, copy.root)
    store = act_as_admin(Store.open(copy, key))  # signs its audit entries as an unlock would
    try:
        MUTATIONS["no victim issues"](store, review)
        MUTATIONS["action without target"](store, review)
        items = ops.check(store=store, meeting_id=review, today=store.today())
        ops.finalise(store=store, meeting_id=review, acknowledgements={i.key: f"Reason {n}" for n, i in enumerate(items)},
                     today=store.today(), approval=recorded_approval(store, review))
        content, _sha = store.minutes.snapshot(review)
        assert content["acknowledgements"] == {i.key: {"message": i.message, "reason": f"Reason {n}"}
                                               for n, i in enumerate(items)}
        content, meta = minute_job(store, review)
        text = _squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(printing.render_minute(content, meta).pdf)).pages))
        for item in items:
            assert _squash(item.message) in text
        assert _squash("Still open in the completeness check") not in text  # finalised: acknowledged, not open
        assert _squash("as it stood when the minute was finalised") in text
    finally:
        store.close()
