"""The declarations of ``lifecycle_spec`` in step with the schema, and the store's guards
made from them refuse what they forbid whoever writes."""

from __future__ import annotations

import pytest

from mappa_desktop import lifecycle_spec, spec
from mappa_desktop.db.errors import ValidationError, storage_errors

TABLES = {"issue": "minute_issues", "approval": "minute_approvals", "case_exit": "case_exits",
          "case_addendum": "case_addenda"}


@pytest.mark.parametrize("section", lifecycle_spec.RECORDS, ids=lambda s: s.key)
def test_each_record_is_declared_with_words(section):
    assert section.source is spec.Source.RECORD and len(section.guidance) > 40
    for field in section.fields:
        assert field.label and field.key.isidentifier()
        assert bool(field.choices) == (field.kind is spec.Kind.CHOICE)


@pytest.mark.parametrize("key, table", sorted(TABLES.items()))
def test_every_field_has_its_column(session, key, table):
    columns = {r[1] for r in session.store.db.execute(f"PRAGMA table_info({table})")}
    section = next(s for s in lifecycle_spec.RECORDS if s.key == key)
    assert {f.key for f in section.fields} <= columns


def test_the_action_history_keeps_the_terms_before_and_after(session):
    columns = {r[1] for r in session.store.db.execute("PRAGMA table_info(action_updates)")}
    assert {"change", "target_date", "owner_person", "owner_agency", "previous_target_date",
            "previous_owner_person", "previous_owner_agency"} <= columns


@pytest.mark.parametrize("table, column, value", [
    ("minute_approvals", "approval_method", "'because I say so'"),
    ("minute_approvals", "approved_on", "'20/10/2026'"),
    ("case_exits", "exit_reason", "'bored'"),
    ("case_exits", "exit_date", "'yesterday'"),
])
def test_the_guards_refuse_what_the_declarations_forbid(session, table, column, value):
    store = session.store
    with store.transaction():
        store.db.execute("INSERT INTO cases (id, reference, full_name, created_at, updated_at) "
                         "VALUES (1, 'R', 'x', 'a', 'a')")
        store.db.execute("INSERT INTO meetings (id, case_id, created_at, updated_at) VALUES (1, 1, 'a', 'a')")
    rows = {"minute_approvals": ("meeting_id, approved_by, approved_as, approval_method, approved_on, recorded_at",
                                 ["1", "'DI Euan'", "'chair'", "'meeting'", "'2026-10-14'", "'a'"]),
            "case_exits": ("case_id, exit_date, exit_reason, recorded_at", ["1", "'2026-10-14'", "'died'", "'a'"])}
    columns, values = rows[table]
    values[[c.strip() for c in columns.split(",")].index(column)] = value
    with pytest.raises(ValidationError) as refused:
        with storage_errors():
            with store.db.atomic():
                store.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(values)})")
    assert refused.value.reason.endswith(".")
