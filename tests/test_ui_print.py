"""Printing from the app: preview (a consultation), save as PDF and print (disclosures with
recipient and purpose), all rendered on the worker; refused without a recipient."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from mappa_desktop.db.session import create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.minute_editor import MinuteEditor
from mappa_desktop.ui.tasks import TaskRunner


@pytest.fixture
def editor(qtbot, tmp_path):
    session = create_store(DataPaths(tmp_path / "d"), name="Lorna Petrie", agency="MAPPA unit", role="",
                           passphrase="x" * 12, kdf=TEST_KDF,
                           clock=lambda: datetime(2026, 10, 14, 12, tzinfo=timezone.utc))
    case_id = add_example_case(session.store)
    first, review = add_example_meetings(session.store, case_id)
    tasks = TaskRunner()
    widget = MinuteEditor(session.store, review, tasks=tasks)
    qtbot.addWidget(widget)
    widget.show()
    yield widget, session
    widget.dispose()
    tasks.shutdown()
    session.close()


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_save_pdf_is_logged_as_a_disclosure(qtbot, editor, tmp_path):
    widget, session = editor
    dialog = widget.print_minute()
    target = tmp_path / "out" / "minute.pdf"
    target.parent.mkdir()
    dialog.save(str(target))
    assert "Say who the printout is for" in dialog.message.text() and not target.exists()
    dialog.recipient.setText("Sheriff Court")
    dialog.purpose.setText("Proceedings")
    dialog.save(str(target))
    qtbot.waitUntil(lambda: target.exists(), timeout=20_000)
    text = _text(target.read_bytes())
    assert "OFFICIAL-SENSITIVE" in text and "FS-2026-0147" in text and "DRAFT" in text
    assert not list(target.parent.glob(".tmp-*"))
    entry = session.store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.record_id, entry.recipient, entry.purpose) == (
        "disclosure", "meeting", widget.meeting_id, "Sheriff Court", "Proceedings")
    assert "Kenneth" not in entry.detail


def test_executive_summary_leaves_sections_out(qtbot, editor, tmp_path):
    widget, session = editor
    dialog = widget.print_minute()
    dialog.group.button(1).setChecked(True)
    dialog.recipient.setText("Requester")
    dialog.purpose.setText("Request under document 9")
    target = tmp_path / "summary.pdf"
    dialog.save(str(target))
    qtbot.waitUntil(lambda: target.exists(), timeout=20_000)
    text = _text(target.read_bytes())
    assert "Executive summary" in text
    assert "Joanne Reid" not in text and "81/123456X" not in text and "exclusion zone" not in text


def test_preview_shows_pages_and_logs_a_consultation(qtbot, editor):
    widget, session = editor
    dialog = widget.print_minute()
    before = session.store.audit.count()
    dialog.preview()
    qtbot.waitUntil(lambda: dialog.pages.count() > 0, timeout=20_000)
    assert dialog.result is not None and dialog.pages.count() == dialog.result.pages
    last = session.store.audit.entries()[-1]
    assert session.store.audit.count() == before + 1 and last.kind == "consultation"


def test_print_goes_to_the_printer_and_is_logged(qtbot, editor, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    widget, session = editor
    dialog = widget.print_minute()
    dialog.recipient.setText("Case file")
    dialog.purpose.setText("Filing")
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    dialog.print_(printer=printer)
    qtbot.waitUntil(lambda: "Sent to the printer" in dialog.message.text(), timeout=30_000)
    assert printed.exists() and len(PdfReader(str(printed)).pages) == dialog.result.pages
    entry = session.store.audit.entries()[-1]
    assert (entry.kind, entry.recipient) == ("disclosure", "Case file")


def test_case_printouts_pack_register_chronology(qtbot, editor, tmp_path):
    from mappa_desktop.ui.case_view import CaseOverview

    widget, session = editor
    store = session.store
    case = store.cases.get(widget.minute.case_id, consult=False)
    overview = CaseOverview(store, case, tasks=widget.tasks)
    qtbot.addWidget(overview)
    dialog = overview.print_case()
    dialog.recipient.setText("Chair")
    dialog.purpose.setText("Pre-meeting reading")
    for index, name in enumerate(("pack", "register", "chronology")):
        dialog.group.button(index).setChecked(True)
        target = tmp_path / f"{name}.pdf"
        dialog.save(str(target))
        qtbot.waitUntil(lambda t=target: t.exists(), timeout=20_000)
        text = _text(target.read_bytes())
        assert text.count("OFFICIAL-SENSITIVE") >= 2 and "FS-2026-0147" in text
    assert "Minute of 15/07/2026" in _text((tmp_path / "pack.pdf").read_bytes())  # papers of the coming meeting
    disclosures = [e for e in store.audit.entries() if e.kind == "disclosure"]
    assert len(disclosures) == 3 and all(e.record_type == "case" for e in disclosures)
