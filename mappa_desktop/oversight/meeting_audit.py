"""The meeting audit (national document 12), suggested from the record.

Each item of the form gets a suggested grade from 1 to 4 and the evidence for it, taken
from what the store already holds: the pre-meeting pack printed (logged as a disclosure),
the documents tabled, attendance, the confidentiality time against the start time, the
dissent and the decisions with their rationale, victim and diversity text, the chair's
summary. What is missing is said as plainly. The auditor confirms or changes each grade with
a comment; the audit is kept apart from the minute, which it never changes.

The facts are counts and flags (``MeetingFacts``), never the minute's text, so that the
Strategic Oversight Group's figures over hundreds of minutes read no prose into memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..dates import UK, format_date, from_iso
from ..spec import Choice
from ..words import plural

#: The grades of the form, best last. One place: the editor, printout and report use these.
GRADES = (
    Choice("1", "1: not evidenced", "The minute does not show it was done."),
    Choice("2", "2: partly evidenced", "Some of it is in the record; important parts are not."),
    Choice("3", "3: mostly evidenced", "The record shows it, with a minor gap."),
    Choice("4", "4: fully evidenced", "The record shows it was done, in full."),
)
MEETS = 3  # a grade at or above this counts as meeting the item in the SOG's figures

#: Days before a meeting that papers should go out (the pack printed or saved).
PAPERS_NOTICE_DAYS = 5
#: Minutes after the start by which the confidentiality statement counts as "at the start".
CONFIDENTIALITY_MINUTES = 15
#: Dissent recorded as this (any case, a full stop or not) means there was none.
NO_DISSENT = ("none", "nil", "no dissent", "no dissent recorded", "none recorded", "n/a")


@dataclass(frozen=True)
class Item:
    key: str
    title: str
    asks: str  # what the form asks, in our words


ITEMS: tuple[Item, ...] = (
    Item("papers", "Papers sent in advance",
         "Papers, including the previous minutes, were sent out before the meeting."),
    Item("purpose", "Purpose stated",
         "The chair stated the purpose of the meeting (initial or review, why now) and a review date was set."),
    Item("introductions", "Attendees introduced",
         "Everyone present was introduced, with the agency and role they represent."),
    Item("confidentiality", "Confidentiality statement at the start",
         "The confidentiality statement was stated and agreed at the start of the case."),
    Item("dissent", "Dissent and decisions recorded",
         "Dissent was noted, how to proceed was agreed, and each decision was recorded with its rationale."),
    Item("victims_diversity", "Victim and diversity issues",
         "Victim and potential-victim issues and diversity issues were identified and addressed."),
    Item("summary", "Chair's summary", "The chair summarised the decisions at the end of the meeting."),
)
_BY_KEY = {i.key: i for i in ITEMS}


def item(key: str) -> Item:
    return _BY_KEY[key]


@dataclass(frozen=True)
class AttendanceFact:
    status: str | None  # present / apologies / did_not_attend
    has_agency: bool
    has_role: bool
    report_received: int | None  # 1 / 0 / None (not recorded)


@dataclass(frozen=True)
class MeetingFacts:
    """What the record says about one meeting, as counts and flags.

    ``words``: words typed in each text field of the meeting, by field key (0: empty).
    ``packs``: when a pre-meeting pack of the case was printed or saved (UTC ISO times)
    between the previous meeting and this one.
    """

    meeting_id: int
    case_id: int
    status: str
    meeting_type: str | None
    meeting_date: str | None
    meeting_time: str | None
    previous_date: str | None
    confidentiality_agreed: int | None
    confidentiality_time: str | None
    level_decision: str | None
    agreed_rosh: str | None
    next_review_date: str | None
    dissent_start: str = ""  # the first few characters of the dissent, to tell "None" from dissent
    words: dict = field(default_factory=dict)
    documents: tuple[str, ...] = ()
    attendance: tuple[AttendanceFact, ...] = ()
    packs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One item of the form as the record shows it."""

    key: str
    title: str
    suggested: int
    evidence: tuple[str, ...]
    missing: tuple[str, ...]


class _Checks:
    """Evidence and gaps of one item, and the grade they suggest."""

    def __init__(self):
        self.score = 0.0
        self.count = 0
        self.cap = 4  # an item's essential check, unmet, keeps the grade at or below this
        self.evidence: list[str] = []
        self.missing: list[str] = []

    def met(self, text: str) -> None:
        self.count += 1
        self.score += 1
        self.evidence.append(text)

    def partly(self, found: str, gap: str) -> None:
        self.count += 1
        self.score += 0.5
        self.evidence.append(found)
        self.missing.append(gap)

    def not_met(self, text: str) -> None:
        self.count += 1
        self.missing.append(text)

    def grade(self) -> int:
        if not self.count or self.score == 0:
            return 1
        share = self.score / self.count
        return min(self.cap, 4 if share == 1 else 3 if share >= 2 / 3 else 2)


def _words(n: int) -> str:
    return plural(n, "word")


def _papers(f: MeetingFacts, c: _Checks) -> None:
    meeting_day = from_iso(f.meeting_date)
    before = []
    for at in f.packs:
        day = datetime.fromisoformat(at).astimezone(UK).date()
        if meeting_day is None or day <= meeting_day:
            before.append(day)
    if not before:
        c.not_met("No pre-meeting pack was printed or saved before the meeting.")
        c.cap = 2  # nothing shows the papers went out: the item is not met, whatever was tabled
    else:
        first = min(before)
        days = (meeting_day - first).days if meeting_day else None
        when = f"Pre-meeting pack printed on {format_date(first)}"
        if days is None:
            c.partly(when + ".", "The meeting has no date, so the notice cannot be counted.")
        elif days >= PAPERS_NOTICE_DAYS:
            c.met(f"{when}, {days} days before the meeting.")
        else:
            c.partly(f"{when}, {plural(days, 'day')} before the meeting.",
                     f"Less than {PAPERS_NOTICE_DAYS} days' notice.")
    if f.meeting_type == "initial" and not f.previous_date:
        c.met("Initial meeting: there are no previous minutes to send.")
    elif any("minute" in d.casefold() for d in f.documents):
        c.met("The previous minute is among the documents tabled.")
    else:
        c.not_met("The previous minute is not among the documents tabled.")
    if f.documents:
        c.met(f"{plural(len(f.documents), 'document')} tabled.")
    else:
        c.not_met("No documents tabled are recorded.")


def _purpose(f: MeetingFacts, c: _Checks) -> None:
    if f.meeting_type:
        c.met(f"Recorded as {'an initial' if f.meeting_type == 'initial' else 'a review'} meeting.")
    else:
        c.not_met("Not recorded as initial or review.")
    if f.words.get("purpose_notes"):
        c.met(f"Purpose stated by the chair ({_words(f.words['purpose_notes'])}).")
    else:
        c.not_met("No purpose stated beyond the kind of meeting.")
    if f.next_review_date:
        c.met(f"Next review set for {format_date(f.next_review_date)}.")
    else:
        c.not_met("No next review date set.")


def _introductions(f: MeetingFacts, c: _Checks) -> None:
    present = [a for a in f.attendance if a.status == "present"]
    if not present:
        c.not_met("No one is recorded as present.")
        return
    c.met(f"{plural(len(present), 'person')} recorded as present.")
    agencies = sum(a.has_agency for a in present)
    if agencies == len(present):
        c.met("Each with the agency they represent.")
    else:
        c.partly(f"{agencies} of {len(present)} with their agency.",
                 f"{len(present) - agencies} present without an agency.")
    roles = sum(a.has_role for a in present)
    if roles == len(present):
        c.met("Each with their role.")
    elif roles:
        c.partly(f"{roles} of {len(present)} with their role.", f"{len(present) - roles} present without a role.")
    else:
        c.not_met("No roles recorded for those present.")


def _minutes_between(start: str | None, then: str | None) -> int | None:
    try:
        h1, m1 = (int(x) for x in (start or "").split(":"))
        h2, m2 = (int(x) for x in (then or "").split(":"))
    except ValueError:
        return None
    return (h2 * 60 + m2) - (h1 * 60 + m1)


def _confidentiality(f: MeetingFacts, c: _Checks) -> None:
    if f.confidentiality_agreed == 0:
        c.not_met("Recorded as not agreed.")
        return
    if f.confidentiality_agreed is None:
        c.not_met("The confidentiality statement is not recorded as agreed.")
        return
    if not f.confidentiality_time:
        c.partly("Agreed by all present.", "The time it was agreed is not recorded.")
        return
    after = _minutes_between(f.meeting_time, f.confidentiality_time)
    at = f"Agreed at {f.confidentiality_time}"
    if after is None:
        c.partly(at + ".", "The meeting's start time is not recorded, so 'at the start' cannot be shown.")
    elif 0 <= after <= CONFIDENTIALITY_MINUTES:
        c.met(f"{at}, {plural(after, 'minute')} after the start ({f.meeting_time}).")
    elif after < 0:
        c.partly(f"{at}, before the recorded start ({f.meeting_time}).", "The times do not agree.")
    else:
        c.partly(f"{at}, {after} minutes after the start ({f.meeting_time}).",
                 f"More than {CONFIDENTIALITY_MINUTES} minutes after the start.")
    if f.words.get("confidentiality_reaffirmed"):
        c.met("Re-affirmed later in the meeting (recorded).")


def _dissent(f: MeetingFacts, c: _Checks) -> None:
    said = " ".join(f.dissent_start.split()).strip(" .").casefold()
    if said in NO_DISSENT:
        c.met("No dissent: recorded as none.")
    elif f.words.get("dissent"):
        c.met(f"Dissent recorded ({_words(f.words['dissent'])}).")
    else:
        c.not_met("Dissent not recorded (write 'None' when there was none).")
    if f.level_decision and f.words.get("level_rationale"):
        c.met("MAPPA level decision recorded with its rationale.")
    elif f.level_decision:
        c.partly("MAPPA level decision recorded.", "No rationale for the level decision.")
    else:
        c.not_met("No MAPPA level decision recorded.")
    if f.agreed_rosh and f.words.get("rosh_rationale"):
        c.met("Risk of serious harm agreed with its rationale.")
    elif f.agreed_rosh:
        c.partly("Risk of serious harm agreed.", "No rationale for the risk level.")
    else:
        c.not_met("No risk of serious harm agreed.")


def _victims_diversity(f: MeetingFacts, c: _Checks) -> None:
    for key, found, gap in (
        ("victim_issues", "Victim issues recorded", "Victim issues not recorded."),
        ("diversity_offender", "Diversity for the offender considered", "Diversity for the offender not recorded."),
        ("diversity_victims", "Diversity for victims and potential victims considered",
         "Diversity for victims and potential victims not recorded."),
    ):
        if f.words.get(key):
            c.met(f"{found} ({_words(f.words[key])}).")
        else:
            c.not_met(gap)
    if f.words.get("rosh_to_whom"):
        c.met("Who is at risk is recorded.")
    else:
        c.not_met("Who is at risk is not recorded.")


def _summary(f: MeetingFacts, c: _Checks) -> None:
    words = f.words.get("chair_summary", 0)
    if words >= 10:
        c.met(f"Chair's summary present ({_words(words)}).")
    elif words:
        c.partly(f"Chair's summary present ({_words(words)}).", "A very short summary.")
    else:
        c.not_met("No chair's summary.")


_RULES = {"papers": _papers, "purpose": _purpose, "introductions": _introductions,
          "confidentiality": _confidentiality, "dissent": _dissent,
          "victims_diversity": _victims_diversity, "summary": _summary}


def assess(facts: MeetingFacts) -> tuple[Finding, ...]:
    """Every item of the form, in order, with its suggested grade, evidence and gaps."""
    out = []
    for entry in ITEMS:
        checks = _Checks()
        _RULES[entry.key](facts, checks)
        out.append(Finding(entry.key, entry.title, checks.grade(), tuple(checks.evidence), tuple(checks.missing)))
    return tuple(out)


# -- the auditor's grades -----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    item: str
    message: str


def grade_problems(findings, grades: dict) -> list[Problem]:
    """What stops the auditor's grades being saved: a grade outside 1-4, or a changed grade
    without a comment saying why. ``grades``: item key -> (grade or None, comment)."""
    problems = []
    suggested = {f.key: f.suggested for f in findings}
    for key, (grade, comment) in grades.items():
        if key not in suggested:
            problems.append(Problem(key, "Not an item of the meeting audit."))
        elif grade is None:
            continue
        elif grade not in (1, 2, 3, 4):
            problems.append(Problem(key, f"{item(key).title}: grade 1 to 4."))
        elif grade != suggested[key] and not (comment or "").strip():
            problems.append(Problem(key, f"{item(key).title}: say why the grade differs from the "
                                         f"suggested {suggested[key]}."))
    return problems


def audit_record(findings, grades: dict, *, today: date) -> dict:
    """What is saved: for each item, the evidence as the auditor saw it, the suggestion,
    the grade and the comment (the minute may gain addenda later; the audit stays as made)."""
    return {
        "format": 1,
        "assessed_on": today.isoformat(),
        "items": {
            f.key: {"suggested": f.suggested, "evidence": list(f.evidence), "missing": list(f.missing),
                    "grade": grades.get(f.key, (None, ""))[0], "comment": (grades.get(f.key, (None, ""))[1] or "").strip()}
            for f in findings
        },
    }


def complete(record: dict) -> bool:
    """Every item graded."""
    return all(entry.get("grade") for entry in record.get("items", {}).values()) and \
        set(record.get("items", {})) == set(_BY_KEY)


# -- use cases ----------------------------------------------------------------------------------


def suggest(*, store, meeting_id: int) -> tuple[Finding, ...]:
    """The form's items for a meeting as its record stands now."""
    return assess(store.audits.facts(meeting_id))


def save(*, store, meeting_id: int, grades: dict, completed: bool, today: date) -> tuple[int | None, list[Problem]]:
    """Keep the auditor's grades and comments with the evidence they saw; ``completed``
    needs every item graded. Returns (audit id, []) or (None, what stops it)."""
    findings = suggest(store=store, meeting_id=meeting_id)
    problems = grade_problems(findings, grades)
    if completed:
        problems += [Problem(f.key, f"{f.title}: give a grade (confirm the suggestion or change it).")
                     for f in findings if not grades.get(f.key, (None, ""))[0]]
    if problems:
        return None, problems
    record = audit_record(findings, grades, today=today)
    return store.audits.save(meeting_id, record, completed=completed), []
