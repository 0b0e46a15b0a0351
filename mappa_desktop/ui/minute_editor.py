"""The meeting editor: the minute taken live, one section at a time, built from the spec.

Left, the sections with a mark each (○ empty, ◐ started, ● complete by the spec's required
fields); middle, the current section's form; right, its guidance (F1 hides it). Every edit
is saved within about a second; switching section, locking and closing save at once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..dates import DateError
from .autosave import Autosaver
from .case_editor import names_from_directory
from .forms import RowsForm, SectionForm
from .minute_sections import ActionsPanel, AttendancePanel, CaseSectionView, ReviewRow
from .widgets import plain_label

log = logging.getLogger(__name__)

MARKS = {"empty": "○", "started": "◐", "complete": "●"}


class _LazyForms(dict):
    """Section forms by key; a section's page is built the first time it is needed, so a
    meeting opens at once however long its minute is."""

    def __init__(self, build):
        super().__init__()
        self._build = build

    def __missing__(self, key):
        self._build(key)
        return dict.__getitem__(self, key)


def _filled(value) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


class MinuteEditor(QWidget):
    """Edits one meeting's minute. ``closed`` asks the case view to show the case again."""

    closed = Signal()
    finalised = Signal()

    def __init__(self, store, meeting_id: int, *, autosave_ms: int = 1000, tasks=None, parent=None):
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.meeting_id = meeting_id
        self.minute = store.minutes.get(meeting_id)  # audited: the minute was consulted
        self.case = store.cases.get(self.minute.case_id, consult=False)
        self.autosaver = Autosaver(autosave_ms, self)
        self.forms: dict[str, QWidget] = _LazyForms(self._ensure_page)
        self.review_rows: dict[int, ReviewRow] = {}
        self._built: set[str] = set()
        names_for = names_from_directory(store)
        self.person_names = list(names_for(spec.Kind.PERSON))
        self.agency_names = list(names_for(spec.Kind.AGENCY))

        # -- header -------------------------------------------------------------------------
        self.title = plain_label("")
        self.title.setObjectName("pageTitle")
        self.back_button = QPushButton("← Case")
        self.back_button.setToolTip("Save and go back to the case (Alt+Left)")
        self.check_button = QPushButton("Check…")
        self.check_button.setToolTip("What 5B and the meeting audit form still expect (Ctrl+Shift+K)")
        self.issue_button = QPushButton("Issue as draft")
        self.issue_button.setToolTip("Issue the minute in draft for correction (Ctrl+Shift+D)")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Preview, print or save the minute or its executive summary (Ctrl+P)")
        self.print_button.setEnabled(tasks is not None)
        self.finalise_button = QPushButton("Finalise…")
        self.finalise_button.setToolTip("The chair approves: freeze the minute (Ctrl+Shift+F)")
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.title, 1)
        for button in (self.check_button, self.print_button, self.issue_button, self.finalise_button):
            header.addWidget(button)

        # -- sections -----------------------------------------------------------------------
        self.section_list = QListWidget()
        self.section_list.setObjectName("sectionList")
        self.section_list.setAccessibleName("Sections of the minute")
        self.section_list.setMaximumWidth(380)
        self.section_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.section_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages = QStackedWidget()
        self.guidance = plain_label("")
        self.guidance.setWordWrap(True)
        self.guidance.setObjectName("guidance")
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        guidance_box = QFrame()
        guidance_box.setObjectName("guidanceBox")
        guidance_column = QVBoxLayout(guidance_box)
        heading = plain_label("Guidance (F1 hides)")
        heading.setObjectName("sectionTitle")
        guidance_column.addWidget(heading)
        guidance_column.addWidget(self.guidance)
        self.last_meeting = plain_label(self._last_meeting_text())
        self.last_meeting.setObjectName("lastMeeting")
        self.last_meeting.setWordWrap(True)
        self.last_meeting.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.last_meeting.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        guidance_column.addWidget(self.last_meeting, 1)
        self.guidance_box = guidance_box
        self.sections = list(spec.SECTIONS)
        for section in self.sections:
            item = QListWidgetItem(self._item_text(section, "empty"))
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            if section.shortcut:
                item.setToolTip(f"Alt+{section.shortcut}")
            self.section_list.addItem(item)
            self.pages.addWidget(QWidget())  # built on first visit
        splitter = QSplitter()
        splitter.addWidget(self.section_list)
        splitter.addWidget(self.pages)
        splitter.addWidget(guidance_box)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 1)
        splitter.setSizes([330, 700, 260])

        # -- status line --------------------------------------------------------------------
        self.status = plain_label("")
        self.status.setObjectName("saveStatus")
        self.retry_button = QPushButton("Retry saving")
        self.retry_button.hide()
        status_row = QHBoxLayout()
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.retry_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        layout.addLayout(status_row)

        self.section_list.currentRowChanged.connect(self._section_changed)
        self.autosaver.saved.connect(self._saved)
        self.autosaver.failed.connect(self._failed)
        self.retry_button.clicked.connect(self.flush)
        self.back_button.clicked.connect(self._back)
        self.check_button.clicked.connect(self.show_check)
        self.issue_button.clicked.connect(self.issue_draft)
        self.finalise_button.clicked.connect(self.start_finalise)
        self.print_button.clicked.connect(self.print_minute)
        self._shortcuts()
        self._load()
        self.section_list.setCurrentRow(0)
        self._ensure_page(self.sections[0].key)

    # -- building ---------------------------------------------------------------------------------

    def _last_meeting_text(self) -> str:
        """The previous minute's decisions, for reference while this one is taken."""
        last = self.store.minutes.last_before(self.minute.case_id, self.meeting_id)
        if last is None:
            return ""
        v = last.values
        field = spec.field
        lines = [f"Last meeting, {field('meeting_details.meeting_date').display(v.get('meeting_date')) or 'no date'}"
                 f" ({'finalised' if last.status == 'finalised' else 'minute in draft'}):"]
        if v.get("agreed_rosh"):
            lines.append(f"• Risk of serious harm: {field('rosh.agreed_rosh').display(v.get('agreed_rosh'))}"
                         + (f" ({v['rosh_to_whom']})" if v.get("rosh_to_whom") else ""))
        if v.get("level_decision"):
            lines.append(f"• MAPPA level: {field('mappa_level.level_decision').display(v.get('level_decision'))}, "
                         f"level {v.get('new_level') or '?'}")
        for row in last.rows.get("disclosure", ()):
            needed = spec.section("disclosure").field("disclosure_needed").display(row.get("disclosure_needed"))
            lines.append(f"• Disclosure needed: {needed or '?'}" + (f", to {row['recipient']}" if row.get("recipient") else ""))
        if v.get("next_review_date"):
            lines.append(f"• Next review set for {field('next_review.next_review_date').display(v.get('next_review_date'))}")
        if v.get("chair_summary"):
            lines.append(f"• Summary: {v['chair_summary']}")
        return "\n".join(lines)

    @staticmethod
    def _item_text(section: spec.Section, mark: str) -> str:
        key = f"  Alt+{section.shortcut}" if section.shortcut else ""
        return f"{MARKS[mark]}  {section.title}{key}"

    def _names_for(self, kind):
        return self.agency_names if kind is spec.Kind.AGENCY else self.person_names

    def _build_page(self, section: spec.Section) -> QWidget:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 4, 8, 8)
        title = plain_label(section.title)
        title.setObjectName("sectionTitle")
        column.addWidget(title)
        if section.key == "confidentiality":
            column.addWidget(self._confidentiality_extras())
        if section.source is spec.Source.MEETING:
            form = SectionForm(section, self._names_for)
            form.edited.connect(lambda key=section.key: self._edited(key))
            self.forms[section.key] = form
            self.autosaver.register(section.key, lambda key=section.key: self._save_fields(key))
            column.addWidget(form)
        elif section.source is spec.Source.ROWS and section.key == "attendance":
            panel = AttendancePanel(self.store.directory.people())
            panel.edited.connect(lambda: self._edited("attendance"))
            self.forms["attendance"] = panel
            self.autosaver.register("attendance", lambda: self._save_rows("attendance"))
            column.addWidget(panel)
        elif section.source is spec.Source.ROWS:
            form = RowsForm(section, self._names_for, problem_prefix=section.key)
            form.edited.connect(lambda key=section.key: self._edited(key))
            self.forms[section.key] = form
            self.autosaver.register(section.key, lambda key=section.key: self._save_rows(key))
            column.addWidget(form)
        elif section.source in (spec.Source.CASE, spec.Source.CASE_ROWS):
            column.addWidget(CaseSectionView(section, self.case))
        elif section.key == "previous_actions":
            self.review_box = QVBoxLayout()
            self.review_empty = plain_label("No earlier actions are open.")
            self.review_empty.setObjectName("muted")
            column.addLayout(self.review_box)
            column.addWidget(self.review_empty)
        elif section.key == "actions":
            self.actions_panel = ActionsPanel(self.person_names, self.agency_names)
            self.actions_panel.add_requested.connect(self.capture_action)
            column.addWidget(self.actions_panel)
        if section.key == "next_review":
            self.addenda_box = QVBoxLayout()
            column.addLayout(self.addenda_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        return scroll

    def _confidentiality_extras(self) -> QWidget:
        box = QFrame()
        box.setObjectName("statementBox")
        column = QVBoxLayout(box)
        statement = plain_label(self.store.settings.get("confidentiality_statement") or "")
        statement.setWordWrap(True)
        statement.setObjectName("statement")
        column.addWidget(statement)
        row = QHBoxLayout()
        self.confirm_button = QPushButton("Agreed no&w")
        self.confirm_button.setToolTip("Record that everyone present agreed, with the time now")
        self.reaffirm_button = QPushButton("R&e-affirmed now")
        self.reaffirm_button.setToolTip("Someone joined late: record the time it was re-affirmed")
        row.addWidget(self.confirm_button)
        row.addWidget(self.reaffirm_button)
        row.addStretch(1)
        column.addLayout(row)
        self.confirm_button.clicked.connect(self.confirm_confidentiality)
        self.reaffirm_button.clicked.connect(self.reaffirm_confidentiality)
        return box

    def _shortcuts(self) -> None:
        for index, section in enumerate(self.sections):
            if section.shortcut:
                QShortcut(QKeySequence(f"Alt+{section.shortcut}"), self,
                          lambda i=index: self.go_to(self.sections[i].key))
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step(-1))
        QShortcut(QKeySequence("Ctrl+G"), self, self.go_to_dialog)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self.capture_action)
        QShortcut(QKeySequence("Ctrl+Shift+K"), self, self.show_check)
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, lambda: self.minute.status == "draft" and self.issue_draft())
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, lambda: self.minute.editable and self.start_finalise())
        QShortcut(QKeySequence("Ctrl+S"), self, self.flush)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_minute)
        QShortcut(QKeySequence("F1"), self, lambda: self.guidance_box.setVisible(not self.guidance_box.isVisible()))
        QShortcut(QKeySequence("Alt+Left"), self, self._back)

    # -- loading ---------------------------------------------------------------------------------

    def _load(self) -> None:
        self._refresh_title()
        for section in self.sections:
            self._update_mark(section)

    def _ensure_page(self, key: str) -> None:
        """Build a section's page (once) and load its values."""
        if key in self._built:
            return
        index = next(i for i, s in enumerate(self.sections) if s.key == key)
        self._built.add(key)
        page = self._build_page(self.sections[index])
        placeholder = self.pages.widget(index)
        current = self.pages.currentIndex()
        self.pages.insertWidget(index, page)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()
        self.pages.setCurrentIndex(current)
        self._load_section(key)

    def _load_section(self, key: str) -> None:
        minute = self.minute
        section = spec.section(key)
        form = dict.get(self.forms, key)
        if form is not None and section.source is spec.Source.MEETING:
            form.load(minute.values)
            draft = self.store.drafts.get(self._draft_key(key))
            if draft:
                form.restore_raw_state(draft)
                self.autosaver.mark_dirty(key)
        elif form is not None and key == "attendance":
            form.load(minute.rows.get("attendance", ()))
        elif form is not None:
            rows = minute.rows.get(key, ())
            form.load(rows, [r["id"] for r in rows])
            draft = self.store.drafts.get(self._draft_key(key))
            if draft:
                form.restore_raw_state(draft)
                self.autosaver.mark_dirty(key)
        elif key == "actions":
            for action in minute.actions:
                self._show_action(action)
        elif key == "previous_actions":
            for action in minute.previous:
                self._show_review(action)
            self.review_empty.setVisible(not minute.previous)
        if key == "next_review":
            self._show_addenda()
        self._apply_read_only()
        self._update_mark(section)

    def _refresh_title(self) -> None:
        values = self.minute.values
        kind = spec.field("purpose.meeting_type").display(values.get("meeting_type")) or "Meeting"
        when = spec.field("meeting_details.meeting_date").display(values.get("meeting_date")) or "date not set"
        state = {"draft": "DRAFT", "issued": "DRAFT (issued)", "finalised": "FINALISED"}[self.minute.status]
        self.title.setText(f"{self.case.reference}  ·  {kind} meeting, {when}  ·  {state}")
        editable = self.minute.editable
        self.issue_button.setVisible(editable and self.minute.status == "draft")
        self.finalise_button.setVisible(editable)
        self.check_button.setVisible(editable)

    # -- navigation ---------------------------------------------------------------------------

    def current_section(self) -> str:
        return self.sections[self.section_list.currentRow()].key

    def go_to(self, key: str, field: str = "", row: int | None = None) -> None:
        index = next(i for i, s in enumerate(self.sections) if s.key == key)
        self.section_list.setCurrentRow(index)
        target = self._field_widget(key, field, row)
        if target is not None:
            target.setFocus()
            page = self.pages.currentWidget()
            if isinstance(page, QScrollArea):
                page.ensureWidgetVisible(target)

    def _field_widget(self, key: str, field: str, row: int | None):
        self._ensure_page(key)
        if key == "confidentiality" and not field and self.minute.editable:
            return self.confirm_button  # the one thing to do at the start: Space records it
        form = self.forms.get(key)
        if isinstance(form, SectionForm):
            widget = form.widgets.get(field) or next(iter(form.widgets.values()))
            return widget.focus_target()
        if isinstance(form, RowsForm):
            if form.rows:
                index = row if row is not None and row < len(form.rows) else 0
                widget = form.rows[index].widgets.get(field) or next(iter(form.rows[index].widgets.values()))
                return widget.focus_target()
            return form.add_button
        if isinstance(form, AttendancePanel):
            if row is not None and row < form.table.rowCount():
                form.table.setCurrentCell(row, 0)
            return form.table if form.table.rowCount() else form.picker
        if key == "actions":
            rows = list(self.actions_panel.rows.values())
            return rows[0].text if rows else self.actions_panel.add_button
        if key == "previous_actions" and self.review_rows:
            return next(iter(self.review_rows.values())).status
        return None

    def show_found(self, section: str, field: str, text: str, row_id: int | None = None) -> int:
        """Open at the place a search found ``text`` (a field, or the field of one row:
        an agency update, a decision, an action, an addendum) and highlight the words.
        Returns how many places are highlighted (0: shown, nothing to mark)."""
        from ..oversight.search import parse
        from .found import mark_found

        query = parse(text)
        if section == "addenda":  # shown under the next review, as text to read
            self.go_to("next_review")
            targets = self.pages.currentWidget().findChildren(QLabel)
        else:
            self._ensure_page(section)
            rows = self.minute.rows.get(section) or ()
            row = next((i for i, r in enumerate(rows) if r.get("id") == row_id), None)
            self.go_to(section, field, row)
            targets = [self._found_target(section, field, row, row_id)]
        for target in targets:
            if target is not None and (count := mark_found(target, query)):
                target.setFocus()
                page = self.pages.currentWidget()
                if isinstance(page, QScrollArea):
                    page.ensureWidgetVisible(target)
                return count
        return 0

    def _found_target(self, section: str, field: str, row: int | None, row_id: int | None):
        if section == "actions" and row_id in self.actions_panel.rows:
            return self.actions_panel.rows[row_id].text
        if section == "previous_actions" and row_id in self.review_rows:
            return self.review_rows[row_id].outcome
        return self._field_widget(section, field, row)

    def _step(self, delta: int) -> None:
        row = max(0, min(len(self.sections) - 1, self.section_list.currentRow() + delta))
        self.go_to(self.sections[row].key)

    def _section_changed(self, row: int) -> None:
        if row < 0:
            return
        self.flush()  # switching section saves at once
        self._ensure_page(self.sections[row].key)
        self.pages.setCurrentIndex(row)
        self.guidance.setText(self.sections[row].guidance)
        target = self._field_widget(self.sections[row].key, "", None)
        if target is not None and not self.section_list.hasFocus():
            target.setFocus()

    def go_to_dialog(self) -> None:
        from .minute_dialogs import GoToSectionDialog

        dialog = GoToSectionDialog(self.sections, self)
        dialog.chosen.connect(self.go_to)
        dialog.open()

    # -- editing and saving -----------------------------------------------------------------------

    def _edited(self, key: str) -> None:
        if not self.minute.editable:
            return
        self.autosaver.mark_dirty(key)
        self._update_mark(spec.section(key))
        if not self.autosaver.error:
            self.status.setText("Saving…")

    def _draft_key(self, section_key: str) -> str:
        return f"minute:{self.meeting_id}:{section_key}"

    def _save_fields(self, key: str) -> None:
        form: SectionForm = self.forms[key]
        values, problems = form.read()
        form.clear_problems()
        bad = {p.field for p in problems}
        for problem in problems:
            form.show_problem(problem.field, problem.message)
        good = {k: v for k, v in values.items() if k not in bad}
        self.store.minutes.save_fields(self.meeting_id, key, good)
        if bad:  # keep what does not parse yet, word for word, until it does
            self.store.drafts.put(self._draft_key(key), {k: form.widgets[k].raw() for k in bad})
        elif self.store.drafts.get(self._draft_key(key)) is not None:
            self.store.drafts.discard(self._draft_key(key))

    def _save_rows(self, key: str) -> None:
        form = self.forms[key]
        if isinstance(form, AttendancePanel):
            rows = form.rows()
        else:
            rows, problems = form.read()
            form.clear_problems()
            for problem in problems:
                form.show_problem(problem.field, problem.message)
            if problems:
                self.store.drafts.put(self._draft_key(key), form.raw_state())
        self.store.minutes.save_rows(self.meeting_id, key, rows)

    def _set_state(self, state: str) -> None:
        if self.status.property("state") != state:  # re-polish only when it changes
            self.status.setProperty("state", state)
            self.status.style().polish(self.status)

    def _saved(self, when: str) -> None:
        self.status.setText(f"Saved {when}")
        self._set_state("ok")
        self.retry_button.hide()

    def _failed(self, reason: str) -> None:
        self.status.setText(f"NOT SAVED: {reason}. What you typed is still here; it will be saved when this is put right.")
        self._set_state("error")
        self.retry_button.show()

    def flush(self) -> bool:
        """Save everything pending now (section switch, lock, close, Ctrl+S)."""
        return self.autosaver.flush()

    def dispose(self) -> None:
        self.flush()
        self.autosaver.stop()

    # -- completion marks ---------------------------------------------------------------------

    def section_state(self, section: spec.Section) -> str:
        if section.key not in self._built and section.source in (spec.Source.MEETING, spec.Source.ROWS, spec.Source.REGISTER):
            return self._stored_state(section)
        form = dict.get(self.forms, section.key)
        if isinstance(form, SectionForm):
            values = {}
            for key, widget in form.widgets.items():
                values[key] = widget.raw()
            filled = [k for k, v in values.items() if _filled(v)]
            required = [f.key for f in section.required_fields]
            if not filled:
                return "empty"
            return "complete" if all(_filled(values[k]) for k in required) else "started"
        if isinstance(form, AttendancePanel):
            rows = form.rows()
            if not rows:
                return "empty"
            return "complete" if all(r.get("status") for r in rows) and any(r.get("status") == "present" for r in rows) else "started"
        if isinstance(form, RowsForm):
            rows = form.raw_state()
            if not rows:
                return "empty" if section.min_rows else "complete"
            required = [f.key for f in section.required_fields]
            return "complete" if all(_filled(r.get(k)) for r in rows for k in required) else "started"
        if section.key == "actions":
            return "complete" if self.actions_panel.rows else "empty"
        if section.key == "previous_actions":
            if not self.review_rows:
                return "complete"
            states = [row.status.value() for row in self.review_rows.values()]
            return "complete" if all(s and s != "open" for s in states) else "started"
        # Sections from the case record.
        required = [f.key for f in section.required_fields]
        if section.source is spec.Source.CASE_ROWS:
            return "complete" if self.case.orders else "empty"
        return "complete" if all(_filled(self.case.get(k)) for k in required) else "started"

    def _stored_state(self, section: spec.Section) -> str:
        """The mark of a section whose page is not built yet, from the minute as stored."""
        minute = self.minute
        required = [f.key for f in section.required_fields]
        if section.source is spec.Source.MEETING:
            filled = [f.key for f in section.fields if _filled(minute.values.get(f.key))]
            if not filled:
                return "empty"
            return "complete" if all(_filled(minute.values.get(k)) for k in required) else "started"
        if section.source is spec.Source.ROWS:
            rows = minute.rows.get(section.key, ())
            if not rows:
                return "empty" if section.min_rows else "complete"
            if section.key == "attendance":
                ok = all(r.get("status") for r in rows) and any(r.get("status") == "present" for r in rows)
                return "complete" if ok else "started"
            return "complete" if all(_filled(r.get(k)) for r in rows for k in required) else "started"
        if section.key == "actions":
            return "complete" if minute.actions else "empty"
        statuses = [a.status for a in minute.previous]
        return "complete" if all(s != "open" for s in statuses) else "started"

    def _update_mark(self, section: spec.Section) -> None:
        index = next(i for i, s in enumerate(self.sections) if s.key == section.key)
        self.section_list.item(index).setText(self._item_text(section, self.section_state(section)))

    # -- confidentiality ----------------------------------------------------------------------

    def _now_hhmm(self) -> str:
        from ..dates import UK

        return self.store.clock().astimezone(UK).strftime("%H:%M")

    def confirm_confidentiality(self) -> None:
        form: SectionForm = self.forms["confidentiality"]
        form.widgets["confidentiality_agreed"].set_value(1)
        form.widgets["confidentiality_time"].set_value(self._now_hhmm())
        self._edited("confidentiality")

    def reaffirm_confidentiality(self) -> None:
        form: SectionForm = self.forms["confidentiality"]
        field = form.widgets["confidentiality_reaffirmed"]
        current = field.value() or ""
        field.set_value((current + "; " if current else "") + f"re-affirmed at {self._now_hhmm()}")
        field.focus_target().setFocus()
        field.focus_target().end(False)
        self._edited("confidentiality")

    # -- actions ---------------------------------------------------------------------------------

    def _show_action(self, action) -> None:
        row = self.actions_panel.show_action(action)
        if not getattr(row, "_wired", False):
            row.edited.connect(lambda action_id: self._action_edited(action_id))
            row.withdraw_requested.connect(self.withdraw_action)
            self.autosaver.register(f"action:{action.id}", lambda a=action.id: self._save_action(a))
            row._wired = True
        self._update_mark(spec.section("actions"))

    def _action_edited(self, action_id: int) -> None:
        if self.minute.editable:
            self.autosaver.mark_dirty(f"action:{action_id}")
            self.status.setText("Saving…")

    def _save_action(self, action_id: int) -> None:
        row = self.actions_panel.rows[action_id]
        values = row.values()
        if not _filled(values.get("action_text")):
            values.pop("action_text")  # an action is never blanked: keep the agreed words
        self.store.actions.update_terms(action_id, values)

    def capture_action(self) -> None:
        """Ctrl+Shift+A from anywhere: a small panel, then back to where the cursor was."""
        if not self.minute.editable:
            return
        from .minute_dialogs import ActionCaptureDialog

        self._ensure_page("actions")

        return_to = QApplication.focusWidget()
        agency_of = {p.name: p.agency for p in self.store.directory.people()}
        dialog = ActionCaptureDialog(self.person_names, self.agency_names, agency_of, self)

        def accepted(values: dict) -> None:
            from ..db.errors import StoreError

            try:
                action_id = self.store.minutes.raise_action(self.meeting_id, values)
            except StoreError as exc:
                dialog.show_error(exc.reason)
                return
            dialog.accept()
            self._show_action(self.store.actions.get(action_id))
            self.status.setText(f"Action added. Saved {datetime.now():%H:%M:%S}")

        def finished(_code: int) -> None:
            self.window().activateWindow()  # without a window manager nobody else does
            if return_to is not None:
                return_to.setFocus()

        dialog.submitted.connect(accepted)
        dialog.finished.connect(finished)
        self.capture_dialog = dialog
        dialog.open()

    def withdraw_action(self, action_id: int) -> None:
        from .minute_dialogs import ask_reason

        ask_reason(self, "Withdraw the action", "Why is this action withdrawn? It stays in the register.",
                   lambda reason: self._withdraw(action_id, reason))

    def _withdraw(self, action_id: int, reason: str) -> None:
        self.store.actions.withdraw(action_id, reason, meeting_id=self.meeting_id)
        self._show_action(self.store.actions.get(action_id))

    # -- previous actions ------------------------------------------------------------------------

    def _show_review(self, action) -> None:
        row = ReviewRow(action)
        self.review_rows[action.id] = row
        self.review_box.addWidget(row)
        row.edited.connect(lambda action_id: self._review_edited(action_id))
        self.autosaver.register(f"review:{action.id}", lambda a=action.id: self._save_review(a))

    def _review_edited(self, action_id: int) -> None:
        if self.minute.editable:
            self.autosaver.mark_dirty(f"review:{action_id}")
            self._update_mark(spec.section("previous_actions"))

    def _save_review(self, action_id: int) -> None:
        from ..db.errors import ValidationError

        row = self.review_rows[action_id]
        try:
            state = row.state()
        except DateError as exc:
            row.show_error(f"Date completed: {exc}")
            return
        try:
            self.store.actions.set_state(action_id, meeting_id=self.meeting_id, **state)
            row.show_error("")
        except ValidationError as exc:
            row.show_error(exc.reason)  # e.g. done without a date: kept on screen, flagged

    # -- life cycle ------------------------------------------------------------------------------

    def reload(self) -> None:
        self.minute = self.store.minutes.get(self.meeting_id, consult=False)
        self.case = self.store.cases.get(self.minute.case_id, consult=False)
        self._refresh_title()
        self._apply_read_only()
        if "next_review" in self._built:
            self._show_addenda()

    def _apply_read_only(self) -> None:
        read_only = not self.minute.editable
        for form in self.forms.values():
            if hasattr(form, "set_read_only"):
                form.set_read_only(read_only)
        if "actions" in self._built:
            self.actions_panel.set_read_only(read_only)
        for row in self.review_rows.values():
            row.set_read_only(read_only)
        for button in (getattr(self, "confirm_button", None), getattr(self, "reaffirm_button", None)):
            if button is not None:
                button.setVisible(not read_only)

    def show_check(self):
        from ..minutes import check
        from .minute_dialogs import CheckDialog

        self.flush()
        items = check(store=self.store, meeting_id=self.meeting_id, today=self.store.today())
        dialog = CheckDialog(items, self)
        dialog.jump.connect(self._jump_to)
        self.check_dialog = dialog
        dialog.open()
        return dialog

    def print_minute(self):
        """The minute or its executive summary: preview, print or save (logged)."""
        from .. import printing
        from ..printouts import minute_job, summary_sections
        from .print_dialog import PrintDialog

        if self.tasks is None:
            return None
        self.flush()

        def full():
            content, meta = minute_job(self.store, self.meeting_id)
            return lambda: printing.render_minute(content, meta)

        def summary():
            content, meta = minute_job(self.store, self.meeting_id)
            keep = summary_sections(self.store)
            return lambda: printing.render_minute(content, meta, summary_sections=keep)

        dialog = PrintDialog(self.store, self.tasks, title=f"Print the minute: {self.case.reference}",
                             kinds={"Full minute": full, "Executive summary (for requests from outside MAPPA)": summary},
                             record_type="meeting", record_id=self.meeting_id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog

    def _jump_to(self, item) -> None:
        self.window().activateWindow()  # focus comes back here from the check's window
        self.go_to(item.section, item.field, item.row)

    def issue_draft(self) -> None:
        self.flush()
        self.store.minutes.issue_draft(self.meeting_id)
        self.reload()

    def start_finalise(self):
        from ..minutes import check
        from .minute_dialogs import FinaliseDialog

        if not self.flush():
            return None
        items = check(store=self.store, meeting_id=self.meeting_id, today=self.store.today())
        dialog = FinaliseDialog(items, self)
        dialog.submitted.connect(lambda acks: self._finalise(dialog, acks))
        self.finalise_dialog = dialog
        dialog.open()
        return dialog

    def _finalise(self, dialog, acknowledgements: dict) -> None:
        from ..db.errors import StoreError
        from ..minutes import finalise

        try:
            finalise(store=self.store, meeting_id=self.meeting_id, acknowledgements=acknowledgements,
                     today=self.store.today())
        except StoreError as exc:
            dialog.show_error(exc.reason)
            return
        dialog.accept()
        self.reload()
        self.finalised.emit()

    def _show_addenda(self) -> None:
        from .minute_dialogs import AddendaPanel

        while self.addenda_box.count():
            item = self.addenda_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if self.minute.status == "finalised":
            panel = AddendaPanel(self.store, self.meeting_id, self.minute.addenda)
            panel.added.connect(self.reload)
            self.addenda_box.addWidget(panel)

    def _back(self) -> None:
        self.flush()
        self.closed.emit()

    # -- for tests and the problems view -------------------------------------------------------

    def form(self, key: str):
        return self.forms[key]

    def field(self, path: str) -> QWidget:
        """The widget of ``section.field`` (its focus target), e.g. ``rosh.rosh_rationale``."""
        section_key, _, field_key = path.partition(".")
        return self.forms[section_key].widgets[field_key].focus_target()
