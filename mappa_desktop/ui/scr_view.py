"""Significant Case Reviews on screen: reporting an incident, one review's stages and a
case's reviews (a tab of the case). Every review across cases is in ``scr_list.py``.

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
from .forms import RowsForm, SectionForm
from .changes import watch
from .messages import message_label
from .widgets import fit_columns, plain_label, scroll_area

TAB_NAMES = {"initial_notification": "13A Notification", "chair_review": "13B Chair", "sog_decision": "13C SOG",
             "review": "Review", "closure": "Closure"}


def _message_label() -> QLabel:
    return message_label()


def _show(problems, message: QLabel, *forms) -> None:
    for form in forms:
        form.clear_problems()
    for problem in problems:
        for form in forms:
            if form.show_problem(problem.field, problem.message):
                break
    message.setText("\n".join(p.message for p in problems))


class IncidentDialog(QDialog):
    """Report an incident on a case: it opens a Significant Case Review."""

    created = Signal(int)

    def __init__(self, store, case_id: int, parent=None):
        super().__init__(parent)
        self.store, self.case_id = store, case_id
        self.review_id: int | None = None
        self.setWindowTitle("Report an incident")
        self.form = SectionForm(scr_spec.INCIDENT, names_from_directory(store))
        self.message = _message_label()
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

    def save(self) -> bool:
        values, problems = self.form.read()
        if not problems:
            self.review_id, problems = scr.report_incident(store=self.store, case_id=self.case_id, values=values)
        _show(problems, self.message, self.form)
        if problems:
            return False
        self.created.emit(self.review_id)
        self.accept()
        return True


class StagePanel(QWidget):
    """One stage: its status, its form (and the recommendations for the review), and the
    buttons to save a draft or complete it. ``saved`` when it wrote (its editor shows the
    whole review again at once; other views hear of it from the store)."""

    saved = Signal()

    def __init__(self, store, review_id: int, section, parent=None, *, origin=None):
        super().__init__(parent)
        self.store, self.review_id, self.section = store, review_id, section
        self.origin = origin if origin is not None else self
        names_for = names_from_directory(store)
        self.status = plain_label("")
        self.status.setObjectName("stageStatus")
        guidance = plain_label(section.guidance)
        guidance.setWordWrap(True)
        guidance.setObjectName("muted")
        self.form = SectionForm(section, names_for)
        self.recommendations = None
        if section.key == "review":
            self.recommendations = RowsForm(scr_spec.RECOMMENDATIONS, names_for, problem_prefix="recommendations")
        self.message = _message_label()
        self.save_button = QPushButton("&Save draft")
        self.complete_button = QPushButton("&Complete stage")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.complete_button)
        buttons.addStretch(1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self.status)
        column.addWidget(guidance)
        column.addWidget(self.form)
        if self.recommendations is not None:
            column.addWidget(QLabel(f"<b>{scr_spec.RECOMMENDATIONS.title}</b>"))
            column.addWidget(plain_label(scr_spec.RECOMMENDATIONS.guidance))
            column.addWidget(self.recommendations)
        column.addWidget(self.message)
        column.addLayout(buttons)
        column.addStretch(1)
        scroll = scroll_area(body)  # the stage's fields take the keyboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.save_button.clicked.connect(self.save)
        self.complete_button.clicked.connect(self.complete)

    def load(self, review) -> None:
        stage = review.stages.get(self.section.key)
        self.form.load(stage.values if stage else {})
        if self.recommendations is not None:
            recs = review.recommendations
            self.recommendations.load([r.as_values() for r in recs], [r.id for r in recs])
        status = scr.stage_status(review, self.section.key)
        self.status.setText(f"Status: {status}")
        blocked = scr.order_problems(review, self.section.key)
        read_only = bool(blocked)
        self.form.set_read_only(read_only)
        if self.recommendations is not None:
            self.recommendations.set_read_only(read_only)
        self.save_button.setEnabled(not read_only)
        self.complete_button.setEnabled(not read_only)
        self.message.warning("" if status == "completed" or review.closed
                             else "\n".join(p.message for p in blocked))

    def _read(self):
        values, problems = self.form.read()
        rows = None
        if self.recommendations is not None:
            rows, more = self.recommendations.read()
            problems += more
        return values, rows, problems

    def save(self) -> list:
        values, rows, problems = self._read()
        if not problems:
            with self.store.changes.origin(self.origin):
                problems = scr.save_draft(store=self.store, review_id=self.review_id, stage_key=self.section.key,
                                          values=values, recommendations=rows)
        self._done(problems, "Draft saved.")
        return problems

    def complete(self) -> list:
        values, rows, problems = self._read()
        if not problems:
            with self.store.changes.origin(self.origin):
                problems = scr.complete_stage(store=self.store, review_id=self.review_id,
                                              stage_key=self.section.key, values=values, recommendations=rows)
        self._done(problems, "Stage completed.")
        return problems

    def _done(self, problems, success: str) -> None:
        forms = [self.form] + ([self.recommendations] if self.recommendations is not None else [])
        _show(problems, self.message, *forms)
        if not problems:
            self.saved.emit()
            self.message.success(success)


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
        # Ctrl+P here belongs to the case page around the review, which prints the review
        # while it is shown (one owner per key: two would cancel each other out).
        store.audit.record_now("consultation", "scr_review", review_id, detail="opened")
        self.reload()
        # Changed elsewhere (another window, a restore): shown when it commits. Its own
        # stages reload it at once (``saved``).
        watch(self, store, lambda _c: self.reload(),
              lambda c: (review_id in c.ids("review") or c.touches("store")) and not c.only_from(self))

    def reload(self) -> None:
        review = self.store.scr.get(self.review_id)
        case = self.store.cases.get(review.case_id, consult=False)
        self.reference = case.reference
        self.heading.setText(f"Significant Case Review · {case.reference} · incident "
                             f"{format_date(review.incident.get('incident_date'))}")
        state = "Closed: " + (review.closed_reason or "") if review.closed else "Waiting on " + scr.waiting_on(review)
        self.waiting.setText(state)
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
        watch(self, store, lambda _c: self.refresh(select=self.editor.review_id if self.editor else None),
              lambda c: c.touches("review") and c.touches_case(case.id))

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
        self.refresh(select=review_id)
        editor = ReviewEditor(self.store, review_id, self.tasks)
        old = self.splitter.widget(1)
        self.splitter.replaceWidget(1, editor)
        old.deleteLater()
        self.editor = editor
        return editor
