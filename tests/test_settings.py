"""Settings: declared once, validated, audited, changed through the page by administrators."""

from __future__ import annotations

import pytest

from mappa_desktop import settings
from mappa_desktop.settings import SettingError


def test_validation_of_each_kind(session, tmp_path):
    store = session.store
    with pytest.raises(SettingError, match="between 1 and 15"):
        store.settings.set("idle_lock_minutes", 16)
    with pytest.raises(SettingError, match="whole number"):
        store.settings.set("retention_years", "seven")
    with pytest.raises(SettingError, match="no section"):
        store.settings.set("summary_sections", "purpose\nnot_a_section")
    with pytest.raises(SettingError, match="cloud-synced"):
        store.settings.set("backup_folder", str(tmp_path / "Dropbox" / "b"))
    with pytest.raises(SettingError, match="full path"):
        store.settings.set("backup_folder", "relative/folder")
    store.settings.set("idle_lock_minutes", "10")
    store.settings.set("summary_sections", "purpose\n\nrosh.agreed_rosh\n")
    assert store.settings.get("idle_lock_minutes") == 10
    assert store.settings.get("summary_sections") == ["purpose", "rosh.agreed_rosh"]
    assert [e.detail for e in store.audit.entries()[-2:]] == ["idle_lock_minutes", "summary_sections"]


def test_backups_go_to_the_chosen_folder(session, tmp_path):
    from mappa_desktop.db.backup import backup_store, list_backups

    store = session.store
    assert settings.backups_folder(store) == store.paths.backups
    store.settings.set("backup_folder", str(tmp_path / "external" / "mappa-backups"))
    folder = settings.backups_folder(store)
    backup_store(store.paths.store, store.key, folder, reason="manual")
    assert len(list_backups(folder)) == 1


def test_settings_page_saves_and_refuses_with_a_message(qtbot, session):
    from mappa_desktop.ui.settings_page import SettingsPage

    page = SettingsPage(session)
    qtbot.addWidget(page)
    assert page.widgets["protective_marking"].text() == "OFFICIAL-SENSITIVE"
    assert "confidential" in page.widgets["confidentiality_statement"].toPlainText()
    page.widgets["backup_folder"].setText("relative/folder")
    assert page.save() is False and "full path" in page.message.text() and page.message.kind == "error"
    page.widgets["backup_folder"].setText("")
    page.widgets["area_name"].setText("Forthside MAPPA")
    assert page.save() is True and page.message.kind == "success" and "Saved" in page.message.text()
    assert session.store.settings.get("area_name") == "Forthside MAPPA"


def test_the_executive_summary_setting_shows_titles_not_keys(qtbot, session):
    """What a summary keeps is a list of the minute's sections and fields by their titles,
    ticked: no internal key such as mappa_level.new_level is shown, and ticking stores the
    keys the printout reads."""
    from PySide6.QtCore import Qt

    from mappa_desktop import spec
    from mappa_desktop.ui.settings_page import SettingsPage

    page = SettingsPage(session)
    qtbot.addWidget(page)
    tree = page.widgets["summary_sections"]
    shown = []
    for top in tree.sections.values():
        shown.append(top.text(0))
        shown += [top.child(i).text(0) for i in range(top.childCount())]
    assert "Agreed level of risk of serious harm" in shown and "Level from now" in shown
    assert not any("." in text and " " not in text or "_" in text for text in shown), shown
    # The default selection (fields of five sections) is shown ticked, section by section.
    level = tree.sections["mappa_level"]
    assert level.checkState(0) == Qt.CheckState.PartiallyChecked
    ticked = [level.child(i).text(0) for i in range(level.childCount())
              if level.child(i).checkState(0) == Qt.CheckState.Checked]
    assert ticked == ["Decision", "Level from now"]
    # Tick the whole of Dissent, untick Level from now; save.
    tree.sections["dissent"].setCheckState(0, Qt.CheckState.Checked)
    level.child([f.key for f in spec.section("mappa_level").fields].index("new_level")).setCheckState(
        0, Qt.CheckState.Unchecked)
    assert page.save() is True
    kept = session.store.settings.get("summary_sections")
    assert "dissent" in kept and "mappa_level.level_decision" in kept and "mappa_level.new_level" not in kept
