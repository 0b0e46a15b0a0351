"""Retention: which cases are past it, and erasure that removes every row and leaves an
erasure entry holding none of the erased data."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from mappa_desktop.ops import minute as minutes
from mappa_desktop.db.errors import RecordLocked, ValidationError, storage_errors
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from .signoff_helpers import recorded_approval

CANARY = "Ysolde VARNAKOVA"


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def world(tmp_path):
    clock = Clock(datetime(2026, 10, 14, 14, 0, tzinfo=timezone.utc))  # after the example meeting
    session = create_store(DataPaths(tmp_path / "d"), name="Ann Admin", agency="", role="", passphrase="x" * 12,
                           kdf=TEST_KDF, clock=clock)
    store = session.store
    case_id = add_example_case(store)
    values = dict(store.cases.get(case_id, consult=False).values, aliases=CANARY)
    store.cases.update(case_id, values, [{"order_type": "other", "order_detail": CANARY, "granted_date": "2020-01-01"}])
    first, review = add_example_meetings(store, case_id)
    store.minutes.save_fields(review, "dissent", {"dissent": CANARY})
    items = minutes.check(store=store, meeting_id=review, today=store.today())
    minutes.finalise(store=store, meeting_id=review, acknowledgements={i.key: "ok" for i in items}, today=store.today(),
                     approval=recorded_approval(store, review))
    store.minutes.add_addendum(review, body=CANARY, reason="correction")
    other = store.cases.create({"reference": "KEEP-1", "full_name": "Kept PERSON", "category": "1", "mappa_level": "2"})
    yield session, clock, case_id, other
    session.close()


def _everything(store) -> str:
    """Every value of every table (FTS shadow tables included), as text."""
    out = []
    for (table,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        for row in store.db.execute(f'SELECT * FROM "{table}"').fetchall():
            out.append(" ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row))
    return "\n".join(out)


def test_past_retention_lists_archived_cases_without_recent_activity(world):
    session, clock, case_id, other = world
    store = session.store
    assert store.retention.past_retention(store.today(), 7) == []  # not archived
    store.cases.set_status(case_id, "archived")
    assert store.retention.past_retention(store.today(), 7) == []  # activity today
    clock.moment = datetime(2033, 10, 15, tzinfo=timezone.utc)
    assert [p.reference for p in store.retention.past_retention(store.today(), 7)] == ["FS-2026-0147"]
    assert store.retention.past_retention(store.today(), 8) == []
    clock.moment = datetime(2034, 2, 28, tzinfo=timezone.utc)
    assert store.retention.past_retention(date(2036, 2, 29), 7)[0].last_activity == "2026-10-14"


def test_erasure_removes_every_row_and_logs_no_erased_data(world):
    session, clock, case_id, other = world
    store = session.store
    with pytest.raises(ValidationError):
        store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")  # not archived yet
    store.cases.set_status(case_id, "archived")
    with pytest.raises(ValidationError):
        store.retention.erase_case(case_id, confirm_reference="FS-2026-014")  # mistyped
    assert CANARY in _everything(store)
    removed = store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")
    assert removed["cases"] == 1 and removed["meetings"] == 2 and removed["actions"] == 7
    assert removed["minute_snapshots"] == 1 and removed["addenda"] == 1
    dump = _everything(store)
    assert CANARY not in dump and "Kenneth" not in dump and "AIRD" not in dump
    assert "varnakova" not in dump.casefold()  # not even as a search token
    assert "Kept PERSON" in dump  # the other case is untouched
    entry = store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.record_id) == ("erasure", "case", case_id)
    assert "FS-2026" not in entry.detail and "Kenneth" not in entry.detail
    assert store.audit.verify().ok
    assert store.integrity_check() == ["ok"]
    assert store.cases.rows(search="Kenny") == []
    # The protections are back once the erasure is over.
    meeting = store.minutes.create(other, {"meeting_date": "2026-10-20"})
    action = store.minutes.raise_action(meeting, {"action_text": "x"})
    with pytest.raises(RecordLocked):
        with storage_errors():
            store.db.execute("DELETE FROM actions WHERE id = ?", [action])
    assert store.db.execute("SELECT count(*) FROM erasure_grants").fetchone()[0] == 0


def test_erasing_through_the_page(qtbot, world):
    from mappa_desktop.ui.retention_page import RetentionPage

    session, clock, case_id, other = world
    session.store.cases.set_status(case_id, "archived")
    clock.moment = datetime(2034, 1, 1, tzinfo=timezone.utc)
    page = RetentionPage(session)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 1 and page.table.item(0, 0).text() == "FS-2026-0147"
    page.table.selectRow(0)
    page.confirm.setText("FS-2026-0148")
    assert page.erase() is False and "exactly" in page.message.text()
    page.confirm.setText("FS-2026-0147")
    assert page.erase() is True
    assert page.table.rowCount() == 0
    assert session.store.cases.count(status=None) == 1
