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
    page.widgets["area_name"].setText("Forthside MAPPA")
    page.widgets["summary_sections"].setPlainText("purpose\nnonsense.field")
    assert page.save() is False and "no section" in page.message.text()
    page.widgets["summary_sections"].setPlainText("purpose")
    assert page.save() is True
    assert session.store.settings.get("area_name") == "Forthside MAPPA"
    assert session.store.settings.get("summary_sections") == ["purpose"]
