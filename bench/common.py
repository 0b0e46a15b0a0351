"""Shared pieces of the benchmarks: a generated store of an area's ten years of work.

Benchmarks are scripts, not tests: they print figures to compare with DESIGN.md section 4.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF

FIRST = ["Kenneth", "Mairi", "Siobhán", "Grzegorz", "Thanh", "Aileen", "Euan", "Łukasz", "Fiona",
         "Ross", "Karen", "Donnchadh", "Agnieszka", "Niamh", "Iain", "Bogdan", "Lan", "Callum",
         "Eilidh", "Tomasz", "Ruairidh", "Olena", "Dmitri", "Yiannis", "Hamish", "Catriona"]
LAST = ["AIRD", "MACLEOD", "NÍ BHRIAIN", "WIŚNIEWSKI", "NGUYỄN", "DOCHERTY", "MACDHÒMHNAILL",
        "NOWAK", "MCLEISH", "MACKAY", "STRACHAN", "Ó SÚILLEABHÁIN", "KOWALSKA", "PETRIE",
        "CAMPBELL", "KOVALENKO", "TRẦN", "STEWART", "PAPADOPOULOS", "FRASER", "ROBERTSON"]
STREETS = ["Carse View", "Bridge Street", "Station Road", "Wallace Crescent", "Abbey Road",
           "Craigs Court", "Forth Place", "Kings Park Avenue"]


def timed(fn, repeat: int) -> list[float]:
    """Milliseconds per call, ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return (f"p50 {statistics.median(samples):.2f} ms, p99 {p99:.2f} ms, "
            f"max {samples[-1]:.2f} ms (n={len(samples)})")


def case_values(rng: random.Random, index: int) -> tuple[dict, list[dict]]:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
    offence = born + timedelta(days=rng.randrange(365 * 18, 365 * 40))
    category = rng.choice(["1", "1", "1", "restricted_patient", "3"])
    level = rng.choice(["2", "3"] if category == "3" else ["1", "2", "2", "3"])
    values = {
        "reference": f"FS-{2016 + index % 10}-{index:04d}",
        "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "aliases": "\n".join(f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randrange(0, 3))),
        "date_of_birth": born.isoformat(),
        "gender": rng.choice(["male", "male", "male", "female"]),
        "address": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}, Forthside FK{rng.randrange(1, 20)} {rng.randrange(1, 9)}ZZ",
        "pnc_number": f"{rng.randrange(50, 99)}/{rng.randrange(100000, 999999)}{rng.choice('ABCDEFX')}",
        "visor_number": f"V-{rng.randrange(1000, 9999):04d}-{rng.randrange(1000, 9999)}",
        "chs_number": f"{rng.randrange(2000, 2026)}-{rng.randrange(10, 99)}-{rng.randrange(10000, 99999)}",
        "category": category,
        "mappa_level": level,
        "current_rosh": rng.choice(["very_high", "high", "medium", "low"]),
        "index_offence_date": offence.isoformat() if offence < date(2026, 1, 1) else None,
        "lead_authority": rng.choice(["Police Scotland", "Forthside Council Justice Social Work Service"]),
        "case_officer": f"{rng.choice(FIRST)} {rng.choice(LAST).title()}",
        "next_review_date": (date(2026, 6, 1) + timedelta(days=rng.randrange(0, 365))).isoformat(),
    }
    orders = [{"order_type": "shpo", "granted_date": "2020-08-28", "expiry_date": "2030-08-28"}] if rng.random() < 0.3 else []
    return values, orders


def generated_store(cases: int = 1000, seed: int = 7, folder: Path | None = None):
    """A new store with ``cases`` generated cases; returns the open session. A temporary
    folder (when none is given) is removed when the process ends."""
    if folder is None:
        import atexit
        import shutil

        folder = Path(tempfile.mkdtemp(prefix="mappa-bench-"))
        atexit.register(shutil.rmtree, folder, True)
    folder = Path(folder)
    session = create_store(DataPaths(folder), name="Bench Mark", agency="MAPPA unit", role="",
                           passphrase="bench mark passphrase", kdf=TEST_KDF)
    rng = random.Random(seed)
    store = session.store
    with store.transaction():
        for index in range(cases):
            values, orders = case_values(rng, index)
            store.cases.create(values, orders)
    return session


# -- years of an area's work ------------------------------------------------------------------
#
# Per year of work: 100 cases, 1,200 meetings, 6,000 actions; so ten years is 1,000 cases,
# 12,000 meetings and 60,000 actions. At every size one case has 40 meetings (the case the
# benchmarks open), so that a figure that grows from one to ten years grew with the store,
# not with the case. Realistic prose in every long field, attendance, agency updates,
# documents and a disclosure decision per meeting, actions reviewed at the next meeting,
# every meeting but the last of a case finalised (with its snapshot). Written through the
# store's own methods, as the app writes, inside large transactions. Generating ten years
# takes about 8 minutes, so each size is kept under bench/out/ keyed by STORE_VERSION, the
# years and the schema's migrations; benchmarks work on a copy of it.

STORE_VERSION = "years-3"  # 2: referral dates, reports of those absent, search index; 3: carries, approvals
YEARS = (1, 3, 10)
CASES_PER_YEAR = 100
MEETINGS_PER_YEAR = 1_200
ACTIONS_PER_YEAR = 6_000
TEN_YEARS_CASES = 10 * CASES_PER_YEAR
TEN_YEARS_MEETINGS = 10 * MEETINGS_PER_YEAR
TEN_YEARS_ACTIONS = 10 * ACTIONS_PER_YEAR
BIG_CASE_MEETINGS = 40
BENCH_NAME = "Bench Mark"
BENCH_PASSPHRASE = "bench mark passphrase"
OUT = Path(__file__).resolve().parent / "out"

AGENCY_STAFF = {
    "Police Scotland": ["DI Euan MacDhòmhnaill", "DS Fiona McLeish", "DC Tomasz Nowak", "DS Mairi Campbell",
                        "DI Hamish Fraser", "PC Agnieszka Kowalska"],
    "Justice Social Work": ["Siobhán Ní Bhriain", "Callum Stewart", "Eilidh Robertson", "Olena Kovalenko",
                            "Ruairidh MacLeod"],
    "Scottish Prison Service": ["Iain Petrie", "Catriona Mackay"],
    "NHS health board": ["Dr Nguyễn Thị Lan", "Dr Yiannis Papadopoulos", "Niamh Ó Súilleabháin"],
    "Children's Services": ["Grzegorz Wiśniewski", "Karen Docherty", "Łukasz Nowak"],
    "Local authority housing": ["Aileen Docherty", "Bogdan Kowalski"],
    "Registered social landlord": ["Donnchadh Stewart", "Fiona Trần"],
    "DWP / Jobcentre Plus": ["Ross Mackay"],
    "Electronic monitoring provider": ["Karen Strachan"],
    "MAPPA unit": ["Lorna Petrie", "Dmitri Fraser"],
}
CHAIRS = AGENCY_STAFF["Police Scotland"][:2] + AGENCY_STAFF["Justice Social Work"][:1]

_ASSESSMENT = [
    "Risk Matrix 2000 places him in the {band} band; the Stable 2007 score is {score}, unchanged since {date}.",
    "{person} ({agency}) reported that he has been compliant with the notification requirements and attended every supervision appointment since the last meeting.",
    "The dynamic factors were discussed in turn: intimacy deficits, sexual self-regulation, general self-regulation and co-operation with supervision.",
    "His account of the index offence still minimises his responsibility; he describes the victim as having 'led him on', which the meeting noted with concern.",
    "Alcohol use has {trend} since the summer and the GP has recorded two presentations linked to drinking.",
    "He disclosed a new relationship on {date}; the partner has {kids} and the police are checking whether the children live at her address.",
    "The forensic psychologist's report of {date} concludes that the risk is greatest when he is isolated, unemployed and drinking, and that all three are present now.",
    "There is no evidence of contact with the original victim or her family, and the exclusion zone has not been breached according to the monitoring data.",
    "The meeting considered the protective factors: stable accommodation, a supportive sister who knows about the offending, and steady engagement with the programme.",
    "Device examination on {date} found no indecent material, but a second phone was not declared for three weeks, which he put down to forgetting.",
    "Housing reported two anonymous complaints from neighbours about young people visiting the flat; the police visited unannounced and found nothing of concern.",
    "His health has deteriorated: he is awaiting a cardiology appointment and says that low mood makes it harder for him to attend groupwork.",
    "The case was assessed against the Risk of Serious Harm definitions; the identifiable indicators are access to children through the new relationship and rising alcohol use.",
    "Information from the Scottish Prison Service shows that he completed the Moving Forward Making Changes programme in custody but the post-programme report was qualified.",
    "Supervision notes from {person} describe him as superficially compliant, quick to agree and slow to act, and guarded about how he spends his evenings.",
    "No further offending or police intelligence has been recorded since the last review; one traffic matter on {date} is not linked to the risk.",
    "The meeting agreed that the risk is imminent in some circumstances, in particular unsupervised contact with children or a relapse into heavy drinking.",
    "The victim liaison officer confirmed that the victim's family have asked to be told of any change of address and of the end of the licence.",
]
_MANAGEMENT = [
    "Supervision stays weekly with {person}, with a home visit at least once a month and unannounced visits by the police offender management unit.",
    "Monitoring: notification checks every three months, device examination on request, and the SHPO prohibitions reviewed with him at every supervision session.",
    "Interventions: he completes the community groupwork programme (session {n} of 26) and is offered a referral to the community alcohol service again.",
    "Victim safety: the exclusion zone and the no-contact condition stay; the victim information scheme is kept up to date by the MAPPA unit.",
    "{agency} will share any intelligence about the new partner's address with Children's Services within one working day.",
    "Housing will not offer a move near a primary school or a play park, and will tell the MAPPA co-ordinator of any application to transfer.",
    "The electronic monitoring provider will report any curfew violation to the supervising officer the next working day and to the police at once if it is after hours.",
    "He is to tell his supervising officer of any new relationship, any contact with children, and any change of employment or vehicle, in advance where he can.",
    "The police will carry out a home visit within two weeks to check the second mobile phone and to speak to him about the declared relationship.",
    "{person} will ask the GP for consent to share health information relevant to the risk, in particular about alcohol use and mental health.",
    "Employability support through the work coach continues; no employment with access to children or vulnerable adults will be agreed without a MAPPA discussion.",
    "The plan is reviewed in {months} months or sooner if the relationship changes, a breach is suspected or new information comes to light.",
    "A joint visit by police and justice social work will take place before any disclosure is made, so that he hears the decision from both agencies together.",
    "The supervising officer will complete a new Stable and Acute 2007 assessment before the next meeting and circulate it a week in advance.",
    "The meeting agreed that no additional resources beyond those of the lead agencies are needed to carry out the plan at present.",
]
_CONTINGENCY = [
    "Any unsupervised contact with children: immediate police contact, and the supervising officer to consider recall the same day.",
    "Failure to attend two supervision appointments in a row: the supervising officer to issue a formal warning and to call an early review.",
    "A breach of the SHPO or of the notification requirements: the police to arrest where there is evidence and to tell the MAPPA co-ordinator within 24 hours.",
    "If he is admitted to hospital, the ward will be told of the risk through the NHS MAPPA contact, and the discharge plan will come back to this meeting.",
    "Loss of accommodation: housing to offer emergency accommodation that meets the restrictions agreed today, never a shared hostel with families.",
    "Out of hours, the police duty inspector holds the contingency plan and the supervising officer's number; {person} has briefed the duty team.",
    "Signs that the risk is rising include drinking during the day, missing appointments, secrecy about his phone and new contact with young people online.",
    "If the partner ends the relationship or the children move in, Children's Services will call a child protection planning meeting and tell this meeting.",
    "Any report of grooming behaviour, online or in person, is passed to the police offender management unit the same day, and devices are seized where lawful.",
    "Should he abscond, the police will circulate him as wanted on the licence and tell the victim liaison officer so that the family can be warned.",
    "If the curfew equipment fails or is tampered with, the provider will tell the police at once and the supervising officer the next morning.",
    "The MAPPA co-ordinator will convene an emergency meeting within five working days of any serious incident or breach.",
]
_SHORT = {
    "purpose_notes": ["Scheduled review of the risk management plan.", "Early review called after new information from the police.",
                      "Initial meeting following release on licence.", "Review brought forward because of a change in circumstances."],
    "rosh_rationale": ["The identifiable indicators ({why}) mean serious harm could happen at any time, with a serious impact.",
                       "There are identifiable indicators of serious harm; he has the potential to cause it, but it is unlikely unless circumstances change.",
                       "Current factors indicate no likelihood of causing serious harm while the plan holds.",
                       "Serious harm is judged imminent in the circumstances described: {why}."],
    "level_discussion": ["The plan needs several agencies working together but no resources beyond level 2.",
                         "One lead agency can manage the risk; other agencies are informed but not actively involved.",
                         "Senior management oversight is needed to commit the resources the plan requires."],
    "level_rationale": ["Several agencies are actively involved; no senior or unusual resources are needed.",
                        "The plan can be delivered by the lead agency with others informed.",
                        "The risk needs resources only available with senior oversight."],
    "diversity_offender": ["Hearing impairment: the hearing loop is used at supervision. No other issues of gender, age, sexuality, race or religion affect the assessment or the plan.",
                           "English is his second language; an interpreter is booked for disclosure and supervision meetings.",
                           "No diversity issues identified that affect the assessment or the management of the risk."],
    "diversity_victims": ["None identified that affect the assessment or the plan.",
                          "The potential victims are young children; their age is the main factor in the plan.",
                          "The victim's family are Polish speakers: information will be given in Polish through the victim liaison officer."],
    "victim_issues": ["The original victim lives outside the area; the victim information scheme is up to date; the exclusion zone stays.",
                      "No known victims in the area. Potential victims: children of any new partner.",
                      "The victim's family asked to be told of any change of address; the MAPPA unit will do so."],
    "dissent": ["None.", "Housing asked the meeting to consider a move; the meeting did not agree. Housing's view recorded.",
                "Health disagreed with the level decision, preferring level 1; the chair recorded the dissent."],
    "chair_summary": ["Risk remains {rosh}; level {level} continues; review in three months or sooner.",
                      "Level changed to {level}; risk of serious harm {rosh}; the plan was agreed with the actions below."],
}
_UPDATES = [
    "Unannounced home visit on {date}, address compliant. {sentence}",
    "Supervision kept weekly. {sentence} Licence conditions met.",
    "Tenancy stable. {sentence}",
    "GP reports no new concerns. {sentence}",
    "{sentence} No further information to add.",
]
_DOCUMENTS = ["Minute of the previous meeting", "Action register", "Risk Matrix 2000 and Stable 2007 assessments",
              "Police, justice social work and housing update reports", "Current risk management plan",
              "Psychology report", "Victim liaison report"]
_ACTIONS = [
    "Examine newly declared devices", "Confirm programme attendance with the provider", "Offer the alcohol service referral again",
    "Check the partner's children's school and home against the SHPO", "Update the risk management plan with today's decisions",
    "Chase the electronic monitoring provider's report", "Complete Stable and Acute 2007 before the next meeting",
    "Tell the victim liaison officer of the decisions", "Arrange a joint home visit", "Ask the GP for consent to share information",
    "Review the tenancy and any transfer application", "Carry out the agreed disclosure and record it",
]
_OUTCOMES = ["Done; no concerns.", "Completed, report circulated.", "Done as agreed.", "Completed late; no impact on the plan.",
             "Done: see the agency update."]


class _Prose:
    """Sentences for the long fields, with names, dates and numbers varied."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people = [(p, a) for a, names in AGENCY_STAFF.items() for p in names]

    def _fill(self, template: str, when: date) -> str:
        rng = self.rng
        person, agency = rng.choice(self.people)
        return template.format(
            band=rng.choice(["high", "very high", "medium"]), score=rng.randrange(2, 12),
            date=(when - timedelta(days=rng.randrange(5, 200))).strftime("%d/%m/%Y"),
            person=person, agency=agency, trend=rng.choice(["increased", "decreased", "not changed"]),
            kids=rng.choice(["two children aged 6 and 9", "a daughter of 12", "no children"]),
            n=rng.randrange(1, 27), months=rng.choice([3, 4, 6]),
            why=rng.choice(["access to children", "alcohol", "minimising", "isolation"]),
            rosh=rng.choice(["high", "medium", "very high"]), level=rng.choice("123"),
            sentence=self._fill(rng.choice(_ASSESSMENT), when) if "{sentence}" in template else "",
        )

    def paragraphs(self, bank: list[str], words: int, when: date) -> str:
        """About ``words`` words from ``bank``, in paragraphs of three to five sentences."""
        out, count, paragraph = [], 0, []
        while count < words:
            sentence = self._fill(self.rng.choice(bank), when)
            paragraph.append(sentence)
            count += len(sentence.split())
            if len(paragraph) >= self.rng.randrange(3, 6):
                out.append(" ".join(paragraph))
                paragraph = []
        if paragraph:
            out.append(" ".join(paragraph))
        return "\n\n".join(out)

    def short(self, key: str, when: date) -> str:
        return self._fill(self.rng.choice(_SHORT[key]), when)


def _spread(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """``parts`` integers in [low, high] that add up to ``total``."""
    counts = [rng.randrange(low, high + 1) for _ in range(parts)]
    while (diff := total - sum(counts)) != 0:
        i = rng.randrange(parts)
        step = 1 if diff > 0 else -1
        if low <= counts[i] + step <= high:
            counts[i] += step
    return counts


def store_key(years: int = 10) -> str:
    """The generator's version, the years and a digest of the schema's migrations (their
    source, since a migration edited in place changes the schema without a new name)."""
    import hashlib

    from mappa_desktop.db import migrations

    schema = hashlib.sha256(Path(migrations.__file__).read_bytes()).hexdigest()[:8]
    return f"{STORE_VERSION}-{years}y-{schema}"


def years_folder(years: int = 10) -> Path:
    return OUT / store_key(years)


def generate_years(folder: Path, years: int = 10, seed: int = 11, progress=print) -> dict:
    """Write a store of ``years`` years of work into ``folder`` (which must not hold a
    store); returns its facts (ids of the big case and of the meetings the benchmarks use)."""
    cases, meetings, actions = years * CASES_PER_YEAR, years * MEETINGS_PER_YEAR, years * ACTIONS_PER_YEAR
    rng = random.Random(seed)
    prose = _Prose(rng)
    session = create_store(DataPaths(folder), name=BENCH_NAME, agency="MAPPA unit", role="",
                           passphrase=BENCH_PASSPHRASE, kdf=TEST_KDF)
    store = session.store
    started = time.perf_counter()
    with store.transaction():
        for agency, names in AGENCY_STAFF.items():
            for name in names:
                store.directory.save_person(name=name, agency=agency, role="")
        case_ids = []
        for index in range(cases):
            values, orders = case_values(rng, index)
            case_ids.append(store.cases.create(values, orders))
    per_case = [BIG_CASE_MEETINGS] + _spread(rng, meetings - BIG_CASE_MEETINGS, cases - 1, 2, 22)
    actions_per_meeting = _spread(rng, actions, meetings, 2, 8)
    facts = {"years": years, "cases": cases, "big_case": case_ids[0], "draft_meetings": [], "meetings": 0,
             "actions": 0}
    meeting_index = 0
    for batch_start in range(0, len(case_ids), 25):
        with store.transaction():
            for case_id, count in list(zip(case_ids, per_case))[batch_start:batch_start + 25]:
                last = _generate_case_meetings(store, rng, prose, case_id, count,
                                               actions_per_meeting[meeting_index:meeting_index + count], facts)
                meeting_index += count
                facts["draft_meetings"].append(last)
        store.search.catch_up()  # as the app does at a pause (and before any search)
        done = min(batch_start + 25, len(case_ids))
        elapsed = time.perf_counter() - started
        progress(f"  {done:4d}/{len(case_ids)} cases, {facts['meetings']:5d} meetings, "
                 f"{facts['actions']:5d} actions, {elapsed:5.0f} s")
    facts["big_meeting"] = facts["draft_meetings"][0]
    facts["seconds"] = round(time.perf_counter() - started, 1)
    session.close()
    return facts


def _generate_case_meetings(store, rng, prose: _Prose, case_id: int, count: int,
                            actions: list[int], facts: dict) -> int:
    """A case's meetings, oldest first; every one but the last finalised. Returns the last."""
    when = date(2016, 1, 4) + timedelta(days=rng.randrange(0, 365 * 10 - 95 * count if count < 38 else 60))
    team = {a: rng.choice(names) for a, names in AGENCY_STAFF.items()}
    # Referred 10 to 45 days before the first meeting: some initial meetings are late.
    case = store.cases.get(case_id, consult=False)
    store.cases.update(case_id, dict(case.values, referral_date=(when - timedelta(days=rng.randrange(10, 46))).isoformat()),
                       [o.as_values() for o in case.orders])
    chair = rng.choice(CHAIRS)
    open_actions: list[int] = []
    meeting_id = 0
    for number in range(count):
        meeting_id = store.minutes.create(case_id, {
            "meeting_type": "initial" if number == 0 else "review",
            "meeting_date": when.isoformat(), "meeting_time": rng.choice(["09:30", "10:00", "14:00"]),
            "location": "Forthside MAPPA Unit, conference room 2", "chair": chair, "minute_taker": "Lorna Petrie",
        })
        rosh = rng.choice(["very_high", "high", "high", "medium", "low"])
        level = rng.choice("1223")
        fields = {
            "confidentiality": {"confidentiality_agreed": 1, "confidentiality_time": "10:02"},
            "purpose": {"purpose_notes": prose.short("purpose_notes", when)},
            "risk_assessment": {"risk_assessment": prose.paragraphs(_ASSESSMENT, rng.randrange(250, 450), when)},
            "rosh": {"agreed_rosh": rosh, "rosh_to_whom": rng.choice(["Children", "Known adult", "Public"]),
                     "rosh_rationale": prose.paragraphs(_SHORT["rosh_rationale"] + _ASSESSMENT[:4], 70, when)},
            "risk_management": {"risk_management": prose.paragraphs(_MANAGEMENT, rng.randrange(250, 450), when)},
            "contingency": {"contingency": prose.paragraphs(_CONTINGENCY, rng.randrange(200, 400), when)},
            "mappa_level": {"level_discussion": prose.paragraphs(_SHORT["level_discussion"] + _MANAGEMENT[-3:], 80, when),
                            "level_decision": rng.choice(["stays", "stays", "up", "down"]), "new_level": level,
                            "level_rationale": prose.short("level_rationale", when)},
            "diversity": {"diversity_offender": prose.short("diversity_offender", when),
                          "diversity_victims": prose.short("diversity_victims", when)},
            "victims": {"victim_issues": prose.paragraphs(_SHORT["victim_issues"], 60, when)},
            "dissent": {"dissent": prose.short("dissent", when)},
            "chair_summary": {"chair_summary": prose.paragraphs(_SHORT["chair_summary"] + _MANAGEMENT[-4:], 60, when)},
            "next_review": {"next_review_date": (when + timedelta(days=91)).isoformat(),
                            "next_review_notes": "Sooner if the relationship changes or any breach."},
        }
        for section, values in fields.items():
            store.minutes.save_fields(meeting_id, section, values)
        attending = rng.sample(sorted(team), rng.randrange(6, 11))
        attendance = [{"name": team[a], "agency": a, "role": "", "status": rng.choice(["present"] * 8 + ["apologies", "did_not_attend"])}
                      for a in attending]
        attendance[0]["status"] = "present"
        for person in attendance:
            if person["status"] != "present":
                person["report_received"] = int(rng.random() < 0.6)
        store.minutes.save_rows(meeting_id, "attendance", attendance)
        store.minutes.save_rows(meeting_id, "agency_updates", [
            {"agency": a, "briefer": team[a], "update_text": prose.paragraphs(_UPDATES, rng.randrange(50, 120), when)}
            for a in attending[:rng.randrange(3, 7)]])
        store.minutes.save_rows(meeting_id, "documents", [{"title": t} for t in rng.sample(_DOCUMENTS, rng.randrange(3, 6))])
        disclose = rng.random() < 0.2
        store.minutes.save_rows(meeting_id, "disclosure", [{
            "disclosure_needed": int(disclose), "decided_by": chair,
            "reason": "To protect the new partner's children." if disclose else "No third party at risk who needs to know.",
            "disclosure_date": (when + timedelta(days=2)).isoformat() if disclose else None,
            "recipient": "The new partner" if disclose else None}])
        # Earlier actions are reviewed at this meeting: most done, some carried.
        still_open = []
        for action_id in open_actions:
            if rng.random() < 0.85:
                store.actions.set_state(action_id, status="done", completed_date=when.isoformat(),
                                        outcome=rng.choice(_OUTCOMES), meeting_id=meeting_id)
            else:
                store.actions.carry(action_id, target_date=(when + timedelta(days=45)).isoformat(),
                                    reason="Carried forward.", meeting_id=meeting_id)
                still_open.append(action_id)
        for _ in range(actions[number]):
            agency = rng.choice(attending)
            still_open.append(store.minutes.raise_action(meeting_id, {
                "action_text": rng.choice(_ACTIONS), "owner_person": team[agency], "owner_agency": agency,
                "target_date": (when + timedelta(days=rng.randrange(7, 80))).isoformat()}))
        open_actions = still_open
        facts["meetings"] += 1
        facts["actions"] += actions[number]
        if number < count - 1:
            content = {"format": 1, "meeting_id": meeting_id, "case_id": case_id,
                       "meeting": {k: v for values in fields.values() for k, v in values.items()},
                       "rows": {"attendance": attendance}}
            store.minutes.finalise(meeting_id, content=content, open_items=[], acknowledgements={},
                                   case_updates={"mappa_level": level, "current_rosh": rosh},
                                   approval={"approved_by": chair, "approved_as": "chair", "approval_method": "meeting",
                                             "approved_on": when.isoformat(), "approval_note": None,
                                             "approver_user_id": None})
        when += timedelta(days=rng.randrange(80, 100))
    return meeting_id


def bench_years() -> list[int]:
    """The store sizes a benchmark runs on: ``MAPPA_BENCH_YEARS`` (say "1,10"), else 1 and 10."""
    raw = os.environ.get("MAPPA_BENCH_YEARS", "1,10")
    return [int(y) for y in raw.split(",") if y.strip()]


def growth(figures: dict[int, float]) -> str:
    """'x1.05 from 1 to 10 years' for figures keyed by years (empty if one size only)."""
    if len(figures) < 2:
        return ""
    low, high = min(figures), max(figures)
    if figures[low] <= 0:
        return ""
    return f"x{figures[high] / figures[low]:.2f} from {low} to {high} years"


def ten_years_store(progress=print):
    """The cached ten-year store (see :func:`years_store`)."""
    return years_store(10, progress)


def years_store(years: int = 10, progress=print):
    """The cached store of ``years`` years, generated (in a child process) if missing:
    returns (DataPaths of a fresh working copy, facts). The copy keeps the cache pristine."""
    import json
    import shutil
    import subprocess
    import sys

    folder = years_folder(years)
    if not (folder / "facts.json").exists():
        progress(f"generating the {years}-year store into {folder} (about {max(1, years * 5 // 6)} min, once)...")
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "generate", str(years)], check=True)
    facts = json.loads((folder / "facts.json").read_text("utf-8"))
    work = Path(tempfile.mkdtemp(prefix="mappa-bench-"))
    shutil.copytree(folder / "data", work / "data")
    # On disk before measuring: otherwise the first commit's fsync writes out the whole copy
    # still dirty in the page cache (seen: one autosave of 800 ms).
    for path in (work / "data").rglob("*"):
        if path.is_file():
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
    return DataPaths(work / "data"), facts


def _generate_main(years: int) -> None:
    import json
    import shutil

    folder = years_folder(years)
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    facts = generate_years(building / "data", years)
    (building / "facts.json").write_text(json.dumps(facts), "utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)  # complete or absent, never half-made
    for stale in OUT.glob(f"{STORE_VERSION.rsplit('-', 1)[0]}-*-{years}y-*"):
        if stale.is_dir() and stale != folder:  # made for an older schema or generator
            shutil.rmtree(stale, ignore_errors=True)
    print(f"generated in {facts['seconds']} s: {folder}")


if __name__ == "__main__":
    import sys

    if len(sys.argv) in (2, 3) and sys.argv[1] == "generate":
        _generate_main(int(sys.argv[2]) if len(sys.argv) == 3 else 10)
    else:
        print("usage: common.py generate [YEARS]")


# -- realistic text for printing -------------------------------------------------------------
#
# Words drawn with a Zipf distribution (as words are used in prose) from the project's own
# prose: the minute's guidance and help texts, the default texts and the generator's
# sentences above. Sentences of 6 to 32 words, paragraphs of about 950 words.

def vocabulary() -> list[str]:
    """The words of the project's prose, the most frequent first."""
    import ast
    import re
    from collections import Counter

    root = Path(__file__).resolve().parent.parent
    sources = [root / "mappa_desktop" / n for n in ("spec.py", "scr_spec.py", "demo.py", "checks.py")]
    sources.append(Path(__file__).resolve())
    texts = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.count(" ") >= 3:
                texts.append(node.value)
    texts += [p.read_text("utf-8") for p in (root / "resources" / "texts").glob("*.txt")]
    counts = Counter(w for t in texts for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", t))
    return [w for w, _ in counts.most_common()]


class ZipfText:
    """Paragraphs of words drawn with a Zipf distribution (exponent ``s``) over ``words``."""

    def __init__(self, rng: random.Random, words: list[str] | None = None, s: float = 1.07):
        self.rng = rng
        self.words = words or vocabulary()
        weights = [1 / (rank ** s) for rank in range(1, len(self.words) + 1)]
        total = 0.0
        self.cumulative = []
        for w in weights:
            total += w
            self.cumulative.append(total)

    def sentence(self) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randrange(6, 33))
        if len(words) > 12 and self.rng.random() < 0.4:
            words[self.rng.randrange(3, len(words) - 3)] += ","
        return words[0][:1].upper() + words[0][1:] + " " + " ".join(words[1:]) + "."

    def paragraph(self, words: int = 950) -> str:
        out, count = [], 0
        while count < words:
            sentence = self.sentence()
            out.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(out)
