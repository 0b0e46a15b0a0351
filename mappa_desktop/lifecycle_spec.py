"""The records around a minute's and a case's life, described once (as ``spec.py`` describes
the minute): issuing the draft for comment, the chair's approval, carrying an action forward
or re-assigning it between meetings, and a case leaving MAPPA.

Each is a ``spec.Section`` of its own (``Source.RECORD``): the dialogs build their fields
from it, ``mappa_desktop.rules`` checks what is typed against it, and the store refuses
what it forbids (``db/guards.py`` makes its triggers from the same fields).
"""

from __future__ import annotations

from .spec import Choice, Field, Kind, NotPast, Section, Source, When

# -- the minute's sign-off ------------------------------------------------------------------

ISSUE = Section(
    "issue",
    "Issued for comment",
    "The draft goes to those at the meeting (and those who sent apologies) for corrections "
    "before the chair approves it. Record to whom it went, how and when. Every printed or "
    "saved copy of the draft is in the audit log as a disclosure, and listed with the minute.",
    (
        Field("issued_to", "Issued to", Kind.TEXT, True, to_save=True, max_length=1_000,
              help="Who received the draft, and how: for example 'all attendees and those who sent "
                   "apologies, by secure e-mail'."),
        Field("issued_on", "Date issued", Kind.DATE, True, to_save=True, past=True,
              not_before=("meeting_date",)),
        Field("issue_note", "Note", Kind.TEXT, max_length=1_000,
              help="For example the date by which corrections are due."),
    ),
    source=Source.RECORD,
)

APPROVAL_METHODS = (
    Choice("passphrase", "Confirmed here by the chair",
           "The chair is a user of this laptop and confirms the approval with their own passphrase."),
    Choice("meeting", "Given at the meeting",
           "The chair approved the minute at the meeting; whoever finalises records it."),
    Choice("email", "Given by e-mail",
           "The chair approved the minute by e-mail; say which e-mail (its date and time)."),
    Choice("writing", "Given in writing",
           "A signed copy or a letter; say where it is filed."),
    Choice("telephone", "Given by telephone",
           "The chair approved the minute by telephone; whoever finalises records it."),
)

#: Methods where the chair's approval was given elsewhere and is recorded by someone else.
RECORDED_METHODS = tuple(c.value for c in APPROVAL_METHODS if c.value != "passphrase")

APPROVAL = Section(
    "approval",
    "Approval by the chair",
    "The chair approves the minute: finalising records who approved it, in what capacity, "
    "when and how. Either the chair confirms here with their own passphrase (not the login of "
    "whoever is at the keyboard), or the person finalising records an approval the chair gave "
    "elsewhere, and is named as having recorded it.",
    (
        Field("approved_by", "Approved by", Kind.PERSON, True, to_save=True),
        Field("approved_as", "As", Kind.TEXT, True, to_save=True, max_length=100,
              help="Chair, or for example 'deputy chair' when the chair could not."),
        Field("approval_method", "How", Kind.CHOICE, True, choices=APPROVAL_METHODS, to_save=True),
        Field("approved_on", "Date approved", Kind.DATE, True, to_save=True, past=True,
              not_before=("meeting_date",)),
        Field("approval_note", "Reference", Kind.TEXT, max_length=1_000, to_save=True,
              required_when=When("approval_method", ("email", "writing")),
              help="Which e-mail (date and time) or where the signed copy is filed."),
    ),
    source=Source.RECORD,
)

# -- an action's life between meetings --------------------------------------------------------

CARRY = Section(
    "carry_forward",
    "Carry an action forward",
    "The action is not done yet: give it a new target date and say why. The old target stays "
    "in the action's history; overdue is reckoned from the new one.",
    (
        Field("target_date", "New target date", Kind.DATE, True, to_save=True, not_before=("raised_date",)),
        Field("reason", "Reason", Kind.LONG_TEXT, True, to_save=True, max_length=10_000),
    ),
    source=Source.RECORD,
    rules=(NotPast("carry:past", "target_date", "The new target date ({date}) has already passed."),),
)

REASSIGN = Section(
    "reassign",
    "Re-assign an action",
    "Someone else (or another agency) now owns the action: name them and say why. The old "
    "owner stays in the action's history.",
    (
        Field("owner_person", "New owner", Kind.PERSON, True, to_save=True),
        Field("owner_agency", "Agency", Kind.AGENCY, True, to_save=True),
        Field("reason", "Reason", Kind.LONG_TEXT, True, to_save=True, max_length=10_000),
    ),
    source=Source.RECORD,
)

# -- leaving MAPPA -------------------------------------------------------------------------------

EXIT_REASONS = (
    Choice("notification_ended", "Notification requirements ended",
           "Category 1: the sex offender notification requirements (and any order that carries "
           "them) have ended."),
    Choice("supervision_ended", "Licence or statutory supervision ended",
           "Category 3: the licence or other statutory supervision in the community has ended."),
    Choice("order_ended", "Restriction or civil order ended",
           "A restriction order, compulsion order or civil order has ended or been discharged "
           "(for example a restricted patient's absolute discharge)."),
    Choice("risk_reduced", "No longer meets the criteria",
           "Category 3: the risk of serious harm is no longer high or very high, so the case no "
           "longer needs level 2 or 3 management."),
    Choice("transferred", "Transferred to another area",
           "Managed under MAPPA elsewhere from now on."),
    Choice("died", "Died"),
    Choice("other", "Other", "Say what in the detail."),
)

CASE_EXIT = Section(
    "case_exit",
    "Leaving MAPPA",
    "Record the decision that the person leaves MAPPA: the date, the reason and the meeting "
    "that decided it. From then on the case is read-only (corrections are addenda), it leaves "
    "the dashboard and the register's counts, and it stays in the store until the retention "
    "review.",
    (
        Field("exit_date", "Date of exit", Kind.DATE, True, to_save=True, past=True,
              not_before=("meeting_date",)),
        Field("exit_reason", "Reason", Kind.CHOICE, True, choices=EXIT_REASONS, to_save=True),
        Field("exit_detail", "Detail", Kind.LONG_TEXT, max_length=10_000, to_save=True,
              required_when=When("exit_reason", ("other",))),
    ),
    source=Source.RECORD,
)

CASE_ADDENDUM = Section(
    "case_addendum",
    "Addendum to the case",
    "A correction or a fact added after the case left MAPPA, with the reason; the record "
    "itself no longer changes.",
    (
        Field("body", "Addendum", Kind.LONG_TEXT, True, to_save=True),
        Field("reason", "Reason", Kind.TEXT, True, to_save=True, max_length=1_000),
    ),
    source=Source.RECORD,
)

#: Every record section, for the store's guards and the spec's own tests.
RECORDS = (ISSUE, APPROVAL, CARRY, REASSIGN, CASE_EXIT, CASE_ADDENDUM)
