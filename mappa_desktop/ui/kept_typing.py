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
    with its defaults filled in. The keeping is a ``PanelKeeper``'s."""

    _keeper = None
    _released = False

    def typed_parts(self) -> dict:
        raise NotImplementedError

    def _typed_now(self) -> dict:
        return {name: _read(part) for name, part in self.typed_parts().items()}

    def _write_parts(self, state: dict) -> None:
        parts = self.typed_parts()
        for name, value in (state or {}).items():
            if name in parts:
                _write(parts[name], value)

    def keep_typing(self, store, key: str) -> None:
        """Keep this window's words under ``key``; show any kept before (and say so)."""
        note = getattr(self, "message", None) or getattr(self, "error", None)
        self._keeper = PanelKeeper(store, key, self._typed_now, self._write_parts, note, self)
        self._keeper.opened(None)
        kept = self._keeper.kept()
        if kept:
            self._keeper.restored(kept.get("state") or {})

    def kept_title(self) -> str:
        """The window's title if it holds kept words (for the note after unlocking)."""
        return self.windowTitle() if self._keeper is not None and self._keeper.holds_typing() else ""

    def flush(self) -> bool:
        """Keep what is typed now (the main window asks on lock and close). False, with
        NOT SAVED in the window, if the store refused."""
        if self._keeper is None or not self.isVisible():
            return True
        return self._keeper.keep_now()

    def release_for_lock(self) -> None:
        """The main window closes for a lock or a quit: what ``flush`` kept stays kept."""
        self._released = True
        if self._keeper is not None:
            self._keeper.stop()

    def _forget(self) -> None:
        if self._keeper is None or self._released:
            return
        self._keeper.stop()
        self._keeper.forget()

    def accept(self) -> None:  # noqa: D102 (Qt's): saved, so nothing is left to keep
        self._forget()
        super().accept()

    def reject(self) -> None:  # noqa: D102 (Qt's): cancelled by the person
        self._forget()
        super().reject()


class PanelKeeper(QObject):
    """What is typed in a window or an edit panel, kept: ``read()`` gives what the panel shows, ``write(state)`` puts it back. ``opened(record_id)`` after the panel is
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
        self.note.warning("Restored what was typed here before; it is not saved yet.")

    def holds_typing(self) -> bool:
        """Whether what the panel shows differs from what it opened with."""
        return self._as_opened is not None and self._written != self._as_opened

    def keep_now(self) -> bool:
        """Write what is shown if it changed since the last write. False (NOT SAVED said)
        if the store refused; a store that refuses every write (damaged, read-only) is not
        asked, so that it never holds a lock back."""
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
