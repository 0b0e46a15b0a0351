"""The area's settings in the store, JSON-encoded, defaults from ``mappa_desktop.settings``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .. import settings as declared
from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store


class SettingsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def get(self, key: str):
        declared.declared(key)  # unknown keys are a bug
        with storage_errors():
            row = self._store.db.execute(
                "SELECT value FROM settings WHERE key = ?", [key]
            ).fetchone()
        return json.loads(row[0]) if row else declared.default_of(key)

    def set(self, key: str, value) -> None:
        """Validate (``settings.validate``), store and audit. ``SettingError`` says why not."""
        value = declared.validate(key, value)
        with self._store.transaction():
            self._store.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )
            self._store.audit.record("alteration", "setting", None, detail=key)
            self._store.note("settings", None)
