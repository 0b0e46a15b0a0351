"""A canary name in every field of a case and a minute, through the app: after backups,
an export, locking and quitting, the name is found in no file of the data folder, the
backups, the temp folder or the logs (UTF-8 and UTF-16), after printing, exporting,
backing up, locking and quitting."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path


from mappa_desktop import spec
from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.app import AppController
from mappa_desktop.ui.tasks import TaskRunner

CANARY = "Quillon ZARKOWITCH-Ní Bhéara"
PASS = "heron kettle marmalade"


def _encodings(text: str) -> list[bytes]:
    out = []
    for candidate in (text, text.split()[0], text.split()[1]):
        out += [candidate.encode("utf-8"), candidate.encode("utf-16-le"), candidate.encode("utf-16-be")]
    return out


def _hits(folder: Path, needles: list[bytes], skip: set[Path]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file() or path in skip:
            continue
        data = path.read_bytes()
        if any(n in data for n in needles):
            found.append(str(path))
    return found


def _fill_everything(store) -> tuple[int, int]:
    values = {}
    for field in spec.case_fields():
        if field.kind in (spec.Kind.TEXT, spec.Kind.LONG_TEXT, spec.Kind.PERSON, spec.Kind.AGENCY):
            values[field.key] = f"{CANARY} {field.key}"
    values.update(reference="CANARY-1", category="1", mappa_level="2", lead_email="canary@example.org")
    case_id = store.cases.create(values, [{"order_type": "other", "order_detail": CANARY, "granted_date": "2020-01-01"}])
    meeting = store.minutes.create(case_id, {"meeting_date": "2026-10-14", "chair": CANARY, "minute_taker": CANARY,
                                             "location": CANARY})
    for section in spec.SECTIONS:
        if section.source is spec.Source.MEETING:
            texts = {f.key: f"{CANARY} {f.key}" for f in section.fields
                     if f.kind in (spec.Kind.TEXT, spec.Kind.LONG_TEXT, spec.Kind.PERSON)}
            if texts:
                store.minutes.save_fields(meeting, section.key, texts)
        elif section.source is spec.Source.ROWS:
            row = {f.key: f"{CANARY} {f.key}" for f in section.fields
                   if f.kind in (spec.Kind.TEXT, spec.Kind.LONG_TEXT, spec.Kind.PERSON, spec.Kind.AGENCY)}
            store.minutes.save_rows(meeting, section.key, [row])
    store.minutes.raise_action(meeting, {"action_text": CANARY, "owner_person": CANARY, "owner_agency": CANARY})
    store.directory.save_person(name=CANARY, agency=CANARY, role=CANARY, contact=CANARY)
    return case_id, meeting


def test_the_canary_is_nowhere_but_in_what_the_user_saved(qtbot, tmp_path, monkeypatch):
    temp = tmp_path / "system-temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    paths = DataPaths(tmp_path / "data")
    clock = lambda: datetime(2026, 10, 14, 9, 0, tzinfo=timezone.utc)  # noqa: E731
    create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="", passphrase=PASS, kdf=TEST_KDF,
                 clock=clock).close()

    tasks = TaskRunner()
    controller = AppController(paths, tasks, kdf=TEST_KDF, clock=clock)
    qtbot.addWidget(controller.gate)
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    store = controller.session.store
    case_id, meeting = _fill_everything(store)
    window = controller.main_window
    window.open_case(case_id)  # consult it, with its overview, register and chronology
    window.open_meeting(meeting)
    editor = window.page("cases").minute_editor
    for section in spec.SECTIONS:
        editor.go_to(section.key)  # every page built and shown
    # An export the user chooses to save (the only place the canary may be).
    saved = tmp_path / "chosen" / "audit.csv"
    saved.parent.mkdir()
    window.show_page("audit")
    assert window.page("audit").export_csv(str(saved), recipient=CANARY, purpose="test")
    # Print: a preview (in memory) and a PDF saved where the user chose.
    window.show_page("cases")
    dialog = editor.print_minute()
    dialog.recipient.setText(CANARY)
    dialog.purpose.setText("test")
    dialog.preview()
    qtbot.waitUntil(lambda: dialog.pages.count() > 0, timeout=20_000)
    chosen_pdf = saved.parent / "minute.pdf"
    dialog.save(str(chosen_pdf))
    qtbot.waitUntil(chosen_pdf.exists, timeout=20_000)
    dialog.close()
    # A backup by hand, then lock, unlock, quit (which backs up again).
    dialog = window.show_backups()
    dialog.back_up_now()
    qtbot.waitUntil(lambda: "Backed up" in dialog.message.text(), timeout=10_000)
    dialog.close()
    controller.lock()
    controller.gate.unlock.passphrase.setText(PASS)
    controller.gate.unlock.unlock_button.click()
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    controller.quit()
    tasks.shutdown()

    needles = _encodings(CANARY)
    control = tmp_path / "control"
    control.mkdir()
    (control / "x.txt").write_bytes(CANARY.encode("utf-16-le"))
    assert _hits(control, needles, skip=set())  # the search does find the canary when it is there
    assert len(list(paths.backups.glob("store-*.db"))) >= 2
    assert _hits(paths.root, needles, skip=set()) == []
    assert _hits(temp, needles, skip=set()) == []
    # The export the user chose to save lists ids and kinds; the recipient of this very export
    # is logged inside the encrypted store, not in the file.
    assert _hits(paths.logs, needles, skip=set()) == []
    assert not any(CANARY.split()[0] in name for name in os.listdir(paths.root))
