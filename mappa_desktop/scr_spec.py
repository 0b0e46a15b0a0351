"""The Significant Case Review (SCR), described once.

The incident and each stage of the review (forms 13A-C of the updated guidance, then the
review itself and its closure) as sections of fields, in the same terms as ``spec.py``: the
forms are built from these, the printouts walk them, and the rules in ``scr.py`` read the
``required`` marks. Every stage shares the same frame (author, dates, decision, rationale)
so that a stage's status, who wrote it and what it decided read the same everywhere.
"""

from __future__ import annotations

from .spec import Choice, Field, Kind, Section, Source, When

REPORTER_TYPES = (
    Choice("responsible_authority", "Responsible authority",
           "Police Scotland, the local authority, the Scottish Prison Service or a health board."),
    Choice("duty_to_cooperate", "Duty-to-co-operate agency"),
    Choice("third_sector", "Third sector organisation"),
    Choice("profession", "Other profession"),
    Choice("individual", "Individual", "Any individual may report an incident."),
)

#: The criteria of the 2012 guidance (and the updated edition), and the catch-all the
#: guidance says must not be excluded.
CRITERIA = (
    Field("criterion_charged", "Charged with murder, attempted murder or a crime of serious sexual harm; "
          "or a further offence causing death or serious harm", Kind.YES_NO),
    Field("criterion_professional_concern", "Significant concern about professional or service "
          "involvement (or its lack)", Kind.YES_NO),
    Field("criterion_status_known", "Offender killed or seriously injured because their status "
          "became known", Kind.YES_NO),
    Field("criterion_other", "Other significant professional concern", Kind.YES_NO,
          help="The list of criteria must not be read to exclude cases that do not fit it "
               "precisely but have triggered significant professional concern; the SOG decides."),
)

INCIDENT = Section(
    "incident",
    "Incident",
    "What happened, when, and who reported it. Any agency, the third sector, a profession or an "
    "individual may report an incident. Tick each criterion it appears to meet.",
    (
        Field("incident_date", "Date of the incident", Kind.DATE, True, past=True),
        Field("what_happened", "What happened", Kind.LONG_TEXT, True),
        Field("reported_by", "Reported by", Kind.TEXT, True, "The person or organisation reporting."),
        Field("reporter_type", "Reporter is", Kind.CHOICE, True, choices=REPORTER_TYPES),
        Field("reported_date", "Date reported", Kind.DATE, True, past=True,
              not_before=("incident_date",)),
        *CRITERIA,
        Field("criteria_detail", "How the criteria are met", Kind.LONG_TEXT),
    ),
)


def _frame(decisions: tuple[Choice, ...], rationale_label: str = "Rationale for the decision") -> tuple[Field, ...]:
    """The fields every stage has: author, dates, decision and its rationale."""
    return (
        Field("author", "Author", Kind.PERSON, True),
        Field("author_agency", "Author's agency", Kind.AGENCY),
        Field("started_date", "Date started", Kind.DATE, True, past=True),
        Field("completed_date", "Date completed", Kind.DATE, True, past=True,
              not_before=("started_date",)),
        Field("decision", "Decision", Kind.CHOICE, True, choices=decisions),
        Field("rationale", rationale_label, Kind.LONG_TEXT, True,
              "Every decision records its reasons (Tayside 'Prisoner Z' review)."),
    )


NOTIFICATION = Section(
    "initial_notification",
    "13A Initial notification / initial case review",
    "What is known of the incident, the agencies involved, what was done at once, and whether "
    "an SCR appears merited and why. Immediate action need not wait for a formal review.",
    (
        Field("what_is_known", "What is known", Kind.LONG_TEXT, True),
        Field("agencies_involved", "Agencies involved", Kind.LONG_TEXT, True),
        Field("immediate_actions", "Immediate actions taken", Kind.LONG_TEXT, True),
        *_frame((Choice("merited", "An SCR appears merited"),
                 Choice("not_merited", "An SCR does not appear merited"))),
    ),
)

CHAIR_REVIEW = Section(
    "chair_review",
    "13B SOG chair's review",
    "The chair of the Strategic Oversight Group reviews the initial notification and puts a "
    "recommendation to the SOG.",
    (
        Field("chair_comments", "Chair's review", Kind.LONG_TEXT, True),
        *_frame((Choice("recommend_scr", "Recommend an SCR to the SOG"),
                 Choice("recommend_no_scr", "Recommend no SCR to the SOG"))),
    ),
)

SOG_DECISION = Section(
    "sog_decision",
    "13C SOG decision",
    "The SOG decides whether an SCR is warranted, its remit, who undertakes it or is "
    "commissioned, and how it is kept proportionate to the case. A decision of no SCR closes "
    "the record with its reasons.",
    (
        *_frame((Choice("scr", "Significant Case Review to be held"),
                 Choice("no_scr", "No Significant Case Review"))),
        Field("remit", "Remit of the review", Kind.LONG_TEXT, required_when=When("decision", ("scr",))),
        Field("undertaken_by", "Undertaken by / commissioned from", Kind.TEXT,
              required_when=When("decision", ("scr",))),
        Field("proportionality", "Proportionality", Kind.LONG_TEXT,
              help="The review should not be escalated beyond what the severity and complexity of the case need."),
    ),
)

REVIEW = Section(
    "review",
    "Significant Case Review",
    "The review itself: findings, lessons for public protection, recommendations (each with an "
    "owner and a target date; they join the case's action register when the stage is "
    "completed), accountability, public reassurance and good practice.",
    (
        Field("findings", "Findings", Kind.LONG_TEXT, True),
        Field("lessons", "Lessons for public protection", Kind.LONG_TEXT, True),
        Field("accountability", "Accountability", Kind.LONG_TEXT, True),
        Field("public_reassurance", "Public reassurance", Kind.LONG_TEXT, True),
        Field("good_practice", "Good practice identified", Kind.LONG_TEXT, True),
        *_frame((Choice("report_accepted", "Report accepted by the SOG"),
                 Choice("report_accepted_with_changes", "Report accepted with changes")),
                "SOG's reasons"),
    ),
)

RECOMMENDATIONS = Section(
    "recommendations",
    "Recommendations",
    "Each recommendation becomes an action in the case's register, with its owner and target "
    "date, when the review stage is completed.",
    (
        Field("recommendation", "Recommendation", Kind.LONG_TEXT, True),
        Field("owner_person", "Owner", Kind.PERSON, True),
        Field("owner_agency", "Owner's agency", Kind.AGENCY, True),
        Field("target_date", "Target date", Kind.DATE, True),
    ),
    source=Source.ROWS,
    table="scr_recommendations",
    row_noun="recommendation",
)

CLOSURE = Section(
    "closure",
    "Closure",
    "The SOG closes the review once its report is accepted and the recommendations are in "
    "the register.",
    (
        Field("closure_summary", "Summary at closure", Kind.LONG_TEXT, True),
        *_frame((Choice("closed", "Review closed"),), "Reasons for closing"),
    ),
)

#: The stages in the order they must be completed.
STAGES: tuple[Section, ...] = (NOTIFICATION, CHAIR_REVIEW, SOG_DECISION, REVIEW, CLOSURE)
STAGE_KEYS = tuple(s.key for s in STAGES)

#: Who a stage waits on while it is open.
WAITING_ON = {
    "initial_notification": "Author of the initial notification (13A)",
    "chair_review": "SOG chair (13B)",
    "sog_decision": "Strategic Oversight Group (13C)",
    "review": "Reviewer",
    "closure": "Strategic Oversight Group (closure)",
}


def stage(key: str) -> Section:
    """The section describing one stage."""
    for item in STAGES:
        if item.key == key:
            return item
    raise KeyError(key)


def stage_title(key: str) -> str:
    return stage(key).title if key in STAGE_KEYS else key


def criteria_met(values) -> list[str]:
    """The labels of the criteria ticked on an incident."""
    return [f.label for f in CRITERIA if values.get(f.key) not in (None, "", 0, "0")]
