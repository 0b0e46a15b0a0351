"""The completeness check of a minute (mappa_desktop.rules.completeness), one rule at a time.

Every test starts from a COMPLETE minute (the example review meeting of ``demo``, whose
check is empty) and takes away exactly one thing; it then asserts exactly which item(s) the
check reports and that each points at the right section, field and row, so that the editor
jumps to the right place. The last test is a round trip of arbitrary text through every
free-text field of the minute.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date

import pytest

from tests.conftest import act_as_admin
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_desktop import security, spec
from mappa_desktop.db.session import create_store
from mappa_desktop.db.store import Store
from mappa_desktop.demo import ATTENDANCE, EXAMPLE_CASE, EXAMPLE_ORDERS, add_example_case, add_example_meetings
from mappa_desktop.ops.minute import check
from mappa_desktop.paths import DataPaths

TODAY = date(2026, 10, 14)  # the day of the example review meeting


@dataclass
class Example:
    store: object
    case_id: int
    first: int
    review: int

    def items(self, today: date = TODAY):
        return check(store=self.store, meeting_id=self.review, today=today)

    def rows(self, section_key: str) -> list[dict]:
        """The section's rows as stored now (with their ids)."""
        return [dict(r) for r in self.store.minutes.get(self.review, consult=False).rows[section_key]]

    def save_rows(self, section_key: str, rows: list[dict]) -> None:
        self.store.minutes.save_rows(self.review, section_key, [{k: v for k, v in r.items() if k != "id"} for r in rows])

    def only(self, key: str, section: str, field: str = "", row: int | None = None, today: date = TODAY):
        """Assert the check reports exactly this one item, pointing where it should."""
        items = self.items(today)
        assert [i.key for i in items] == [key], items
        item = items[0]
        assert (item.section, item.field, item.row) == (section, field, row), item
        assert item.message.strip()
        # The place the item points at exists in the minute's description.
        assert spec.section(item.section)
        if item.field:
            assert spec.section(item.section).field(item.field)
        return item


def _build(store, *, review_outcomes: bool = True) -> Example:
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id, review_outcomes=review_outcomes)
    # Whatever the example leaves to the day itself: who chaired, who minuted, when.
    store.minutes.save_fields(review, "meeting_details", {
        "chair": "DI Euan MacDhòmhnaill", "minute_taker": "Lorna Petrie", "meeting_time": "10:00"})
    return Example(store, case_id, first, review)


@pytest.fixture
def store(session):
    """The session's store, without waiting for the disk on every commit: these tests are
    about what is stored, not durability (tests/test_store.py covers that)."""
    session.store.db.execute("PRAGMA synchronous = OFF")
    return session.store


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The complete example, built once per module and closed: each test opens a copy."""
    paths = DataPaths(tmp_path_factory.mktemp("complete") / "data")
    made = create_store(paths, name="Ann Admin", agency="Police Scotland", role="MAPPA coordinator",
                        passphrase="granite otter lantern violet", kdf=security.TEST_KDF)
    made.store.db.execute("PRAGMA synchronous = OFF")
    example = _build(made.store)
    assert example.items() == []
    ids = (made.user.id, example.case_id, example.first, example.review)
    key = made.store.key
    made.close()
    return paths, key, ids


@pytest.fixture
def complete(template, tmp_path) -> Example:
    paths, key, (user_id, case_id, first, review) = template
    copy = DataPaths(tmp_path / "data")
    shutil.copytree(paths.root, copy.root)
    opened = Store.open(copy, key)
    opened.db.execute("PRAGMA synchronous = OFF")
    act_as_admin(opened)
    assert opened.user.id == user_id
    example = Example(opened, case_id, first, review)
    assert example.items() == []
    yield example
    opened.close()


# -- the starting point ------------------------------------------------------------------------


def test_the_example_review_is_complete(complete):
    minute = complete.store.minutes.get(complete.review, consult=False)
    assert minute.values["meeting_type"] == "review"
    assert minute.values["next_review_date"] == "2027-01-13"
    assert len(minute.actions) == 4 and [a.status for a in minute.previous] == ["done", "done", "carried"]
    assert complete.items() == []
    # The check only reads: it wrote nothing to the minute.
    assert complete.store.minutes.get(complete.review, consult=False) == minute


# -- next review ---------------------------------------------------------------------------------


def test_no_review_date(complete):
    complete.store.minutes.save_fields(complete.review, "next_review", {"next_review_date": None})
    complete.only("required:next_review_date", "next_review", "next_review_date")


def test_review_date_in_the_past(complete):
    complete.store.minutes.save_fields(complete.review, "next_review", {"next_review_date": "2026-11-01"})
    assert complete.items(today=date(2026, 11, 1)) == []  # the day itself is not past
    item = complete.only("review:past", "next_review", "next_review_date", today=date(2026, 12, 1))
    assert "01/11/2026" in item.message


@pytest.mark.parametrize("review_date", ["2026-10-14", "2026-09-01"])
def test_review_date_not_after_the_meeting(complete, review_date):
    # On the meeting day, or before it (which is also in the past): one item, not two.
    complete.store.minutes.save_fields(complete.review, "next_review", {"next_review_date": review_date})
    complete.only("review:not_after_meeting", "next_review", "next_review_date")


# -- confidentiality -------------------------------------------------------------------------------


def test_confidentiality_agreed_empty(complete):
    complete.store.minutes.save_fields(complete.review, "confidentiality", {"confidentiality_agreed": None})
    complete.only("required:confidentiality_agreed", "confidentiality", "confidentiality_agreed")


def test_confidentiality_time_empty(complete):
    complete.store.minutes.save_fields(complete.review, "confidentiality", {"confidentiality_time": "  "})
    complete.only("required:confidentiality_time", "confidentiality", "confidentiality_time")


def test_confidentiality_recorded_as_not_agreed(complete):
    complete.store.minutes.save_fields(complete.review, "confidentiality", {"confidentiality_agreed": 0})
    assert complete.store.minutes.get(complete.review, consult=False).values["confidentiality_agreed"] == 0
    complete.only("confidentiality:not_agreed", "confidentiality", "confidentiality_agreed")


# -- attendance -----------------------------------------------------------------------------------


def test_attendance_rows_but_no_one_present(complete):
    rows = [{**r, "status": "apologies"} for r in complete.rows("attendance")]
    complete.save_rows("attendance", rows)
    complete.only("attendance:none_present", "attendance", "status")


def test_no_attendance_rows_at_all(complete):
    complete.save_rows("attendance", [])
    complete.only("rows:attendance", "attendance")


def test_attendance_row_without_status(complete):
    rows = complete.rows("attendance")
    rows[3]["status"] = None
    complete.save_rows("attendance", rows)
    stored = complete.rows("attendance")
    assert stored[3]["name"] == ATTENDANCE[3][0] and stored[3]["status"] is None
    complete.only(f"row:attendance:{stored[3]['id']}:status", "attendance", "status", 3)


# -- risk of serious harm and level -----------------------------------------------------------------


def test_risk_level_without_rationale(complete):
    complete.store.minutes.save_fields(complete.review, "rosh", {"rosh_rationale": ""})
    complete.only("required:rosh_rationale", "rosh", "rosh_rationale")


def test_no_risk_level(complete):
    complete.store.minutes.save_fields(complete.review, "rosh", {"agreed_rosh": None})
    complete.only("required:agreed_rosh", "rosh", "agreed_rosh")


def test_level_decision_without_rationale(complete):
    complete.store.minutes.save_fields(complete.review, "mappa_level", {"level_rationale": "\n\t "})
    complete.only("required:level_rationale", "mappa_level", "level_rationale")


@pytest.mark.parametrize(
    "decision, new_level",
    [("stays", "3"), ("stays", "1"), ("up", "2"), ("up", "1"), ("down", "2"), ("down", "3")],
    ids=["stays-but-3", "stays-but-1", "up-but-same", "up-but-lower", "down-but-same", "down-but-higher"],
)
def test_level_decision_inconsistent(complete, decision, new_level):
    # The level going into the meeting is 2 (from the case).
    assert complete.store.minutes.get(complete.review, consult=False).values["mappa_level"] == "2"
    complete.store.minutes.save_fields(complete.review, "mappa_level", {"level_decision": decision, "new_level": new_level})
    complete.only("level:inconsistent", "mappa_level", "new_level")


@pytest.mark.parametrize("decision, new_level", [("stays", "2"), ("up", "3"), ("down", "1")])
def test_level_decision_consistent(complete, decision, new_level):
    complete.store.minutes.save_fields(complete.review, "mappa_level", {"level_decision": decision, "new_level": new_level})
    assert complete.items() == []


def test_category_3_with_new_level_1(complete):
    complete.store.minutes.save_fields(complete.review, "meeting_details", {"category": "3"})
    assert complete.items() == []  # category 3 at level 2, staying: fine
    complete.store.minutes.save_fields(complete.review, "mappa_level", {"level_decision": "down", "new_level": "1"})
    item = complete.only("level:category3", "mappa_level", "new_level")
    assert "category 3" in item.message


# -- disclosure --------------------------------------------------------------------------------------


def test_disclosure_without_reason(complete):
    rows = complete.rows("disclosure")
    rows[0]["reason"] = " "
    complete.save_rows("disclosure", rows)
    row_id = complete.rows("disclosure")[0]["id"]
    complete.only(f"row:disclosure:{row_id}:reason", "disclosure", "reason", 0)


def test_disclosure_to_disclose_without_recipient(complete):
    rows = complete.rows("disclosure")
    rows[0]["recipient"] = None
    complete.save_rows("disclosure", rows)
    row_id = complete.rows("disclosure")[0]["id"]
    complete.only(f"row:disclosure:{row_id}:recipient", "disclosure", "recipient", 0)


def test_no_disclosure_needs_no_recipient(complete):
    rows = complete.rows("disclosure")
    rows[0].update(disclosure_needed=0, recipient=None, disclosure_date=None, reason="No third party at risk.")
    complete.save_rows("disclosure", rows)
    assert complete.items() == []


def test_no_disclosure_decision_at_all(complete):
    complete.save_rows("disclosure", [])
    item = complete.only("rows:disclosure", "disclosure")
    assert "no disclosure" in item.message


def test_second_disclosure_decision_points_at_its_row(complete):
    rows = complete.rows("disclosure")
    rows.append({"disclosure_needed": 1, "reason": "Head teacher of the school.", "decided_by": "DI Euan MacDhòmhnaill"})
    complete.save_rows("disclosure", rows)
    second = complete.rows("disclosure")[1]["id"]
    complete.only(f"row:disclosure:{second}:recipient", "disclosure", "recipient", 1)


# -- diversity and victims --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["diversity_offender", "diversity_victims"])
def test_diversity_not_considered(complete, key):
    complete.store.minutes.save_fields(complete.review, "diversity", {key: None})
    complete.only(f"required:{key}", "diversity", key)


def test_victim_issues_blank(complete):
    complete.store.minutes.save_fields(complete.review, "victims", {"victim_issues": ""})
    complete.only("required:victim_issues", "victims", "victim_issues")


# -- actions ----------------------------------------------------------------------------------------


def test_action_without_owner(complete):
    action_id = complete.store.minutes.raise_action(
        complete.review, {"action_text": "Arrange a hearing loop", "target_date": "2026-11-01"})
    assert [i.key for i in complete.items()] == [f"action:{action_id}:owner_person", f"action:{action_id}:owner_agency"]
    # Every action has a named owner and the owner's agency (Tayside "Prisoner Z": clear owners).
    complete.store.actions.update_terms(action_id, {"owner_agency": "MAPPA unit"})
    complete.only(f"action:{action_id}:owner_person", "actions", "owner_person", 4)
    complete.store.actions.update_terms(action_id, {"owner_person": "Lorna Petrie"})
    assert complete.items() == []


def test_action_without_target_date(complete):
    action_id = complete.store.minutes.raise_action(
        complete.review, {"action_text": "Arrange a hearing loop", "owner_person": "Lorna Petrie", "owner_agency": "MAPPA unit"})
    complete.only(f"action:{action_id}:target_date", "actions", "target_date", 4)


def test_existing_action_losing_its_target_date(complete):
    action = complete.store.minutes.get(complete.review, consult=False).actions[2]
    complete.store.actions.update_terms(action.id, {"target_date": None})
    complete.only(f"action:{action.id}:target_date", "actions", "target_date", 2)


def test_withdrawn_action_is_not_flagged(complete):
    action_id = complete.store.minutes.raise_action(complete.review, {"action_text": "Vague idea"})
    assert {i.key for i in complete.items()} == {f"action:{action_id}:owner_person", f"action:{action_id}:owner_agency",
                                                 f"action:{action_id}:target_date"}
    complete.store.actions.withdraw(action_id, "Covered by action 6.", meeting_id=complete.review)
    assert complete.items() == []
    assert complete.store.actions.get(action_id).status == "withdrawn"


def test_previous_action_still_open(complete):
    previous = complete.store.minutes.get(complete.review, consult=False).previous
    complete.store.actions.set_state(previous[0].id, status="open", meeting_id=complete.review)
    # Re-opened at this meeting, it stays on this minute's list and is flagged.
    item = complete.only(f"previous:{previous[0].id}", "previous_actions", "status", row=0)
    assert f"{previous[0].number}" in item.message


def test_previous_actions_never_reviewed(store):
    example = _build(store, review_outcomes=False)
    previous = example.store.minutes.get(example.review, consult=False).previous
    assert [a.status for a in previous] == ["open", "open", "open"]
    items = example.items()
    assert [(i.key, i.section, i.field) for i in items] == [
        (f"previous:{a.id}", "previous_actions", "status") for a in previous]
    # Carried forward to a new date counts as reviewed.
    for action in previous:
        example.store.actions.carry(action.id, target_date="2026-12-01", reason="Next time.", meeting_id=example.review)
    assert example.items() == []


# -- the case record ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, section",
    [("date_of_birth", "offender"), ("address", "offender"), ("index_offence_date", "key_dates"),
     ("lead_authority", "lead_authority"), ("case_officer", "lead_authority")],
)
def test_case_record_missing_a_required_field(complete, key, section):
    values = {**complete.store.cases.get(complete.case_id, consult=False).values, key: None}
    assert complete.store.cases.update(complete.case_id, values, EXAMPLE_ORDERS) == [key]
    assert complete.store.cases.get(complete.case_id, consult=False).values[key] is None
    item = complete.only(f"case:{key}", section, key)
    assert "case record" in item.message


# -- sweeps: every required field of the spec ---------------------------------------------------------

MEETING_REQUIRED = [(s.key, f.key) for s in spec.SECTIONS if s.source is spec.Source.MEETING for f in s.required_fields]
ROW_REQUIRED = [(s.key, f.key) for s in spec.SECTIONS if s.source is spec.Source.ROWS for f in s.required_fields]


@pytest.mark.parametrize("section_key, key", MEETING_REQUIRED, ids=[k for _s, k in MEETING_REQUIRED])
def test_every_required_meeting_field(complete, section_key, key):
    complete.store.minutes.save_fields(complete.review, section_key, {key: None})
    assert complete.store.minutes.get(complete.review, consult=False).values[key] is None
    complete.only(f"required:{key}", section_key, key)


@pytest.mark.parametrize("section_key, key", ROW_REQUIRED, ids=[f"{s}.{k}" for s, k in ROW_REQUIRED])
def test_every_required_row_field(complete, section_key, key):
    rows = complete.rows(section_key)
    index = len(rows) - 1
    rows[index][key] = None
    complete.save_rows(section_key, rows)
    row_id = complete.rows(section_key)[index]["id"]
    complete.only(f"row:{section_key}:{row_id}:{key}", section_key, key, index)


def test_example_case_is_unchanged_by_the_checks(complete):
    case = complete.store.cases.get(complete.case_id, consult=False)
    assert {k: case.values[k] for k in EXAMPLE_CASE} == EXAMPLE_CASE


# -- any text round-trips through every free-text field -------------------------------------------

FREE_TEXT = (spec.Kind.TEXT, spec.Kind.LONG_TEXT, spec.Kind.PERSON, spec.Kind.AGENCY)
MEETING_TEXT_FIELDS = {
    s.key: tuple(f.key for f in s.fields if f.kind in FREE_TEXT)
    for s in spec.SECTIONS
    if s.source is spec.Source.MEETING and any(f.kind in FREE_TEXT for f in s.fields)
}
ROW_SECTIONS = [s for s in spec.SECTIONS if s.source is spec.Source.ROWS]

_ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # everything but lone surrogates
SPECIAL = [
    "<b>bold</b> &amp; <script>alert(1)</script>",
    "محمد الأحمد — עברית \u202eRTL override\u202c",
    "😀👩🏽‍⚕️🏴󠁧󠁢󠁳󠁣󠁴󠁿 Ní Bhriain MacDhòmhnaill Nguyễn",
    "line one\r\nline two\n\ttabbed\x00nul\x07bell\x1bescape",
    "'; DROP TABLE meetings; --",
    "  leading and trailing spaces kept  ",
    " ",
    "\u00a0\u2003\n",  # whitespace only, in other scripts: stored as nothing
]
TEXT = st.one_of(
    st.text(_ANY_CHAR, max_size=200),
    st.sampled_from(SPECIAL),
    # 10,000 characters, made by repeating a short arbitrary piece.
    st.text(_ANY_CHAR, min_size=1, max_size=12).map(lambda t: (t * (10_000 // len(t) + 1))[:10_000]),
)


def stored_as(value):
    """The store's rule: text that is empty or whitespace only (str.strip) is no value."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def text_for(field: spec.Field):
    """Any text the field takes: as long as its limit allows (a name is not 10,000 characters)."""
    return TEXT.map(lambda t: t[:field.limit])


def _row_strategy(section: spec.Section):
    fields = {}
    for f in section.fields:
        if f.kind in FREE_TEXT:
            fields[f.key] = text_for(f)
        elif f.kind is spec.Kind.CHOICE:
            fields[f.key] = st.sampled_from([None, *(c.value for c in f.choices)])
        elif f.kind is spec.Kind.YES_NO:
            fields[f.key] = st.sampled_from([None, 0, 1])
        elif f.kind is spec.Kind.DATE:
            latest = date(2026, 10, 14) if f.past else date(9999, 12, 31)  # the store's clock in these tests
            fields[f.key] = st.one_of(st.none(), st.dates(max_value=latest).map(date.isoformat))
        else:  # pragma: no cover - a new kind needs a strategy here
            raise AssertionError(f"no strategy for {f.kind}")
    return st.fixed_dictionaries(fields)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    fields=st.fixed_dictionaries({s: st.fixed_dictionaries({k: text_for(spec.section(s).field(k)) for k in keys})
                                  for s, keys in MEETING_TEXT_FIELDS.items()}),
    rows=st.fixed_dictionaries({s.key: st.lists(_row_strategy(s), max_size=3) for s in ROW_SECTIONS}),
)
def test_any_text_round_trips_through_every_field(store, fields, rows):
    case_id = store.cases.create({"reference": f"RT-{store.cases.count(status=None)}", "full_name": "Round TRIP",
                                  "category": "1", "mappa_level": "2"})
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    for section_key, values in fields.items():
        store.minutes.save_fields(meeting_id, section_key, values)
    for section_key, section_rows in rows.items():
        store.minutes.save_rows(meeting_id, section_key, section_rows)

    minute = store.minutes.get(meeting_id, consult=False)
    for section_key, values in fields.items():
        for key, value in values.items():
            assert minute.values[key] == stored_as(value), (section_key, key)
    for section_key, section_rows in rows.items():
        got = [{k: v for k, v in r.items() if k != "id"} for r in minute.rows[section_key]]
        assert got == [{k: stored_as(v) for k, v in r.items()} for r in section_rows], section_key
    # Every free-text field of every meeting section was covered.
    assert {k for keys in MEETING_TEXT_FIELDS.values() for k in keys} == {
        f.key for f in spec.meeting_fields() if f.kind in FREE_TEXT}


def test_whitespace_only_is_stored_as_nothing(store):
    case_id = add_example_case(store)
    meeting_id = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    store.minutes.save_fields(meeting_id, "dissent", {"dissent": " \n\t\u00a0"})
    store.minutes.save_fields(meeting_id, "next_review", {"next_review_notes": "  x  "})
    store.minutes.save_rows(meeting_id, "documents", [{"title": " ", "document_notes": "\u2003"}])
    minute = store.minutes.get(meeting_id, consult=False)
    assert minute.values["dissent"] is None
    assert minute.values["next_review_notes"] == "  x  "  # kept exactly as typed
    assert [{k: v for k, v in r.items() if k != "id"} for r in minute.rows["documents"]] == [
        {"title": None, "document_notes": None}]
