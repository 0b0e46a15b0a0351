"""A case's overview: the record, what is coming up, meetings, and its tabs (register,
chronology, reviews, audit); printing and exporting the case. (The page that moves between
the list, a case and a minute is ``cases_area.py``.)"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..cases import missing_for_minute, upcoming_dates
from ..dates import format_date
from ..model import Case
from ..ops.cases import set_status
from ..rules.actions import CHASED_CASE_STATUSES
from ..words import plural
from .changes import watch
from .minute_sections import CaseSectionView
from .widgets import after_first_paint, flush_each, plain_label, value_label, scroll_area


class CaseOverview(QWidget):
    """The whole record, read-only, with what is coming up and what the minute still needs."""

    edit_requested = Signal()
    back_requested = Signal()
    open_meeting = Signal(int)
    new_meeting = Signal()

    def __init__(self, store, case: Case, parent: QWidget | None = None, *, tasks=None, kdf=None):
        super().__init__(parent)
        self.store = store
        self.case = case
        self.tasks = tasks
        self.kdf = kdf

        heading = self.heading = plain_label("")
        heading.setObjectName("pageTitle")
        summary = self.summary = plain_label("")
        summary.setObjectName("caseSummary")

        self.back_button = QPushButton("← Cases")
        self.back_button.setToolTip("Back to the list (Alt+Left)")
        self.edit_button = QPushButton("&Edit case")
        self.edit_button.setToolTip("Edit (Ctrl+E)")
        self.archive_button = QPushButton("Re-activate" if case.status == "archived" else "Archive")
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.archive_button)
        self.print_button = QPushButton("Print…")
        self.print_button.setAccessibleName("Print the case…")
        self.print_button.setToolTip("Pre-meeting pack, action register or chronology (Ctrl+P)")
        self.print_button.setEnabled(tasks is not None)
        self.print_button.clicked.connect(self.print_case)
        top.addWidget(self.print_button)
        self.export_button = QPushButton("E&xport case…")
        self.export_button.setToolTip("An encrypted case bundle for another laptop (logged as a disclosure)")
        self.export_button.setEnabled(tasks is not None)
        self.export_button.clicked.connect(self.export_case)
        top.addWidget(self.export_button)
        top.addWidget(self.edit_button)

        scroll = self.scroll = scroll_area(QWidget(), "The case record")
        # The record's sections (some forty labels, most below the fold) are laid out just
        # after the first paint: the case opens at once, the record follows a frame later.
        self._fill(record=False)
        after_first_paint(self, self._add_record)
        from .chronology_view import CaseRegisterTab, ChronologyTab

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The case")
        self.tabs.tabBar().setAccessibleName("Parts of the case")
        self.tabs.addTab(scroll, "&Overview")
        # The register and the chronology are built when first looked at.
        from .scr_view import CaseReviewsTab

        from .audit_views import CaseAuditTab

        self._lazy = {1: lambda: CaseRegisterTab(store, case, store.today),
                      2: lambda: ChronologyTab(store, case, tasks=tasks),
                      3: lambda: CaseReviewsTab(store, case, tasks), 4: lambda: CaseAuditTab(store, case, tasks)}
        self.tabs.addTab(QWidget(), "Action &register")
        self.tabs.addTab(QWidget(), "Chronolog&y")
        self.tabs.addTab(QWidget(), "Re&views")
        self.tabs.addTab(QWidget(), "A&udit")
        self.tabs.currentChanged.connect(self._build_tab)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addLayout(top)
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(self.tabs, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.archive_button.clicked.connect(self._toggle_archive)
        QShortcut(QKeySequence("Ctrl+E"), self, lambda: self.edit_button.isEnabled() and self.edit_requested.emit())
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_shown)
        QShortcut(QKeySequence("Alt+Left"), self, self.back_requested.emit)
        QShortcut(QKeySequence("Ctrl+M"), self,
                  lambda: self.case.status != "exited" and self.new_meeting.emit())
        # Whatever changes this case elsewhere (a minute finalised, an action done in the
        # register, a review) shows here when it commits.
        watch(self, store, lambda _c: self.refresh(),
              lambda c: c.touches_case(case.id) and not self._only_review_typing(c))

    def _only_review_typing(self, change) -> bool:
        """A review's stage saved as it is typed: nothing the overview shows (a completed
        stage that raises actions touches those too)."""
        if 3 in self._lazy:
            return False
        editor = self.tabs.widget(3).editor
        return editor is not None and change.only_from(editor) and change.only_touches("review")

    def initial_focus(self):
        """A case opens on its meetings (Enter opens one), or on New meeting if none."""
        return self.meeting_list if self.meeting_list.count() else self.new_meeting_button

    def refresh(self) -> None:
        """Read the case again and show it as it is now (the tabs follow by themselves)."""
        from ..db.errors import NotFound

        try:
            self.case = self.store.cases.get(self.case.id, consult=False)
        except NotFound:  # erased under retention
            self.back_requested.emit()
            return
        self._fill()

    def _fill(self, record: bool = True) -> None:
        """Show the case as it is: heading, what is coming up, meetings and, unless
        ``record`` is False (the first paint), the record's sections."""
        case, today = self.case, self.store.today()
        self.heading.setText(f"{case.reference}  ·  {case.full_name}")
        status_bits = [
            spec.field_of_case("category").display(case.get("category")),
            spec.field_of_case("mappa_level").display(case.get("mappa_level")),
        ]
        if case.get("current_rosh"):
            status_bits.append("Risk of serious harm: " + spec.field_of_case("current_rosh").display(case.get("current_rosh")))
        if case.status == "archived":
            status_bits.append("ARCHIVED")
        if case.status == "exited":
            status_bits.append("LEFT MAPPA (read-only)")
        self.summary.setText("  ·  ".join(b for b in status_bits if b))
        self.archive_button.setText("Re-activate" if case.status == "archived" else "Archive")
        exited = case.status == "exited"
        self.archive_button.setVisible(not exited)
        self.edit_button.setEnabled(not exited)
        self.edit_button.setToolTip("A case that has left MAPPA is read-only: add an addendum" if exited else "Edit (Ctrl+E)")
        position = self.scroll.verticalScrollBar().value()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._attention(today))
        from .case_exit import ExitBox

        self.exit_box = ExitBox(self.store, case)
        column.addWidget(self.exit_box)
        column.addWidget(self._meetings_box())
        self._body_column = column
        self.complete = False
        if record:
            self._add_record()
        old = self.scroll.takeWidget()
        self.scroll.setWidget(body)
        if old is not None:
            old.deleteLater()
        self.scroll.verticalScrollBar().setValue(position)

    def _add_record(self) -> None:
        if self.complete:
            return
        column = self._body_column
        for section in spec.CASE_SECTIONS:
            if section.key != "case_status":
                column.addWidget(self._section_box(section))
        column.addWidget(self._conditions_box())
        column.addStretch(1)
        self.complete = True

    def _build_tab(self, index: int) -> None:
        make = self._lazy.pop(index, None)
        if make is None:
            return
        widget = make()
        label = self.tabs.tabText(index)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, widget, label)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)

    def _built_tabs(self) -> list:
        return [self.tabs.widget(i) for i in range(1, self.tabs.count()) if i not in self._lazy]

    def flush(self) -> bool:
        """On lock, close and leaving the case: what is typed in its tabs (a review's
        stages) is saved now. False if something could not be."""
        return flush_each(self._built_tabs())

    def dispose(self) -> None:
        for tab in self._built_tabs():
            dispose = getattr(tab, "dispose", None)
            if callable(dispose):
                dispose()

    @property
    def register_tab(self):
        self._build_tab(1)
        return self.tabs.widget(1)

    @property
    def audit_tab(self):
        self._build_tab(4)
        return self.tabs.widget(4)

    @property
    def chronology_tab(self):
        self._build_tab(2)
        return self.tabs.widget(2)

    @property
    def reviews_tab(self):
        self._build_tab(3)
        return self.tabs.widget(3)

    def _meetings_box(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 10, 0, 0)
        top = QHBoxLayout()
        title = plain_label("Meetings")
        title.setObjectName("sectionTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.new_meeting_button = QPushButton("&New meeting…")
        self.new_meeting_button.setToolTip("Start the minute of a new meeting (Ctrl+M)")
        self.new_meeting_button.clicked.connect(self.new_meeting)
        self.new_meeting_button.setEnabled(self.case.status != "exited")
        top.addWidget(self.new_meeting_button)
        column.addLayout(top)
        meetings = self.store.minutes.meetings(self.case.id)
        # One list widget, not a button per meeting: a case with 40 meetings opens at once.
        self.meeting_list = QListWidget()
        self.meeting_list.setAccessibleName("Meetings of the case")
        self.meeting_list.setUniformItemSizes(True)
        self.meeting_list.setMaximumHeight(26 * min(8, max(1, len(meetings))) + 6)
        if not meetings:
            column.addWidget(value_label("", empty="No meetings yet: New meeting (Ctrl+M) starts the first minute."))
            self.meeting_list.hide()
        type_field = spec.field("purpose.meeting_type")
        rosh_field = spec.field("rosh.agreed_rosh")
        for meeting in reversed(meetings):
            state = {"draft": "draft", "issued": "draft issued", "finalised": "finalised"}[meeting.status]
            bits = [format_date(meeting.meeting_date) or "no date", type_field.display(meeting.meeting_type) or "Meeting", state]
            if meeting.agreed_rosh:
                bits.append(f"risk {rosh_field.display(meeting.agreed_rosh)}")
            if meeting.next_review_date:
                bits.append(f"next review {format_date(meeting.next_review_date)}")
            item = QListWidgetItem("  ·  ".join(bits))
            item.setData(Qt.ItemDataRole.UserRole, meeting.id)
            self.meeting_list.addItem(item)
        self.meeting_list.itemActivated.connect(
            lambda item: self.open_meeting.emit(item.data(Qt.ItemDataRole.UserRole)))
        column.addWidget(self.meeting_list)
        total, open_count = self.store.actions.count_of_case(self.case.id)
        column.addWidget(plain_label(f"Action register: {plural(total, 'action')}, {open_count} open."))
        return box

    def _attention(self, today) -> QWidget:
        """Key dates falling soon, and what the minute will still ask for."""
        box = QFrame()
        box.setObjectName("attentionBox")
        column = QVBoxLayout(box)
        orders = [o.as_values() for o in self.case.orders]
        # Nothing is chased for a case no longer managed (``rules.actions``).
        chased = self.case.status in CHASED_CASE_STATUSES
        upcoming = upcoming_dates(self.case.values, orders, today) if chased else []
        title = plain_label("Coming up (next 90 days)")
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        if upcoming:
            for item in upcoming:
                if item.days < 0:
                    when = f"{-item.days} days ago (PASSED)"
                elif item.days == 0:
                    when = "today"
                else:
                    when = f"in {item.days} days"
                line = plain_label(f"{item.what}: {format_date(item.on)}, {when}")
                if item.days < 0:
                    line.setObjectName("overdue")
                column.addWidget(line)
        elif not chased:
            state = "has left MAPPA" if self.case.status == "exited" else "is archived"
            column.addWidget(plain_label(f"Nothing is chased: the case {state}."))
        else:
            column.addWidget(plain_label("Nothing in the next 90 days."))
        missing = missing_for_minute(self.case.values)
        if missing:
            line = plain_label("The minute will still need: " + ", ".join(missing) + ".")
            line.setWordWrap(True)
            line.setObjectName("warning")
            column.addWidget(line)
        return box

    def _section_box(self, section: spec.Section) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 10, 0, 0)
        title = plain_label(section.title)
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        column.addWidget(CaseSectionView(section, self.case, note=False))
        return box

    def print_shown(self):
        """Ctrl+P: the review on screen (the Reviews tab with one open), else the case."""
        reviews = self.tabs.currentWidget()
        editor = getattr(reviews, "editor", None)
        if editor is not None and editor.isVisible():
            return editor.print_review()
        return self.print_case()

    def _conditions_box(self) -> QWidget:
        """The conditions of the licence and orders (the risk management plan links to them)."""
        from ..plan import condition_label, when_words

        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 10, 0, 0)
        top = QHBoxLayout()
        title = plain_label(spec.CONDITIONS.title)
        title.setObjectName("sectionTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.conditions_button = QPushButton("Edit cond&itions…")
        self.conditions_button.clicked.connect(self.edit_conditions)
        top.addWidget(self.conditions_button)
        column.addLayout(top)
        for condition in self.case.conditions:
            values = condition.as_values()
            when = when_words({"start_date": values["from_date"], "end_date": values["until_date"]})
            column.addWidget(value_label(condition_label(values, 400) + (f" ({when})" if when else "")))
        if not self.case.conditions:
            column.addWidget(value_label(""))
        return box

    def edit_conditions(self):
        from .conditions_dialog import ConditionsDialog

        dialog = ConditionsDialog(self.store, self.case, parent=self)
        self.conditions_dialog = dialog
        dialog.open()
        return dialog

    def print_case(self):
        """The case's printouts: pre-meeting pack, action register, chronology."""
        from .. import printing
        from ..chronology import events_of
        from ..db.register import RegisterFilter
        from ..printouts import PACK_KIND, print_meta
        from .print_dialog import PrintDialog

        if self.tasks is None:
            return None
        store, case = self.store, self.case

        def meta():
            return print_meta(store, reference=case.reference)

        def pack():
            from ..printouts import pack_job

            content, frame, open_actions, documents = pack_job(store, case.id)
            return lambda: printing.render_pack(content, frame, open_actions=open_actions, documents=documents)

        def plan():
            from ..printouts import plan_job

            version, frame = plan_job(store, case_id=case.id)
            return lambda: printing.render_plan(version, frame)

        def register():
            from ..printouts import register_rows

            ids = store.register.ids(RegisterFilter(statuses=(), case_id=case.id), store.today(), "number")
            ordered, frame = register_rows(store, ids), meta()
            return lambda: printing.render_register(ordered, frame, title=f"Action register of {case.reference}")

        def chronology():
            events, frame = events_of(store, case.id), meta()
            return lambda: printing.render_chronology(events, frame)

        dialog = PrintDialog(store, self.tasks, title=f"Print: {case.reference}",
                             kinds={PACK_KIND: pack,
                                    # offered once a version has been finalised with a minute
                                    **({"Risk management plan (as it stands)": plan}
                                       if store.plan.current(case.id) else {}),
                                    "Action register": register, "Chronology": chronology},
                             record_type="case", record_id=case.id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def export_case(self):
        """The case as an encrypted bundle for another laptop."""
        from ..security import DEFAULT_KDF
        from .case_export import ExportCaseDialog

        if self.tasks is None:
            return None
        dialog = ExportCaseDialog(self.store, self.tasks, self.case, self, kdf=self.kdf or DEFAULT_KDF)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def _toggle_archive(self) -> None:
        archived = self.case.status == "archived"
        if not archived:
            answer = QMessageBox.question(
                self,
                "Archive this case?",
                f"Archive {self.case.reference}? It leaves the active list but nothing is deleted; "
                "you can re-activate it later.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        set_status(store=self.store, case_id=self.case.id, status="active" if archived else "archived")
        self.back_requested.emit()
