"""Cases through the real window: create with aliases, orders and lead authority; reopen the
app; find the case by alias and by PNC; validation beside the field keeps the text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from mappa_desktop.db.session import create_store
from mappa_desktop.paths import DataPaths
from mappa_desktop.security import TEST_KDF
from mappa_desktop.ui.app import AppController
from mappa_desktop.ui.cases_area import CasesArea
from mappa_desktop.ui.tasks import TaskRunner

from .typing_helpers import type_text

PASS = "heron kettle marmalade"


@pytest.fixture
def tasks():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def paths(tmp_path):
    paths = DataPaths(tmp_path / "data")
    create_store(paths, name="Lorna Petrie", agency="MAPPA unit", role="", passphrase=PASS, kdf=TEST_KDF).close()
    return paths


def _unlock(qtbot, controller):
    controller.start()
    controller.gate.unlock.name.setText("Lorna Petrie")
    qtbot.keyClicks(controller.gate.unlock.passphrase, PASS)
    qtbot.keyClick(controller.gate.unlock.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.main_window is not None, timeout=10_000)
    return controller.main_window


def _type(qtbot, widget, text):
    target = widget.focus_target()
    target.setFocus()
    type_text(target, text)


def test_create_case_reopen_and_find_it(qtbot, paths, tasks):
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    window = _unlock(qtbot, controller)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    area: CasesArea = window.page("cases")
    assert window.current_page() == "cases"
    qtbot.mouseClick(area.list_page.new_button, Qt.MouseButton.LeftButton)
    editor = area.editor
    assert editor is not None

    editor.field_widget("category").buttons["1"].click()
    editor.field_widget("mappa_level").buttons["2"].click()
    _type(qtbot, editor.field_widget("reference"), "FS-2026-0147")
    _type(qtbot, editor.field_widget("full_name"), "Kenneth AIRD")
    _type(qtbot, editor.field_widget("aliases"), "Kenny Baird")
    qtbot.keyClick(editor.field_widget("aliases"), Qt.Key.Key_Return)
    type_text(editor.field_widget("aliases"), "Ken Ó Dónaill")
    _type(qtbot, editor.field_widget("date_of_birth"), "19/03/1981")
    _type(qtbot, editor.field_widget("pnc_number"), "81/123456X")
    _type(qtbot, editor.field_widget("address"), "14/2 Carse View, Forthside FK9 9ZZ")
    _type(qtbot, editor.field_widget("index_offence_date"), "03/05/2019")
    _type(qtbot, editor.field_widget("lead_authority"), "Forthside Council Justice Social Work Service")
    _type(qtbot, editor.field_widget("lead_telephone"), "01786 000 123")
    _type(qtbot, editor.field_widget("lead_email"), "jsw.mappa@forthside.example")
    _type(qtbot, editor.field_widget("case_officer"), "Siobhán Ní Bhriain")

    orders = editor.orders
    for order_type, granted, expiry in (("shpo", "28/08/2020", "28/08/2030"), ("fto", "01/09/2020", "01/09/2025")):
        qtbot.mouseClick(orders.add_button, Qt.MouseButton.LeftButton)
        index = len(orders.rows) - 1
        combo = orders.field_widget(index, "order_type")
        combo.setCurrentIndex(combo.findData(order_type))
        _type(qtbot, orders.field_widget(index, "granted_date"), granted)
        _type(qtbot, orders.field_widget(index, "expiry_date"), expiry)

    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: area.overview is not None, timeout=5_000)
    case_id = area.overview.case.id

    # Quit the app, start a new one on the same folder, unlock.
    controller.quit()
    controller2 = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller2.gate)
    window2 = _unlock(qtbot, controller2)
    store = controller2.session.store
    case = store.cases.get(case_id, consult=False)
    assert case.reference == "FS-2026-0147" and case.full_name == "Kenneth AIRD"
    assert case.values["aliases"] == "Kenny Baird\nKen Ó Dónaill"
    assert case.values["date_of_birth"] == "1981-03-19"
    assert case.values["lead_authority"] == "Forthside Council Justice Social Work Service"
    assert case.values["case_officer"] == "Siobhán Ní Bhriain"
    assert [(o.order_type, o.granted_date, o.expiry_date) for o in case.orders] == [
        ("shpo", "2020-08-28", "2030-08-28"),
        ("fto", "2020-09-01", "2025-09-01"),
    ]

    window2.show_page("cases")
    page = window2.page("cases").list_page
    for query in ("Kenny", "81/123456X", "Dónaill"):
        page.search.clear()
        type_text(page.search, query)
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3_000)
        assert page.model.row_at(0).id == case_id
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter opens the first match
    qtbot.waitUntil(lambda: window2.page("cases").overview is not None, timeout=3_000)
    assert store.audit.entries()[-1].kind == "consultation"
    controller2.quit()


def test_bad_input_shows_beside_the_field_and_keeps_the_text(qtbot, paths, tasks):
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    window = _unlock(qtbot, controller)
    window.show_page("cases")
    area = window.page("cases")
    area.edit_case(None)
    editor = area.editor
    editor.field_widget("category").buttons["3"].click()
    editor.field_widget("mappa_level").buttons["1"].click()
    _type(qtbot, editor.field_widget("reference"), "R-1")
    _type(qtbot, editor.field_widget("full_name"), "<b>Not bold</b> O'Brien")
    _type(qtbot, editor.field_widget("date_of_birth"), "31/02/1990")
    qtbot.mouseClick(editor.orders.add_button, Qt.MouseButton.LeftButton)
    combo = editor.orders.field_widget(0, "order_type")
    combo.setCurrentIndex(combo.findData("shpo"))
    _type(qtbot, editor.orders.field_widget(0, "granted_date"), "01/01/2024")
    _type(qtbot, editor.orders.field_widget(0, "expiry_date"), "01/01/2023")
    assert editor.save() is None

    level_error = editor.forms["case_status"].errors["mappa_level"]
    assert "Level 1 does not apply to category 3" in level_error.text()
    assert "not a real date" in editor.forms["offender"].errors["date_of_birth"].text()
    assert "cannot be before the date granted" in editor.orders.rows[0].errors["expiry_date"].text()
    assert "3 things to correct" in editor.message.text()
    assert level_error.textFormat() == Qt.TextFormat.PlainText
    # Nothing typed is lost.
    assert editor.field_widget("date_of_birth").text() == "31/02/1990"
    assert editor.field_widget("full_name").text() == "<b>Not bold</b> O'Brien"
    assert controller.session.store.cases.count(status=None) == 0

    editor.field_widget("mappa_level").buttons["2"].click()
    editor.field_widget("date_of_birth").set_value("1990-02-28")
    editor.orders.field_widget(0, "expiry_date").set_value("2034-01-01")
    assert editor.save() is not None
    case = controller.session.store.cases.get(area.overview.case.id, consult=False)
    assert case.full_name == "<b>Not bold</b> O'Brien"
    controller.quit()


def test_lock_with_an_unsaved_form_keeps_it_as_a_draft(qtbot, paths, tasks):
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    window = _unlock(qtbot, controller)
    window.show_page("cases")
    window.page("cases").edit_case(None)
    editor = window.page("cases").editor
    _type(qtbot, editor.field_widget("full_name"), "Half Typed")
    _type(qtbot, editor.field_widget("date_of_birth"), "31/13/19")  # not a date yet
    controller.lock()
    assert controller.main_window is None
    # Nothing of it stays in a widget: the window is gone.
    assert not any(
        getattr(w, "text", lambda: "")() == "Half Typed" for w in QApplication.allWidgets() if w.isVisible()
    )
    window = _unlock(qtbot, controller)
    editor = window.page("cases").editor
    assert editor is not None
    assert editor.field_widget("full_name").text() == "Half Typed"
    assert editor.field_widget("date_of_birth").text() == "31/13/19"
    assert "Restored" in editor.message.text()
    controller.quit()


def test_cases_model_passes_qtmodeltester(qtmodeltester, session):
    from mappa_desktop.demo import add_example_case
    from mappa_desktop.ui.cases_list import CasesTableModel

    add_example_case(session.store)
    session.store.cases.create({"reference": "B", "full_name": "B", "category": "3", "mappa_level": "3"})
    model = CasesTableModel()
    model.set_rows(session.store.cases.rows())
    qtmodeltester.check(model)


def _cases(store):
    rows = [("FS-3", "Zoe AIRD", "1", "2", "low", "Police Scotland", "2027-03-01"),
            ("FS-1", "adam NOWAK", "3", "3", "very_high", None, "2026-12-01"),
            ("FS-2", "Mairi MACLEOD", "1", "1", "high", "Justice Social Work", None)]
    ids = {}
    for ref, name, category, level, rosh, authority, review in rows:
        ids[ref] = store.cases.create({"reference": ref, "full_name": name, "category": category,
                                       "mappa_level": level, "current_rosh": rosh, "lead_authority": authority,
                                       "next_review_date": review})
    return ids


def test_the_cases_list_sorts_and_filters_in_the_store(qtbot, session):
    """The list holds ids only: sorting and filtering are SQL, rows come a page at a time."""
    from mappa_desktop.ui.cases_list import CasesListPage, CasesTableModel

    store = session.store
    ids = _cases(store)
    page = CasesListPage(store)
    qtbot.addWidget(page)
    model, table = page.model, page.table

    def refs():
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    assert refs() == ["FS-1", "FS-2", "FS-3"] and page.count_label.text() == "3 cases"
    column = CasesTableModel.COLUMNS.index
    table.sortByColumn(column("full_name"), Qt.SortOrder.AscendingOrder)
    assert refs() == ["FS-1", "FS-2", "FS-3"]  # adam, Mairi, Zoe: case does not matter
    table.sortByColumn(column("current_rosh"), Qt.SortOrder.AscendingOrder)
    assert refs() == ["FS-1", "FS-2", "FS-3"]  # very high, high, low: the spec's order
    table.sortByColumn(column("next_review_date"), Qt.SortOrder.DescendingOrder)
    assert refs()[:2] == ["FS-2", "FS-3"] or refs()[0] == "FS-3"
    table.sortByColumn(column("lead_authority"), Qt.SortOrder.AscendingOrder)
    assert refs()[-1] == "FS-1"  # none given: last
    page.category.setCurrentIndex(page.category.findData("1"))
    assert sorted(refs()) == ["FS-2", "FS-3"]
    page.category.setCurrentIndex(0)
    page.search.setText("mairi")
    page.reload()
    assert refs() == ["FS-2"] and page.case_id_at(0) == ids["FS-2"]
    page.search.setText("")
    page.reload()
    assert model.rowCount() == 3
    store.cases.set_status(ids["FS-3"], "archived")
    page.reload()  # the one way in for "the cases changed"
    assert refs() and "FS-3" not in refs()
    page._debounce.stop()  # no search left to run once the store is closed


def test_the_cases_list_fetches_rows_a_page_at_a_time(qtbot, session, monkeypatch, qtmodeltester):
    from mappa_desktop.ui.cases_list import CasesTableModel

    store = session.store
    with store.transaction():
        for i in range(450):
            store.cases.create({"reference": f"FS-{i:04d}", "full_name": f"Person {i}", "category": "1",
                                "mappa_level": "2"})
    fetched = []
    real = store.cases.rows_by_id
    monkeypatch.setattr(store.cases, "rows_by_id", lambda ids: fetched.append(len(ids)) or real(ids))
    model = CasesTableModel(store)
    model.reload()
    assert model.rowCount() == 450 and fetched == []  # nothing read until shown
    assert model.index(0, 0).data() == "FS-0000"
    assert model.index(449, 1).data() == "Person 449"
    assert fetched == [CasesTableModel.PAGE, 450 - 2 * CasesTableModel.PAGE]
    qtmodeltester.check(model)


def test_unlocking_builds_only_the_first_page(qtbot, paths, tasks):
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    window = _unlock(qtbot, controller)
    assert window.current_page() == "dashboard"
    built = window.built_pages()
    assert len(built) == 1 and type(built[0]).__name__ == "DashboardPage"
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() == "audit" and type(window.page("audit")).__name__ == "AuditPage"
    assert len(window.built_pages()) == 2
    assert window.pages.currentWidget() is window.page("audit")
    controller.lock()
    controller.shutdown()


def test_a_case_form_being_typed_is_kept_within_a_second_and_forgotten_once_saved(qtbot, paths, tasks):
    """A crash or a power cut mid-form: what was typed a second before is in the store."""
    controller = AppController(paths, tasks, kdf=TEST_KDF)
    qtbot.addWidget(controller.gate)
    window = _unlock(qtbot, controller)
    window.show_page("cases")
    window.page("cases").edit_case(None)
    editor = window.page("cases").editor
    store = controller.session.store
    _type(qtbot, editor.field_widget("full_name"), "Half Typed")
    assert store.drafts.get(editor.draft_key) is None and editor.save_status.label.text() == "Saving…"
    qtbot.waitUntil(lambda: store.drafts.get(editor.draft_key) is not None, timeout=2500)
    assert "Half Typed" in str(store.drafts.get(editor.draft_key))
    assert editor.save_status.label.text().startswith("Draft kept ")
    editor._dirty = False  # as "Discard" does
    editor._discard_draft()
    qtbot.wait(1200)  # no autosave brings it back
    assert store.drafts.get(editor.draft_key) is None
    controller.quit()
