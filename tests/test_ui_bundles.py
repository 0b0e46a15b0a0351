"""Export and import of a case through the real windows of two laptops: the export dialog
(recipient, purpose, a transfer passphrase shown once), the import preview, the side by
side chooser, and what the stores hold afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.main_window import MainWindow
from mappa_desktop.ui.tasks import TaskRunner

from .bundle_helpers import PASSPHRASE, example_case, export, import_all, laptop

SHOTS = os.environ.get("MAPPA_SCREENSHOTS")  # a folder: save the screens to look at them


@pytest.fixture
def world(qtbot, tmp_path):
    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b", user="Bea Deputy")
    tasks = TaskRunner()
    windows = []

    def window(session):
        win = MainWindow(session, tasks, kdf=TEST_KDF)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        windows.append(win)
        return win

    yield a, b, window
    for win in windows:
        win.dispose()
    tasks.shutdown()
    a.close()
    b.close()


def _shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()  # let the layout settle first
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_export_from_the_case_view_then_import_in_the_other_window(qtbot, world, tmp_path):
    a, b, window = world
    case = example_case(a.store)
    win_a = window(a)
    win_a.open_case(case.case_id)
    overview = win_a.page("cases").overview
    _shot(win_a, "case-view")
    dialog = overview.export_case()
    dialog.resize(800, 460)
    passphrase = dialog.passphrase.text()
    assert len(passphrase.split()) == 6 and "Strong" in dialog.strength.text()
    target = tmp_path / "moved.mappa-case"
    dialog.export(str(target))
    qtbot.waitUntil(lambda: dialog.message.text() != "" and not dialog.busy.isVisible(), timeout=20_000)
    assert "Say who the bundle is for" in dialog.message.text() and not target.exists()
    dialog.recipient.setText("Bea Deputy, deputy chair")
    dialog.purpose.setText("Chairing the January review")
    _shot(dialog, "export-dialog")
    dialog.export(str(target))
    qtbot.waitUntil(lambda: target.exists() and dialog.shown_once.isVisible(), timeout=20_000)
    assert dialog.shown_once.text() == passphrase and dialog.passphrase.text() == ""
    _shot(dialog, "export-done")
    dialog.accept()
    assert dialog.shown_once.text() == ""  # shown once: gone when the dialog closes
    entry = a.store.audit.entries()[-1]
    assert (entry.kind, entry.record_type, entry.recipient) == ("disclosure", "case", "Bea Deputy, deputy chair")

    win_b = window(b)
    importer = win_b.import_case()
    importer.resize(1000, 700)
    importer.passphrase.setText("not the passphrase at all")
    importer.open_bundle(str(target))
    qtbot.waitUntil(lambda: "does not open" in importer.message.text(), timeout=20_000)
    importer.passphrase.setText(passphrase)
    importer.open_bundle(str(target))
    qtbot.waitUntil(lambda: importer.plan is not None, timeout=20_000)
    assert "added whole" in importer.summary.text() and importer.import_button.isEnabled()
    assert b.store.cases.count(status=None) == 0  # nothing written by the preview
    _shot(importer, "import-new-case")
    qtbot.mouseClick(importer.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: importer.open_case_button.isVisible(), timeout=20_000)
    qtbot.mouseClick(importer.open_case_button, Qt.MouseButton.LeftButton)
    assert win_b.page("cases").overview.case.reference == "FS-2026-0147"
    assert len(b.store.minutes.meetings(win_b.page("cases").overview.case.id)) == 2


def test_the_chooser_shows_both_sides_and_import_waits_for_every_choice(qtbot, world, tmp_path):
    a, b, window = world
    case = example_case(a.store)
    _, imported = import_all(b.store, export(a.store, case.case_id, tmp_path / "a1"))
    july_b = b.store.bundles.records.local_id("meeting", a.store.bundles.records.uid_of("meeting", case.first))
    a.store.minutes.save_fields(case.first, "risk_management", {"risk_management": "Weekly home visits, agreed on A."})
    b.store.minutes.save_fields(july_b, "risk_management", {"risk_management": "Fortnightly visits, typed on B."})
    values = dict(a.store.cases.get(case.case_id, consult=False).values)
    a.store.cases.update(case.case_id, {**values, "address": "2 New Road, Forthside FK1 1ZZ"},
                         [o.as_values() for o in a.store.cases.get(case.case_id, consult=False).orders])
    a.store.minutes.add_addendum(case.review, body="A second correction.", reason="Spelling")
    path = export(a.store, case.case_id, tmp_path / "a2")

    win_b = window(b)
    importer = win_b.import_case()
    importer.resize(1100, 720)
    importer.passphrase.setText(PASSPHRASE)
    importer.open_bundle(str(path))
    qtbot.waitUntil(lambda: importer.plan is not None, timeout=20_000)
    rows = {r.difference.field: r for r in importer.rows}
    assert set(rows) == {"address", "risk_management"}
    from PySide6.QtWidgets import QPlainTextEdit

    texts = [w.toPlainText() for w in rows["risk_management"].findChildren(QPlainTextEdit)]
    assert texts == ["Weekly home visits, agreed on A.", "Fortnightly visits, typed on B."]
    assert not importer.import_button.isEnabled() and "0 of 2" in importer.counter.text()
    rows["risk_management"].choose("theirs")
    assert not importer.import_button.isEnabled()
    _shot(importer, "import-conflicts")
    rows["address"].choose("ours")
    assert importer.import_button.isEnabled() and "2 of 2" in importer.counter.text()
    importer.import_now()
    qtbot.waitUntil(lambda: importer.open_case_button.isVisible(), timeout=20_000)
    _shot(importer, "import-done")
    assert b.store.minutes.get(july_b, consult=False).get("risk_management") == "Weekly home visits, agreed on A."
    assert b.store.cases.get(imported.case_id, consult=False).get("address") != "2 New Road, Forthside FK1 1ZZ"
