"""The audits from the record: working days (bank holidays, weekends), the meeting audit's
suggestions (each item with and without its evidence), the auditor's grades (saved,
logged, never touching the minute), the case audit, and the SOG's figures for a period."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mappa_desktop.ops import minute as minutes
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import REVIEW_FIELDS, add_example_case, add_example_meetings
from mappa_desktop.oversight import case_audit, meeting_audit, report, workdays
from mappa_desktop.paths import DataPaths
from mappa_desktop.printouts import PACK_KIND
from mappa_desktop.security import TEST_KDF
from mappa_desktop.settings import SettingError
from tests.signoff_helpers import recorded_approval

SCOTLAND = workdays.parse_rules(workdays.DEFAULT_RULES)


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


@pytest.fixture
def world(tmp_path):
    clock = Clock(at("2026-10-20"))
    session = create_store(DataPaths(tmp_path / "d"), name="Ann Auditor", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=clock)
    yield session.store, clock
    session.close()


def _pack_printed(store, clock, case_id, day):
    """A pre-meeting pack printed on ``day``, logged as the print dialog logs it."""
    before, clock.moment = clock.moment, at(day, 14)
    store.audit.record_now("disclosure", "case", case_id, detail=f"{PACK_KIND.lower()} printed, 4 pages",
                           recipient="Meeting members", purpose="Papers for the meeting")
    clock.moment = before


# -- working days ---------------------------------------------------------------------------------


def test_working_days_across_christmas_new_year_and_weekends():
    # Thu 24/12/2026 to Tue 05/01/2027: Christmas (Fri), the weekend, Boxing Day moved to
    # Mon 28th, New Year's Day (Fri), the weekend, 2 January moved to Mon 4th.
    assert workdays.working_days_between(date(2026, 12, 24), date(2027, 1, 5), SCOTLAND) == 4
    assert workdays.working_days_between(date(2026, 10, 16), date(2026, 10, 19), SCOTLAND) == 1  # Fri -> Mon
    assert workdays.working_days_between(date(2026, 10, 19), date(2026, 10, 19), SCOTLAND) == 0
    assert workdays.working_days_between(date(2026, 10, 19), date(2026, 10, 12), SCOTLAND) == 0
    # Easter: Good Friday is a holiday in Scotland, Easter Monday is not.
    assert workdays.working_days_between(date(2026, 4, 2), date(2026, 4, 6), SCOTLAND) == 1


def test_scottish_holidays_come_from_rules_for_any_year():
    def days(year):
        return sorted(d.isoformat() for d in workdays.holidays_in(year, SCOTLAND))

    assert days(2027) == ["2027-01-01", "2027-01-04", "2027-03-26", "2027-05-03", "2027-05-31",
                          "2027-08-02", "2027-11-30", "2027-12-27", "2027-12-28"]
    # 2021: Christmas on a Saturday and Boxing Day on a Sunday move to Monday and Tuesday.
    assert {"2021-12-27", "2021-12-28"} <= set(days(2021))
    # 2022: New Year's Day on a Saturday, 2 January on a Sunday: Monday 3rd and Tuesday 4th.
    assert days(2022)[:2] == ["2022-01-03", "2022-01-04"]
    assert len(days(2051)) == 9  # rules, not a list that runs out


def test_rules_as_typed_and_their_mistakes():
    rules = workdays.parse_rules(["  08/05/2023   Coronation ", "third Friday in September Local holiday",
                                  "Easter +1 Easter Monday", ""])
    assert [r.kind for r in rules] == ["once", "nth", "easter"]
    assert date(2023, 5, 8) in workdays.holidays_in(2023, rules)
    assert date(2024, 5, 8) not in workdays.holidays_in(2024, rules)
    assert date(2026, 9, 18) in workdays.holidays_in(2026, rules)
    assert date(2026, 4, 6) in workdays.holidays_in(2026, rules)
    for bad in ("31/02 Nonsense", "Easter +90 Far", "fifth Monday of May", "Christmas"):
        with pytest.raises(workdays.RuleError) as caught:
            workdays.parse_rule(bad)
        assert bad.split()[0] in str(caught.value)


@given(start=st.dates(date(2020, 1, 1), date(2035, 12, 31)), days=st.integers(0, 60))
def test_adding_and_counting_working_days_agree(start, days):
    end = workdays.add_working_days(start, days, SCOTLAND)
    assert workdays.working_days_between(start, end, SCOTLAND) == days
    assert days == 0 or workdays.is_working_day(end, SCOTLAND)


def test_twenty_working_days_over_st_andrews_day():
    # Referred Mon 02/11/2026; St Andrew's Day is Mon 30/11: the 20th working day is Tue 01/12.
    held = [case_audit.MeetingHeld(1, "2026-12-01", "initial")]
    on_time = case_audit.timeliness("2026-11-02", held, date(2027, 1, 1), SCOTLAND)
    assert (on_time.working_days, on_time.late, on_time.due_by) == (20, False, "2026-12-01")
    held = [case_audit.MeetingHeld(1, "2026-12-02", "initial")]
    late = case_audit.timeliness("2026-11-02", held, date(2027, 1, 1), SCOTLAND)
    assert (late.working_days, late.late) == (21, True)
    assert "21 working days" in late.words() and "more than the 20" in late.words()
    waiting = case_audit.timeliness("2026-11-02", [], date(2026, 11, 20), SCOTLAND)
    assert (waiting.initial_meeting_id, waiting.working_days, waiting.late) == (None, 14, False)
    assert case_audit.timeliness(None, held, date(2027, 1, 1), SCOTLAND).working_days is None


def test_the_bank_holiday_setting_is_editable_and_checked(world):
    store, clock = world
    clock.moment = at("2026-12-10")
    case_id = store.cases.create({"reference": "R-1", "full_name": "A PERSON", "category": "1", "mappa_level": "2",
                                  "referral_date": "2026-11-02"})
    meeting = store.minutes.create(case_id, {"meeting_type": "initial", "meeting_date": "2026-12-02"})
    assert case_audit.for_case(store=store, case_id=case_id, today=store.today()).timeliness.late is True
    with pytest.raises(SettingError) as caught:
        store.settings.set("bank_holidays", "25/12 Christmas Day\nevery other Tuesday")
    assert "every other Tuesday" in str(caught.value)
    # An area's local holiday on Fri 27/11 makes Wed 02/12 the 20th working day.
    store.settings.set("bank_holidays", "\n".join([*workdays.DEFAULT_RULES, "27/11/2026 Local holiday"]))
    audit = case_audit.for_case(store=store, case_id=case_id, today=store.today())
    assert (audit.timeliness.initial_meeting_id, audit.timeliness.working_days, audit.timeliness.late) == (meeting, 20, False)


# -- the meeting audit's suggestions ---------------------------------------------------------------


@pytest.fixture
def audited(world):
    """The example case: its July meeting and the October review, whose minute has
    everything; the pack for October printed a week before."""
    store, clock = world
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    _pack_printed(store, clock, case_id, "2026-10-07")
    return store, clock, case_id, first, review


def _finding(store, meeting_id, key):
    return next(f for f in meeting_audit.suggest(store=store, meeting_id=meeting_id) if f.key == key)


def test_a_full_minute_evidences_every_item(audited):
    store, clock, case_id, first, review = audited
    findings = {f.key: f for f in meeting_audit.suggest(store=store, meeting_id=review)}
    assert list(findings) == [i.key for i in meeting_audit.ITEMS]
    assert {k: f.suggested for k, f in findings.items()} == {k: 4 for k in findings}, {
        k: f.missing for k, f in findings.items() if f.missing}
    assert "Pre-meeting pack printed on 07/10/2026, 7 days before the meeting." in findings["papers"].evidence
    assert "Agreed at 10:02, 2 minutes after the start (10:00)." in findings["confidentiality"].evidence
    assert any(e.startswith("Dissent recorded (") for e in findings["dissent"].evidence)
    assert any(e.startswith("Victim issues recorded (") for e in findings["victims_diversity"].evidence)
    assert any(e.startswith("Chair's summary present") for e in findings["summary"].evidence)
    assert all(not f.missing for f in findings.values())


def _without(store, review, section, values):
    store.minutes.save_fields(review, section, values)


@pytest.mark.parametrize("key, take_away, grade, missing", [
    ("papers", lambda s, c, r: s.minutes.save_rows(r, "documents", []), 2,
     ["The previous minute is not among the documents tabled.", "No documents tabled are recorded."]),
    ("purpose", lambda s, c, r: (_without(s, r, "purpose", {"meeting_type": None, "purpose_notes": None}),
                                 _without(s, r, "next_review", {"next_review_date": None})), 1,
     ["Not recorded as initial or review.", "No purpose stated beyond the kind of meeting.", "No next review date set."]),
    ("introductions", lambda s, c, r: s.minutes.save_rows(r, "attendance", [
        {"name": "DS Fiona McLeish", "agency": "Police Scotland", "status": "apologies"}]), 1,
     ["No one is recorded as present."]),
    ("confidentiality", lambda s, c, r: _without(s, r, "confidentiality", {
        "confidentiality_agreed": None, "confidentiality_time": None, "confidentiality_reaffirmed": None}), 1,
     ["The confidentiality statement is not recorded as agreed."]),
    ("dissent", lambda s, c, r: (_without(s, r, "dissent", {"dissent": None}),
                                 _without(s, r, "mappa_level", {"level_decision": None, "level_rationale": None}),
                                 _without(s, r, "rosh", {"agreed_rosh": None, "rosh_rationale": None})), 1,
     ["Dissent not recorded (write 'None' when there was none).", "No MAPPA level decision recorded.",
      "No risk of serious harm agreed."]),
    ("victims_diversity", lambda s, c, r: (_without(s, r, "victims", {"victim_issues": None}),
                                           _without(s, r, "diversity", {"diversity_offender": None,
                                                                        "diversity_victims": None}),
                                           _without(s, r, "rosh", {"rosh_to_whom": None})), 1,
     ["Victim issues not recorded.", "Diversity for the offender not recorded.",
      "Diversity for victims and potential victims not recorded.", "Who is at risk is not recorded."]),
    ("summary", lambda s, c, r: _without(s, r, "chair_summary", {"chair_summary": None}), 1,
     ["No chair's summary."]),
])
def test_each_item_without_its_evidence(audited, key, take_away, grade, missing):
    store, clock, case_id, first, review = audited
    assert _finding(store, review, key).suggested == 4
    take_away(store, case_id, review)
    found = _finding(store, review, key)
    assert found.suggested == grade
    assert list(found.missing) == missing
    others = {f.key: f.suggested for f in meeting_audit.suggest(store=store, meeting_id=review) if f.key != key}
    assert all(g == 4 for k, g in others.items() if k not in ("papers", "dissent")), others


def test_papers_in_detail(audited):
    store, clock, case_id, first, review = audited
    # The pack printed for the July meeting does not count for October, nor one printed after it.
    later = store.minutes.create(case_id, {"meeting_type": "review", "meeting_date": "2027-01-13", "meeting_time": "10:00"})
    store.minutes.save_rows(later, "documents", [{"title": "Minute of the meeting of 14/10/2026"}])
    _pack_printed(store, clock, case_id, "2027-01-14")
    assert _finding(store, later, "papers").missing[0] == "No pre-meeting pack was printed or saved before the meeting."
    # Two days before: papers went out, but late.
    _pack_printed(store, clock, case_id, "2027-01-11")
    found = _finding(store, later, "papers")
    assert found.evidence[0] == "Pre-meeting pack printed on 11/01/2027, 2 days before the meeting."
    assert found.missing == ("Less than 5 days' notice.",) and found.suggested == 3
    # A preview is a consultation, not papers sent.
    before, clock.moment = clock.moment, at("2027-01-04")
    store.audit.record_now("consultation", "case", case_id, detail=f"preview of {PACK_KIND.lower()}, 4 pages")
    clock.moment = before
    assert _finding(store, later, "papers").evidence[0].startswith("Pre-meeting pack printed on 11/01/2027")
    # An initial meeting has no previous minutes to send.
    other = store.cases.create({"reference": "R-2", "full_name": "B PERSON", "category": "1", "mappa_level": "2"})
    initial = store.minutes.create(other, {"meeting_date": "2026-10-20"})
    assert "Initial meeting: there are no previous minutes to send." in _finding(store, initial, "papers").evidence


def test_confidentiality_and_dissent_in_detail(audited):
    store, clock, case_id, first, review = audited
    _without(store, review, "confidentiality", {"confidentiality_time": "10:40", "confidentiality_reaffirmed": None})
    found = _finding(store, review, "confidentiality")
    assert found.evidence == ("Agreed at 10:40, 40 minutes after the start (10:00).",)
    assert found.missing == ("More than 15 minutes after the start.",) and found.suggested == 2
    _without(store, review, "confidentiality", {"confidentiality_agreed": 0})
    assert _finding(store, review, "confidentiality").missing == ("Recorded as not agreed.",)
    _without(store, review, "dissent", {"dissent": "None."})
    assert _finding(store, review, "dissent").evidence[0] == "No dissent: recorded as none."
    _without(store, review, "mappa_level", {"level_rationale": None})
    found = _finding(store, review, "dissent")
    assert found.missing == ("No rationale for the level decision.",) and found.suggested == 3


# -- the auditor --------------------------------------------------------------------------------------


def test_the_auditor_confirms_or_changes_with_a_comment_and_the_minute_stays_as_it_was(audited):
    store, clock, case_id, first, review = audited
    items = minutes.check(store=store, meeting_id=review, today=store.today())
    minutes.finalise(store=store, meeting_id=review, acknowledgements={i.key: "ok" for i in items}, today=store.today(), approval=recorded_approval(store, review))
    before_minute = store.minutes.get(review, consult=False)
    before_snapshot = store.minutes.snapshot(review)
    grades = {f.key: (f.suggested, "") for f in meeting_audit.suggest(store=store, meeting_id=review)}
    grades["summary"] = (2, "")
    audit_id, problems = meeting_audit.save(store=store, meeting_id=review, grades=grades, completed=True,
                                            today=store.today())
    assert audit_id is None and [p.item for p in problems] == ["summary"]
    assert "differs from the suggested 4" in problems[0].message
    grades["summary"] = (2, "The summary does not mention the disclosure decision.")
    grades["papers"] = (None, "")
    audit_id, problems = meeting_audit.save(store=store, meeting_id=review, grades=grades, completed=True,
                                            today=store.today())
    assert [p.item for p in problems] == ["papers"]  # completing needs every grade
    audit_id, problems = meeting_audit.save(store=store, meeting_id=review, grades=grades, completed=False,
                                            today=store.today())
    assert problems == [] and audit_id
    saved = store.audits.get(review)
    assert saved.status == "draft" and saved.auditor_id == store.user.id
    assert saved.record["items"]["summary"] == {
        "suggested": 4, "grade": 2, "comment": "The summary does not mention the disclosure decision.",
        "evidence": list(_finding(store, review, "summary").evidence), "missing": []}
    grades["papers"] = (4, "")
    assert meeting_audit.save(store=store, meeting_id=review, grades=grades, completed=True,
                              today=store.today())[0] == audit_id
    assert store.audits.get(review).status == "completed" and meeting_audit.complete(store.audits.get(review).record)
    logged = [(e.kind, e.record_type, e.record_id, e.detail) for e in store.audit.entries()
              if e.record_type == "meeting_audit"]
    assert logged == [("collection", "meeting_audit", audit_id, f"meeting {review}; draft"),
                      ("alteration", "meeting_audit", audit_id, f"meeting {review}; completed")]
    after = store.minutes.get(review, consult=False)
    assert (after.values, after.rows, after.updated_at, after.status) == (
        before_minute.values, before_minute.rows, before_minute.updated_at, "finalised")
    assert store.minutes.snapshot(review) == before_snapshot
    assert store.audit.verify().ok


def test_a_meeting_audit_prints_on_the_common_page(audited):
    from pypdf import PdfReader

    from mappa_desktop import printing
    from mappa_desktop.printouts import meeting_audit_job

    store, clock, case_id, first, review = audited
    grades = {f.key: (f.suggested, "") for f in meeting_audit.suggest(store=store, meeting_id=review)}
    grades["summary"] = (3, "Brief <b>but</b> adequate & clear")
    meeting_audit.save(store=store, meeting_id=review, grades=grades, completed=True, today=store.today())
    content, meta = meeting_audit_job(store, review)
    result = printing.render_meeting_audit(content, meta)
    reader = PdfReader(io.BytesIO(result.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert text.count("OFFICIAL-SENSITIVE") == 2 * result.pages
    assert f"Page 1 of {result.pages}" in text and "FS-2026-0147" in text
    assert "Pre-meeting pack printed on 07/10/2026, 7 days before the meeting." in text
    assert "Brief <b>but</b> adequate & clear" in text  # escaped, printed as typed
    assert "Kenneth" not in (reader.metadata.title or "") + (reader.metadata.author or "")


# -- the case audit ---------------------------------------------------------------------------------


def test_case_audit_reads_invitations_attendance_and_reports(audited):
    store, clock, case_id, first, review = audited
    rows = [dict(r) for r in store.minutes.get(review, consult=False).rows["attendance"]]
    for row in rows:
        row.pop("id")
        if row["name"] == "Ross Mackay":
            row["report_received"] = 1
    store.minutes.save_rows(review, "attendance", rows)
    case = store.cases.get(case_id, consult=False)
    store.cases.update(case_id, dict(case.values, referral_date="2026-06-10"), [o.as_values() for o in case.orders])
    audit = case_audit.for_case(store=store, case_id=case_id, today=date(2026, 10, 20))
    october = audit.meetings[0]
    assert (october.meeting_id, october.invited, october.present, october.apologies, october.did_not_attend) == (
        review, 8, 6, 1, 1)
    assert (october.reports_received, october.reports_not_received, october.reports_not_recorded) == (1, 0, 1)
    assert audit.meetings[1].meeting_id == first and audit.meetings[1].not_present == 0
    assert audit.timeliness.referral_date == "2026-06-10" and audit.timeliness.late  # no initial meeting
    with pytest.raises(Exception) as caught:
        store.cases.update(case_id, dict(case.values, referral_date="2027-06-10"), [o.as_values() for o in case.orders])
    assert "future" in str(caught.value)


# -- the SOG's figures -------------------------------------------------------------------------------


@pytest.fixture
def period(world):
    """Three cases with meetings in the second quarter of 2026 (and one either side)."""
    store, clock = world
    clock.moment = at("2026-08-01")

    def case(ref, referral):
        return store.cases.create({"reference": ref, "full_name": f"Name of {ref}", "category": "1",
                                   "mappa_level": "2", "referral_date": referral})

    def meeting(case_id, kind, day, review=None, full=False):
        meeting_id = store.minutes.create(case_id, {"meeting_type": kind, "meeting_date": day, "meeting_time": "10:00"})
        if review:
            store.minutes.save_fields(meeting_id, "next_review", {"next_review_date": review})
        if full:
            for section, values in REVIEW_FIELDS.items():
                store.minutes.save_fields(meeting_id, section, values if section != "next_review" else {})
            store.minutes.save_rows(meeting_id, "attendance", [
                {"name": "DS Fiona McLeish", "agency": "Police Scotland", "role": "OMU", "status": "present"}])
            store.minutes.save_rows(meeting_id, "documents", [{"title": "Minute of the last meeting"}])
        return meeting_id

    a, b, c = case("A-1", "2026-03-02"), case("B-2", "2026-03-02"), case("C-3", None)
    meeting(c, "review", "2025-12-01")  # before the period
    a_initial = meeting(a, "initial", "2026-03-25", review="2026-06-15")  # 17 working days
    a_review = meeting(a, "review", "2026-06-20", full=True)  # after the 15/06 review date: late
    _pack_printed(store, clock, a, "2026-06-10")
    meeting(b, "initial", "2026-04-20", review="2026-07-15")  # 34 working days (Good Friday)
    meeting(b, "review", "2026-06-25")  # on time
    meeting(c, "initial", "2026-05-05")  # no referral date
    meeting(b, "review", "2026-07-10")  # after the period
    for agency, status, target in (("Police Scotland", "open", "2026-07-01"), ("Police Scotland", "carried", "2026-06-01"),
                                   ("Justice Social Work", "open", "2026-07-30"), ("Police Scotland", "done", "2026-06-01"),
                                   ("Justice Social Work", "open", "2026-09-01"), ("Children's Services", "withdrawn", "2026-05-01")):
        action = store.minutes.raise_action(a_initial, {"action_text": "x", "owner_agency": agency, "target_date": target})
        if status == "done":
            store.actions.set_state(action, status="done", completed_date="2026-05-30")
        elif status == "carried":
            # Carried forward some time ago to this date, which has since passed.
            store.db.execute("UPDATE actions SET status = 'carried' WHERE id = ?", [action])
        elif status == "withdrawn":
            store.actions.withdraw(action, "No longer needed")
    return store, clock, a_review


def test_the_sog_figures_for_a_seeded_period(period):
    store, clock, a_review = period
    figures = report.oversight_report(store=store, start=date(2026, 3, 1),
                                      end=date(2026, 6, 30), today=store.today())
    assert (figures.start, figures.end, figures.as_at) == ("2026-03-01", "2026-06-30", "2026-08-01")
    assert (figures.meetings_held, figures.initial_held, figures.review_held, figures.in_draft) == (5, 3, 2, 5)
    assert (figures.initial_with_referral, figures.initial_past_limit, figures.initial_without_referral) == (2, 1, 1)
    assert (figures.reviews_with_due_date, figures.reviews_late) == (2, 1)
    assert figures.actions_overdue == (("Police Scotland", 2), ("Justice Social Work", 1))
    shares = {s.key: (s.meeting, s.of) for s in figures.items}
    # Only A's review minute has its sections filled; the others are bare.
    assert shares["summary"] == (1, 5) and shares["confidentiality"] == (1, 5)
    assert shares["victims_diversity"] == (1, 5) and shares["papers"] == (1, 5)
    assert figures.audited == 0
    # A completed audit's grade replaces the suggestion.
    grades = {f.key: (f.suggested, "") for f in meeting_audit.suggest(store=store, meeting_id=a_review)}
    grades["summary"] = (1, "No summary of the decisions, only of the risk.")
    meeting_audit.save(store=store, meeting_id=a_review, grades=grades, completed=True, today=store.today())
    figures = report.oversight_report(store=store, start=date(2026, 6, 30), end=date(2026, 3, 1), today=store.today())
    assert figures.audited == 1 and {s.key: s.meeting for s in figures.items}["summary"] == 0
    assert figures.meetings_held == 5  # the dates the other way round: the same period


def test_the_sog_printout_has_figures_and_no_names_or_references(period):
    from pypdf import PdfReader

    from mappa_desktop import printing
    from mappa_desktop.printouts import print_meta

    store, clock, a_review = period
    figures = report.oversight_report(store=store, start=date(2026, 3, 1), end=date(2026, 6, 30), today=store.today())
    result = printing.render_oversight(figures, print_meta(store))
    reader = PdfReader(io.BytesIO(result.pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Meetings held 01/03/2026 to 30/06/2026" in text and "figures as at 01/08/2026" in text
    assert "Police Scotland" in text and "All agencies" in text
    assert "1 of 5" in text and "20%" in text
    for secret in ("A-1", "B-2", "C-3", "Name of"):
        assert secret not in text
    assert text.count("OFFICIAL-SENSITIVE") == 2 * result.pages


def test_the_new_fields_print_in_the_minute(audited):
    """The referral date and 'written report' come from the spec: the minute prints them."""
    from pypdf import PdfReader

    from mappa_desktop import printing
    from mappa_desktop.printouts import minute_job

    store, clock, case_id, first, review = audited
    case = store.cases.get(case_id, consult=False)
    store.cases.update(case_id, dict(case.values, referral_date="2026-06-10"), [o.as_values() for o in case.orders])
    rows = [{k: v for k, v in r.items() if k != "id"} for r in store.minutes.get(review, consult=False).rows["attendance"]]
    rows[-1]["report_received"] = 0
    rows[-2]["report_received"] = 1
    store.minutes.save_rows(review, "attendance", rows)
    content, meta = minute_job(store, review)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(printing.render_minute(content, meta).pdf)).pages)
    assert "Referred to MAPPA" in text and "10/06/2026" in text
    # The attendance table gains its "Report" column (yes or no for those not present).
    attendance = text[text.index("Attendance\nNote"):]
    assert attendance.startswith("Attendance\nNote\nReport\n")
    assert "Did not attend\nNo\n" in attendance and "Apologies\nYes\n" in attendance
