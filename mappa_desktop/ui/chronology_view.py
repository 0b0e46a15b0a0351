"""A case's chronology as a dated list (filtered by kind, printable), a plain chart of risk
of serious harm and MAPPA level over time (QPainter) read from the same events, and the
case's own action register with each action's history."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..chronology import GROUPS, events_of, in_groups, risk_series
from ..dates import format_date, format_datetime_local, from_iso
from .changes import watch
from .register_view import ActionRegisterModel, configure_table
from ..words import plural
from .widgets import plain_label

ROSH_ORDER = [c.value for c in reversed(spec.ROSH_LEVELS)]  # low .. very_high


class RiskChart(QWidget):
    """Risk of serious harm (steps, left scale) and MAPPA level (dashed, right scale) by
    meeting date. Labels name every point, so the picture is readable without colour."""

    def __init__(self, points, parent=None):
        super().__init__(parent)
        self.setMinimumHeight(190)
        self.setAccessibleName("Risk of serious harm and MAPPA level over time")
        self.set_points(points)

    def set_points(self, points) -> None:
        self.points = [p for p in points if from_iso(p.on)]
        rosh = spec.field("rosh.agreed_rosh")
        self.setToolTip("; ".join(
            f"{format_date(p.on)}: risk {rosh.display(p.rosh) or '—'}, level {p.level or '—'}" for p in self.points))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        left, right, top, bottom = 90, 60, 14, 30
        area = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        painter.setPen(QPen(QColor("#999999"), 1))
        painter.drawRect(area)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        painter.setFont(font)
        rosh = spec.field("rosh.agreed_rosh")
        for index, value in enumerate(ROSH_ORDER):
            y = area.bottom() - (index + 0.5) * area.height() / len(ROSH_ORDER)
            painter.setPen(QPen(QColor("#e5e5e5"), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(0, y - 9, left - 6, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, rosh.label_of(value))
        for level in (1, 2, 3):
            y = area.bottom() - (level - 0.5) * area.height() / 3
            painter.drawText(QRectF(area.right() + 6, y - 9, right - 6, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"Level {level}")
        if not self.points:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No meeting has recorded a risk level yet.")
            return
        dates = [from_iso(p.on) for p in self.points]
        first, last = min(dates), max(dates)
        span = max(1, (last - first).days)

        def x_of(day):
            if len(self.points) == 1:
                return area.center().x()
            return area.left() + 12 + (day - first).days / span * (area.width() - 24)

        rosh_points = [(x_of(d), area.bottom() - (ROSH_ORDER.index(p.rosh) + 0.5) * area.height() / len(ROSH_ORDER))
                       for d, p in zip(dates, self.points) if p.rosh in ROSH_ORDER]
        level_points = [(x_of(d), area.bottom() - (int(p.level) - 0.5) * area.height() / 3)
                        for d, p in zip(dates, self.points) if p.level in ("1", "2", "3")]
        painter.setPen(QPen(QColor("#9b1c1c"), 2.5))
        for (x1, y1), (x2, y2) in zip(rosh_points, rosh_points[1:]):
            painter.drawLine(QPointF(x1, y1), QPointF(x2, y1))
            painter.drawLine(QPointF(x2, y1), QPointF(x2, y2))
        painter.setBrush(QColor("#9b1c1c"))
        for x, y in rosh_points:
            painter.drawEllipse(QPointF(x, y), 4, 4)
        pen = QPen(QColor("#1f5f8b"), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for (x1, y1), (x2, y2) in zip(level_points, level_points[1:]):
            painter.drawLine(QPointF(x1, y1), QPointF(x2, y1))
            painter.drawLine(QPointF(x2, y1), QPointF(x2, y2))
        for x, y in level_points:
            painter.drawRect(QRectF(x - 3.5, y - 3.5, 7, 7))
        painter.setPen(QColor("#333333"))
        for day in sorted(set(dates)):
            x = x_of(day)
            painter.drawText(QRectF(x - 45, area.bottom() + 4, 90, 18), Qt.AlignmentFlag.AlignCenter, day.strftime("%d/%m/%Y"))
        painter.drawText(QRectF(area.left(), 0, area.width(), top), Qt.AlignmentFlag.AlignLeft,
                         "● risk of serious harm (solid, left)    ■ MAPPA level (dashed, right)")


class ChronologyTab(QWidget):
    """The case's dated facts, filtered by kind, and its risk / level chart (read from the
    same events); follows every change to the case. Print gives the same events."""

    ALL = "Everything"

    def __init__(self, store, case, parent=None, *, tasks=None):
        super().__init__(parent)
        self.store, self.case, self.tasks = store, case, tasks
        self.chart = RiskChart([])
        self.filter = QComboBox()
        self.filter.setAccessibleName("Show")
        self.filter.addItem(self.ALL, None)
        for group in GROUPS:
            self.filter.addItem(group, group)
        self.count = plain_label("")
        self.count.setObjectName("muted")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("The chronology as shown (logged as a disclosure)")
        self.print_button.setEnabled(tasks is not None)
        top = QHBoxLayout()
        caption = QLabel("&Show")
        caption.setBuddy(self.filter)
        top.addWidget(caption)
        top.addWidget(self.filter)
        top.addWidget(self.count, 1)
        top.addWidget(self.print_button)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Date", "What", "Detail"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.setAccessibleName("Dated events of the case")
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.filter.currentIndexChanged.connect(lambda _i: self.show_events())
        self.print_button.clicked.connect(self.print_chronology)
        self.refresh()
        watch(self, store, lambda _c: self.refresh(), lambda c: c.touches_case(case.id))

    def refresh(self) -> None:
        """Read the case's events again (the chart and the list both follow)."""
        self.all_events = events_of(self.store, self.case.id)
        self.chart.set_points(risk_series(self.all_events))
        self.show_events()

    def group(self) -> str | None:
        return self.filter.currentData()

    def show_events(self) -> None:
        group = self.group()
        self.events = in_groups(self.all_events, None if group is None else (group,))
        self.count.setText(f"{plural(len(self.events), 'entry', 'entries')}"
                           + (f" of {len(self.all_events)}" if group else ""))
        self.table.setRowCount(len(self.events))
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, event in enumerate(self.events):
            for column, text in enumerate((format_date(event.on), event.label, event.text)):
                item = QTableWidgetItem(text)
                if event.marked:
                    item.setFont(bold)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        for row, event in enumerate(self.events):
            self.table.item(row, 2).setToolTip(event.text)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Row heights for the detail wrapped at the width it has once laid out."""
        QTimer.singleShot(0, self.table.resizeRowsToContents)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def print_chronology(self):
        """The chronology as shown now (its filter too): preview, print or save (logged)."""
        from .. import printing
        from ..printouts import print_meta
        from .print_dialog import PrintDialog

        if self.tasks is None:
            return None
        events, shown = list(self.events), self.group() or ""

        def chronology():
            frame = print_meta(self.store, reference=self.case.reference)
            return lambda: printing.render_chronology(events, frame, shown=shown)

        dialog = PrintDialog(self.store, self.tasks, title=f"Print the chronology: {self.case.reference}",
                             kinds={"Chronology": chronology}, record_type="case", record_id=self.case.id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog


class CaseRegisterTab(QWidget):
    """Every action of the case in the order raised, and the history of the selected one."""

    def __init__(self, store, case, today, parent=None):
        super().__init__(parent)
        from ..db.register import RegisterFilter

        self.store, self.case_id = store, case.id
        self.model = ActionRegisterModel(store, today, self)
        self.model.sort_key = "number"
        self.model.set_filter(RegisterFilter(statuses=(), case_id=case.id))
        self.view = QTableView()
        self.view.setAccessibleName("Action register of the case")
        configure_table(self.view, self.model)
        self.view.horizontalHeader().setSortIndicator(1, Qt.SortOrder.AscendingOrder)
        self.history = plain_label("Select an action to see its history.")
        self.history.setWordWrap(True)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.history.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.history)
        splitter.setSizes([400, 120])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.view.selectionModel().currentRowChanged.connect(self._show_history)
        self.users = {u.id: u.name for u in store.users.all()}
        self.meeting_dates = {m.id: m.meeting_date for m in store.minutes.meetings(case.id)}
        # Done in the cross-case register, raised by a review, withdrawn at a meeting: the
        # tab shows it when it commits.
        watch(self, store, lambda _c: self.refresh(), lambda c: c.touches_case(case.id))

    def refresh(self) -> None:
        current = self.view.currentIndex()
        selected = self.model.id_at(current.row()) if current.isValid() else None
        self.meeting_dates = {m.id: m.meeting_date for m in self.store.minutes.meetings(self.case_id)}
        self.model.reload()
        ids = self.model.ids()
        if selected in ids:
            self.view.selectRow(ids.index(selected))

    def _show_history(self, current, _previous) -> None:
        from ..action_life import history_line

        if not current.isValid():
            return
        action_id = self.model.id_at(current.row())
        status = spec.section("previous_actions").field("status")
        history = self.store.actions.history(action_id)
        lines = []
        for update in history:
            if update.meeting_id:
                where = f"at the meeting of {format_date(self.meeting_dates.get(update.meeting_id)) or 'no date'}"
            else:
                where = "between meetings"
            who = self.users.get(update.user_id) or self.store.bundles.author("action_update", update.id) or ""
            note = f": {update.note}" if update.note else ""
            if update.change == "carried":
                what = (f"Carried forward to {format_date(update.target_date)} "
                        f"(target was {format_date(update.previous_target_date) or 'none'})")
            elif update.change == "reassigned":
                what = (f"Re-assigned to {', '.join(x for x in (update.owner_person, update.owner_agency) if x)} "
                        f"(was {', '.join(x for x in (update.previous_owner_person, update.previous_owner_agency) if x) or 'no owner'})")
            elif update.change == "raised" or (update.status == "open" and update.note == "raised"):
                what, note = "Raised", ""
            else:
                what = status.label_of(update.status)
            lines.append(f"{format_datetime_local(update.at)}  {what} ({where}{', ' + who if who else ''}){note}")
        summary = history_line(history, self.meeting_dates)
        text = "\n".join(lines) or "No history."
        self.history.setText(f"{summary}\n\n{text}" if summary else text)
