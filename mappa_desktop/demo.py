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


#: Conditions of the licence and of the SHPO (the plan's entries rest on them).
EXAMPLE_CONDITIONS = [
    {"source": "licence", "source_detail": "condition 2",
     "condition_text": "Reside at 14/2 Carse View, Forthside, or another address approved by the supervising officer.",
     "from_date": "2024-02-12", "until_date": "2027-02-12"},
    {"source": "licence", "source_detail": "condition 3",
     "condition_text": "Report to the supervising officer as directed and attend supervision.",
     "from_date": "2024-02-12", "until_date": "2027-02-12"},
    {"source": "licence", "source_detail": "condition 6",
     "condition_text": "Not to enter the exclusion zone around the victim's home, as shown on the licence map.",
     "from_date": "2024-02-12", "until_date": "2027-02-12"},
    {"source": "shpo", "source_detail": "prohibition 1",
     "condition_text": "No unsupervised contact with any child under 16, other than inadvertent contact in daily life.",
     "from_date": "2020-08-28", "until_date": "2030-08-28"},
    {"source": "shpo", "source_detail": "prohibition 3",
     "condition_text": "Declare any device able to reach the internet within 3 days and allow the police to examine it.",
     "from_date": "2020-08-28", "until_date": "2030-08-28"},
]


def add_example_case(store) -> int:
    """Add the example case, its conditions and the people of the example meeting; returns
    the case id."""
    known = {p.name for p in store.directory.people(include_inactive=True)}
    for name, agency, role in EXAMPLE_PEOPLE:
        if name not in known:
            store.directory.save_person(name=name, agency=agency, role=role)
    case_id = store.cases.create(EXAMPLE_CASE, EXAMPLE_ORDERS)
    store.conditions.save(case_id, EXAMPLE_CONDITIONS)
    return case_id


#: The risk management plan agreed at the October review: (pillar, values, condition index).
EXAMPLE_PLAN = [
    ("supervision", {"what": "Supervision with the supervising officer; the hearing loop is used.",
                     "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work",
                     "frequency": "Weekly", "start_date": "2024-02-12", "end_date": "2027-02-12"}, 1),
    ("monitoring", {"what": "Unannounced home visits: address, compliance and anyone living there.",
                    "owner_person": "DS Fiona McLeish", "owner_agency": "Police Scotland",
                    "frequency": "Monthly, unannounced", "start_date": "2024-02-12"}, 0),
    ("monitoring", {"what": "Examine every declared device.", "owner_person": "DS Fiona McLeish",
                    "owner_agency": "Police Scotland", "frequency": "On declaration and at home visits",
                    "start_date": "2020-08-28"}, 4),
    ("interventions", {"what": "Moving Forward Making Changes programme to completion (session 14 of 26).",
                       "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work",
                       "frequency": "Weekly sessions", "end_date": "2027-04-30"}, None),
    ("interventions", {"what": "Offer referral to the community alcohol service again.",
                       "owner_person": "Dr Nguyễn Thị Lan", "owner_agency": "NHS health board",
                       "frequency": "At each GP review"}, None),
    ("victim_safety", {"what": "Disclosure of his conviction to his new partner, to protect her children.",
                       "owner_person": "DS Fiona McLeish", "owner_agency": "Police Scotland",
                       "start_date": "2026-10-16", "end_date": "2026-10-16"}, None),
    ("victim_safety", {"what": "Exclusion zone around the original victim's home stays; the victim information "
                               "scheme is kept up to date.", "owner_agency": "Police Scotland",
                       "frequency": "Checked at each home visit"}, 2),
    ("contingency", {"trigger_event": "Any unsupervised contact with children",
                     "what": "Immediate police contact; recall considered the same day.",
                     "owner_person": "DS Fiona McLeish", "owner_agency": "Police Scotland"}, 3),
    ("contingency", {"trigger_event": "Failure to attend supervision",
                     "what": "The supervising officer tells the police duty inspector the same day; recall considered.",
                     "owner_person": "Siobhán Ní Bhriain", "owner_agency": "Justice Social Work"}, 1),
]


def add_example_plan(store, meeting_id: int, reason: str = "Agreed at this meeting.") -> list[int]:
    """The example's risk management plan, added at the meeting; returns the entry ids."""
    case = store.cases.get(store.minutes.get(meeting_id, consult=False, with_actions=False).case_id, consult=False)
    ids = []
    for pillar, values, condition in EXAMPLE_PLAN:
        link = {"condition_uid": case.conditions[condition].uid} if condition is not None and case.conditions else {}
        ids.append(store.plan.add_entry(meeting_id, pillar, {**values, **link, "rationale": reason}))
    return ids


ATTENDANCE = [
    ("DI Euan MacDhòmhnaill", "Police Scotland", "Chair", "present", ""),
    ("DS Fiona McLeish", "Police Scotland", "Offender management unit", "present", ""),
    ("Siobhán Ní Bhriain", "Justice Social Work", "Supervising officer", "present", ""),
    ("Aileen Docherty", "Registered social landlord", "Forth Valley Housing Association", "present", ""),
    ("Dr Nguyễn Thị Lan", "NHS health board", "Forensic psychology, NHS Forth Valley", "present", "from 10:25"),
    ("Grzegorz Wiśniewski", "Children's Services", "Forthside Children's Services", "present", ""),
    ("Ross Mackay", "DWP / Jobcentre Plus", "Work coach", "apologies", ""),
    ("Karen Strachan", "Electronic monitoring provider", "Case manager", "did_not_attend", ""),
]

REVIEW_FIELDS = {
    "confidentiality": {"confidentiality_agreed": 1, "confidentiality_time": "10:02",
                        "confidentiality_reaffirmed": "Re-affirmed at 10:25 when Dr Nguyễn joined."},
    "purpose": {"purpose_notes": "Scheduled review of the risk management plan; new relationship disclosed to police."},
    "meeting_details": {"location": "Forthside MAPPA Unit, conference room 2",
                        "chair": "DI Euan MacDhòmhnaill", "minute_taker": "Lorna Petrie"},
    "risk_assessment": {"risk_assessment": "Risk Matrix 2000: high. Stable 2007: moderate. Dynamic factors have worsened: the new relationship gives potential access to children; alcohol use is rising."},
    "rosh": {"agreed_rosh": "high", "rosh_to_whom": "Children",
             "rosh_rationale": "Identifiable indicators (access to children, alcohol, minimising) mean harm could happen at any time, with a serious impact."},
    "risk_management": {"risk_management": "Supervision stays weekly; police home visits monthly, unannounced; device checks continue; programme to be completed; alcohol referral to be offered again."},
    "contingency": {"contingency": "Any unsupervised contact with children, breach of the SHPO, or failure to attend supervision: immediate police contact and consideration of recall. Out-of-hours number for the supervising officer given to the police duty inspector."},
    "mappa_level": {"level_discussion": "The plan needs several agencies but no resources beyond level 2.",
                    "level_decision": "stays", "new_level": "2",
                    "level_rationale": "Several agencies are actively involved; no senior or unusual resources are needed."},
    "diversity": {"diversity_offender": "Hearing impairment: supervision and disclosure meetings to use the hearing loop. No issues of gender, age, sexuality, race or religion identified that affect the assessment or the plan.",
                  "diversity_victims": "None identified for the partner's children that affect the assessment or the plan."},
    "victims": {"victim_issues": "The original victim lives outside the area; victim information scheme up to date; the exclusion zone condition stays."},
    "dissent": {"dissent": "Housing asked the meeting to consider a move away from a primary school; the meeting did not agree (no evidence of a link to the school; the SHPO already covers it). Housing's view recorded."},
    "chair_summary": {"chair_summary": "Risk remains high to children; level 2 continues; disclosure to the new partner agreed; review in three months or sooner."},
    "next_review": {"next_review_date": "2027-01-13", "next_review_notes": "Sooner if the relationship changes or any breach."},
}

AGENCY_UPDATES = [
    ("Police Scotland", "DS Fiona McLeish", "Unannounced home visit 02/10/2026, address compliant. New mobile phone declared 20/09 and examined 02/10; no concerns found. He has told police of a new relationship with a woman who has two children aged 6 and 9."),
    ("Justice Social Work", "Siobhán Ní Bhriain", "Weekly supervision kept. Attending the Moving Forward Making Changes programme, session 14 of 26; engaging but minimises his offending. Licence conditions met."),
    ("Registered social landlord", "Aileen Docherty", "Tenancy stable. One neighbour complaint about noise (08/2026), resolved."),
    ("NHS health board", "Dr Nguyễn Thị Lan", "GP reports raised alcohol use since the summer; referral to the community alcohol service offered and declined."),
    ("Children's Services", "Grzegorz Wiśniewski", "The partner's children are not known to the service."),
]

DOCUMENTS = ["Minute of 15/07/2026", "Action register", "Risk Matrix 2000 and Stable 2007 assessments (09/2026)",
             "Police, justice social work and housing update reports", "Current risk management plan"]

DISCLOSURE = {"disclosure_needed": 1, "reason": "To protect the new partner's children: she is to be told of his conviction.",
              "disclosure_date": "2026-10-16", "recipient": "Ms Joanne Reid", "decided_by": "DI Euan MacDhòmhnaill",
              "disclosed_by": "DS Fiona McLeish and Siobhán Ní Bhriain"}

OLD_ACTIONS = [
    ("Examine newly declared devices", "DS Fiona McLeish", "Police Scotland", "2026-10-31", "done", "2026-10-02", "No concerns."),
    ("Confirm programme attendance with provider", "Siobhán Ní Bhriain", "Justice Social Work", "2026-09-30", "done", "2026-09-25", "Attending, session 14."),
    ("Offer alcohol service referral", "Dr Nguyễn Thị Lan", "NHS health board", "2026-08-31", "carried", None, "Offered, declined; carried forward."),
]
#: The new target date of the action carried forward at the October review.
CARRIED_TO = "2026-11-30"
NEW_ACTIONS = [
    ("Disclosure to Ms Reid", "DS Fiona McLeish", "Police Scotland", "2026-10-16"),
    ("Check partner's children's school and home against SHPO terms", "Grzegorz Wiśniewski", "Children's Services", "2026-10-28"),
    ("Update the risk management plan with today's decisions", "Siobhán Ní Bhriain", "Justice Social Work", "2026-10-21"),
    ("Chase the electronic monitoring provider's report", "Lorna Petrie", "MAPPA unit", "2026-10-21"),
]


def add_example_meetings(store, case_id: int, *, review_outcomes: bool = True) -> tuple[int, int]:
    """The July meeting (with actions 1 to 3) and the October review of the example minute.
    Returns (first meeting id, review meeting id); neither is finalised."""
    first = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2026-07-15",
                                           "meeting_time": "10:00", "location": "Forthside MAPPA Unit"})
    store.minutes.save_rows(first, "attendance", [
        {"name": n, "agency": a, "role": r, "status": "present"} for n, a, r, _s, _note in ATTENDANCE[:6]])
    old = [store.minutes.raise_action(first, {"action_text": t, "owner_person": p, "owner_agency": g, "target_date": d})
           for t, p, g, d, *_ in OLD_ACTIONS]
    review = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2026-10-14", "meeting_time": "10:00"})
    for section, values in REVIEW_FIELDS.items():
        store.minutes.save_fields(review, section, values)
    store.minutes.save_rows(review, "attendance", [
        {"name": n, "agency": a, "role": r, "status": s, "attendance_note": note or None} for n, a, r, s, note in ATTENDANCE])
    store.minutes.save_rows(review, "documents", [{"title": t} for t in DOCUMENTS])
    store.minutes.save_rows(review, "agency_updates", [
        {"agency": a, "briefer": b, "update_text": u} for a, b, u in AGENCY_UPDATES])
    store.minutes.save_rows(review, "disclosure", [DISCLOSURE])
    if review_outcomes:
        for action_id, (*_terms, status, completed, outcome) in zip(old, OLD_ACTIONS):
            if status == "carried":
                store.actions.carry(action_id, target_date=CARRIED_TO, reason=outcome, meeting_id=review)
            else:
                store.actions.set_state(action_id, status=status, completed_date=completed, outcome=outcome,
                                        meeting_id=review)
    for text, person, agency, target in NEW_ACTIONS:
        store.minutes.raise_action(review, {"action_text": text, "owner_person": person, "owner_agency": agency, "target_date": target})
    add_example_plan(store, review)
    return first, review
