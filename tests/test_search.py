"""Full-text search over the minutes: what is indexed, ranking, folding, erasure, and the
query language as people type it; then through the real window, typed into the editor and
opened from the results with the words highlighted."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from mappa_desktop import spec
from mappa_desktop.ops import minute as minutes
from mappa_desktop.db import search as search_db
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.oversight.search import find_spans, fold, parse, snippet
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from tests.signoff_helpers import recorded_approval

CLOCK = lambda: datetime(2026, 10, 20, 9, 0, tzinfo=timezone.utc)  # noqa: E731


@pytest.fixture
def world(tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    store = session.store
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    yield session, case_id, first, review
    session.close()


def _other_case(store, reference="FS-2025-0002"):
    case_id = store.cases.create({"reference": reference, "full_name": "Other PERSON", "category": "1",
                                  "mappa_level": "2"})
    meeting = store.minutes.create(case_id, {"meeting_date": "2026-09-01", "meeting_time": "14:00"})
    return case_id, meeting


# -- the declaration ---------------------------------------------------------------------------


def test_every_typed_text_of_the_minute_is_a_source_or_said_not_to_be():
    """A text field added to the minute (issue 15's plan entries, say) fails here until it
    is declared in db/search.py (or listed as deliberately left out, with the reason)."""
    declared = {(s.table, m) for s in search_db.SOURCES for m in re.findall(r"\{r\}\.(\w+)", s.text)}
    homes = {spec.Source.ROWS: None, spec.Source.REGISTER: None}
    for section in spec.SECTIONS:
        if section.source not in (spec.Source.MEETING, *homes):
            continue
        for field in section.fields:
            if field.kind not in (spec.Kind.TEXT, spec.Kind.LONG_TEXT) or field.key in search_db.NOT_INDEXED:
                continue
            if section.source is spec.Source.MEETING:
                table = "meeting_text" if field.kind is spec.Kind.LONG_TEXT else "meetings"
            else:
                table = section.table
            assert (table, field.key) in declared, f"{section.key}.{field.key} is neither searched nor excluded"


def test_every_source_has_its_triggers_in_a_migrated_store(world):
    session, *_ = world
    triggers = {r[0] for r in session.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    codes = [s.code for s in search_db.SOURCES]
    assert len(codes) == len(set(codes)) and all(c > 0 for c in codes)
    for source in search_db.SOURCES:
        assert f"search_{source.code}_insert" in triggers, f"no migration installs source {source.code}"
        assert f"search_{source.code}_delete" in triggers
        assert (f"search_{source.code}_update" in triggers) == bool(source.watch)
        assert source.section in {s.key for s in spec.SECTIONS} | {"addenda", "review"}


# -- finding ------------------------------------------------------------------------------------


def test_each_kind_of_text_is_found_where_it_was_typed(world):
    session, case_id, first, review = world
    store = session.store
    store.minutes.save_fields(review, "confidentiality", {"confidentiality_reaffirmed": "Re-affirmed when the locum arrived"})
    found = {
        "Moving Forward Making Changes": ("agency_updates", "update_text", review),
        "exclusion zone": ("victims", "victim_issues", review),
        "hearing loop": ("diversity", "diversity_offender", review),
        "Joanne Reid": ("disclosure", "reason", review),  # the recipient, with the reason
        "school and home": ("actions", "action_text", review),
        "Attending session": ("previous_actions", "outcome", review),  # recorded at the review
        "Stable 2007 assessments": ("documents", "title", review),
        "locum": ("confidentiality", "confidentiality_reaffirmed", review),
        "Examine newly declared devices": ("actions", "action_text", first),
    }
    for text, (section, field, meeting) in found.items():
        hits = store.search.search(text)
        assert hits, text
        # (The example's risk management plan says some of the same things: the hit of the
        # place where it was typed is the one looked at.)
        hit = next((h for h in hits if h.section == section), hits[0])
        assert (hit.section, hit.field, hit.meeting_id) == (section, field, meeting), text
        assert hit.reference == "FS-2026-0147" and hit.case_id == case_id
        assert hit.meeting_date == ("2026-10-14" if meeting == review else "2026-07-15")
        assert hit.snippet.marks, text


def test_addenda_and_reviews_are_found_and_say_where(world):
    session, case_id, first, review = world
    store = session.store
    items = minutes.check(store=store, meeting_id=review, today=store.today())
    minutes.finalise(store=store, meeting_id=review, acknowledgements={i.key: "ok" for i in items}, today=store.today(), approval=recorded_approval(store, review))
    store.minutes.add_addendum(review, body="The disclosure took place on 17/10 with a Gaelic interpreter.",
                               reason="Date corrected")
    hit = store.search.search("Gaelic interpreter")[0]
    assert (hit.section, hit.meeting_id, hit.where) == ("addenda", review, "Addendum")
    # Finalised text stays findable: the index changed with the minute, not after it.
    assert store.search.search("exclusion zone")[0].meeting_id == review
    from mappa_desktop import scr

    review_id, problems = scr.report_incident(store=store, case_id=case_id, values={
        "incident_date": "2026-10-18", "what_happened": "Arrested after a breach near the primary school gates.",
        "reported_by": "Police Scotland", "reporter_type": "responsible_authority", "reported_date": "2026-10-19",
        "criterion_other": 1})
    assert not problems
    hit = store.search.search("school gates")[0]
    assert (hit.section, hit.meeting_id, hit.row_id, hit.where) == ("review", None, review_id, "Significant Case Review")


def test_an_exact_phrase_ranks_before_the_words_apart(world):
    session, case_id, first, review = world
    store = session.store
    other, meeting = _other_case(store)
    # Both words many times, apart: bm25 alone would put this first.
    store.minutes.save_fields(meeting, "risk_assessment", {"risk_assessment": (
        "The phone was checked. A second visit followed. Phone records were asked for; a second check "
        "of the phone is due. Phone, phone, phone: second, second.")})
    store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": (
        "A long discussion of many things. " * 30 + "He had a second phone that he did not declare.")})
    hits = store.search.search("second phone")
    assert [h.meeting_id for h in hits[:2]] == [review, meeting]
    assert hits[0].snippet.text[slice(*hits[0].snippet.marks[0])] == "second phone"
    assert [h.meeting_id for h in store.search.search('"second phone"')] == [review]  # quoted: only the phrase
    # Paging walks on from the phrase hits into the others without repeating any.
    page1 = store.search.search("second phone", limit=1)
    page2 = store.search.search("second phone", limit=1, offset=1)
    assert [h.meeting_id for h in page1 + page2] == [review, meeting]
    assert store.search.count("second phone") == 2


def test_accents_case_and_prefixes(world):
    session, case_id, first, review = world
    store = session.store
    store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": "Dr PHẠM and Mr Ó Súilleabháin disagreed."})
    for typed in ("pham", "Phạm", "PHAM", "suilleabhain", "Súill*", "pha*"):
        hits = store.search.search(typed)
        assert [h.section for h in hits] == ["risk_assessment"], typed
    hit = store.search.search("suilleabhain")[0]
    assert "Súilleabháin" in [hit.snippet.text[s:e] for s, e in hit.snippet.marks]
    assert store.search.search("pha") == []  # a whole word unless asked for a prefix


def test_within_one_case_newest_first(world):
    session, case_id, first, review = world
    store = session.store
    other, meeting = _other_case(store)
    store.minutes.save_fields(meeting, "risk_assessment", {"risk_assessment": "Alcohol use is not a concern."})
    everywhere = store.search.search("alcohol")
    assert {h.case_id for h in everywhere} == {case_id, other}
    mine = store.search.search("alcohol", case_id=case_id)
    assert {h.case_id for h in mine} == {case_id}
    dates = [h.meeting_date for h in mine]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2026-10-14" and dates[-1] == "2026-07-15"
    assert store.search.count("alcohol", case_id=other) == 1


def test_the_index_follows_every_change(world):
    session, case_id, first, review = world
    store = session.store
    store.minutes.save_fields(review, "dissent", {"dissent": "Housing disagreed about the zebra crossing."})
    assert store.search.search("zebra")
    store.minutes.save_fields(review, "dissent", {"dissent": "None."})
    assert store.search.search("zebra") == []
    store.minutes.save_fields(review, "dissent", {"dissent": ""})
    assert store.search.search("housing disagreed") == []
    updates = [dict(r) for r in store.minutes.get(review, consult=False).rows["agency_updates"]]
    updates[0]["update_text"] = "Quokka sighting reported."
    store.minutes.save_rows(review, "agency_updates", updates)
    assert [h.row_id for h in store.search.search("quokka")] == [store.minutes.get(review, consult=False).rows["agency_updates"][0]["id"]]
    store.minutes.save_rows(review, "agency_updates", updates[1:])
    assert store.search.search("quokka") == []
    action = store.minutes.raise_action(review, {"action_text": "Phone the marmoset keeper"})
    store.actions.update_terms(action, {"action_text": "Phone the tamarin keeper"})
    assert store.search.search("marmoset") == [] and store.search.search("tamarin")
    store.actions.set_state(action, status="done", completed_date="2026-10-20", outcome="Keeper reached by ocarina")
    hit = store.search.search("ocarina")[0]
    assert (hit.section, hit.row_id) == ("previous_actions", action)
    store.search.integrity_check()


def test_erasure_takes_the_text_out_of_the_index(world):
    session, case_id, first, review = world
    store = session.store
    other, meeting = _other_case(store)
    store.minutes.save_fields(meeting, "victims", {"victim_issues": "Exclusion zone around Brightwater Lane."})
    store.minutes.save_fields(review, "dissent", {"dissent": "Housing disagreed about the Zanzibar hostel."})
    assert store.search.search("zanzibar") and store.search.count("exclusion zone") >= 2
    store.cases.set_status(case_id, "archived")
    store.retention.erase_case(case_id, confirm_reference="FS-2026-0147")
    assert store.search.search("zanzibar") == [] and store.search.search("Moving Forward") == []
    assert [h.case_id for h in store.search.search("exclusion zone")] == [other]
    # Not merely hidden: no token of the erased text is left in the index's segments.
    store.db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, minute_search, row)")
    terms = {r[0] for r in store.db.execute("SELECT term FROM temp.vocab")}
    assert "zanzibar" not in terms and "quokka" not in terms
    assert {"brightwater", "exclusion"} <= terms
    store.search.integrity_check()


def test_a_save_only_notes_the_change_and_the_index_catches_up(world):
    session, case_id, first, review = world
    store = session.store
    db = store.db
    store.search.catch_up()
    segments = db.execute("SELECT count(*) FROM minute_search_data").fetchone()[0]
    text = "Start."
    for n in range(40):  # a chair typing for forty seconds
        text += f" word{n}"
        store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": text})
    # Forty saves wrote nothing to the index, and noted one row once.
    assert db.execute("SELECT count(*) FROM minute_search_data").fetchone()[0] == segments
    assert db.execute("SELECT source, row_key FROM search_pending").fetchall() == [(2, review)]
    assert [h.section for h in store.search.search("word39")] == ["risk_assessment"]  # caught up first
    assert db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    assert store.search.catch_up() == 0


def test_merging_when_idle_keeps_the_index_whole(world):
    session, case_id, first, review = world
    store = session.store
    text = "Start."
    for n in range(80):  # more catch-ups than the crisis-merge threshold of one level
        text += f" word{n}"
        store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": text})
        store.search.catch_up()
    segments = store.db.execute("SELECT count(*) FROM minute_search_data").fetchone()[0]
    steps = 0
    while store.search.tidy():
        steps += 1
        assert steps < 100
    assert steps >= 1
    assert store.db.execute("SELECT count(*) FROM minute_search_data").fetchone()[0] < segments
    assert store.search.tidy() is False  # nothing left to merge
    assert [h.section for h in store.search.search("word79")] == ["risk_assessment"]
    assert store.search.search("word3") and store.search.search("word3")[0].snippet.marks
    store.search.integrity_check()


# -- the query as typed --------------------------------------------------------------------------


def test_query_language():
    q = parse('alcohol "second phone" Nguy*')
    assert [t.expression() for t in q.terms] == ['"alcohol"', '"nguy"*', '"second phone"']
    assert q.exact() is None  # a quoted phrase: no extra phrase of the plain words
    assert parse("second phone").exact() == '"second phone"'
    assert parse("alco*").all_terms() == '"alco"*'
    assert not parse('  "" *** ; ')
    assert parse("NEAR(a b) OR c").all_terms() == '"near" AND "a" AND "b" AND "or" AND "c"'
    assert fold("Ní Bhriain ŁUKASZ Straße") == "ni bhriain lukasz strasse"


def test_snippets_cut_at_words_and_mark_what_was_found():
    text = ("Nothing. " * 40) + "He drinks alcohol\n\nin the evenings; alcohol use rose." + (" More." * 60)
    cut = snippet(text, parse("alcohol"))
    assert cut.text.startswith("…") and cut.text.endswith("…") and "\n" not in cut.text
    assert [cut.text[s:e] for s, e in cut.marks] == ["alcohol", "alcohol"]
    assert snippet("short", parse("zzz")).text == "short"
    assert find_spans("a second, phone", parse("second phone")) == [(2, 15)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.text(max_size=60))
def test_anything_typed_searches_without_error(world, typed):
    session, *_ = world
    hits = session.store.search.search(typed)
    assert isinstance(hits, list)
    session.store.search.count(typed)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300), typed=st.text(min_size=1, max_size=20))
def test_snippet_marks_are_within_the_text(text, typed):
    cut = snippet(text, parse(typed))
    for start, end in cut.marks:
        assert 0 <= start < end <= len(cut.text)
        assert fold(cut.text[start:end])


# -- through the window ----------------------------------------------------------------------------


@pytest.fixture
def tasks():
    from mappa_desktop.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_typed_in_the_editor_then_found_and_opened_highlighted(qtbot, world, tasks):
    from mappa_desktop.ui.found import found_marks
    from mappa_desktop.ui.main_window import MainWindow

    from .typing_helpers import type_text

    session, case_id, first, review = world
    store = session.store
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    editor.go_to("risk_assessment")
    field = editor.field("risk_assessment.risk_assessment")
    field.setFocus()
    field.moveCursor(field.textCursor().MoveOperation.End)
    type_text(field, " He bought a second phone from Łukasz Wiśniewski in Perth.")
    assert editor.flush()
    # Found by a phrase with the accents left off, from the search page.
    window.show_page("search")
    page = window.page("search")
    before = store.audit.count()
    page.query.setText("second phone from lukasz")
    page.run()
    assert store.audit.count() == before  # searching is not logged
    assert page.model.rowCount() >= 1
    hit = page.model.hits[0]
    assert (hit.meeting_id, hit.section) == (review, "risk_assessment")
    assert "Łukasz" in hit.snippet.text
    page.results.setFocus()
    page.results.setCurrentIndex(page.model.index(0))
    qtbot.keyClick(page.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.page("cases").minute_editor is not None
                    and window.page("cases").minute_editor is not editor)
    opened = window.page("cases").minute_editor
    assert opened.current_section() == "risk_assessment"
    marked = found_marks(opened.field("risk_assessment.risk_assessment"))
    assert "second phone from Łukasz" in marked
    entries = store.audit.entries(after_id=before)
    found = [e for e in entries if "opened from search" in e.detail]  # once it opened, never the words
    assert [(e.kind, e.record_type, e.record_id) for e in found] == [("consultation", "meeting", review)]
    assert "second" not in found[0].detail
    assert window.focusWidget() is opened.field("risk_assessment.risk_assessment")


def test_results_in_a_row_section_open_on_that_row(qtbot, world, tasks):
    from mappa_desktop.ui.found import found_marks
    from mappa_desktop.ui.main_window import MainWindow

    session, case_id, first, review = world
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.show()
    for text, section, widget_of in (
        ("community alcohol service", "agency_updates", lambda e: e.form("agency_updates").rows[3].widgets["update_text"]),
        ("partner's children's school", "actions", lambda e: next(r.text for r in e.actions_panel.rows.values()
                                                                   if "school" in r.text.toPlainText())),
        ("attending session", "previous_actions", lambda e: next(r.outcome for r in e.review_rows.values()
                                                                  if "session" in r.outcome.toPlainText())),
    ):
        hit = next(h for h in session.store.search.search(text) if h.section == section)
        window.open_found(hit, text)
        editor = window.page("cases").minute_editor
        assert editor.current_section() == section
        assert found_marks(widget_of(editor)), section


def test_text_already_in_a_store_is_indexed_oldest_first_by_the_migration(world):
    """What migration 0006 does to a store that already holds minutes (re-run here on this
    one): every source indexed, entries numbered in meeting order, searches as before."""
    session, case_id, first, review = world
    store = session.store
    before = [(h.section, h.meeting_id, h.row_id) for h in store.search.search("alcohol")]
    db = store.db
    with store.transaction():
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'search_*'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE minute_search")
        db.execute("DROP TABLE search_entries")
        db.execute("DROP TABLE search_pending")
        search_db.create_index(db)
        search_db.install_sources(db, [s.code for s in search_db.SOURCES])
    assert [(h.section, h.meeting_id, h.row_id) for h in store.search.search("alcohol")] == before
    july = max(e for (e,) in db.execute(
        "SELECT entry FROM search_entries WHERE source = 23 AND row_key IN (SELECT id FROM actions WHERE meeting_id = ?)", [first]))
    october = min(e for (e,) in db.execute("SELECT entry FROM search_entries WHERE source BETWEEN 1 AND 15"))
    assert july < october
    store.search.integrity_check()


def test_the_index_is_merged_after_a_pause_in_typing(qtbot, world):
    from PySide6.QtWidgets import QLineEdit

    from mappa_desktop.db.connection import WAL_BACKSTOP_PAGES
    from mappa_desktop.ui.index_upkeep import SearchIndexUpkeep

    session, case_id, first, review = world
    store = session.store
    box = QLineEdit()
    qtbot.addWidget(box)
    upkeep = SearchIndexUpkeep(store, quiet_ms=100)
    try:
        qtbot.waitUntil(lambda: not upkeep._pending, timeout=3000)  # what was left from before
        store_file = store.paths.store
        before = store_file.read_bytes()
        text = "Start."
        for n in range(40):
            text += f" word{n}"
            store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": text})
            qtbot.keyClick(box, "a")  # typing: nothing runs while keys come
        assert store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 1
        # The saves went to the WAL only: no checkpoint inside any of them.
        assert store_file.read_bytes() == before
        qtbot.waitUntil(lambda: not upkeep._pending, timeout=5000)
        # The pause indexed what was typed, left nothing to merge, and copied the WAL into
        # the store file.
        assert store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
        assert store.search.tidy() is False
        assert store.search.search("word39")
        assert store_file.read_bytes() != before
        assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_BACKSTOP_PAGES
    finally:
        upkeep.stop()


def test_a_store_that_cannot_be_written_says_so_on_the_search_page(qtbot, world):
    """Catching up writes; on a read-only store the page says why instead of failing."""
    from mappa_desktop.ui.search_page import SearchPage

    session, case_id, first, review = world
    store = session.store
    store.minutes.save_fields(review, "dissent", {"dissent": "Housing disagreed about the zebra crossing."})
    page = SearchPage(store)
    qtbot.addWidget(page)
    store.db.execute("PRAGMA query_only = 1")  # as a read-only file would refuse writes
    try:
        page.query.setText("zebra")
        page.run()
        assert page.model.rowCount() == 0
        assert page.count_label.text() == "The search could not be made: the store's folder or file is read-only."
    finally:
        store.db.execute("PRAGMA query_only = 0")
    page.run()
    assert page.model.rowCount() == 1


def test_the_pause_upkeep_waits_while_a_key_rotation_holds_the_store(qtbot, world):
    from mappa_desktop.ui.index_upkeep import SearchIndexUpkeep

    session, case_id, first, review = world
    store = session.store
    rotating = [True]
    upkeep = SearchIndexUpkeep(store, quiet_ms=50, busy=lambda: rotating[0])
    try:
        store.minutes.save_fields(review, "risk_assessment", {"risk_assessment": "Rotation pending words"})
        noted = store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0]
        qtbot.wait(300)
        assert noted and store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == noted  # untouched
        rotating[0] = False
        qtbot.waitUntil(lambda: store.db.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0,
                        timeout=3000)
    finally:
        upkeep.stop()
