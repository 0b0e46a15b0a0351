"""The audit viewer and its export: filters, chain verification, CSV that a spreadsheet
cannot run, and the export itself logged as a disclosure."""

from __future__ import annotations

import csv
import io

import pytest

from mappa_desktop.ui.tasks import TaskRunner

from mappa_desktop.audit_export import audit_csv, neutralise
from mappa_desktop.demo import add_example_case
from mappa_desktop.ui.audit_page import AuditPage


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rCR", "'\rCR"),
    ("plain", "plain"), ("O'Neill", "O'Neill"), (12, "12"), (None, ""),
])
def test_cells_that_would_run_as_formulas_are_neutralised(cell, shown):
    assert neutralise(cell) == shown


def test_csv_export_of_entries_with_dangerous_text(session):
    store = session.store
    store.audit.record_now("disclosure", "case", 1, recipient="=cmd|' /C calc'!A0", purpose="@risk")
    data = audit_csv(store.audit.entries(), {session.user.id: "-Ann Admin"})
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "Entry"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    last = rows[-1]
    assert last[8] == "'=cmd|' /C calc'!A0" and last[9] == "'@risk" and last[3] == "'-Ann Admin"


def test_viewer_filters_verifies_and_logs_its_export(qtbot, session, tmp_path):
    store = session.store
    case_id = add_example_case(store)
    store.cases.get(case_id)  # a consultation
    tasks = TaskRunner()
    page = AuditPage(store, tasks=tasks)
    qtbot.addWidget(page)
    total = page.model.rowCount()
    page.kind.setCurrentIndex(page.kind.findData("consultation"))
    assert page.model.rowCount() == 1
    page.kind.setCurrentIndex(0)
    page.record_type.setCurrentIndex(page.record_type.findData("case"))
    page.record_id.setValue(case_id)
    assert page.model.rowCount() == 3  # created, its conditions collected, consulted
    page.record_type.setCurrentIndex(0)
    page.record_id.setValue(0)
    assert page.model.rowCount() == total
    with qtbot.waitSignal(page.verified, timeout=10_000):
        page.verify()  # on the worker, through a read-only connection of its own
    assert page.message.text().startswith("The log verifies"), page.message.text()
    target = tmp_path / "audit.csv"
    assert page.export_csv(str(target), recipient="Information governance", purpose="Annual audit")
    assert target.exists() and not list(tmp_path.glob(".tmp-*")) and not list(tmp_path.glob(".mappa-partial-*"))
    last = store.audit.entries()[-1]
    assert (last.kind, last.record_type, last.recipient, last.purpose) == (
        "disclosure", "audit_log", "Information governance", "Annual audit")
    assert page.model.rowCount() == total + 1
    tasks.shutdown()


def test_the_viewer_names_the_first_entry_that_was_tampered_with(qtbot, session, raw_connection):
    store = session.store
    for i in range(6):
        store.audit.record_now("consultation", "case", i)
    conn = raw_connection(store.paths.store, store.key)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET record_id = 99 WHERE id = 4")
    conn.commit()
    conn.close()
    tasks = TaskRunner()
    page = AuditPage(store, tasks=tasks)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.verified, timeout=10_000):
        page.verify()
    assert page.message.text().startswith("THE LOG WAS TAMPERED WITH: entry 4 is wrong")
    tasks.shutdown()


def test_audit_model_passes_qtmodeltester(qtmodeltester, session):
    from mappa_desktop.db.audit import AuditQuery
    from mappa_desktop.ui.audit_page import AuditModel

    add_example_case(session.store)
    model = AuditModel(session.store)
    model.set_query(AuditQuery())
    qtmodeltester.check(model)


def test_pdf_export_is_marked_and_logged(qtbot, session, tmp_path):
    import io as _io

    from pypdf import PdfReader

    add_example_case(session.store)
    page = AuditPage(session.store)
    qtbot.addWidget(page)
    target = tmp_path / "audit.pdf"
    assert page.export_pdf(str(target), recipient="Information governance", purpose="Audit")
    text = "".join(p.extract_text() for p in PdfReader(_io.BytesIO(target.read_bytes())).pages)
    assert text.startswith("OFFICIAL-SENSITIVE") and "Collection" in text and "Ann Admin" in text
    last = session.store.audit.entries()[-1]
    assert (last.kind, last.detail) == ("disclosure", f"PDF export of {page.model.rowCount() - 1} entries")
