"""Every path that views, creates, changes, discloses or erases leaves exactly one right
audit entry (who, what kind, which record), written with the change itself."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mappa_desktop.ops import minute as minutes
from mappa_desktop.db.session import add_user, create_store
from mappa_desktop.demo import add_example_case
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from .signoff_helpers import recorded_approval


@pytest.fixture
def world(tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Ann Admin", agency="", role="", passphrase="x" * 12,
                           kdf=TEST_KDF, clock=lambda: datetime(2026, 10, 14, 9, tzinfo=timezone.utc))
    store = session.store
    case_id = add_example_case(store)
    meeting = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    action = store.minutes.raise_action(meeting, {"action_text": "Visit", "target_date": "2026-11-01"})
    yield session, case_id, meeting, action
    session.close()


def _finalise(store, meeting):
    items = minutes.check(store=store, meeting_id=meeting, today=store.today())
    minutes.finalise(store=store, meeting_id=meeting, acknowledgements={i.key: "ok" for i in items},
                     today=store.today(), approval=recorded_approval(store, meeting))


PATHS = [
    # name, what is done, expected (kind, record_type, record id key or None)
    ("open a case", lambda s, w: s.store.cases.get(w["case"]), ("consultation", "case", "case")),
    ("create a case", lambda s, w: s.store.cases.create(
        {"reference": "N-1", "full_name": "New PERSON", "category": "1", "mappa_level": "2"}), ("collection", "case", "new")),
    ("change a case", lambda s, w: s.store.cases.update(
        w["case"], dict(s.store.cases.get(w["case"], consult=False).values, address="1 New Street"),
        [o.as_values() for o in s.store.cases.get(w["case"], consult=False).orders]), ("alteration", "case", "case")),
    ("archive a case", lambda s, w: s.store.cases.set_status(w["case"], "archived"), ("alteration", "case", "case")),
    ("open a minute", lambda s, w: s.store.minutes.get(w["meeting"]), ("consultation", "meeting", "meeting")),
    ("start a meeting", lambda s, w: s.store.minutes.create(w["case"], {"meeting_date": "2027-01-13"}),
     ("collection", "meeting", "new")),
    ("type into a section", lambda s, w: s.store.minutes.save_fields(w["meeting"], "dissent", {"dissent": "x"}),
     ("alteration", "meeting", "meeting")),
    ("raise an action", lambda s, w: s.store.minutes.raise_action(w["meeting"], {"action_text": "More"}),
     ("collection", "action", "new")),
    ("mark an action done", lambda s, w: s.store.actions.set_state(
        w["action"], status="done", completed_date="2026-10-14", outcome="ok"), ("alteration", "action", "action")),
    ("withdraw an action", lambda s, w: s.store.actions.withdraw(w["action"], "not needed"),
     ("alteration", "action", "action")),
    ("finalise a minute", lambda s, w: _finalise(s.store, w["meeting"]), ("alteration", "meeting", "meeting")),
    ("disclose (print or save)", lambda s, w: s.store.audit.record_now(
        "disclosure", "meeting", w["meeting"], recipient="Court", purpose="Proceedings"),
     ("disclosure", "meeting", "meeting")),
    ("add a person to the directory", lambda s, w: s.store.directory.save_person(name="P Q", agency="Police Scotland"),
     ("collection", "person", "new")),
    ("change a setting", lambda s, w: s.store.settings.set("area_name", "Forthside"), ("alteration", "setting", None)),
    ("add a user", lambda s, w: add_user(s, name="New User", agency="", role="", passphrase="yellow kettle marble orbit", kdf=TEST_KDF).id,
     ("collection", "user", "new")),
    ("erase a case", lambda s, w: (s.store.cases.set_status(w["case"], "archived"),
                                   s.store.retention.erase_case(w["case"], confirm_reference="FS-2026-0147")),
     ("erasure", "case", "case")),
]


@pytest.mark.parametrize("name, do, expected", PATHS, ids=[p[0] for p in PATHS])
def test_each_path_leaves_exactly_one_right_entry(world, name, do, expected):
    session, case_id, meeting, action = world
    store = session.store
    ids = {"case": case_id, "meeting": meeting, "action": action}
    setup = 1 if name == "erase a case" else 0  # archiving first is its own alteration
    before = store.audit.count()
    result = do(session, ids)
    entries = store.audit.entries()[before:]
    kind, record_type, which = expected
    relevant = entries[setup:]
    if name == "finalise a minute":
        # Finalising also carries the decisions to the case: one entry each, no more.
        relevant = [e for e in relevant if e.record_type == "meeting"]
    assert len(relevant) == 1, [(e.kind, e.record_type, e.detail) for e in entries]
    entry = relevant[0]
    assert (entry.kind, entry.record_type) == (kind, record_type)
    if which == "new":
        assert entry.record_id == (result if isinstance(result, int) else entry.record_id)
    elif which is not None:
        assert entry.record_id == ids[which]
    assert entry.user_id == session.user.id
    assert store.audit.verify().ok
