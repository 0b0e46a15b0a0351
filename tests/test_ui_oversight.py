"""The audits and the SOG page through the real window: the referral date typed on the case
form, a written report marked with R in the attendance table, the pack printed from the case
(the papers' evidence), the meeting audit graded and printed, the oversight page printed."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def world(qtbot, tmp_path, tasks):
    clock = Clock(datetime(2026, 10, 7, 9, tzinfo=timezone.utc))
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF, clock=clock)
    case_id = add_example_case(session.store)
    clock.moment = datetime(2026, 10, 14, 14, tzinfo=timezone.utc)  # the minute is typed on the day
    first, review = add_example_meetings(session.store, case_id)
    clock.moment = datetime(2026, 10, 7, 9, tzinfo=timezone.utc)  # the tests start a week before
    window = MainWindow(session, tasks)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield window, session.store, clock, case_id, review
    window.dispose()
    session.close()


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _save(qtbot, dialog, path):
    dialog.recipient.setText("Strategic Oversight Group")
    dialog.purpose.setText("Quarterly quality assurance")
    dialog.save(str(path))
    qtbot.waitUntil(lambda: path.exists(), timeout=20_000)


def test_referral_date_typed_on_the_case_form_counts_working_days(qtbot, world):
    window, store, clock, case_id, review = world
    clock.moment = datetime(2026, 10, 20, 9, tzinfo=timezone.utc)
    area = window.page("cases")
    area.edit_case(case_id)
    field = area.editor.field_widget("referral_date")
    field.focus_target().setFocus()
    type_text(field.focus_target(), "01/09/2026")
    qtbot.mouseClick(area.editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: area.overview is not None and area.currentWidget() is area.overview, timeout=5_000)
    assert store.cases.get(case_id, consult=False).values["referral_date"] == "2026-09-01"
    tab = area.overview.audit_tab
    assert "Referred to MAPPA: 01/09/2026" in tab.referral.text()
    # No meeting of the case is an initial one: 35 working days so far, flagged.
    assert tab.timeliness.text().startswith("PAST 20 WORKING DAYS: No initial meeting recorded since the referral: 35")
    assert "due by 29/09/2026" in tab.timeliness.text()


def test_a_written_report_marked_with_r_reaches_the_case_audit(qtbot, world):
    window, store, clock, case_id, review = world
    window.open_meeting(review)
    editor = window.page("cases").minute_editor
    editor.go_to("attendance")
    table = editor.form("attendance").table
    row = next(i for i in range(table.rowCount()) if table.item(i, 0).text() == "Ross Mackay")
    table.setFocus()
    table.setCurrentCell(row, 0)
    qtbot.keyClick(table, Qt.Key.Key_R)
    assert table.item(row, 5).text() == "Yes"
    assert editor.flush()
    rows = store.minutes.get(review, consult=False).rows["attendance"]
    assert [r["report_received"] for r in rows if r["name"] == "Ross Mackay"] == [1]
    qtbot.keyClick(table, Qt.Key.Key_R)
    qtbot.keyClick(table, Qt.Key.Key_R)  # yes -> no -> not recorded -> ...
    qtbot.keyClick(table, Qt.Key.Key_R)
    assert table.item(row, 5).text() == "Yes"
    editor.flush()
    window.open_case(case_id)
    tab = window.page("cases").overview.audit_tab
    assert tab.table.item(0, 6).text() == "1 of 2 received, 1 not recorded"


def test_pack_printed_then_meeting_audit_graded_saved_and_printed(qtbot, world, tmp_path):
    window, store, clock, case_id, review = world
    # The co-ordinator prints the pack on 07/10, a week before the meeting.
    window.open_case(case_id)
    overview = window.page("cases").overview
    dialog = overview.print_case()
    assert dialog.kind() == "Pre-meeting pack"
    _save(qtbot, dialog, tmp_path / "pack.pdf")
    dialog.close()
    clock.moment = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    tab = overview.audit_tab
    tab.table.selectRow(0)
    audit = tab.open_audit()
    papers = audit.boxes["papers"]
    assert "✓ Pre-meeting pack printed on 07/10/2026, 7 days before the meeting." in papers.evidence.text()
    assert store.audit.entries()[-1].detail == "meeting audit opened"
    for box in audit.boxes.values():
        qtbot.mouseClick(box.confirm, Qt.MouseButton.LeftButton)
    summary = audit.boxes["summary"]
    summary.grade.setCurrentIndex(summary.grade.findData(2))
    assert audit.save(completed=True) is False
    assert "differs from the suggested 4" in summary.problem.text() and summary.problem.isVisibleTo(audit)
    summary.comment.setText("Summary leaves out the disclosure decision.")
    assert audit.save(completed=True) is True
    assert store.audits.get(review).status == "completed"
    assert tab.table.item(0, 7).text() == "completed"
    printing = audit.print_audit()
    _save(qtbot, printing, tmp_path / "audit.pdf")
    text = _pdf_text(tmp_path / "audit.pdf")
    assert "Meeting audit" in text and "Summary leaves out the disclosure decision." in text
    entry = store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.record_id) == ("disclosure", "meeting_audit", store.audits.get(review).id)
    # Reopened, the audit shows the auditor's grades.
    again = tab.open_audit()
    assert again.boxes["summary"].value() == (2, "Summary leaves out the disclosure decision.")


def test_oversight_page_shows_and_prints_numbers_only(qtbot, world, tmp_path):
    window, store, clock, case_id, review = world
    clock.moment = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    window.show_page("oversight")
    page = window.page("oversight")
    assert page.start.text() == "01/07/2026" and page.end.text() == "30/09/2026"  # the last quarter
    page.start.line.setText("01/07/2026")
    page.end.line.setText("31/10/2026")
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.count_labels["meetings_held"].text() == "2"
    assert page.items.rowCount() == 7 and page.items.item(2, 1).text() == "2 of 2"
    # (The example's alcohol referral was carried to a new date at the review: not overdue.)
    assert page.agencies.rowCount() == 4 and "(4 in all)" in page.agencies_title.text()
    page.end.line.setText("31/13/2026")
    assert page.refresh() is False and "not a real date" in page.message.text()
    page.end.line.setText("31/10/2026")
    dialog = page.print_report()
    _save(qtbot, dialog, tmp_path / "sog.pdf")
    text = _pdf_text(tmp_path / "sog.pdf")
    assert "Oversight report" in text and "Meetings held 01/07/2026 to 31/10/2026" in text
    assert "FS-2026-0147" not in text and "AIRD" not in text and "Kenneth" not in text
    entry = store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.record_id) == ("disclosure", "oversight", None)
