"""Drafts: the raw contents of a form that could not be saved as a record yet.

Kept in the encrypted store (never in a plain file), keyed by where they belong, e.g.
``case_form:new`` or ``case_form:12``; taken back when the form is reopened or saved.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store


class DraftsRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def put(self, key: str, payload) -> None:
        with self._store.transaction():
            self._store.db.execute(
                "INSERT INTO drafts (key, payload, saved_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, "
                "saved_at = excluded.saved_at",
                [key, json.dumps(payload, ensure_ascii=False), self._store.now_iso()],
            )

    def get(self, key: str):
        with storage_errors():
            row = self._store.db.execute("SELECT payload FROM drafts WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def keys(self, prefix: str = "") -> list[str]:
        with storage_errors():
            rows = self._store.db.execute(
                "SELECT key FROM drafts WHERE substr(key, 1, ?) = ? ORDER BY saved_at",
                [len(prefix), prefix],
            ).fetchall()
        return [r[0] for r in rows]

    def discard(self, key: str) -> None:
        with self._store.transaction():
            self._store.db.execute("DELETE FROM drafts WHERE key = ?", [key])
