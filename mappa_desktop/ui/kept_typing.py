"""Words typed in a small window outlive a crash, a lock, a lid closed and a quit.

A window that records something (an action, the outcome of one, an incident, a condition,
a case leaving MAPPA...) keeps what is typed in it, within a second, in the encrypted store
(``store.drafts``, under a key that names the case, so that erasing the case erases it, and
the user, so that nobody else is offered it). The main window asks every open window to
``flush()`` before it closes for a lock or a quit. Opened again for the same record, the
window shows the words and says so; saved or cancelled, they are forgotten. Only what was
typed is kept: a window left as it opened (today's date filled in) keeps nothing.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

PREFIX = "dialog:"
KEEP_MS = 1000


def draft_key(case_id: int, what: str, record_id: int | str) -> str:
    """The key of a window's kept words: the case first (retention erases ``dialog:<case>:*``)."""
    return f"{PREFIX}{case_id}:{what}:{record_id}"


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
    ``raw_state``/``restore_raw_state``) and calls ``keep_typing(store, key)`` once built,
    with its defaults filled in."""

    _keep_store = None
    _keep_key: str | None = None
    _released = False

    def typed_parts(self) -> dict:
        raise NotImplementedError

    def _typed_now(self) -> dict:
        return {name: _read(part) for name, part in self.typed_parts().items()}

    def keep_typing(self, store, key: str) -> None:
        """Keep this window's words under ``key``; show any kept before (and say so)."""
        from ..db.errors import StoreError

        user = store.user.id if store.user else 0
        self._keep_store, self._keep_key = store, f"{key}:u{user}"
        self._as_opened = self._typed_now()  # not typed: nothing to keep
        self._written = self._as_opened
        try:
            kept = store.drafts.get(self._keep_key)
        except StoreError:
            kept = None
        if kept:
            parts = self.typed_parts()
            for name, value in (kept.get("parts") or {}).items():
                if name in parts:
                    _write(parts[name], value)
            self._written = self._typed_now()
            note = self._note()
            if note is not None and hasattr(note, "warning"):
                note.warning("Restored what was typed here before: save it, or Cancel to discard it.")
        self._keep_timer = QTimer(self)
        self._keep_timer.setInterval(KEEP_MS)
        self._keep_timer.timeout.connect(self._keep_now)
        self._keep_timer.start()

    def _note(self):
        return getattr(self, "message", None) or getattr(self, "error", None)

    def _keep_now(self) -> bool:
        """Write what is typed if it changed since the last write. False if refused."""
        from ..db.errors import StoreError

        typed = self._typed_now()
        if typed == self._written:
            return True
        store = self._keep_store
        try:
            if typed == self._as_opened:
                store.drafts.discard(self._keep_key)  # back as it opened: nothing to keep
            else:
                store.drafts.put(self._keep_key, {"title": self.windowTitle(), "parts": typed})
        except StoreError as exc:
            note = self._note()
            if note is not None:
                note.setText(f"NOT SAVED: {exc.reason}. What you typed is still here.")
            return False
        self._written = typed
        return True

    def kept_title(self) -> str:
        """The window's title if it holds kept words (for the note after unlocking)."""
        return self.windowTitle() if self._keep_key is not None and self._written != self._as_opened else ""

    def flush(self) -> bool:
        """Keep what is typed now (the main window asks on lock and close). False, with
        NOT SAVED in the window, if the store refused; a store that refuses every write
        (damaged, read-only) never holds the lock back for a window."""
        store = self._keep_store
        if self._keep_key is None or not self.isVisible():
            return True
        if store.read_only or store.refusal is not None:
            return True
        return self._keep_now()

    def release_for_lock(self) -> None:
        """The main window closes for a lock or a quit: what ``flush`` kept stays kept."""
        self._released = True
        if self._keep_key is not None:
            self._keep_timer.stop()

    def _forget(self) -> None:
        from ..db.errors import StoreError

        if self._keep_key is None or self._released:
            return
        self._keep_timer.stop()
        try:
            if self._keep_store.drafts.get(self._keep_key) is not None:
                self._keep_store.drafts.discard(self._keep_key)
        except StoreError:
            log.warning("could not forget a window's kept typing")

    def accept(self) -> None:  # noqa: D102 (Qt's): saved, so nothing is left to keep
        self._forget()
        super().accept()

    def reject(self) -> None:  # noqa: D102 (Qt's): cancelled by the person
        self._forget()
        super().reject()


class PanelKeeper(QObject):
    """The same for an edit panel on a page (the Directory's): ``read()`` gives what the
    panel shows, ``write(state)`` puts it back. ``opened(record_id)`` after the panel is
    filled from a record (or blanked); ``kept()`` what was kept before, if any, for the
    page to show; ``forget()`` once saved."""

    def __init__(self, store, key: str, read, write, note, parent: QObject | None = None):
        super().__init__(parent)
        user = store.user.id if store.user else 0
        self.store, self.key, self.read, self.write, self.note = store, f"{key}:u{user}", read, write, note
        self.record_id = None
        self._as_opened = self._written = None
        self._timer = QTimer(self)
        self._timer.setInterval(KEEP_MS)
        self._timer.timeout.connect(self.keep_now)
        self._timer.start()

    def opened(self, record_id) -> None:
        self.record_id = record_id
        self._as_opened = self._written = self.read()

    def kept(self) -> dict | None:
        from ..db.errors import StoreError

        try:
            return self.store.drafts.get(self.key)
        except StoreError:
            return None

    def restored(self, state) -> None:
        """The page put kept words back: they are what is kept now."""
        self.write(state)
        self._written = self.read()
        self.note.warning("Restored what was typed here before: save it, or choose the record again to "
                          "discard it.")

    def keep_now(self) -> bool:
        from ..db.errors import StoreError

        if self._as_opened is None or self.store.read_only or self.store.refusal is not None:
            return True
        state = self.read()
        if state == self._written:
            return True
        try:
            if state == self._as_opened:
                self.store.drafts.discard(self.key)
            else:
                self.store.drafts.put(self.key, {"record_id": self.record_id, "state": state})
        except StoreError as exc:
            self.note.setText(f"NOT SAVED: {exc.reason}. What you typed is still here.")
            return False
        self._written = state
        return True

    def forget(self) -> None:
        from ..db.errors import StoreError

        try:
            if self.store.drafts.get(self.key) is not None:
                self.store.drafts.discard(self.key)
        except StoreError:
            log.warning("could not forget a panel's kept typing")
        self._written = self.read()

    def stop(self) -> None:
        self._timer.stop()
