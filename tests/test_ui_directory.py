"""The Directory page driven through its real widgets, checked against the store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from mappa_desktop.db.errors import StorageUnavailable
from mappa_desktop.ui.directory_page import AgencyTableModel, DirectoryPage, PersonTableModel


@pytest.fixture
def store(session):
    return session.store


@pytest.fixture
def make_page(qtbot, store):
    def _make() -> DirectoryPage:
        page = DirectoryPage(store)
        qtbot.addWidget(page)
        page.resize(1000, 600)
        page.show()
        qtbot.waitExposed(page)
        return page

    return _make


def _column(tab, column: int = 0) -> list[str]:
    proxy = tab.proxy
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def _click_row(qtbot, tab, text: str) -> None:
    row = _column(tab).index(text)
    rect = tab.table.visualRect(tab.proxy.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _retype(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _selected_name(tab) -> str:
    index = tab.table.currentIndex()
    assert index.isValid() and tab.table.selectionModel().isRowSelected(index.row())
    return tab.proxy.index(index.row(), 0).data()


def test_seeded_agencies_are_listed_with_their_kind(make_page):
    page = make_page()
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Agencies", "People"]
    tab = page.agencies
    names = _column(tab)
    assert "Police Scotland" in names and "Scottish Prison Service" in names
    assert len(names) == 12
    # Store order: responsible authorities first.
    kinds = _column(tab, 1)
    assert kinds[0] == "Responsible authority" and kinds[-1] in ("Duty to co-operate", "Other")
    assert _column(tab, 2) == ["Yes"] * 12
    assert tab.heading.text() == "New agency"


def test_adding_an_agency_through_the_panel_saves_it_and_selects_it(qtbot, make_page, store):
    page = make_page()
    tab = page.agencies
    _click(qtbot, tab.new_button)
    qtbot.keyClicks(tab.name, "Fife Council Housing")
    tab.kind.setCurrentIndex(tab.kind.findText("Duty to co-operate"))
    _click(qtbot, tab.save_button)

    saved = [a for a in store.directory.agencies() if a.name == "Fife Council Housing"]
    assert len(saved) == 1 and saved[0].kind == "duty_to_cooperate" and saved[0].active
    assert "Fife Council Housing" in _column(tab)
    assert _selected_name(tab) == "Fife Council Housing"
    assert tab.heading.text() == "Edit agency" and tab.message.text() == ""
    assert tab.note.text() == "Saved."
    # The new agency is offered straight away when adding a person.
    page.tabs.setCurrentWidget(page.people)
    qtbot.waitUntil(lambda: page.people.agency.findText("Fife Council Housing") >= 0, timeout=2000)


def test_adding_a_person_with_an_agency_picked(qtbot, make_page, store):
    page = make_page()
    page.tabs.setCurrentWidget(page.people)
    tab = page.people
    assert tab.agency.isEditable()
    assert tab.agency.count() == len(store.directory.agencies())
    qtbot.keyClicks(tab.name, "DS Morag Keir")
    tab.agency.setCurrentIndex(tab.agency.findText("Police Scotland"))
    qtbot.keyClicks(tab.role, "Offender management unit")
    qtbot.keyClicks(tab.contact, "01592 418 000")
    _click(qtbot, tab.save_button)

    people = store.directory.people()
    assert [(p.name, p.agency, p.role, p.contact, p.active) for p in people] == [
        ("DS Morag Keir", "Police Scotland", "Offender management unit", "01592 418 000", True)
    ]
    assert _selected_name(tab) == "DS Morag Keir"
    assert _column(tab, 1) == ["Police Scotland"]


def test_a_person_may_belong_to_an_agency_typed_in(qtbot, make_page, store):
    page = make_page()
    tab = page.people
    qtbot.keyClicks(tab.name, "Jo Baird")
    qtbot.keyClicks(tab.agency.lineEdit(), "Victim Support Scotland")
    _click(qtbot, tab.save_button)
    assert [(p.name, p.agency) for p in store.directory.people()] == [
        ("Jo Baird", "Victim Support Scotland")
    ]


def test_editing_a_person_updates_the_same_record(qtbot, make_page, store):
    store.directory.save_person(name="Alan Gow", agency="Justice Social Work", role="Social worker")
    kept = store.directory.save_person(name="Zoe Hunter", agency="NHS health board")
    page = make_page()
    tab = page.people
    _click_row(qtbot, tab, "Alan Gow")
    assert tab.heading.text() == "Edit person"
    assert tab.name.text() == "Alan Gow" and tab.agency.currentText() == "Justice Social Work"
    assert tab.role.text() == "Social worker"
    _retype(qtbot, tab.role, "Senior social worker")
    _click(qtbot, tab.save_button)

    people = {p.name: p for p in store.directory.people()}
    assert len(people) == 2 and people["Alan Gow"].role == "Senior social worker"
    assert people["Zoe Hunter"].id == kept
    assert _selected_name(tab) == "Alan Gow"
    assert tab.role.text() == "Senior social worker" and tab.note.text() == "Saved."
    qtbot.keyClicks(tab.contact, "0131")  # an unsaved change: no longer "Saved."
    assert tab.note.text() == ""
    _click(qtbot, tab.new_button)
    assert tab.heading.text() == "New person" and tab.name.text() == ""
    assert not tab.table.selectionModel().hasSelection()


def test_a_duplicate_agency_name_is_refused_and_the_text_kept(qtbot, make_page, store):
    page = make_page()
    tab = page.agencies
    qtbot.keyClicks(tab.name, "police scotland")
    _click(qtbot, tab.save_button)
    assert tab.message.text() == "There is already an agency with that name."
    assert tab.message.objectName() == "formMessage"
    assert tab.message.textFormat() == Qt.TextFormat.PlainText
    assert tab.name.text() == "police scotland"
    assert len(store.directory.agencies(include_inactive=True)) == 12
    # Correcting it and saving again clears the message.
    qtbot.keyClicks(tab.name, " fife division")
    _click(qtbot, tab.save_button)
    assert tab.message.text() == ""
    assert _selected_name(tab) == "police scotland fife division"


def test_a_blank_name_is_refused(qtbot, make_page, store):
    page = make_page()
    tab = page.people
    qtbot.keyClicks(tab.role, "Chair")
    _click(qtbot, tab.save_button)
    assert tab.message.text() == "A person needs a name."
    assert tab.role.text() == "Chair"
    assert store.directory.people(include_inactive=True) == []


def test_storage_failure_says_not_saved_and_keeps_the_text(qtbot, make_page, store, monkeypatch):
    page = make_page()
    tab = page.agencies

    def full(**_kwargs):
        raise StorageUnavailable("the disk is full")

    monkeypatch.setattr(store.directory, "save_agency", full)
    qtbot.keyClicks(tab.name, "Fife Council")
    _click(qtbot, tab.save_button)
    assert tab.message.text() == "NOT SAVED: the disk is full"
    assert tab.name.text() == "Fife Council"


def test_deactivating_a_person_hides_them_from_pickers_but_keeps_them(qtbot, make_page, store):
    person_id = store.directory.save_person(name="Alan Gow", agency="Justice Social Work")
    page = make_page()
    tab = page.people
    _click_row(qtbot, tab, "Alan Gow")
    assert tab.active.isChecked()
    qtbot.keyClick(tab.active, Qt.Key.Key_Space)
    _click(qtbot, tab.save_button)

    assert store.directory.people() == []
    everyone = store.directory.people(include_inactive=True)
    assert [(p.id, p.name, p.active) for p in everyone] == [(person_id, "Alan Gow", False)]
    assert _column(tab) == ["Alan Gow"] and _column(tab, 4) == ["No"]
    assert tab.proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_a_deactivated_agency_is_no_longer_offered_for_people(qtbot, make_page, store):
    page = make_page()
    _click_row(qtbot, page.agencies, "Electronic monitoring provider")
    qtbot.keyClick(page.agencies.active, Qt.Key.Key_Space)
    _click(qtbot, page.agencies.save_button)
    assert "Electronic monitoring provider" not in [a.name for a in store.directory.agencies()]
    assert "Electronic monitoring provider" in _column(page.agencies)
    page.tabs.setCurrentWidget(page.people)
    qtbot.waitUntil(lambda: page.people.agency.findText("Electronic monitoring provider") == -1, timeout=2000)


def test_filter_and_sort(qtbot, make_page):
    page = make_page()
    tab = page.agencies
    assert tab.filter.placeholderText() == "Filter…"
    qtbot.keyClicks(tab.filter, "scot")
    assert sorted(_column(tab)) == [
        "Police Scotland",
        "Scottish Children's Reporter Administration (SCRA)",
        "Scottish Prison Service",
        "Social Security Scotland",
    ]
    tab.filter.clear()
    assert len(_column(tab)) == 12
    tab.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    names = _column(tab)
    assert names == sorted(names, key=str.lower)
    tab.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert _column(tab) == sorted(names, key=str.lower, reverse=True)


def test_saving_a_row_the_filter_hides_shows_it(qtbot, make_page, store):
    page = make_page()
    tab = page.agencies
    qtbot.keyClicks(tab.filter, "police")
    qtbot.keyClicks(tab.name, "Fife Council")
    _click(qtbot, tab.save_button)
    assert tab.filter.text() == ""
    assert _selected_name(tab) == "Fife Council"


def test_models_pass_the_model_tester(qtmodeltester, store):
    store.directory.save_person(name="Alan Gow", agency="Justice Social Work", active=False)
    store.directory.save_person(name="Zoe Hunter", agency="NHS health board", contact="x")
    agencies = AgencyTableModel()
    agencies.set_records(store.directory.agencies(include_inactive=True))
    qtmodeltester.check(agencies, force_py=True)
    qtmodeltester.check(agencies)
    people = PersonTableModel()
    people.set_records(store.directory.people(include_inactive=True))
    qtmodeltester.check(people, force_py=True)
    qtmodeltester.check(people)
    people.set_records([])  # a reset under the tester
    assert people.rowCount() == 0


def test_markup_typed_as_a_name_is_shown_literally(qtbot, make_page, store):
    page = make_page()
    tab = page.agencies
    qtbot.keyClicks(tab.name, "<b>Bold</b>")
    _click(qtbot, tab.save_button)
    assert "<b>Bold</b>" in [a.name for a in store.directory.agencies()]
    row = _column(tab).index("<b>Bold</b>")
    assert tab.proxy.index(row, 0).data() == "<b>Bold</b>"
    assert tab.name.text() == "<b>Bold</b>"
    for label in (tab.message, tab.heading):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # Offered as it was typed in the people tab's agency picker.
    page.tabs.setCurrentWidget(page.people)
    qtbot.waitUntil(lambda: page.people.agency.findText("<b>Bold</b>") >= 0, timeout=2000)
    page.people.agency.setCurrentIndex(page.people.agency.findText("<b>Bold</b>"))
    assert page.people.agency.currentText() == "<b>Bold</b>"


def test_every_field_has_a_label_and_an_accessible_name(make_page):
    page = make_page()
    for tab in (page.agencies, page.people):
        fields = [f for kind in (QLineEdit, QComboBox, QCheckBox) for f in tab.findChildren(kind)]
        fields = [f for f in fields if not isinstance(f.parent(), QComboBox)]  # combo's editor
        buddies = {label.buddy() for label in tab.findChildren(QLabel) if label.buddy()}
        assert fields
        for field in fields:
            assert field.accessibleName(), field
            assert field in buddies, field.accessibleName()
