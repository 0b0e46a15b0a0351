"""Significant Case Reviews on screen: reporting an incident, one review (each stage is a
``scr_stage.StagePanel``) and a case's reviews (a tab of the case). Every review across
cases is in ``scr_list.py``.

The forms are built from ``scr_spec``; what may be saved or completed is decided by
``mappa_desktop.scr``; problems are shown beside their fields and in the stage's message line.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import scr, scr_spec
from ..dates import format_date
from ..chronology import label_of
from .case_editor import names_from_directory
from .forms import SectionForm
from .changes import watch
from .kept_typing import KeepsTyping, draft_key
from .messages import message_label
from .scr_stage import StagePanel, show_problems
from .widgets import fit_columns, flush_each, plain_label, scroll_area

TAB_NAMES = {"initial_notification": "13A Notification", "chair_review": "13B Chair", "sog_decision": "13C SOG",
             "review": "Review", "closure": "Closure"}


class IncidentDialog(KeepsTyping, QDialog):
    """Report an incident on a case: it opens a Significant Case Review."""

    created = Signal(int)

    def __init__(self, store, case_id: int, parent=None):
        super().__init__(parent)
        self.store, self.case_id = store, case_id
        self.review_id: int | None = None
        self.setWindowTitle("Report an incident")
        self.form = SectionForm(scr_spec.INCIDENT, names_from_directory(store))
        self.message = message_label()
        self.save_button = QPushButton("&Open review")
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        guidance = plain_label(scr_spec.INCIDENT.guidance)
        guidance.setWordWrap(True)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(guidance)
        column.addWidget(self.form)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_area(body), 1)  # the criteria are long: the form scrolls on a laptop
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(760, 620)
        self.save_button.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        self.keep_typing(store, draft_key(case_id, "incident", case_id))

    def typed_parts(self) -> dict:
        return {"incident": self.form}

    def save(self) -> bool:
        from ..db.errors import StoreError

        values, problems = self.form.read()
        if not problems:
            try:
                self.review_id, problems = scr.report_incident(store=self.store, case_id=self.case_id,
                                                               values=values)
            except StoreError as exc:
                self.message.setText(f"NOT SAVED: {exc.reason}. What you typed is still here: try again.")
                return False
        show_problems(problems, self.message, self.form)
        if problems:
            return False
        self.created.emit(self.review_id)
        self.accept()
        return True


class ReviewEditor(QWidget):
    """One review: the incident, a tab per stage, and the chronology before the incident."""

    def __init__(self, store, review_id: int, tasks=None, parent=None):
        super().__init__(parent)
        self.store, self.review_id, self.tasks = store, review_id, tasks
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.waiting = plain_label("")
        self.print_button = QPushButton("&Print the review…")
        self.print_button.setToolTip("Each stage, or the whole review (Ctrl+P)")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.print_button)
        self.incident = SectionForm(scr_spec.INCIDENT, names_from_directory(store))
        self.incident.set_read_only(True)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The review")
        self.tabs.tabBar().setAccessibleName("Stages of the review")
        incident_scroll = scroll_area(self.incident)
        self.tabs.addTab(incident_scroll, "Incident")
        self.stages: dict[str, StagePanel] = {}
        for section in scr_spec.STAGES:
            panel = StagePanel(store, review_id, section, origin=self)
            panel.saved.connect(self.reload)
            panel.kept.connect(self._show_waiting)
            self.stages[section.key] = panel
            self.tabs.addTab(panel, TAB_NAMES[section.key])
        self.chronology = QTableWidget(0, 3)
        self.chronology.setHorizontalHeaderLabels(["Date", "What", "Detail"])
        fit_columns(self.chronology, stretch=(2,))
        self.chronology.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.chronology.setAccessibleName("Chronology before the incident")
        self.tabs.addTab(self.chronology, "Chronology")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.waiting)
        layout.addWidget(self.tabs, 1)
        self.print_button.clicked.connect(self.print_review)
        self.tabs.currentChanged.connect(lambda _i: self.flush())  # another stage: this one saved first
        # Ctrl+P here belongs to the case page around the review, which prints the review
        # while it is shown (one owner per key: two would cancel each other out).
        from ..db.errors import StoreError

        try:
            store.audit.record_now("consultation", "scr_review", review_id, detail="opened")
            unlogged = ""
        except StoreError as exc:  # said on screen, not a crash
            unlogged = f"  NOT LOGGED: opening this review could not be written to the audit log ({exc.reason})."
        self.reload()
        self.waiting.setText(self.waiting.text() + unlogged)
        # Changed elsewhere (another window, a restore): shown when it commits. Its own
        # stages reload it at once (``saved``).
        watch(self, store, lambda _c: self.reload(),
              lambda c: (review_id in c.ids("review") or c.touches("store")) and not c.only_from(self))

    def flush(self) -> bool:
        """Every stage's typing saved now (a change of tab, lock, close, another review)."""
        return flush_each(self.stages.values())

    def dispose(self) -> None:
        for panel in self.stages.values():
            panel.dispose()

    def _show_waiting(self, review=None) -> None:
        review = review or self.store.scr.get(self.review_id)
        state = "Closed: " + (review.closed_reason or "") if review.closed else "Waiting on " + scr.waiting_on(review)
        self.waiting.setText(state)

    def reload(self) -> None:
        self.flush()  # typing not yet saved is saved (or kept as typed) before the forms are filled again
        review = self.store.scr.get(self.review_id)
        case = self.store.cases.get(review.case_id, consult=False)
        self.reference = case.reference
        self.heading.setText(f"Significant Case Review · {case.reference} · incident "
                             f"{format_date(review.incident.get('incident_date'))}")
        self._show_waiting(review)
        self.incident.load(review.incident)
        for panel in self.stages.values():
            panel.load(review)
        events = scr.review_chronology(self.store, review)
        self.events = events
        self.chronology.setRowCount(len(events))
        for row, event in enumerate(events):
            for column, text in enumerate((format_date(event.on), label_of(event.kind), event.text)):
                self.chronology.setItem(row, column, QTableWidgetItem(text))

    def print_review(self):
        """Printouts of each stage and of the full review (logged as disclosures)."""
        from .. import printing
        from ..printouts import print_meta
        from .print_dialog import PrintDialog

        if self.tasks is None:
            return None
        store = self.store

        def job(stage):
            def make():
                content = scr.review_content(store, store.scr.get(self.review_id))
                meta = print_meta(store, reference=self.reference)
                return lambda: printing.render_scr(content, meta, stage=stage)
            return make

        kinds = {"Full review": job(None)}
        kinds.update({s.title: job(s.key) for s in scr_spec.STAGES})
        dialog = PrintDialog(store, self.tasks, title=f"Print: review of {self.reference}", kinds=kinds,
                             record_type="scr_review", record_id=self.review_id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog


class CaseReviewsTab(QWidget):
    """A case's reviews: the list, "Report incident", and the chosen review."""

    def __init__(self, store, case, tasks=None, parent=None):
        super().__init__(parent)
        self.store, self.case, self.tasks = store, case, tasks
        self.editor: ReviewEditor | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Reviews of this case")
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.report_button = QPushButton("Report &incident…")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.report_button)
        column.addWidget(self.list, 1)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(QWidget())
        self.splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.report_button.clicked.connect(self.report_incident)
        self.list.currentItemChanged.connect(lambda item, _p: item and self.open_review(item.data(Qt.ItemDataRole.UserRole)))
        self.refresh()
        # A stage saved as it is typed changes nothing the list shows (the stage each review
        # is at changes when one is completed: the editor says so, below).
        watch(self, store, lambda _c: self.refresh(select=self.editor.review_id if self.editor else None),
              lambda c: c.touches("review") and c.touches_case(case.id)
              and not (self.editor is not None and c.only_from(self.editor)))

    def refresh(self, select: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for review in self.store.scr.of_case(self.case.id):
            item = QListWidgetItem(f"Incident {format_date(review.incident.get('incident_date'))} · {scr.stage_words(review)}")
            item.setData(Qt.ItemDataRole.UserRole, review.id)
            self.list.addItem(item)
            if review.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def report_incident(self) -> IncidentDialog:
        dialog = IncidentDialog(self.store, self.case.id, self)
        dialog.created.connect(self.open_review)
        self.incident_dialog = dialog
        dialog.open()
        return dialog

    def open_review(self, review_id: int) -> ReviewEditor:
        if self.editor is not None:
            if not self.editor.flush():  # NOT SAVED: the review stays, with Retry
                self.refresh(select=self.editor.review_id)
                return self.editor
            self.editor.dispose()
        self.refresh(select=review_id)
        editor = ReviewEditor(self.store, review_id, self.tasks)
        for panel in editor.stages.values():
            panel.saved.connect(lambda: self.refresh(select=review_id))  # a stage completed
        old = self.splitter.widget(1)
        self.splitter.replaceWidget(1, editor)
        old.deleteLater()
        self.editor = editor
        return editor

    def flush(self) -> bool:
        return self.editor.flush() if self.editor is not None else True

    def dispose(self) -> None:
        if self.editor is not None:
            self.editor.dispose()
