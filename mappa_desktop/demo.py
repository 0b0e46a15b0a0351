"""Demo data: the fictional case of ``shared/domain/example-minute.md``.

Used for screenshots, printouts that look like the real thing, and tests that every kind
of content has a home. Entirely fictional.
"""

from __future__ import annotations

EXAMPLE_CASE = {
    "reference": "FS-2026-0147",
    "full_name": "Kenneth AIRD",
    "aliases": "Kenny Baird",
    "date_of_birth": "1981-03-19",
    "gender": "male",
    "address": "14/2 Carse View, Forthside FK9 9ZZ",
    "address_from": "2024-02-12",
    "pnc_number": "81/123456X",
    "visor_number": "V-0099-8812",
    "chs_number": "2019-04-55102",
    "ethnicity": "White Scottish",
    "nationality": "British",
    "first_language": "English",
    "interpreter_needed": 0,
    "disabilities": "Hearing impairment: uses a hearing aid; a hearing loop is needed.",
    "category": "1",
    "mappa_level": "2",
    "current_rosh": "high",
    "index_offence_date": "2019-05-03",
    "earliest_liberation_date": "2024-02-12",
    "licence_expiry_date": "2027-02-12",
    "sonr_start_date": "2019-11-05",
    "sonr_indefinite": 1,
    "lead_authority": "Forthside Council Justice Social Work Service",
    "lead_address": "2 Bridge Street, Forthside FK9 9AA",
    "lead_telephone": "01786 000 123",
    "lead_email": "jsw.mappa@forthside.example",
    "case_officer": "Siobhán Ní Bhriain",
    "lead_case_details": "Supervising officer for the licence; weekly supervision.",
    "next_review_date": "2026-10-14",
}

EXAMPLE_ORDERS = [
    {"order_type": "shpo", "granted_date": "2020-08-28", "expiry_date": "2030-08-28"},
]

EXAMPLE_PEOPLE = [
    ("DI Euan MacDhòmhnaill", "Police Scotland", "Detective Inspector, chair"),
    ("DS Fiona McLeish", "Police Scotland", "Offender management unit"),
    ("Siobhán Ní Bhriain", "Justice Social Work", "Supervising officer"),
    ("Aileen Docherty", "Registered social landlord", "Housing officer, Forth Valley Housing Association"),
    ("Dr Nguyễn Thị Lan", "NHS health board", "Forensic psychologist, NHS Forth Valley"),
    ("Grzegorz Wiśniewski", "Children's Services", "Team leader"),
    ("Ross Mackay", "DWP / Jobcentre Plus", "Work coach"),
    ("Karen Strachan", "Electronic monitoring provider", "Case manager"),
    ("Lorna Petrie", "MAPPA unit", "MAPPA co-ordinator"),
]


def add_example_case(store) -> int:
    """Add the example case and the people of the example meeting; returns the case id."""
    known = {p.name for p in store.directory.people(include_inactive=True)}
    for name, agency, role in EXAMPLE_PEOPLE:
        if name not in known:
            store.directory.save_person(name=name, agency=agency, role=role)
    return store.cases.create(EXAMPLE_CASE, EXAMPLE_ORDERS)
