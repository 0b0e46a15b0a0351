"""The dashboard, the first screen after unlock: what needs doing, each line one Enter away
from its case or meeting. It reads the store afresh every time it is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..dates import format_date, from_iso
from .changes import watch
from .widgets import plain_label

PANELS = (
    ("reviews_overdue", "Reviews overdue", "No review is overdue."),
    ("reviews_due", "Reviews due in the next 14 days", "No review is due in the next 14 days."),
    ("actions_overdue", "Actions overdue", "No action is overdue."),
    ("expiring", "Orders and SONR ending in the next 90 days", "Nothing ends in the next 90 days."),
    ("drafts", "Minutes still in draft", "Every minute is finalised."),
)


class DashboardPage(QWidget):
    open_case = Signal(int)
    open_meeting = Signal(int)

    def __init__(self, store, today, parent=None):
        super().__init__(parent)
        self.store = store
        self.today = today
        title = plain_label("Dashboard")
        title.setObjectName("pageTitle")
        self.subtitle = plain_label("")
        self.subtitle.setObjectName("muted")
        grid = QGridLayout()
        grid.setSpacing(14)
        self.lists: dict[str, QListWidget] = {}
        self.titles: dict[str, object] = {}
        for index, (key, caption, _empty) in enumerate(PANELS):
            box = QFrame()
            box.setObjectName("dashboardPanel")
            column = QVBoxLayout(box)
            heading = plain_label(caption)
            heading.setObjectName("sectionTitle")
            column.addWidget(heading)
            listing = QListWidget()
            listing.setAccessibleName(caption)
            listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            listing.setTextElideMode(Qt.TextElideMode.ElideRight)
            listing.setUniformItemSizes(True)
            listing.itemActivated.connect(self._activated)
            column.addWidget(listing)
            self.lists[key] = listing
            self.titles[key] = heading
            grid.addWidget(box, index // 2, index % 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addLayout(grid, 1)
        # Read when shown (the day may have changed since), and whenever the record changes
        # while it is open: building the page costs no query.
        watch(self, store, lambda _c: self.refresh(), lambda c: c.touches("case", "meeting", "action"))

    def showEvent(self, event) -> None:
        self.refresh()
        super().showEvent(event)

    SHOWN = 50  # lines per panel; the rest are counted, and the register lists them all

    def refresh(self) -> None:
        from ..db.errors import StoreError

        today = self.today()
        try:
            data = self.store.register.dashboard(today, limit=self.SHOWN + 1)
        except StoreError as exc:  # a damaged or unreadable store: say so, do not fall over
            self.subtitle.setText(f"The dashboard could not be read: {exc.reason}.")
            return
        self.subtitle.setText(f"Today is {format_date(today)}. Press Enter on a line to open it.")
        for key, caption, empty in PANELS:
            items = getattr(data, key)
            listing = self.lists[key]
            listing.clear()
            count = data.actions_overdue_count if key == "actions_overdue" else data.counts[key]
            self.titles[key].setText(f"{caption} ({count})")
            if not items:
                placeholder = QListWidgetItem(empty)
                placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
                listing.addItem(placeholder)
                continue
            for item in items[: self.SHOWN]:
                when = from_iso(item.when)
                if when is not None and key != "drafts":
                    days = (when - today).days
                    relative = f"{-days} days ago" if days < 0 else ("today" if days == 0 else f"in {days} days")
                    text = f"{item.reference}: {item.what}, {format_date(when)} ({relative})"
                else:
                    text = f"{item.reference}: {item.what}" + (f", meeting of {format_date(when)}" if when else "")
                entry = QListWidgetItem(text)
                entry.setToolTip(text)
                entry.setData(Qt.ItemDataRole.UserRole, (item.case_id, item.meeting_id))
                listing.addItem(entry)
            if len(items) > self.SHOWN:
                more = QListWidgetItem(f"… and more: see {'the action register' if key == 'actions_overdue' else 'the cases list'}")
                more.setFlags(Qt.ItemFlag.NoItemFlags)
                listing.addItem(more)

    def counts(self) -> dict[str, int]:
        """How many lines each panel shows (placeholders not counted)."""
        return {key: sum(1 for i in range(w.count()) if w.item(i).flags() & Qt.ItemFlag.ItemIsEnabled)
                for key, w in self.lists.items()}

    def _activated(self, entry: QListWidgetItem) -> None:
        target = entry.data(Qt.ItemDataRole.UserRole)
        if not target:
            return
        case_id, meeting_id = target
        if meeting_id:
            self.open_meeting.emit(meeting_id)
        else:
            self.open_case.emit(case_id)
