"""The MAPPA minute, described once.

Every section of MAPPA Document 5B in its order, with its fields, their kinds, which are
required, and guidance in our own words. The meeting editor builds its forms from this,
the printout walks it for order and captions, and the completeness check reads the
``required`` marks. A test keeps the database schema and this description in step.

Where 5B is out of date (its category list, its document numbers), the current Scottish
position from FACTS.md is used: category 1, restricted patients and category 3; category 2
exists in statute but is not used in Scotland; the documents are numbered as the updated
document set numbers them (``DOCUMENT_SET``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


#: The updated national document set, by number. 5B's own "document 6" (risk assessment) and
#: "document 7" (risk management) are the 2016 numbers: guidance refers to these instead.
DOCUMENT_SET = {
    "5A": "minute template", "5B": "completion notes for the minute",
    "6": "risk management plan",
    "7A": "Social Security Scotland referral", "7B": "Social Security Scotland change of circumstances",
    "8": "DWP referral", "9": "letter answering requests for minutes", "10": "minute executive summary",
    "11": "case audit", "12": "meeting audit", "13A": "initial notification report",
    "13B": "SOG chair's review", "13C": "SOG decision",
}


class Kind(str, Enum):
    """What kind of value a field holds; the form picks its widget from this."""

    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # paragraphs
    DATE = "date"  # shown dd/mm/yyyy, stored ISO yyyy-mm-dd
    TIME = "time"  # hh:mm, 24-hour
    CHOICE = "choice"  # one of ``choices``
    YES_NO = "yes_no"  # stored 1 / 0, empty when not answered
    PERSON = "person"  # a name, picked from the directory or typed
    AGENCY = "agency"  # an agency, picked from the directory or typed
    CONDITION = "condition"  # one of the case's conditions (licence or order), by its global id


class Source(str, Enum):
    """Where a section's values live."""

    MEETING = "meeting"  # the meeting's own record (one value per field)
    ROWS = "rows"  # repeating rows of the meeting, in their own table
    CASE = "case"  # the case record, carried into every minute and frozen at finalising
    CASE_ROWS = "case_rows"  # repeating rows of the case (civil orders)
    REGISTER = "register"  # the case's action register (rows shared across meetings)
    DIRECTORY = "directory"  # the directory of agencies and people (not part of a minute)
    PLAN = "plan"  # the case's risk management plan, one version per meeting
    RECORD = "record"  # a record of its own around the minute or case (``lifecycle_spec``)


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field, with the words shown and its meaning."""

    value: str
    label: str
    help: str = ""
    in_use: bool = True  # False: shown for completeness, cannot be picked


#: The most characters a value of each kind may hold. A one-line field is a name, a number
#: or a short note; narrative is generous (a 1 MB discussion still saves and prints).
MAX_LENGTH = {
    Kind.TEXT: 2_000,
    Kind.PERSON: 300,
    Kind.AGENCY: 300,
    Kind.LONG_TEXT: 1_000_000,
}


#: An e-mail address: something@somewhere.tld, no spaces.
EMAIL = (r"[^@\s]+@[^@\s]+\.[^@\s]+", "That does not look like an e-mail address.")


@dataclass(frozen=True)
class When:
    """A condition on another field of the same record: ``field`` holds one of ``values``."""

    field: str
    values: tuple


@dataclass(frozen=True)
class Field:
    """One value of the minute, the case or a review, and the rules its value keeps.

    ``required``: the completeness check asks for it; ``required_when``: asks for it only
    while the condition holds (a recipient when disclosure is needed). ``to_save``: the
    store refuses the record without it. ``past``: a date (or, with ``on_date``, a time on
    that date) of something that has happened, so never after now. ``not_before``: keys of
    dates it may not precede, in the same record or its context (an action's
    ``raised_date``, the case's ``date_of_birth``). ``applies_when``: the field belongs to
    the record only while the condition holds (a trigger to a contingency entry of the
    plan); elsewhere it is neither shown, stored nor asked for. Every consumer (forms,
    store, check, marks, printout) reads these through ``mappa_desktop.rules``.
    """

    key: str  # the column name in the store
    label: str
    kind: Kind
    required: bool = False
    help: str = ""
    choices: tuple[Choice, ...] = ()
    required_when: When | None = None
    to_save: bool = False
    past: bool = False
    not_before: tuple[str, ...] = ()
    on_date: str = ""  # for a TIME: the date field it belongs to
    max_length: int | None = None  # None: MAX_LENGTH of the kind
    years_back: int | None = None  # a date no more than this many years ago
    pattern: tuple[str, str] = ()  # (regular expression the text matches, why not)
    applies_when: When | None = None  # the field belongs to the record only while this holds

    @property
    def limit(self) -> int | None:
        """The most characters this field takes (None: not a text kind)."""
        return self.max_length or MAX_LENGTH.get(self.kind)

    def applies(self, values) -> bool:
        """Whether the field belongs to a record with these values (a trigger belongs to a
        contingency entry only); a field that does not apply is neither shown nor asked for."""
        when = self.applies_when
        return when is None or values.get(when.field) in when.values

    def choice(self, value: str) -> Choice | None:
        for option in self.choices:
            if option.value == value:
                return option
        return None

    def display(self, value) -> str:
        """A stored value as a person reads it: dd/mm/yyyy, Yes/No, the choice's words."""
        if value is None or value == "":
            return ""
        if self.kind is Kind.DATE:
            from .dates import format_date

            return format_date(value)
        if self.kind is Kind.YES_NO:
            return "Yes" if int(value) else "No"
        if self.kind is Kind.CHOICE:
            return self.label_of(value)
        return str(value)

    def label_of(self, value: str | None) -> str:
        """The words for a stored choice value (the value itself if unknown)."""
        if value is None or value == "":
            return ""
        option = self.choice(str(value))
        return option.label if option else str(value)


# --- Rules across the fields of a section (read by the completeness check) ---------------
# Each has a stable ``key``: a gap acknowledged at finalising is stored by it.


@dataclass(frozen=True)
class MustBe:
    """Once answered, ``field`` must be ``value`` (the statement must be agreed)."""

    key: str
    field: str
    value: object
    message: str


@dataclass(frozen=True)
class SomeRow:
    """At least one row has ``field`` equal to ``value`` (someone is present)."""

    key: str
    field: str
    value: object
    message: str


@dataclass(frozen=True)
class Excludes:
    """``field`` = ``value`` rules out ``other`` = ``other_value`` (level 1 for category 3),
    or any value of ``other`` when ``other_value`` is None (no SONR expiry if indefinite)."""

    key: str
    field: str
    value: object
    other: str
    other_value: object
    message: str


@dataclass(frozen=True)
class LevelChange:
    """The level decision (stays / up / down) agrees with the level from now, compared with
    the level the meeting started at."""

    key: str
    decision: str
    new_level: str
    current: str
    message: str = "The MAPPA level decision does not match the level from now."


@dataclass(frozen=True)
class DateAfter:
    """``field`` falls after ``other`` (the next review after the meeting). ``{date}`` in
    the message is the field's date."""

    key: str
    field: str
    other: str
    message: str


@dataclass(frozen=True)
class NotPast:
    """``field`` is today or later (a review date already past is not a plan)."""

    key: str
    field: str
    message: str


@dataclass(frozen=True)
class AllReviewed:
    """Every earlier action still outstanding (open or carried forward) has been reviewed at
    this meeting: done, carried forward again, or withdrawn. Being carried forward at an
    earlier meeting is not a review at this one: each arrives "to review"."""

    key: str
    message: str


@dataclass(frozen=True)
class PillarsConsidered:
    """Each pillar of the plan the section shows was considered at the meeting: it has an
    entry in the plan as the meeting leaves it, or is recorded as not needed with the reason
    (not both). Items are keyed ``key:pillar``."""

    key: str
    message: str = "{pillar}: not considered at this meeting (add an entry, or say why it is not needed)."
    both: str = "{pillar}: recorded as not needed, but the plan has entries under it."


@dataclass(frozen=True)
class SomeEntry:
    """At least one entry of the plan under ``pillar`` (not ended) has ``field``: a
    contingency plan names at least one trigger."""

    key: str
    pillar: str
    field: str
    message: str


@dataclass(frozen=True)
class OtherAgency:
    """When the MAPPA level (from now, else at the meeting) is one of ``levels``, the plan
    (entries not ended) names at least one agency besides the case's lead authority."""

    key: str
    levels: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class RowDateAfter:
    """In each row where ``when`` holds, ``field`` falls after ``other`` (a date of the
    meeting): an action carried forward at a meeting gets a target date after it. ``{number}``
    in the message is the row's number."""

    key: str
    when: When
    field: str
    other: str
    message: str


class Form(str, Enum):
    """Which kind of page shows a section in the editor (one page class per kind)."""

    FIELDS = "fields"  # single values in a form
    STATEMENT = "statement"  # the confidentiality statement, with 'Agreed now'
    ROWS = "rows"  # repeating rows, each a small form
    TABLE = "table"  # one line per person, marked with a key (attendance)
    CASE = "case"  # from the case record, shown read-only
    CASE_ROWS = "case_rows"  # rows of the case record (civil orders), read-only
    ACTIONS = "actions"  # actions agreed at this meeting
    REVIEW = "review"  # earlier actions reviewed at this meeting
    PLAN = "plan"  # the plan's entries under the section's pillars, what changed, and its discussion


@dataclass(frozen=True)
class Section:
    """One section of the minute, in 5B's order."""

    key: str
    title: str
    guidance: str
    fields: tuple[Field, ...]
    source: Source = Source.MEETING
    table: str = ""  # for ROWS / CASE_ROWS / REGISTER sections: the table of the rows
    min_rows: int = 0  # for repeating sections: rows the check expects
    row_noun: str = "row"  # "attendee", "document"...
    shortcut: str = ""  # the key that jumps to this section in the editor (Alt+key)
    form: Form | None = None  # the editor's page for it; None: from the source
    rules: tuple = ()  # rules across its fields (MustBe, SomeRow, ...)
    empty_message: str = ""  # the check's words when a section needing rows has none
    pillars: tuple[str, ...] = ()  # the risk management plan's pillars this section shows

    @property
    def repeating(self) -> bool:
        return self.source in (Source.ROWS, Source.CASE_ROWS, Source.REGISTER)

    @property
    def page(self) -> Form:
        """The kind of page that shows it."""
        if self.form is not None:
            return self.form
        return {Source.MEETING: Form.FIELDS, Source.ROWS: Form.ROWS, Source.CASE: Form.CASE,
                Source.CASE_ROWS: Form.CASE_ROWS, Source.REGISTER: Form.ACTIONS}[self.source]

    def field(self, key: str) -> Field:
        for item in self.fields:
            if item.key == key:
                return item
        raise KeyError(f"{self.key}.{key}")

    @property
    def required_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


# --- Choice lists used in several places -------------------------------------------------

MEETING_TYPES = (
    Choice("initial", "Initial", "The first MAPPA meeting for this offender in this period."),
    Choice("review", "Review", "A meeting that reviews an existing risk management plan."),
)

CATEGORIES = (
    Choice(
        "1",
        "Category 1: registered sex offender",
        "Subject to the sex offender notification requirements (SONR).",
    ),
    Choice(
        "restricted_patient",
        "Restricted patient",
        "A mentally disordered offender under a compulsion order with a restriction order, "
        "a hospital direction or a transfer for treatment direction.",
    ),
    Choice(
        "3",
        "Category 3: other risk of serious harm offender",
        "Convicted, under statutory supervision in the community, assessed as high or very "
        "high risk of serious harm and needing level 2 or 3 management. Level 1 does not "
        "apply.",
    ),
    Choice(
        "2",
        "Category 2: violent offender (not in use in Scotland)",
        "Exists in the 2005 Act but is not currently used in Scotland.",
        in_use=False,
    ),
)

MAPPA_LEVELS = (
    Choice("1", "Level 1", "Routine risk management: one lead agency can manage the risk."),
    Choice(
        "2",
        "Level 2",
        "Multi-agency risk management: several agencies are actively involved.",
    ),
    Choice(
        "3",
        "Level 3",
        "Multi-Agency Public Protection Panel: the critical few, needing senior co-operation, "
        "unusual resources, or with media or public interest.",
    ),
)

ROSH_LEVELS = (
    Choice(
        "very_high",
        "Very High",
        "There is imminent risk of serious harm. The potential event is more likely than not "
        "to happen imminently, and the impact would be serious.",
    ),
    Choice(
        "high",
        "High",
        "There are identifiable indicators of risk of serious harm. The potential event could "
        "happen at any time and the impact would be serious.",
    ),
    Choice(
        "medium",
        "Medium",
        "There are identifiable indicators of risk of serious harm. The person has the "
        "potential to cause harm, but is unlikely to do so unless circumstances change.",
    ),
    Choice(
        "low",
        "Low",
        "Current evidence does not indicate a likelihood of causing serious harm.",
    ),
)

LEVEL_DECISIONS = (
    Choice("stays", "Stays at the current level"),
    Choice("up", "Moves up"),
    Choice("down", "Moves down"),
)

ATTENDANCE = (
    Choice("present", "Present"),
    Choice("apologies", "Apologies"),
    Choice("did_not_attend", "Did not attend", "Said they would attend but did not."),
)

CIVIL_ORDER_TYPES = (
    Choice("shpo", "Sexual Harm Prevention Order (SHPO)"),
    Choice("sro", "Sexual Risk Order (SRO)", "In force in Scotland from 31 March 2023."),
    Choice("sopo", "Sexual Offences Prevention Order (SOPO, legacy)"),
    Choice("rsho", "Risk of Sexual Harm Order (RSHO, legacy)"),
    Choice("fto", "Foreign Travel Order (legacy)"),
    Choice("notification_order", "Notification Order"),
    Choice("other", "Other order"),
)

GENDERS = (
    Choice("male", "Male"),
    Choice("female", "Female"),
    Choice("other", "Other / self-described"),
    Choice("not_known", "Not known"),
)

CASE_STATES = (
    Choice("active", "Active", "Managed under MAPPA: reviews, actions and expiries are chased."),
    Choice("archived", "Archived", "No longer managed here: nothing is chased. It can be re-activated."),
    Choice("exited", "Left MAPPA", "An exit decision is recorded: the case is read-only except for "
                                   "addenda, and nothing is chased."),
)

ACTION_STATUSES = (
    Choice("open", "Open"),
    Choice("done", "Done"),
    Choice("carried", "Carried forward"),
    Choice("withdrawn", "Withdrawn"),
)


#: The risk management plan's pillars (document 6 of the updated national set; the four
#: pillars and contingency as England and Wales structure plans), in the plan's order.
PLAN_PILLARS = (
    Choice("supervision", "Supervision",
           "Who supervises the offender, where and how often: supervision sessions, home visits, "
           "reporting."),
    Choice("monitoring", "Monitoring and control",
           "What is checked and what restricts: licence and order conditions, device checks, "
           "unannounced visits, electronic monitoring, notification requirements."),
    Choice("interventions", "Interventions and treatment",
           "What changes the risk: offending behaviour programmes, treatment, substance misuse "
           "services, work, housing, relationships."),
    Choice("victim_safety", "Victim safety planning",
           "What protects known and potential victims: exclusion zones, contact conditions, "
           "disclosure, information schemes. Entries here often name third parties."),
    Choice("contingency", "Contingency",
           "What happens if the plan fails or the risk rises: what triggers a response, what the "
           "response is, who responds and how fast."),
)

#: Where a condition on the case comes from: the licence or a civil order.
CONDITION_SOURCES = (Choice("licence", "Licence"), *CIVIL_ORDER_TYPES)

#: The rationale of an entry is asked for when the meeting changed it.
PLAN_CHANGES = ("added", "changed", "ended")


def _text(key, label, required=False, help=""):
    return Field(key, label, Kind.TEXT, required, help)


def _long(key, label, required=False, help=""):
    return Field(key, label, Kind.LONG_TEXT, required, help)


def _date(key, label, required=False, help=""):
    return Field(key, label, Kind.DATE, required, help)


def _choice(key, label, choices, required=False, help=""):
    return Field(key, label, Kind.CHOICE, required, help, tuple(choices))


# --- The minute ------------------------------------------------------------------------

SECTIONS: tuple[Section, ...] = (
    Section(
        "confidentiality",
        "Confidentiality statement",
        "Read the area's confidentiality statement at the start of the meeting and record "
        "that everyone present agreed to it, with the time. It reminds those attending how "
        "sensitive the shared information is. Re-affirm it when someone joins late.",
        (
            Field("confidentiality_agreed", "Agreed by all present", Kind.YES_NO, True),
            Field("confidentiality_time", "Time agreed", Kind.TIME, True, past=True,
                  on_date="meeting_date"),
            _text(
                "confidentiality_reaffirmed",
                "Re-affirmed",
                help="When and why it was re-affirmed, for example when someone joined late.",
            ),
        ),
        shortcut="0",
        form=Form.STATEMENT,
        rules=(MustBe("confidentiality:not_agreed", "confidentiality_agreed", 1,
                      "The confidentiality statement is recorded as not agreed."),),
    ),
    Section(
        "purpose",
        "Purpose of the meeting",
        "Every minute must say whether this is an initial or a review meeting. A meeting "
        "brings in new information or helps agencies weigh what is known; agrees and reviews "
        "the risk management plan (the risks identified, strategies carried out within each "
        "agency's role, obstacles removed); considers whether the MAPPA level should change; "
        "and sets a formal review date.",
        (
            _choice("meeting_type", "Initial or review", MEETING_TYPES, True),
            _long(
                "purpose_notes",
                "Purpose stated by the chair",
                help="Anything particular to this meeting, for example a change in risk "
                "that called it early.",
            ),
        ),
        shortcut="1",
    ),
    Section(
        "meeting_details",
        "Meeting details",
        "The date, time and place of the meeting, the offender's category, and the MAPPA "
        "level at which the risk is assessed and managed going into the meeting.",
        (
            _date("meeting_date", "Date", True),
            Field("meeting_time", "Start time", Kind.TIME, True),
            _text("location", "Location", True),
            _choice("category", "Category", CATEGORIES, True),
            _choice("mappa_level", "MAPPA level", MAPPA_LEVELS, True),
            Field("chair", "Chair", Kind.PERSON, True),
            Field("minute_taker", "Minute taker", Kind.PERSON, True),
        ),
        shortcut="2",
    ),
    Section(
        "offender",
        "Offender information",
        "The offender's details, filled in before the meeting from the case record. Check "
        "them with the meeting; corrections are made to the case and carried forward.",
        (
            Field("reference", "Case reference", Kind.TEXT, True, to_save=True, max_length=100),
            Field("full_name", "Name", Kind.TEXT, True, to_save=True, max_length=300),
            _long("aliases", "Also known as", help="One alias per line."),
            Field("date_of_birth", "Date of birth", Kind.DATE, True, past=True, years_back=120),
            _choice("gender", "Gender", GENDERS),
            _long("address", "Address", True),
            Field("address_from", "At this address since", Kind.DATE, past=True,
                  not_before=("date_of_birth",)),
            _text("visor_number", "ViSOR number"),
            _text("pnc_number", "PNC number"),
            _text("chs_number", "CHS number"),
            _long("other_identifiers", "Other identifiers", help="One per line."),
            _text("ethnicity", "Ethnicity"),
            _text("nationality", "Nationality"),
            _text("first_language", "First language"),
            Field("interpreter_needed", "Interpreter needed", Kind.YES_NO),
            _long(
                "disabilities",
                "Disabilities or health needs relevant to management",
                help="For example a hearing impairment that needs a hearing loop.",
            ),
        ),
        source=Source.CASE,
        shortcut="3",
    ),
    Section(
        "key_dates",
        "Key dates",
        "The referral to MAPPA, the index offence, the earliest date of liberation, licence "
        "expiry, the sex offender notification requirements (SONR) and any civil orders with "
        "the dates granted and of expiry. The police hold the authoritative SONR dates.",
        (
            Field("referral_date", "Referred to MAPPA", Kind.DATE, past=True,
                  help="The date of the referral. A level 2 initial meeting in the community is "
                       "expected within 20 working days of it (the case audit counts them)."),
            Field("index_offence_date", "Index offence", Kind.DATE, True, past=True,
                  not_before=("date_of_birth",)),
            _date("earliest_liberation_date", "Earliest date of liberation"),
            Field("licence_expiry_date", "Licence expiry", Kind.DATE,
                  not_before=("earliest_liberation_date",)),
            _date("sonr_start_date", "SONR from"),
            Field("sonr_expiry_date", "SONR expiry", Kind.DATE, not_before=("sonr_start_date",)),
            Field(
                "sonr_indefinite",
                "SONR indefinite",
                Kind.YES_NO,
                help="Indefinite notification can be reviewed after 15 years (8 for under-18s).",
            ),
        ),
        source=Source.CASE,
        shortcut="4",
        rules=(Excludes("sonr:indefinite", "sonr_indefinite", 1, "sonr_expiry_date", None,
                        "SONR is marked indefinite: leave the expiry empty."),),
    ),
    Section(
        "civil_orders",
        "Civil orders",
        "Each civil order in force or relevant to the risk, with the date it was granted "
        "and the date it expires.",
        (
            Field("order_type", "Order", Kind.CHOICE, True, choices=CIVIL_ORDER_TYPES, to_save=True),
            Field("order_detail", "Detail", Kind.TEXT, help="For 'other', what the order is.",
                  required_when=When("order_type", ("other",)), to_save=True),
            Field("granted_date", "Granted", Kind.DATE, True, to_save=True, past=True),
            Field("expiry_date", "Expires", Kind.DATE, help="Empty when the order has no end date.",
                  not_before=("granted_date",)),
        ),
        source=Source.CASE_ROWS,
        table="civil_orders",
        row_noun="order",
        shortcut="O",
    ),
    Section(
        "lead_authority",
        "Lead authority",
        "The responsible authority that leads on the case, how to reach it, the case "
        "officer, and its own case details.",
        (
            Field("lead_authority", "Lead authority", Kind.AGENCY, True),
            _long("lead_address", "Address"),
            _text("lead_telephone", "Telephone"),
            Field("lead_email", "E-mail", Kind.TEXT, pattern=EMAIL),
            Field("case_officer", "Case officer", Kind.PERSON, True),
            _long("lead_case_details", "Case details"),
        ),
        source=Source.CASE,
        shortcut="5",
    ),
    Section(
        "documents",
        "Documents tabled",
        "Each document used at the meeting, clearly labelled: for example the previous "
        "minutes, the action register, risk assessments, agency update reports and the "
        "current risk management plan.",
        (
            _text("title", "Document", True),
            _text("document_notes", "Date or notes"),
        ),
        source=Source.ROWS,
        table="documents_tabled",
        row_noun="document",
        shortcut="6",
    ),
    Section(
        "attendance",
        "Attendance",
        "Everyone at the meeting with the agency they represent; also those who sent "
        "apologies in advance and those who said they would attend but did not.",
        (
            Field("name", "Name", Kind.PERSON, True),
            Field("agency", "Agency", Kind.AGENCY, True),
            _text("role", "Role"),
            _choice("status", "Attendance", ATTENDANCE, True),
            _text("attendance_note", "Note", help="For example 'from 10:25'."),
            Field(
                "report_received",
                "Report",
                Kind.YES_NO,
                help="For someone not present: whether their agency's written report was received.",
            ),
        ),
        source=Source.ROWS,
        table="attendance",
        min_rows=1,
        row_noun="person",
        shortcut="7",
        form=Form.TABLE,
        rules=(SomeRow("attendance:none_present", "status", "present", "No one is marked present."),),
        empty_message="Attendance: no one is recorded.",
    ),
    Section(
        "agency_updates",
        "Agency updates",
        "Each agency's briefing, with the name of the person who gave it. Each agency "
        "decides how to present its information.",
        (
            Field("agency", "Agency", Kind.AGENCY, True),
            Field("briefer", "Briefing given by", Kind.PERSON, True),
            _long("update_text", "Update", True),
        ),
        source=Source.ROWS,
        table="agency_updates",
        row_noun="update",
        shortcut="8",
    ),
    Section(
        "risk_assessment",
        "Risk assessment discussion",
        "The discussion of the risk assessment: the tools used and their results, and what "
        "has changed in the dynamic factors since the last meeting.",
        (_long("risk_assessment", "Discussion", True),),
        shortcut="9",
    ),
    Section(
        "rosh",
        "Agreed level of risk of serious harm",
        "The level of risk of serious harm the meeting agrees, with the definition it meets, "
        "who is at risk, and the reasons for the level.",
        (
            _choice("agreed_rosh", "Risk of serious harm", ROSH_LEVELS, True),
            _text("rosh_to_whom", "To whom", help="For example children, a known adult, the public."),
            _long("rosh_rationale", "Rationale", True),
        ),
        shortcut="R",
    ),
    Section(
        "risk_management",
        "Risk management discussion",
        "The plan to manage the risk, under supervision, monitoring and control, interventions "
        "and treatment, and victim safety: what is done, by whom, how often, from when until "
        "when, and the condition it rests on. The plan as it stood opens with the minute; "
        "add, change or end entries with the reason. A pillar with nothing in it needs a "
        "reason why it is not needed. At level 2 or 3 the plan names more than the lead agency. "
        "This is the risk management plan (document 6 of the national document set).",
        (_long("risk_management", "Discussion", True),),
        shortcut="M",
        form=Form.PLAN,
        pillars=("supervision", "monitoring", "interventions", "victim_safety"),
        rules=(
            PillarsConsidered("plan:considered"),
            OtherAgency("plan:one_agency", ("2", "3"),
                        "At level {level} the plan names no agency besides the lead authority."),
        ),
    ),
    Section(
        "contingency",
        "Contingency planning discussion",
        "What happens if the plan fails or the risk rises: the warning signs (what triggers a "
        "response) and who responds, how and how fast. The plan needs at least one trigger. It is "
        "part of the risk management plan (document 6).",
        (_long("contingency", "Discussion", True),),
        shortcut="C",
        form=Form.PLAN,
        pillars=("contingency",),
        rules=(SomeEntry("plan:no_trigger", "contingency", "trigger_event",
                         "Contingency: the plan names no trigger (what happens if the plan fails)."),),
    ),
    Section(
        "mappa_level",
        "MAPPA level discussion",
        "Whether the current MAPPA level is still right in the light of the risk assessment "
        "and the plan. Cases are managed at the lowest level that gives a defensible plan.",
        (
            _long("level_discussion", "Discussion"),
            _choice("level_decision", "Decision", LEVEL_DECISIONS, True),
            Field("new_level", "Level from now", Kind.CHOICE, choices=MAPPA_LEVELS,
                  required_when=When("level_decision", ("up", "down")),
                  help="Needed when the level moves; when it stays, the level from now is the "
                       "level at the meeting."),
            _long("level_rationale", "Rationale", True),
        ),
        shortcut="L",
        rules=(
            LevelChange("level:inconsistent", "level_decision", "new_level", "mappa_level"),
            Excludes("level:category3", "category", "3", "new_level", "1",
                     "Level 1 does not apply to category 3."),
        ),
    ),
    Section(
        "disclosure",
        "Disclosure and public protection decisions",
        "Whether disclosure to a third party outside MAPPA is needed, mostly for child or "
        "adult protection. Record the reason for disclosing or not, when it took place and "
        "to whom. Sharing among MAPPA agencies is not disclosure. The decision on disclosing "
        "a registered sex offender's status rests with the Chief Constable, usually after "
        "consulting the other agencies.",
        (
            Field("disclosure_needed", "Disclosure needed", Kind.YES_NO, True),
            _long("reason", "Reason for disclosure or no disclosure", True),
            _date("disclosure_date", "Date of disclosure"),
            Field("recipient", "To whom", Kind.TEXT, required_when=When("disclosure_needed", (1,))),
            Field("decided_by", "Decided by", Kind.PERSON, True),
            _text("disclosed_by", "Carried out by"),
        ),
        source=Source.ROWS,
        table="disclosures",
        min_rows=1,
        row_noun="decision",
        shortcut="D",
        empty_message="Disclosure: no decision recorded (record 'no disclosure' with the reason if "
                      "none is needed).",
    ),
    Section(
        "diversity",
        "Diversity considerations",
        "Whether, for the offender or for actual or potential victims, there are gender, "
        "age, sexuality, race, religion, disability or other issues that could lead to unfair "
        "or unlawful discrimination, and how they affect both the assessment and the "
        "management of the risk.",
        (
            _long("diversity_offender", "The offender", True),
            _long("diversity_victims", "Victims and potential victims", True),
        ),
        shortcut="V",
    ),
    Section(
        "victims",
        "Victim issues",
        "Issues for known and potential victims: their safety, information schemes, "
        "exclusion zones and contact conditions.",
        (_long("victim_issues", "Victim issues", True),),
        shortcut="I",
    ),
    Section(
        "dissent",
        "Dissent",
        "Any disagreement with a decision, whose it was, and what the meeting decided. "
        "Record 'None' when there was none.",
        (_long("dissent", "Dissent"),),
        shortcut="S",
    ),
    Section(
        "chair_summary",
        "Chair's summary",
        "The chair's summary of the decisions at the end of the meeting.",
        (_long("chair_summary", "Summary"),),
        shortcut="Y",
    ),
    Section(
        "previous_actions",
        "Previous actions reviewed",
        "Every action still open or carried forward from earlier meetings is reviewed at this "
        "meeting: done (with the date and the outcome), carried forward to a new target date "
        "(with the reason, and a new owner if it changes hands), or withdrawn (with the reason). "
        "An action carried forward last time arrives to be reviewed again.",
        (
            _long("action_text", "Action", True),
            Field("owner_person", "Owner", Kind.PERSON, True),
            Field("owner_agency", "Agency", Kind.AGENCY, True),
            Field("target_date", "Target date", Kind.DATE, True, not_before=("raised_date",),
                  help="When carrying forward: the new target date, after this meeting."),
            _choice("status", "Status", ACTION_STATUSES, True),
            Field("completed_date", "Date completed", Kind.DATE, past=True,
                  not_before=("raised_date",), required_when=When("status", ("done",)),
                  to_save=True),
            Field("outcome", "Outcome, or why carried forward", Kind.LONG_TEXT,
                  required_when=When("status", ("done", "carried"))),
            Field("withdrawn_reason", "Why withdrawn", Kind.TEXT,
                  required_when=When("status", ("withdrawn",)), to_save=True),
        ),
        source=Source.REGISTER,
        table="actions",
        row_noun="action",
        shortcut="P",
        form=Form.REVIEW,
        rules=(
            AllReviewed("previous", "Previous action {number} is still to review: record it as done "
                                    "(with the outcome), carried forward to a new date, or withdrawn "
                                    "with a reason."),
            RowDateAfter("previous:carried", When("status", ("carried",)), "target_date", "meeting_date",
                         "Previous action {number} is carried forward without a new target date after "
                         "the meeting."),
        ),
    ),
    Section(
        "actions",
        "Actions agreed",
        "Every action agreed at this meeting, each with a named owner and a target date. "
        "They join the case's action register.",
        (
            Field("action_text", "Action", Kind.LONG_TEXT, True, to_save=True),
            Field("owner_person", "Owner", Kind.PERSON, True),
            Field("owner_agency", "Agency", Kind.AGENCY, True),
            Field("target_date", "Target date", Kind.DATE, True, not_before=("raised_date",)),
        ),
        source=Source.REGISTER,
        table="actions",
        row_noun="action",
        shortcut="A",
        form=Form.ACTIONS,
    ),
    Section(
        "next_review",
        "Next review",
        "The date of the formal review of the risk management plan. There is no national "
        "interval: set it for this case, sooner if the risk changes.",
        (
            _date("next_review_date", "Next review date", True),
            _text("next_review_notes", "Notes", help="For example 'sooner if any breach'."),
        ),
        shortcut="N",
        rules=(
            DateAfter("review:not_after_meeting", "next_review_date", "meeting_date",
                      "The next review date ({date}) is not after the meeting."),
            NotPast("review:past", "next_review_date", "The next review date ({date}) is in the past."),
        ),
    ),
)


# --- The risk management plan (document 6) -------------------------------------------------

_NOT_CONTINGENCY = When("pillar", tuple(c.value for c in PLAN_PILLARS if c.value != "contingency"))
_CONTINGENCY = When("pillar", ("contingency",))

#: One entry of the plan. The minute's plan sections (``Section.pillars``) show the entries
#: under their pillars; each meeting's version of the plan is its own set of entries.
PLAN_ENTRY = Section(
    "plan_entry",
    "Risk management plan entry",
    "One thing the plan does: what, by whom, how often, from when until when, and the "
    "condition it rests on, if any. A contingency entry says what triggers it and what the "
    "response is.",
    (
        Field("pillar", "Pillar", Kind.CHOICE, True, choices=PLAN_PILLARS, to_save=True),
        Field("trigger_event", "What triggers it", Kind.TEXT, help="The warning sign, for example "
              "'any unsupervised contact with children'.", required_when=_CONTINGENCY,
              applies_when=_CONTINGENCY),
        Field("what", "What is done", Kind.LONG_TEXT, True,
              help="For contingency: the response, how and how fast."),
        Field("owner_person", "By whom", Kind.PERSON),
        Field("owner_agency", "Agency", Kind.AGENCY, True),
        Field("frequency", "How often", Kind.TEXT, max_length=300, applies_when=_NOT_CONTINGENCY,
              help="For example 'weekly', 'monthly, unannounced'."),
        Field("start_date", "Start date", Kind.DATE),
        Field("end_date", "End date", Kind.DATE, not_before=("start_date",)),
        Field("condition_uid", "Rests on condition", Kind.CONDITION,
              help="A condition of the licence or of a civil order, recorded on the case."),
        Field("rationale", "Why (at this meeting)", Kind.LONG_TEXT,
              required_when=When("change", PLAN_CHANGES),
              help="The reason the meeting added, changed or ended this entry."),
    ),
    source=Source.PLAN,
    table="plan_entries",
    row_noun="entry",
)

#: Why a pillar with no entry is not needed at this meeting.
PLAN_NOT_NEEDED = Field("not_needed", "Not needed at this meeting because", Kind.TEXT,
                        help="Say why the plan needs nothing under this pillar now.")

#: Conditions of the licence and of each civil order, recorded on the case (plan entries
#: link to them).
CONDITIONS = Section(
    "conditions",
    "Conditions of the licence and orders",
    "Each condition of the licence and each prohibition or requirement of a civil order (an "
    "SHPO's prohibitions, for example), with where it comes from and its dates. Entries of the "
    "risk management plan can rest on them.",
    (
        Field("source", "Source", Kind.CHOICE, True, choices=CONDITION_SOURCES, to_save=True),
        Field("source_detail", "Detail", Kind.TEXT, max_length=300,
              help="The condition's number, or for 'other' what the order is.",
              required_when=When("source", ("other",)), to_save=True),
        Field("condition_text", "Condition", Kind.LONG_TEXT, True, to_save=True, max_length=20_000),
        Field("from_date", "Start date", Kind.DATE),
        Field("until_date", "End date", Kind.DATE, not_before=("from_date",)),
    ),
    source=Source.CASE_ROWS,
    table="case_conditions",
    row_noun="condition",
)


def pillar(key: str) -> Choice:
    """A pillar of the plan by its key."""
    for option in PLAN_PILLARS:
        if option.value == key:
            return option
    raise KeyError(key)


# --- The case record --------------------------------------------------------------------

CASE_STATUS = Section(
    "case_status",
    "Category, level and risk",
    "Where the case stands now. Finalising a minute updates the level, the risk of serious "
    "harm and the next review date from that meeting's decisions.",
    (
        Field("category", "Category", Kind.CHOICE, True, choices=CATEGORIES, to_save=True),
        Field("mappa_level", "MAPPA level", Kind.CHOICE, True, choices=MAPPA_LEVELS, to_save=True),
        _choice("current_rosh", "Risk of serious harm", ROSH_LEVELS),
        _date("next_review_date", "Next review date"),
    ),
    source=Source.CASE,
    rules=(Excludes("level:category3", "category", "3", "mappa_level", "1",
                    "Level 1 does not apply to category 3: choose level 2 or 3."),),
)

#: The case form, in order: what the co-ordinator fills in before the first meeting.
CASE_SECTIONS: tuple[Section, ...] = (
    CASE_STATUS,
    *(s for s in SECTIONS if s.source in (Source.CASE, Source.CASE_ROWS)),
)


_BY_KEY = {s.key: s for s in (*SECTIONS, CASE_STATUS)}


def section(key: str) -> Section:
    """The section with this key."""
    return _BY_KEY[key]


def meeting_fields() -> tuple[Field, ...]:
    """All single-valued fields the meeting record itself holds, in minute order."""
    return tuple(f for s in SECTIONS if s.source is Source.MEETING for f in s.fields)


def case_fields() -> tuple[Field, ...]:
    """All single-valued fields of the case record, in form order."""
    return tuple(f for s in CASE_SECTIONS if s.source is Source.CASE for f in s.fields)


def field_of_case(key: str) -> Field:
    """A field of the case record by its key."""
    for item in case_fields():
        if item.key == key:
            return item
    raise KeyError(key)


def field(path: str) -> Field:
    """A field by ``section.field`` path."""
    section_key, _, field_key = path.partition(".")
    return section(section_key).field(field_key)


# --- The directory ----------------------------------------------------------------------

AGENCY_KINDS = (
    Choice("responsible_authority", "Responsible authority"),
    Choice("duty_to_cooperate", "Duty-to-co-operate agency"),
    Choice("other", "Other"),
)

DIRECTORY_AGENCY = Section(
    "agency",
    "Agency",
    "An agency that attends meetings or owns actions.",
    (
        Field("name", "Name", Kind.TEXT, True, to_save=True, max_length=300),
        Field("kind", "Kind", Kind.CHOICE, True, choices=AGENCY_KINDS, to_save=True),
    ),
    source=Source.DIRECTORY,
)

DIRECTORY_PERSON = Section(
    "person",
    "Person",
    "Someone who attends meetings or owns actions (not an offender).",
    (
        Field("name", "Name", Kind.PERSON, True, to_save=True),
        Field("agency", "Agency", Kind.AGENCY),
        Field("role", "Role", Kind.TEXT, max_length=300),
        Field("contact", "Contact", Kind.TEXT, max_length=1_000),
    ),
    source=Source.DIRECTORY,
)
