"""What changed in the store, announced once for each committed transaction.

The store notes each record a write touches (``Store.note``); when the outermost
transaction commits, the notes go out as one :class:`Change` to every subscriber. Views
listen through one helper (``ui/changes.py``) and refresh what they show; nothing calls a
view's refresh from the place that made the change. A rolled-back write announces nothing.

Record kinds: ``case``, ``meeting``, ``action``, ``directory``, ``review``, ``settings``,
``user``, ``store`` (everything, e.g. after a restore).
"""

from __future__ import annotations

import logging
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    """The records one or more committed transactions changed.

    ``records``: (kind, id) pairs (id None: the kind as a whole); ``cases``: the cases those
    records belong to; ``origins``: ids of the objects that asked for the writes (a view
    skips a change that only it made)."""

    records: frozenset = field(default_factory=frozenset)
    cases: frozenset = field(default_factory=frozenset)
    origins: frozenset = field(default_factory=frozenset)

    def touches(self, *kinds: str) -> bool:
        """Whether any record of these kinds changed (``store`` touches every kind)."""
        return any(kind in kinds or kind == "store" for kind, _ in self.records)

    def only_touches(self, *kinds: str) -> bool:
        """True when every record changed is of these kinds."""
        return bool(self.records) and all(kind in kinds for kind, _ in self.records)

    def ids(self, kind: str) -> set:
        return {record_id for k, record_id in self.records if k == kind}

    def touches_case(self, case_id: int | None) -> bool:
        return case_id in self.cases or self.touches("store")

    def only_from(self, origin) -> bool:
        """True when every write came from ``origin`` (an object that asked for them)."""
        return bool(self.origins) and self.origins == {id(origin)}

    def merged(self, other: "Change") -> "Change":
        return Change(self.records | other.records, self.cases | other.cases, self.origins | other.origins)


Listener = Callable[[Change], None]


class ChangeHub:
    """Subscribers and the notes of the transaction in progress (one per open store)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._stack: list[tuple[set, set]] = []
        self._origin = None

    def subscribe(self, listener: Listener, *, weak: bool = False) -> Callable[[], None]:
        """Call ``listener`` with each committed change; returns the way to stop. With
        ``weak`` (a bound method), the hub does not keep its object alive: a view that is
        gone stops hearing without anyone having to say so."""
        entry = weakref.WeakMethod(listener) if weak else listener
        self._listeners.append(entry)

        def unsubscribe() -> None:
            if entry in self._listeners:
                self._listeners.remove(entry)

        return unsubscribe

    @contextmanager
    def origin(self, who) -> Iterator[None]:
        """Writes inside this block are marked as made by ``who``."""
        before, self._origin = self._origin, who
        try:
            yield
        finally:
            self._origin = before

    def relay(self, change: Change) -> None:
        """Announce a change committed through another connection to the same store (an
        import or export on the worker)."""
        self._deliver(change)

    # -- used by the store's transactions ---------------------------------------------------

    def begin(self) -> None:
        self._stack.append((set(), set()))

    def note(self, kind: str, record_id=None, case_id: int | None = None) -> None:
        if not self._stack:  # a write outside a transaction: announce it at once
            self._publish({(kind, record_id)}, {case_id} if case_id is not None else set())
            return
        records, cases = self._stack[-1]
        records.add((kind, record_id))
        if case_id is not None:
            cases.add(case_id)

    def end(self, committed: bool) -> None:
        records, cases = self._stack.pop()
        if not committed:
            return
        if self._stack:  # a savepoint released: its notes join the enclosing transaction
            self._stack[-1][0].update(records)
            self._stack[-1][1].update(cases)
        elif records:
            self._publish(records, cases)

    def _publish(self, records: set, cases: set) -> None:
        origins = frozenset({id(self._origin)}) if self._origin is not None else frozenset()
        self._deliver(Change(frozenset(records), frozenset(cases), origins))

    def _deliver(self, change: Change) -> None:
        for entry in list(self._listeners):
            listener = entry() if isinstance(entry, weakref.WeakMethod) else entry
            if listener is None:  # its object is gone
                self._listeners.remove(entry)
                continue
            try:
                listener(change)
            except Exception:  # one broken view must not stop the others hearing of it
                log.exception("a change listener failed")
