"""Words typed in a small window outlive a lock, a lid closed and a quit.

A window that records something (an action, the outcome of one, an incident, a condition,
a case leaving MAPPA...) is closed with the main window when the application locks. Before
that, the main window asks every open window to ``flush()``: one that keeps typing puts
what is in its fields in the encrypted store (``store.drafts``, under a key that names the
case, so that erasing the case erases it too). Opened again for the same record, the window
shows those words and says so; saved or cancelled, they are forgotten. After unlocking, the
main window says which windows had words kept (``kept_windows``).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

PREFIX = "dialog:"


def draft_key(case_id: int, what: str, record_id: int | str) -> str:
    """The key of a window's kept words: the case first (retention erases ``dialog:<case>:*``)."""
    return f"{PREFIX}{case_id}:{what}:{record_id}"


def kept_windows(store) -> list[str]:
    """The titles of the windows whose words were kept and not yet taken up again."""
    from ..db.errors import StoreError

    try:
        return [(store.drafts.get(key) or {}).get("title", "") for key in store.drafts.keys(PREFIX)]
    except StoreError:
        return []


def _read(part):
    return part.raw_state() if hasattr(part, "raw_state") else part.raw()


def _write(part, value) -> None:
    if hasattr(part, "restore_raw_state"):
        part.restore_raw_state(value)
    else:
        part.set_raw(value)


class KeepsTyping:
    """For a ``QDialog`` (first in its bases). The dialog lists what it holds in
    ``typed_parts()`` (name -> a field with ``raw``/``set_raw`` or a form with
    ``raw_state``/``restore_raw_state``) and calls ``keep_typing(store, key)`` once built."""

    _keep_store = None
    _keep_key: str | None = None
    _released = False

    def typed_parts(self) -> dict:
        raise NotImplementedError

    def keep_typing(self, store, key: str) -> None:
        """Keep this window's words under ``key``; show any kept before (and say so)."""
        from ..db.errors import StoreError

        self._keep_store, self._keep_key = store, key
        try:
            kept = store.drafts.get(key)
        except StoreError:
            kept = None
        if not kept:
            return
        parts = self.typed_parts()
        for name, value in (kept.get("parts") or {}).items():
            if name in parts:
                _write(parts[name], value)
        note = getattr(self, "message", None) or getattr(self, "error", None)
        if note is not None and hasattr(note, "warning"):
            note.warning("Restored what was typed here before the application was locked or closed.")

    def flush(self) -> bool:
        """Keep what is typed now (the main window asks on lock and close). False, with
        NOT SAVED in the window, if the store refused."""
        from ..db.errors import StoreError

        if self._keep_key is None or not self.isVisible():
            return True
        payload = {"title": self.windowTitle(), "parts": {n: _read(p) for n, p in self.typed_parts().items()}}
        try:
            self._keep_store.drafts.put(self._keep_key, payload)
        except StoreError as exc:
            note = getattr(self, "message", None) or getattr(self, "error", None)
            if note is not None:
                note.setText(f"NOT SAVED: {exc.reason}. What you typed is still here.")
            return False
        log.info("a window's typing kept")
        return True

    def release_for_lock(self) -> None:
        """The main window closes for a lock or a quit: what ``flush`` kept stays kept."""
        self._released = True

    def _forget(self) -> None:
        from ..db.errors import StoreError

        if self._keep_key is None or self._released:
            return
        try:
            if self._keep_store.drafts.get(self._keep_key) is not None:
                self._keep_store.drafts.discard(self._keep_key)
        except StoreError:
            log.warning("could not forget a window's kept typing")

    def accept(self) -> None:  # noqa: D102 (Qt's): saved, so nothing is left to keep
        self._forget()
        super().accept()

    def reject(self) -> None:  # noqa: D102 (Qt's): cancelled by the person, or closed for a lock
        self._forget()
        super().reject()
