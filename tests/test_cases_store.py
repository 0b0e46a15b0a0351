"""Cases in the store: every validation rule, search, archive, and the audit entries."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_desktop.cases import upcoming_dates, validate_case
from mappa_desktop.db.cases import match_expression
from mappa_desktop.db.errors import NotFound, ValidationError
from mappa_desktop.demo import EXAMPLE_CASE, EXAMPLE_ORDERS, add_example_case
from mappa_desktop.sonr import Disposal, propose

BASE = {"reference": "FS-1", "full_name": "Test PERSON", "category": "1", "mappa_level": "2"}
TODAY = date(2026, 11, 22)


def _refuses(store, field, values=None, orders=()):
    with pytest.raises(ValidationError) as info:
        store.cases.create({**BASE, **(values or {})}, list(orders))
    assert info.value.field == field, info.value.reason
    return info.value.reason


# -- validation rules, one each ----------------------------------------------------------------


@pytest.mark.parametrize("missing", ["reference", "full_name", "category", "mappa_level"])
def test_required_to_save(session, missing):
    reason = _refuses(session.store, missing, {missing: "   "})
    assert "needed" in reason


def test_date_of_birth_in_the_future_is_refused(session):
    assert "future" in _refuses(session.store, "date_of_birth", {"date_of_birth": "2999-01-01"})


def test_level_1_with_category_3_is_refused(session):
    reason = _refuses(session.store, "mappa_level", {"category": "3", "mappa_level": "1"})
    assert "Level 1 does not apply to category 3" in reason


def test_category_2_is_not_in_use_in_scotland(session):
    assert "cannot be chosen" in _refuses(session.store, "category", {"category": "2"})


def test_unknown_choice_is_refused(session):
    _refuses(session.store, "current_rosh", {"current_rosh": "extreme"})


def test_order_expiring_before_it_was_granted_is_refused(session):
    reason = _refuses(
        session.store,
        "orders.1.expiry_date",
        orders=[
            {"order_type": "shpo", "granted_date": "2020-01-01", "expiry_date": "2030-01-01"},
            {"order_type": "sro", "granted_date": "2024-05-01", "expiry_date": "2024-04-30"},
        ],
    )
    assert "cannot be before the date granted" in reason


def test_order_without_type_and_other_without_detail(session):
    _refuses(session.store, "orders.0.order_type", orders=[{"granted_date": "2020-01-01"}])
    _refuses(session.store, "orders.0.order_detail", orders=[{"order_type": "other"}])


def test_licence_expiry_before_liberation_is_refused(session):
    _refuses(
        session.store,
        "licence_expiry_date",
        {"earliest_liberation_date": "2024-02-12", "licence_expiry_date": "2023-02-12"},
    )


def test_sonr_expiry_before_start_and_indefinite_with_expiry(session):
    _refuses(session.store, "sonr_expiry_date", {"sonr_start_date": "2020-01-01", "sonr_expiry_date": "2019-01-01"})
    _refuses(session.store, "sonr_expiry_date", {"sonr_indefinite": 1, "sonr_expiry_date": "2030-01-01"})


def test_index_offence_in_future_or_before_birth(session):
    _refuses(session.store, "index_offence_date", {"index_offence_date": "2999-01-01"})
    _refuses(session.store, "index_offence_date", {"date_of_birth": "1990-01-01", "index_offence_date": "1980-01-01"})


def test_bad_email_and_not_a_date(session):
    _refuses(session.store, "lead_email", {"lead_email": "not an address"})
    _refuses(session.store, "date_of_birth", {"date_of_birth": "19/03/1981"})  # stored form is ISO


def test_duplicate_reference_is_refused(session):
    session.store.cases.create(BASE)
    assert "already has this reference" in _refuses(session.store, "reference")


def test_validate_case_reports_every_problem_at_once():
    problems = validate_case({"category": "3", "mappa_level": "1", "date_of_birth": "2999-01-01"}, [], TODAY)
    fields = [p.field for p in problems]
    assert {"reference", "full_name", "mappa_level", "date_of_birth"} <= set(fields)


# -- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["Kenneth", "aird", "Kenny", "baird", "kenny baird", "81/123456X", "81123456x", "123456",
     "V-0099-8812", "V00998812", "2019-04-55102", "FS-2026-0147", "fs-2026", "Kenn"],
)
def test_search_finds_the_example_case(session, query):
    case_id = add_example_case(session.store)
    session.store.cases.create(BASE)
    assert [r.id for r in session.store.cases.rows(search=query)] == [case_id]


def test_search_ignores_accents_and_finds_nothing_for_nonsense(session):
    session.store.cases.create({**BASE, "full_name": "Siobhán Ní Bhriain"})
    assert len(session.store.cases.rows(search="siobhan ni")) == 1
    assert session.store.cases.rows(search="zzzz") == []
    assert session.store.cases.rows(search="!!!") == []
    assert match_expression('" OR 1=1 --') is not None  # quotes never reach FTS unescaped
    session.store.cases.rows(search='" OR 1=1 -- "*')


def test_search_respects_filters_and_status(session):
    a = session.store.cases.create({**BASE, "reference": "A", "full_name": "Alex SMITH"})
    b = session.store.cases.create({**BASE, "reference": "B", "full_name": "Alex JONES", "category": "3", "mappa_level": "3"})
    assert {r.id for r in session.store.cases.rows(search="alex")} == {a, b}
    assert [r.id for r in session.store.cases.rows(search="alex", category="3")] == [b]
    assert [r.id for r in session.store.cases.rows(level="2")] == [a]
    session.store.cases.set_status(a, "archived")
    assert [r.id for r in session.store.cases.rows(search="alex")] == [b]
    assert [r.id for r in session.store.cases.rows(search="alex", status="archived")] == [a]
    assert {r.id for r in session.store.cases.rows(status=None)} == {a, b}


def test_update_reindexes_search(session):
    case_id = session.store.cases.create(BASE)
    values = {**session.store.cases.get(case_id, consult=False).values, "aliases": "Jimmy Two-Names"}
    assert session.store.cases.update(case_id, values, []) == ["aliases"]
    assert [r.id for r in session.store.cases.rows(search="jimmy")] == [case_id]
    assert session.store.cases.update(case_id, values, []) == []  # nothing changed


# -- audit -------------------------------------------------------------------------------------


def test_create_change_consult_archive_are_audited(session):
    store = session.store
    start = store.audit.count()
    case_id = add_example_case(store)
    people = len(store.directory.people())
    entries = store.audit.entries()[start + people :]
    # The case, then its conditions of licence and order (collected with it by the example).
    assert [(e.kind, e.record_type, e.record_id, e.detail) for e in entries] == [
        ("collection", "case", case_id, "created; 1 civil orders"),
        ("collection", "case", case_id, "conditions: 5 added, 0 changed, 0 removed")]
    store.cases.get(case_id)
    values = dict(store.cases.get(case_id, consult=False).values)
    values["address"] = "1 New Road"
    store.cases.update(case_id, values, EXAMPLE_ORDERS)
    store.cases.set_status(case_id, "archived")
    tail = store.audit.entries()[-3:]
    assert [(e.kind, e.record_type, e.record_id, e.detail) for e in tail] == [
        ("consultation", "case", case_id, "opened"),
        ("alteration", "case", case_id, "address"),
        ("alteration", "case", case_id, "status=archived"),
    ]
    assert all(e.user_id == session.user.id for e in tail)
    # No value reaches the audit detail.
    assert not any("New Road" in e.detail or "AIRD" in e.detail for e in store.audit.entries())
    assert store.audit.verify().ok


def test_a_refused_change_leaves_no_audit_entry(session):
    before = session.store.audit.count()
    with pytest.raises(ValidationError):
        session.store.cases.create({**BASE, "category": "3", "mappa_level": "1"})
    assert session.store.audit.count() == before


def test_missing_case(session):
    with pytest.raises(NotFound):
        session.store.cases.get(999)


# -- round trip ----------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, aliases=TEXT, address=TEXT, identifier=TEXT, note=TEXT)
def test_any_unicode_round_trips_exactly(session, name, aliases, address, identifier, note):
    store = session.store
    reference = f"R-{store.cases.count(status=None)}"
    values = {
        **BASE,
        "reference": reference,
        "full_name": name,
        "aliases": aliases,
        "address": address,
        "pnc_number": identifier,
        "disabilities": note,
        "lead_case_details": note + "\x00\x07" + name,
    }
    orders = [{"order_type": "other", "order_detail": note, "granted_date": "2020-02-29"}]
    case_id = store.cases.create(values, orders)
    case = store.cases.get(case_id, consult=False)
    for key, value in values.items():
        assert case.values[key] == value
    assert case.orders[0].order_detail == note


def test_ten_thousand_character_address_and_rtl_and_emoji_round_trip(session):
    address = ("14/2 Carse View, Forthside FK9 9ZZ; " * 300)[:10_000]
    name = "محمد الأحمد 😀 O'Neill-Ní Bhriain <b>Bold</b> &amp;"
    case_id = session.store.cases.create({**BASE, "full_name": name, "address": address})
    case = session.store.cases.get(case_id, consult=False)
    assert case.values["address"] == address and case.full_name == name
    assert [r.id for r in session.store.cases.rows(search="O'Neill")] == [case_id]
    assert [r.id for r in session.store.cases.rows(search="محمد")] == [case_id]


# -- helpers: key dates and SONR -------------------------------------------------------------------


def test_upcoming_dates_include_orders_and_recently_passed():
    values = {**EXAMPLE_CASE, "licence_expiry_date": "2026-12-01", "next_review_date": "2026-11-10"}
    orders = [{"order_type": "sro", "granted_date": "2024-01-01", "expiry_date": "2027-01-15"}]
    upcoming = upcoming_dates(values, orders, TODAY)
    assert [(u.what, u.days) for u in upcoming] == [
        ("Next review", -12),
        ("Licence expiry", 9),
        ("Sexual Risk Order (SRO) expiry", 54),
    ]


@pytest.mark.parametrize(
    "disposal, years, indefinite",
    [
        (Disposal(custody_months=30), None, True),
        (Disposal(lifelong_restriction=True), None, True),
        (Disposal(hospital_with_restriction=True), None, True),
        (Disposal(custody_months=29), 10, False),
        (Disposal(custody_months=7), 10, False),
        (Disposal(custody_months=6), 7, False),
        (Disposal(hospital_without_restriction=True), 7, False),
        (Disposal(), 5, False),
        (Disposal(custody_months=12, under_18=True), 5, False),
        (Disposal(under_18=True), 2.5, False),
    ],
)
def test_sonr_periods(disposal, years, indefinite):
    proposal = propose(date(2020, 2, 29), disposal)
    assert proposal.indefinite is indefinite
    assert proposal.years == years
    if years == 10:
        assert proposal.expiry == date(2030, 2, 28)  # 29 February has no match
    if years == 2.5:
        assert proposal.expiry == date(2022, 8, 29)


def test_store_uses_its_clock_for_today(data_paths):
    from mappa_desktop.db.session import create_store
    from mappa_desktop.security import TEST_KDF

    session = create_store(
        data_paths, name="A", agency="B", role="", passphrase="x" * 12, kdf=TEST_KDF,
        clock=lambda: datetime(2001, 1, 1, tzinfo=timezone.utc),
    )
    try:
        with pytest.raises(ValidationError):
            session.store.cases.create({**BASE, "date_of_birth": "2005-01-01"})
    finally:
        session.close()
