"""Significant Case Reviews: an incident through every stage to closure in the window; the
recommendations in the action register; the chronology before the incident; the rules
(rationale, no skipping, "no SCR" closes); printouts of every stage read back; audit."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from mappa_desktop import printing, scr, scr_spec
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case
from mappa_desktop.paths import DataPaths
from mappa_desktop.printing import PrintMeta
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.scr_list import ReviewsModel
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text

CLOCK = lambda: datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)  # noqa: E731

INCIDENT = {"incident_date": "2026-11-03", "what_happened": "Arrested after an assault in Perth",
            "reported_by": "Perth Women's Aid", "reporter_type": "third_sector", "reported_date": "2026-11-04",
            "criterion_charged": 1, "criterion_other": 1}
FRAME = {"author": "Moira Baxter", "author_agency": "Justice Social Work", "started_date": "2026-11-05",
         "completed_date": "2026-11-06"}
STAGE_VALUES = {
    "initial_notification": {"what_is_known": "Charged on petition", "agencies_involved": "Police, JSW",
                             "immediate_actions": "Risk plan reviewed", "decision": "merited",
                             "rationale": "Further offence causing serious harm"},
    "chair_review": {"chair_comments": "Criteria met", "decision": "recommend_scr", "rationale": "Serious harm"},
    "sog_decision": {"decision": "scr", "rationale": "Criteria met; learning likely", "remit": "Six months before",
                     "undertaken_by": "Independent reviewer", "proportionality": "Desk review and interviews"},
    "review": {"findings": "Home visits lapsed", "lessons": "Share intelligence sooner",
               "accountability": "Police and JSW", "public_reassurance": "Plan was reviewed",
               "good_practice": "Quick disclosure", "decision": "report_accepted", "rationale": "Thorough"},
    "closure": {"closure_summary": "Recommendations in the register", "decision": "closed",
                "rationale": "Report accepted and actions raised"},
}
RECOMMENDATIONS = [
    {"recommendation": "Weekly joint home visits", "owner_person": "DS Fiona McLeish",
     "owner_agency": "Police Scotland", "target_date": "2027-01-31"},
    {"recommendation": "Review intelligence sharing protocol", "owner_person": "Aileen Docherty",
     "owner_agency": "Justice Social Work", "target_date": "2027-03-31"},
]


@pytest.fixture
def world(tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    july = store.minutes.create(case_id, {"meeting_date": "2026-07-15"})
    store.minutes.raise_action(july, {"action_text": "Examine devices", "owner_person": "DS Fiona McLeish",
                                      "owner_agency": "Police Scotland", "target_date": "2026-10-31"})
    october = store.minutes.create(case_id, {"meeting_date": "2026-10-14"})
    store.minutes.raise_action(october, {"action_text": "Disclosure to Ms Reid", "owner_person": "DS Fiona McLeish",
                                         "owner_agency": "Police Scotland", "target_date": "2026-11-12"})
    after = store.minutes.create(case_id, {"meeting_date": "2026-11-10"})  # after the incident: left out
    yield session, case_id, after
    session.close()


@pytest.fixture
def window(qtbot, world):
    tasks = TaskRunner()
    win = MainWindow(world[0], tasks)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.dispose()
    tasks.shutdown()


def _fill(form, values) -> None:
    for key, value in values.items():
        form.field_widget(key).set_value(value)


def _open_review(store, case_id) -> int:
    review_id, problems = scr.report_incident(store=store, case_id=case_id, values=INCIDENT)
    assert problems == []
    return review_id


def _complete(store, review_id, key, **extra) -> list:
    return scr.complete_stage(store=store, review_id=review_id, stage_key=key,
                              values={**FRAME, **STAGE_VALUES[key], **extra},
                              recommendations=RECOMMENDATIONS if key == "review" else None)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_an_incident_goes_through_every_stage_to_closure_in_the_window(qtbot, world, window):
    session, case_id, _ = world
    store = session.store
    window.open_case(case_id)
    overview = window.page("cases").overview
    overview.tabs.setCurrentIndex(3)
    tab = overview.reviews_tab
    dialog = tab.report_incident()
    dialog.save()
    assert "Date of the incident: required." in dialog.message.text() and store.scr.of_case(case_id) == []
    _fill(dialog.form, {k: v for k, v in INCIDENT.items() if k != "what_happened"})
    type_text(dialog.form.field_widget("what_happened").focus_target(), "Arrested after an assault")
    assert dialog.save()
    editor = tab.editor
    review_id = editor.review_id
    assert store.scr.get(review_id).incident["what_happened"] == "Arrested after an assault"
    assert "Author of the initial notification" in editor.waiting.text()
    # The chronology before the incident: prior meetings and actions, in order, none after.
    texts = [editor.chronology.item(r, 2).text() for r in range(editor.chronology.rowCount())]
    dates = [e.on for e in editor.events]
    assert dates == sorted(dates) and all(d < "2026-11-03" for d in dates)
    def row_of(start: str) -> int:
        return next(i for i, t in enumerate(texts) if t.startswith(start))

    assert row_of("Action 1 raised: Examine devices") < row_of("Action 2 raised: Disclosure to Ms Reid")
    assert not editor.stages["chair_review"].complete_button.isEnabled()  # no skipping
    for key in scr_spec.STAGE_KEYS:
        panel = editor.stages[key]
        editor.tabs.setCurrentWidget(panel)
        _fill(panel.form, {**FRAME, **STAGE_VALUES[key], "rationale": None})
        if key == "review":
            for row in RECOMMENDATIONS:
                panel.recommendations.add_row(row)
        panel = editor.stages[key]
        assert panel.complete() and "rationale" in panel.message.text()
        type_text(panel.form.field_widget("rationale").focus_target(), "Because")
        assert panel.complete() == [], panel.message.text()
        assert store.scr.get(review_id).stages[key].status == "completed"
    review = store.scr.get(review_id)
    assert review.closed and review.closed_reason == "Review closed: Because"
    assert "Closed" in editor.waiting.text()
    actions = [a for a in store.actions.of_case(case_id) if a.action_text.startswith("SCR recommendation")]
    assert [(a.owner_person, a.owner_agency, a.target_date, a.meeting_id) for a in actions] == [
        ("DS Fiona McLeish", "Police Scotland", "2027-01-31", None),
        ("Aileen Docherty", "Justice Social Work", "2027-03-31", None)]
    assert {r.action_id for r in review.recommendations} == {a.id for a in actions}
    # Everything audited, with ids and keys, never the values typed.
    entries = [e for e in store.audit.entries() if e.record_type in ("scr_review", "scr_recommendation")]
    assert len(entries) >= 1 + 5 + 2
    assert not any("Because" in e.detail or "assault" in e.detail for e in entries)


def test_cross_case_list_by_stage_with_who_it_waits_on(qtbot, qtmodeltester, world, window):
    session, case_id, _ = world
    store = session.store
    first = _open_review(store, case_id)
    second = _open_review(store, case_id)
    assert _complete(store, second, "initial_notification") == []
    scr.save_draft(store=store, review_id=second, stage_key="chair_review", values={"author": "Chief Supt Rae"})
    window.show_page("reviews")
    model = window.page("reviews").model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=2000)  # the list follows the record
    qtmodeltester.check(ReviewsModel(store))
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    assert rows[0][2].startswith("13A") and rows[0][3] == "Author of the initial notification (13A)"
    assert rows[1][2].startswith("13B") and rows[1][3] == "SOG chair (13B): Chief Supt Rae"
    assert [r.id for r in model.reviews] == [first, second]


def test_a_decision_without_rationale_is_refused(world):
    session, case_id, _ = world
    review_id = _open_review(session.store, case_id)
    problems = _complete(session.store, review_id, "initial_notification", rationale="  ")
    assert [p.message for p in problems] == [scr.RATIONALE_MESSAGE]
    assert "initial_notification" not in session.store.scr.get(review_id).stages


def test_stages_cannot_be_skipped(world):
    session, case_id, _ = world
    store = session.store
    review_id = _open_review(store, case_id)
    problems = _complete(store, review_id, "sog_decision")
    assert problems and "stages cannot be skipped" in problems[0].message
    assert scr.save_draft(store=store, review_id=review_id, stage_key="review", values={})[0].field == "stage"
    assert store.scr.get(review_id).stages == {}
    assert _complete(store, review_id, "initial_notification") == []
    assert "already completed" in _complete(store, review_id, "initial_notification")[0].message


def test_no_scr_decision_closes_the_record_with_its_reasons(world):
    session, case_id, _ = world
    store = session.store
    review_id = _open_review(store, case_id)
    assert _complete(store, review_id, "initial_notification") == []
    assert _complete(store, review_id, "chair_review") == []
    assert _complete(store, review_id, "sog_decision", decision="no_scr", rationale="Managed properly") == []
    review = store.scr.get(review_id)
    assert review.closed and review.closed_reason == "No Significant Case Review: Managed properly"
    assert review.closed_date == "2026-11-06" and scr.next_stage(review) is None
    assert scr.stage_status(review, "review") == "not needed"
    assert "closed" in _complete(store, review_id, "review")[0].message


def test_an_incident_needs_its_criteria_and_a_scr_its_remit(world):
    session, case_id, _ = world
    review_id, problems = scr.report_incident(store=session.store, case_id=case_id,
                                              values={**INCIDENT, "criterion_charged": 0, "criterion_other": None})
    assert review_id is None and problems[0].field == "criterion_other"
    review_id = _open_review(session.store, case_id)
    _complete(session.store, review_id, "initial_notification")
    _complete(session.store, review_id, "chair_review")
    problems = _complete(session.store, review_id, "sog_decision", remit="")
    assert [p.field for p in problems] == ["remit"]


def test_printouts_of_every_stage_and_the_full_review(world):
    session, case_id, _ = world
    store = session.store
    review_id = _open_review(store, case_id)
    for key in scr_spec.STAGE_KEYS:
        assert _complete(store, review_id, key) == []
    content = scr.review_content(store, store.scr.get(review_id))
    meta = PrintMeta(reference="FS-2026-0147", printed_by="Lorna Petrie", printed_at=store.now_iso())
    for key in (*scr_spec.STAGE_KEYS, None):
        pages = _text(printing.render_scr(content, meta, stage=key).pdf)
        for page in pages:
            lines = [line for line in page.splitlines() if line.strip()]
            assert lines[0].strip() == "OFFICIAL-SENSITIVE" and lines[-1].strip() == "OFFICIAL-SENSITIVE"
        text = " ".join(" ".join(page.split()) for page in pages)
        assert "FS-2026-0147" in text and "Perth Women" in text and "Incident" in text
        sections = [scr_spec.stage(key)] if key else scr_spec.STAGES
        for section in sections:
            assert section.title in text
            for value in STAGE_VALUES[section.key].values():
                if value in ("merited", "recommend_scr", "scr", "report_accepted", "closed"):
                    value = section.field("decision").label_of(value)
                assert value in text, (key, value)
            assert "Moira Baxter" in text and "06/11/2026" in text
        if key in (None, "review"):
            assert "Weekly joint home visits" in text and "31/01/2027" in text
            assert "Case chronology before the incident" in text and "Examine devices" in text
            assert "10/11/2026" not in text  # the meeting after the incident


def test_print_dialog_logs_a_disclosure_of_the_review(qtbot, world, tmp_path):
    from mappa_desktop.ui.scr_view import ReviewEditor

    session, case_id, _ = world
    review_id = _open_review(session.store, case_id)
    tasks = TaskRunner()
    editor = ReviewEditor(session.store, review_id, tasks)
    qtbot.addWidget(editor)
    dialog = editor.print_review()
    dialog.recipient.setText("SOG")
    dialog.purpose.setText("Review")
    target = tmp_path / "review.pdf"
    dialog.save(str(target))
    qtbot.waitUntil(target.exists, timeout=20_000)
    assert "Significant Case Review" in " ".join(_text(target.read_bytes()))
    entry = session.store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.record_id) == ("disclosure", "scr_review", review_id)
    tasks.shutdown()


def test_erasing_a_case_erases_its_reviews(world):
    session, case_id, _ = world
    store = session.store
    review_id = _open_review(store, case_id)
    for key in scr_spec.STAGE_KEYS:
        assert _complete(store, review_id, key) == []
    store.cases.set_status(case_id, "archived")
    removed = store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")
    assert (removed["scr_reviews"], removed["scr_stages"], removed["scr_recommendations"]) == (1, 5, 2)
    assert store.scr.listing() == []
    assert store.db.execute("SELECT count(*) FROM scr_stages").fetchone()[0] == 0


def test_a_stage_saved_again_before_the_index_catches_up_is_saved_and_found(world):
    """A second save of a stage while the search index has the first still to catch up
    (an UPSERT there overrode the index triggers' OR IGNORE and failed)."""
    session, case_id, _ = world
    store = session.store
    review_id = _open_review(store, case_id)
    for words in ("Charged on petition", "Charged on petition at Perth Sheriff Court", "Remanded at Perth"):
        assert scr.save_draft(store=store, review_id=review_id, stage_key="initial_notification",
                              values={"what_is_known": words}) == []
    assert store.scr.get(review_id).stages["initial_notification"].values["what_is_known"] == "Remanded at Perth"
    assert store.search.search("remanded") and not store.search.search("sheriff")
