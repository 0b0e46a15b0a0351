"""A Significant Case Review's stages keep what is typed as the minute does: saved within a
second, flushed on a change of tab, of page and on lock, words that do not parse kept as
typed in the encrypted store, and a full disk said as NOT SAVED with a way to retry."""

from __future__ import annotations

import pytest

from contextlib import contextmanager

from mappa_desktop import scr, scr_spec
from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.tasks import TaskRunner

from tests.conftest import fill_up, tmpfs
from .test_scr import CLOCK, INCIDENT
from .typing_helpers import type_text

KEY = "initial_notification"


def _store(root):
    session = create_store(DataPaths(root / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=CLOCK)
    case_id = add_example_case(session.store)
    review_id, problems = scr.report_incident(store=session.store, case_id=case_id, values=INCIDENT)
    assert problems == []
    return session, case_id, review_id


@pytest.fixture
def world(tmp_path):
    session, case_id, review_id = _store(tmp_path)
    yield session, case_id, review_id
    session.close()


@contextmanager
def opened(qtbot, session, case_id, review_id):
    """The window, on the case's review, with the first stage in front: (window, editor, panel)."""
    tasks = TaskRunner()
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.show()
    try:
        window.open_case(case_id)
        overview = window.page("cases").overview
        overview.tabs.setCurrentIndex(3)
        editor = overview.reviews_tab.open_review(review_id)
        panel = editor.stages[KEY]
        editor.tabs.setCurrentWidget(panel)
        yield window, editor, panel
    finally:
        window.dispose()
        tasks.shutdown()


def _stored(store, review_id, key="what_is_known"):
    stage = store.scr.get(review_id).stages.get(KEY)
    return stage.values.get(key) if stage else None


def test_typing_in_a_stage_is_saved_within_a_second_and_logged_once(qtbot, world):
    session, case_id, review_id = world
    store = session.store
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        before = len([e for e in store.audit.entries() if e.record_type == "scr_review"])
        field = panel.form.field_widget("what_is_known").focus_target()
        type_text(field, "Charged on petition")
        assert panel.save_state.text() == "Saving…" and _stored(store, review_id) is None
        qtbot.waitUntil(lambda: _stored(store, review_id) == "Charged on petition", timeout=2500)
        assert panel.save_state.text().startswith("Saved ")
        assert store.scr.get(review_id).stages[KEY].status == "draft"
        assert panel.status.text() == "Status: draft"
        type_text(field, " at Perth")
        qtbot.waitUntil(lambda: _stored(store, review_id) == "Charged on petition at Perth", timeout=2500)
        # Two saves a second apart: one alteration in the log (as a minute's sections), with
        # no words typed in it.
        entries = [e for e in store.audit.entries() if e.record_type == "scr_review"]
        assert len(entries) == before + 1
        assert "Perth" not in entries[-1].detail and "petition" not in entries[-1].detail
        # The field keeps the cursor where it was: the save did not fill the form again.
        assert field.hasFocus() or not window.isActiveWindow()
        assert panel.form.field_widget("what_is_known").value() == "Charged on petition at Perth"


def test_a_change_of_tab_page_or_a_lock_saves_at_once(qtbot, world):
    session, case_id, review_id = world
    store = session.store
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        field = panel.form.field_widget("what_is_known").focus_target()
        type_text(field, "Tab")
        editor.tabs.setCurrentIndex(0)  # the incident
        assert _stored(store, review_id) == "Tab"
        editor.tabs.setCurrentWidget(panel)
        type_text(field, " page")
        window.show_page("register")
        assert _stored(store, review_id) == "Tab page"
        window.show_page("cases")
        type_text(field, " lock")
        assert window.flush()  # what locking and closing call first
        assert _stored(store, review_id) == "Tab page lock"


def test_words_that_do_not_parse_are_kept_as_typed_and_come_back(qtbot, world):
    session, case_id, review_id = world
    store = session.store
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        type_text(panel.form.field_widget("what_is_known").focus_target(), "Known so far")
        started = panel.form.field_widget("started_date")
        type_text(started.focus_target(), "31/02/2026")
        assert panel.flush()
        # Nothing wrong is stored; the words are kept (encrypted) and the problem said beside
        # the field.
        assert _stored(store, review_id) is None
        kept = scr.kept_stage(store, review_id, KEY)
        assert kept["values"]["started_date"] == "31/02/2026" and kept["values"]["what_is_known"] == "Known so far"
        assert panel.form.errors["started_date"].isVisible()
        assert panel.save_state.text().startswith("Kept as typed")
    # Another session, the case opened again: the words are where they were typed.
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        started = panel.form.field_widget("started_date")
        assert started.raw() == "31/02/2026"
        assert panel.form.field_widget("what_is_known").value() == "Known so far"
        assert panel.form.errors["started_date"].isVisible() and "Kept as typed" in panel.message.text()
        line = started.focus_target()
        line.selectAll()
        type_text(line, "05/11/2026")
        assert panel.flush()
        assert _stored(store, review_id) == "Known so far"
        assert _stored(store, review_id, "started_date") == "2026-11-05"
        assert scr.kept_stage(store, review_id, KEY) is None
        assert not panel.form.errors["started_date"].isVisible()


@pytest.fixture
def small_disk(tmp_path):
    with tmpfs(tmp_path / "disk", "3m") as mount:
        yield mount


def test_a_full_disk_says_not_saved_keeps_the_words_and_retry_saves_them(qtbot, small_disk):
    session, case_id, review_id = _store(small_disk)
    store = session.store
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write needs new space
        filler = fill_up(small_disk)
        words = "Seen at the address on 4 November " * 40
        type_text(panel.form.field_widget("what_is_known").focus_target(), words)
        assert not panel.flush()
        assert panel.save_state.text().startswith("NOT SAVED: the disk is full.")
        assert panel.retry_button.isVisible()
        assert panel.form.field_widget("what_is_known").value().strip() == words.strip()
        assert not window.flush()  # a lock would not throw the window (and the words) away
        filler.unlink()
        panel.retry_button.click()
        assert panel.save_state.text().startswith("Saved ") and not panel.retry_button.isVisible()
        assert _stored(store, review_id) == panel.form.field_widget("what_is_known").value()
    session.close()


WORDS = "Seen at the address on 4 November " * 40


def _everywhere(store, review_id) -> str:
    """Where typed words can be: the stage as stored, or kept as typed."""
    return (_stored(store, review_id) or "") + str(scr.kept_stage(store, review_id, KEY) or {})


@pytest.mark.parametrize("how", ["back button", "Alt+Left", "another review"])
def test_leaving_a_review_that_says_not_saved_is_refused_and_keeps_the_words(qtbot, small_disk, how):
    from PySide6.QtGui import QKeySequence, QShortcut

    session, case_id, review_id = _store(small_disk)
    store = session.store
    scr.report_incident(store=store, case_id=case_id, values=INCIDENT)  # a second review
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill_up(small_disk)
        type_text(panel.form.field_widget("what_is_known").focus_target(), WORDS)
        assert not panel.flush() and panel.save_state.text().startswith("NOT SAVED")
        area = window.page("cases")
        overview = area.overview
        if how == "back button":
            overview.back_button.click()
        elif how == "Alt+Left":
            [key] = [k for k in overview.findChildren(QShortcut) if k.key() == QKeySequence("Alt+Left")]
            key.activated.emit()
        else:
            overview.reviews_tab.list.setCurrentRow(1)
        # Still there, words on screen and NOT SAVED showing with Retry.
        assert area.currentWidget() is overview and overview.reviews_tab.editor is editor
        assert panel.form.field_widget("what_is_known").value() == WORDS
        assert panel.retry_button.isVisible()
        filler.unlink()
        panel.retry_button.click()
        assert WORDS.strip() in _everywhere(store, review_id)
        overview.back_button.click()  # now it goes
        assert area.currentWidget() is area.list_page
    session.close()


def test_a_change_from_elsewhere_while_not_saved_leaves_the_typing_for_retry(qtbot, small_disk):
    from mappa_desktop.changes import Change

    session, case_id, review_id = _store(small_disk)
    store = session.store
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill_up(small_disk)
        type_text(panel.form.field_widget("what_is_known").focus_target(), WORDS)
        assert not panel.flush()
        # The review changed elsewhere (an import relays it): the editor reloads.
        store.changes.relay(Change(frozenset({("review", review_id)}), frozenset({case_id})))
        qtbot.waitUntil(lambda: editor.waiting.text() != "", timeout=1000)
        qtbot.wait(50)
        assert panel.form.field_widget("what_is_known").value() == WORDS
        filler.unlink()
        panel.retry_button.click()
        assert _stored(store, review_id) == panel.form.field_widget("what_is_known").value()
        # The save that went through after the refusal is the one in the audit log.
        alterations = [e for e in store.audit.entries() if e.record_type == "scr_review" and e.kind == "alteration"]
        assert len(alterations) == 1 and alterations[0].detail.startswith(f"stage {KEY}; draft")
    session.close()


def test_erasing_a_case_erases_its_reviews_words_kept_as_typed(world):
    session, case_id, review_id = world
    store = session.store
    assert scr.keep_stage(store=store, review_id=review_id, stage_key=KEY,
                          raw={"what_is_known": "QUIRKWORTH at the school gate", "started_date": "31/02/2026"})
    from mappa_desktop.ui.kept_typing import draft_key  # a window's words kept over a lock

    store.drafts.put(draft_key(case_id, "action", 1), {"title": "Add an action", "parts": {"action_text": "QUIRK"}})
    assert store.drafts.keys("scr:") and store.drafts.keys("dialog:")
    store.cases.set_status(case_id, "archived")
    store.retention.erase_case(case_id, confirm_reference=store.cases.get(case_id, consult=False).reference)
    assert store.drafts.keys("scr:") == [] and store.drafts.keys("dialog:") == []


def test_a_full_disk_in_the_incident_and_action_dialogs_is_said_beside_the_words(qtbot, small_disk):
    from mappa_desktop.demo import add_example_meetings

    session, case_id, review_id = _store(small_disk)
    store = session.store
    _first, meeting = add_example_meetings(store, case_id)
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        dialog = window.page("cases").overview.reviews_tab.report_incident()
        for key, value in INCIDENT.items():
            dialog.form.field_widget(key).set_value(value)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill_up(small_disk)
        with qtbot.captureExceptions() as raised:
            dialog.save_button.click()
        assert not raised and dialog.message.text().startswith("NOT SAVED: the disk is full.")
        assert dialog.isVisible() and dialog.form.field_widget("what_happened").value() == INCIDENT["what_happened"]
        filler.unlink()
        dialog.reject()
        window.open_meeting(meeting)
        minute = window.page("cases").minute_editor
        capture = minute.capture_action()
        type_text(capture.text.focus_target(), "Police to revisit the address " * 30)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill_up(small_disk)
        with qtbot.captureExceptions() as raised:
            capture._submit()
        assert not raised and capture.error.text().startswith("NOT SAVED: the disk is full.")
        assert capture.isVisible()
        filler.unlink()
        capture._submit()
        assert not capture.isVisible()
        assert any(a.action_text.startswith("Police to revisit") for a in store.actions.of_case(case_id))
    session.close()


def test_the_reviews_list_follows_a_completed_stage_not_each_autosave(qtbot, world):
    from tests.test_scr import FRAME, STAGE_VALUES

    session, case_id, review_id = world
    with opened(qtbot, session, case_id, review_id) as (window, editor, panel):
        tab = window.page("cases").overview.reviews_tab
        refreshed = []
        original = tab.refresh
        tab.refresh = lambda select=None: (refreshed.append(select), original(select))
        type_text(panel.form.field_widget("what_is_known").focus_target(), "Charged")
        assert panel.flush()
        qtbot.wait(100)
        assert refreshed == []  # an autosave: the list stays as it is
        for key, value in {**FRAME, **STAGE_VALUES[KEY]}.items():
            panel.form.field_widget(key).set_value(value)
        assert panel.complete() == []
        qtbot.wait(100)
        now_at = scr.stage_words(session.store.scr.get(review_id))
        assert refreshed and now_at == scr_spec.stage_title("chair_review") and now_at in tab.list.item(0).text()
