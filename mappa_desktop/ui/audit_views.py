"""The audits of a case: its Audit tab (document 11: referral to the initial meeting,
invitations, attendance, reports from those not present) and, for any of its meetings, the
meeting audit (document 12) suggested from the record, graded by the auditor.

Nothing here changes a minute: the meeting audit is kept on its own, and saving it is
logged. Opening a meeting's audit is logged as a consultation of that meeting.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..dates import format_date
from ..oversight import case_audit, meeting_audit
from ..words import plural
from .kept_typing import KeepsTyping, draft_key
from .messages import message_label
from .widgets import label_for, plain_label, scroll_area

_KIND = spec.field("purpose.meeting_type")


class CaseAuditTab(QWidget):
    """Timeliness and attendance of one case; Enter on a meeting opens its meeting audit."""

    COLUMNS = ("Date", "Meeting", "Invited", "Present", "Apologies", "Did not attend",
               "Written reports from those not present", "Meeting audit")

    def __init__(self, store, case, tasks=None, parent=None):
        super().__init__(parent)
        self.store, self.case, self.tasks = store, case, tasks
        title = plain_label("Case audit (document 11): timeliness and attendance")
        title.setObjectName("sectionTitle")
        self.referral = plain_label("")
        self.timeliness = plain_label("")
        self.timeliness.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setAccessibleName("Meetings of the case, for the audit")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.audit_button = QPushButton("&Audit this meeting…")
        self.audit_button.setToolTip("The meeting audit (document 12), suggested from the record (Enter)")
        hint = plain_label("Everyone on a meeting's attendance list counts as invited. A written report "
                           "is recorded on the attendance row (R in the minute's attendance table).")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.referral)
        layout.addWidget(self.timeliness)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.audit_button)
        layout.addLayout(bottom)
        self.table.activated.connect(lambda _i: self.open_audit())
        self.audit_button.clicked.connect(self.open_audit)
        self.refresh()

    def refresh(self) -> None:
        audit = case_audit.for_case(store=self.store, case_id=self.case.id, today=self.store.today())
        t = audit.timeliness
        self.referral.setText(f"Referred to MAPPA: {format_date(t.referral_date)} (on the case record)."
                              if t.referral_date else "Referred to MAPPA: not recorded (edit the case to add it).")
        due = f" The initial meeting was due by {format_date(t.due_by)}." if t.due_by else ""
        self.timeliness.setText(("PAST 20 WORKING DAYS: " if t.late else "") + t.words() + due)
        self.timeliness.setObjectName("overdue" if t.late else "")
        self.timeliness.style().polish(self.timeliness)
        self.table.setRowCount(0)
        for row, meeting in enumerate(audit.meetings):
            saved = self.store.audits.get(meeting.meeting_id)
            state = "not audited" if saved is None else ("completed" if saved.status == "completed" else "draft")
            absent = meeting.not_present
            reports = (f"{meeting.reports_received} of {absent} received"
                       + (f", {meeting.reports_not_recorded} not recorded" if meeting.reports_not_recorded else "")
                       if absent else "none needed (all present)")
            cells = (format_date(meeting.meeting_date) or "no date", _KIND.display(meeting.meeting_type) or "",
                     meeting.invited, meeting.present, meeting.apologies, meeting.did_not_attend, reports, state)
            self.table.insertRow(row)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(str(value))
                item.setData(Qt.ItemDataRole.UserRole, meeting.meeting_id)
                self.table.setItem(row, column, item)
        if audit.meetings:
            self.table.selectRow(0)
        self.audit_button.setEnabled(bool(audit.meetings))

    def open_audit(self):
        item = self.table.item(self.table.currentRow(), 0) if self.table.currentRow() >= 0 else None
        if item is None:
            return None
        dialog = MeetingAuditDialog(self.store, item.data(Qt.ItemDataRole.UserRole), tasks=self.tasks, parent=self)
        dialog.saved.connect(self.refresh)
        self.audit_dialog = dialog
        dialog.open()
        return dialog


class _ItemBox(QFrame):
    """One item of the form: what it asks, the suggestion, the evidence, what is missing,
    and the auditor's grade and comment."""

    def __init__(self, number: int, finding: meeting_audit.Finding, parent=None):
        super().__init__(parent)
        self.finding = finding
        self.setObjectName("repeatingRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        item = meeting_audit.item(finding.key)
        grid = QGridLayout(self)
        title = plain_label(f"{number}. {item.title}")
        title.setObjectName("sectionTitle")
        grid.addWidget(title, 0, 0, 1, 4)
        asks = plain_label(item.asks)
        asks.setObjectName("muted")
        asks.setWordWrap(True)
        grid.addWidget(asks, 1, 0, 1, 4)
        lines = [f"✓ {e}" for e in finding.evidence] + [f"✗ {m}" for m in finding.missing]
        self.evidence = plain_label("\n".join(lines) or "Nothing in the record.")
        self.evidence.setWordWrap(True)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.evidence, 2, 0, 1, 4)
        suggested = meeting_audit.GRADES[finding.suggested - 1].label
        self.suggestion = plain_label(f"Suggested from the record: {suggested}")
        grid.addWidget(self.suggestion, 3, 0, 1, 2)
        self.confirm = QPushButton("Confirm")
        self.confirm.setToolTip("Give the suggested grade")
        self.confirm.setAccessibleName(f"Confirm the suggested grade: {number}. {item.title}")
        grid.addWidget(self.confirm, 3, 2)
        self.grade = QComboBox()
        self.grade.addItem("Not graded", None)
        for choice in meeting_audit.GRADES:
            self.grade.addItem(choice.label, int(choice.value))
        self.comment = QLineEdit()
        self.comment.setAccessibleName(f"{number}. {item.title}: comment")
        self.comment.setPlaceholderText("Comment (needed when the grade differs from the suggestion)")
        label = label_for(QLabel("Grade"), self.grade, f"{number}. {item.title}: grade")
        grid.addWidget(label, 4, 0)
        grid.addWidget(self.grade, 4, 1)
        grid.addWidget(self.comment, 4, 2, 1, 2)
        self.problem = message_label()
        self.problem.hide()
        grid.addWidget(self.problem, 5, 0, 1, 4)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(1, 190)
        self.confirm.clicked.connect(lambda: self.set_grade(finding.suggested))

    def set_grade(self, grade: int | None, comment: str | None = None) -> None:
        self.grade.setCurrentIndex(max(0, self.grade.findData(grade)) if grade else 0)
        if comment is not None:
            self.comment.setText(comment)

    def value(self) -> tuple[int | None, str]:
        return self.grade.currentData(), self.comment.text()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


class _Grades:
    """Each item's grade and comment as chosen (kept over a lock)."""

    def __init__(self, boxes: dict):
        self.boxes = boxes

    def raw_state(self) -> dict:
        return {key: list(box.value()) for key, box in self.boxes.items()}

    def restore_raw_state(self, state) -> None:
        for key, (grade, comment) in (state or {}).items():
            if key in self.boxes:
                self.boxes[key].set_grade(grade, comment)


class MeetingAuditDialog(KeepsTyping, QDialog):
    """The meeting audit of one meeting. Save keeps a draft; Complete needs every grade."""

    saved = Signal()

    def __init__(self, store, meeting_id: int, *, tasks=None, parent=None):
        super().__init__(parent)
        self.store, self.meeting_id, self.tasks = store, meeting_id, tasks
        store.audit.record_now("consultation", "meeting", meeting_id, detail="meeting audit opened")
        facts = store.audits.facts(meeting_id)
        case = store.cases.get(facts.case_id, consult=False)
        kind = _KIND.display(facts.meeting_type) or "Meeting"
        self.setWindowTitle(f"Meeting audit: {case.reference}, {kind.lower()} meeting of "
                            f"{format_date(facts.meeting_date) or 'no date'}")
        self.findings = meeting_audit.assess(facts)
        intro = plain_label("Each item is suggested from the record: the evidence found (✓) and what is missing "
                            "(✗). Confirm the suggestion or choose another grade with a comment. The audit is kept "
                            "apart from the minute and never changes it.")
        intro.setWordWrap(True)
        body = QWidget()
        column = QVBoxLayout(body)
        self.boxes: dict[str, _ItemBox] = {}
        for number, finding in enumerate(self.findings, 1):
            box = _ItemBox(number, finding)
            self.boxes[finding.key] = box
            column.addWidget(box)
        column.addStretch(1)
        scroll = scroll_area(body)  # the grades and comments take the keyboard
        self.status = message_label()
        self.message = message_label()
        self.save_button = QPushButton("&Save draft")
        self.complete_button = QPushButton("Save as &completed")
        self.print_button = QPushButton("&Print…")
        self.print_button.setEnabled(tasks is not None)
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.save_button, self.complete_button, self.print_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(lambda: self.save(completed=False))
        self.complete_button.clicked.connect(lambda: self.save(completed=True))
        self.print_button.clicked.connect(self.print_audit)
        close.clicked.connect(self.accept)
        self._load(store.audits.get(meeting_id))
        self.resize(860, 660)
        self.keep_typing(store, draft_key(facts.case_id, "meeting_audit", meeting_id))

    def typed_parts(self) -> dict:
        return {"grades": _Grades(self.boxes)}

    def initial_focus(self):
        """The first item's Confirm: one key gives the suggested grade."""
        return next(iter(self.boxes.values())).confirm if self.boxes else None

    def _load(self, saved) -> None:
        if saved is None:
            self.status.progress("Not audited yet.")
            self.print_button.setEnabled(False)
            return
        for key, entry in saved.record.get("items", {}).items():
            if key in self.boxes:
                self.boxes[key].set_grade(entry.get("grade"), entry.get("comment") or "")
        self.status.success(f"Saved {'as completed' if saved.status == 'completed' else 'as a draft'}.")

    def grades(self) -> dict:
        return {key: box.value() for key, box in self.boxes.items()}

    def save(self, *, completed: bool) -> bool:
        from ..db.errors import StoreError

        for box in self.boxes.values():
            box.show_problem("")
        try:
            audit_id, problems = meeting_audit.save(store=self.store, meeting_id=self.meeting_id,
                                                    grades=self.grades(), completed=completed,
                                                    today=self.store.today())
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}. The grades are still here.")
            return False
        for problem in problems:
            self.boxes[problem.item].show_problem(problem.message)
        if problems:
            self.message.error(f"Not saved: {plural(len(problems), 'item')} to look at (each marked below).")
            return False
        self.message.setText("")
        self.status.success(f"Saved {'as completed' if completed else 'as a draft'}.")
        self.print_button.setEnabled(self.tasks is not None)
        self.saved.emit()
        return True

    def print_audit(self):
        from .. import printing
        from ..printouts import meeting_audit_job
        from .print_dialog import PrintDialog

        saved = self.store.audits.get(self.meeting_id)
        if self.tasks is None or saved is None:
            return None

        def job():
            content, meta = meeting_audit_job(self.store, self.meeting_id)
            return lambda: printing.render_meeting_audit(content, meta)

        dialog = PrintDialog(self.store, self.tasks, title="Print the meeting audit", kinds={"Meeting audit": job},
                             record_type="meeting_audit", record_id=saved.id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog
