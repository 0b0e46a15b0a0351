"""The minute's spec: consistent in itself, and in step with the migrated schema."""

from __future__ import annotations

import pytest

from mappa_desktop import spec
from mappa_desktop.spec import SECTIONS, Kind, Source

# Columns the store keeps for itself, not values of the minute.
BOOKKEEPING = {
    "meetings": {"id", "case_id", "status", "version", "created_at", "updated_at",
                 "issued_at", "finalised_at", "finalised_by"},
    "meeting_text": {"meeting_id"},
    "documents_tabled": {"id", "meeting_id", "position"},
    "attendance": {"id", "meeting_id", "position"},
    "agency_updates": {"id", "meeting_id", "position"},
    "disclosures": {"id", "meeting_id", "position"},
    "civil_orders": {"id", "case_id", "position"},
    "actions": {"id", "case_id", "meeting_id", "number", "raised_date", "updated_at",
                "withdrawn_reason"},
    # The case also keeps where the latest meeting left it, for lists and the dashboard;
    # those values are set by finalising a meeting, not typed into the offender sections.
    "cases": {
        "id", "status", "created_at", "updated_at",
        "category", "mappa_level", "current_rosh", "next_review_date",
    },
}


@pytest.fixture(scope="module")
def spec_session(tmp_path_factory):
    """One migrated store for the whole module: these tests only read its schema."""
    from mappa_desktop.db.session import create_store
    from mappa_desktop.paths import DataPaths
    from mappa_desktop.security import TEST_KDF

    paths = DataPaths(tmp_path_factory.mktemp("spec") / "data")
    created = create_store(
        paths, name="Ann Admin", agency="", role="", passphrase="x" * 12, kdf=TEST_KDF
    )
    yield created
    created.close()


@pytest.fixture
def columns(spec_session):
    """table -> {column: declared type}, from the migrated store."""
    db = spec_session.store.db

    def of(table: str) -> dict[str, str]:
        rows = db.execute(f"PRAGMA table_info({table})").fetchall()
        assert rows, f"no table {table}"
        return {row[1]: row[2].upper() for row in rows}

    return of


def _home(section, fld) -> str:
    if section.source is Source.MEETING:
        return "meeting_text" if fld.kind is Kind.LONG_TEXT else "meetings"
    if section.source is Source.CASE:
        return "cases"
    return section.table


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.key)
def test_every_field_has_its_column(section, columns):
    for fld in section.fields:
        table = _home(section, fld)
        cols = columns(table)
        assert fld.key in cols, f"{section.key}.{fld.key} has no column in {table}"
        expected = "INTEGER" if fld.kind is Kind.YES_NO else "TEXT"
        assert cols[fld.key] == expected, f"{table}.{fld.key} is {cols[fld.key]}"


def test_long_text_of_meetings_stays_out_of_the_list_rows(columns):
    meetings = columns("meetings")
    for fld in spec.meeting_fields():
        if fld.kind is Kind.LONG_TEXT:
            assert fld.key not in meetings, f"{fld.key} would be decrypted by every list scan"


@pytest.mark.parametrize("table", sorted(BOOKKEEPING))
def test_every_column_is_a_field_or_bookkeeping(table, columns):
    fields = {
        f.key
        for s in SECTIONS
        for f in s.fields
        if _home(s, f) == table
    }
    extra = set(columns(table)) - fields - BOOKKEEPING[table]
    assert not extra, f"{table} has columns the spec does not describe: {sorted(extra)}"
    stale = BOOKKEEPING[table] - set(columns(table))
    assert not stale, f"bookkeeping list names missing columns of {table}: {sorted(stale)}"


def test_repeating_sections_name_real_row_tables(columns):
    for section in SECTIONS:
        if section.repeating:
            assert section.table, section.key
            columns(section.table)  # exists
        else:
            assert section.table == "", section.key


def test_action_statuses_fit_the_register(spec_session):
    """Every status the spec offers can be stored (the CHECK constraint agrees)."""
    session = spec_session
    db = session.store.db
    statuses = [c.value for c in spec.ACTION_STATUSES]
    with pytest.raises(RuntimeError):  # roll everything back at the end
        with session.store.transaction():
            db.execute(
                "INSERT INTO cases (id, reference, full_name, created_at, updated_at) "
                "VALUES (1, 'R1', 'x', '2025-01-01', '2025-01-01')"
            )
            for number, status in enumerate(statuses, start=1):
                db.execute(
                    "INSERT INTO actions (case_id, number, raised_date, status, updated_at) "
                    "VALUES (1, ?, '2025-01-01', ?, '2025-01-01')",
                    [number, status],
                )
            stored = [r[0] for r in db.execute("SELECT status FROM actions ORDER BY number")]
            assert stored == statuses
            raise RuntimeError("rollback")
    assert db.execute("SELECT count(*) FROM actions").fetchone()[0] == 0


# -- the spec in itself --------------------------------------------------------------------------


def test_keys_are_unique_where_they_share_a_table():
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)
    for section in SECTIONS:
        keys = [f.key for f in section.fields]
        assert len(keys) == len(set(keys)), section.key
        assert section.fields, section.key
    meeting_keys = [f.key for f in spec.meeting_fields()]
    assert len(meeting_keys) == len(set(meeting_keys))
    case_keys = [f.key for f in spec.case_fields()]
    assert len(case_keys) == len(set(case_keys))


def test_shortcuts_are_unique():
    shortcuts = [s.shortcut for s in SECTIONS if s.shortcut]
    assert len(shortcuts) == len(set(shortcuts))
    assert all(len(s) == 1 for s in shortcuts)


def test_sections_have_words():
    for section in SECTIONS:
        assert section.title.strip() and len(section.guidance) > 40, section.key
        for fld in section.fields:
            assert fld.label.strip(), f"{section.key}.{fld.key}"
            assert fld.key.isidentifier() and fld.key == fld.key.lower()


def test_choices_belong_to_choice_fields():
    for section in SECTIONS:
        for fld in section.fields:
            if fld.kind is Kind.CHOICE:
                values = [c.value for c in fld.choices]
                assert values and len(values) == len(set(values)), f"{section.key}.{fld.key}"
                assert any(c.in_use for c in fld.choices)
                assert all(c.label for c in fld.choices)
            else:
                assert fld.choices == (), f"{section.key}.{fld.key}"


def test_scottish_categories():
    category = spec.field("meeting_details.category")
    assert category.choice("2") is not None and not category.choice("2").in_use
    assert {c.value for c in category.choices if c.in_use} == {"1", "restricted_patient", "3"}
    assert len(spec.ROSH_LEVELS) == 4 and all(c.help for c in spec.ROSH_LEVELS)


def test_lookups():
    assert spec.section("rosh").field("agreed_rosh").kind is Kind.CHOICE
    assert spec.field("rosh.agreed_rosh").label_of("very_high") == "Very High"
    assert spec.field("rosh.agreed_rosh").label_of("unheard_of") == "unheard_of"
    assert spec.field("rosh.agreed_rosh").label_of(None) == ""
    assert spec.section("attendance").repeating and not spec.section("rosh").repeating
    assert spec.section("attendance").min_rows == 1
    required = spec.section("meeting_details").required_fields
    assert [f.key for f in required][:2] == ["meeting_date", "meeting_time"]
    with pytest.raises(KeyError):
        spec.section("no_such_section")
    with pytest.raises(KeyError):
        spec.field("rosh.no_such_field")
