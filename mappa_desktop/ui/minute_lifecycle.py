"""The meeting editor's life-cycle part: the check, issuing the draft, finalising, printing,
capturing an action from anywhere, and what a finalised minute says about itself.

A mixin of ``MinuteEditor`` (which provides ``store``, ``state``, ``meeting_id``, ``tasks``,
``flush``, ``reload``, ``go_to`` and ``ensure_page``), kept apart so that each file reads as
one thing. What may be done when is the state's (``state.editable``, ``state.status``).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QFrame, QHBoxLayout, QPushButton

from .. import spec
from ..dates import format_date, format_datetime_local
from ..rules.values import Problem as _Problem
from .kept_typing import draft_key
from .widgets import plain_label


class MinuteLifecycle:
    """Check, issue, finalise, print, addenda: the buttons and what they do."""

    # -- building ---------------------------------------------------------------------------

    def build_lifecycle_buttons(self, header: QHBoxLayout) -> None:
        self.check_button = QPushButton("Check…")
        self.check_button.setToolTip("What 5B and the meeting audit form still expect (Ctrl+Shift+K)")
        self.issue_button = QPushButton("Issue…")
        self.issue_button.setToolTip("Record that the draft went out for corrections: to whom and when (Ctrl+Shift+D)")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Preview, print or save the minute or its executive summary (Ctrl+P)")
        self.print_button.setEnabled(self.tasks is not None)
        self.finalise_button = QPushButton("Approve…")
        self.finalise_button.setToolTip("Record the chair's approval and freeze the minute (Ctrl+Shift+F)")
        for button in (self.check_button, self.print_button, self.issue_button, self.finalise_button):
            header.addWidget(button)
        self.check_button.clicked.connect(self.show_check)
        self.issue_button.clicked.connect(self.issue_draft)
        self.finalise_button.clicked.connect(self.start_finalise)
        self.print_button.clicked.connect(self.print_minute)

    def lifecycle_shortcuts(self) -> None:
        QShortcut(QKeySequence("Ctrl+Shift+K"), self, self.show_check)
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, lambda: self.state.editable and self.issue_draft())
        QShortcut(QKeySequence("Ctrl+Shift+F"), self, lambda: self.state.editable and self.start_finalise())
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_minute)

    def build_issue_banner(self) -> QFrame:
        """While the draft is out for comment: to whom and when it went, the copies of it
        logged, and that corrections made now are shown as such when it is approved."""
        self.issue_banner = QFrame()
        self.issue_banner.setObjectName("readOnlyBanner")
        row = QHBoxLayout(self.issue_banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.issue_text = plain_label("")
        self.issue_text.setWordWrap(True)
        row.addWidget(self.issue_text, 1)
        self.issue_banner.hide()
        return self.issue_banner

    def refresh_issue_banner(self) -> None:
        from ..words import plural

        issues = self.store.signoff.issues(self.meeting_id) if self.state.status == "issued" else []
        if not issues:
            self.issue_banner.hide()
            return
        last = issues[-1]
        copies = len(self.store.signoff.copies(self.meeting_id))
        again = f" (issue {len(issues)})" if len(issues) > 1 else ""
        self.issue_text.setText(
            f"ISSUED FOR COMMENT{again} on {format_date(last.issued_on)} to {last.issued_to}. "
            f"{plural(copies, 'copy', 'copies')} printed or saved. Corrections made now are listed as such on "
            "the approved minute.")
        self.issue_banner.show()

    def build_read_only_banner(self) -> QFrame:
        """One line on every section of a finalised minute: why nothing changes, and how to
        correct it (an addendum)."""
        self.read_only_banner = QFrame()
        self.read_only_banner.setObjectName("readOnlyBanner")
        row = QHBoxLayout(self.read_only_banner)
        row.setContentsMargins(8, 4, 8, 4)
        self.read_only_text = plain_label("")
        self.read_only_text.setWordWrap(True)
        self.addenda_button = QPushButton("Add&enda…")
        self.addenda_button.setToolTip("Read the addenda, or add one to correct the minute")
        self.addenda_button.clicked.connect(self.show_addenda)
        row.addWidget(self.read_only_text, 1)
        row.addWidget(self.addenda_button)
        self.read_only_banner.hide()
        return self.read_only_banner

    # -- showing where the minute stands ------------------------------------------------------------

    def refresh_title(self) -> None:
        values, minute = self.state.values, self.state.minute
        kind = spec.field("purpose.meeting_type").display(values.get("meeting_type")) or "Meeting"
        when = spec.field("meeting_details.meeting_date").display(values.get("meeting_date")) or "date not set"
        state = {"draft": "DRAFT", "issued": "DRAFT (issued)", "finalised": "FINALISED"}[minute.status]
        self.title.setText(f"{self.state.case.reference}  ·  {kind} meeting, {when}  ·  {state}")
        editable = self.state.editable
        self.issue_button.setVisible(editable)
        self.issue_button.setText("Issue…" if minute.status == "draft" else "Issue again…")
        self.finalise_button.setVisible(editable)
        self.check_button.setVisible(editable)

    def refresh_read_only(self) -> None:
        minute = self.state.minute
        if minute.editable:
            self.read_only_banner.hide()
            return
        when = format_datetime_local(minute.finalised_at) if minute.finalised_at else "an earlier date"
        count = len(minute.addenda)
        self.read_only_text.setText(
            f"FINALISED on {when}: this minute is the approved record and cannot be changed on any "
            f"screen. To correct or add to it, add an addendum with the reason"
            + (f" ({count} so far)." if count else "."))
        self.addenda_button.setText(f"Add&enda ({count})…" if count else "Add an add&endum…")
        self.read_only_banner.show()

    # -- the check, issue, finalise -----------------------------------------------------------------

    def show_check(self):
        from ..ops.minute import check
        from .minute_dialogs import CheckDialog

        self.flush()
        items = check(store=self.store, meeting_id=self.meeting_id, today=self.store.today())
        dialog = CheckDialog(items, self)
        dialog.jump.connect(self._jump_to)
        self.check_dialog = dialog
        dialog.open()
        return dialog

    def _jump_to(self, item) -> None:
        self.window().activateWindow()  # focus comes back here from the check's window
        self.go_to(item.section, item.field, item.row)

    def issue_draft(self):
        """Record that the draft went out for comment (to whom, when), with the copies logged."""
        from .signoff_dialogs import issue_dialog

        if not self.flush():
            return None
        dialog = issue_dialog(self.store, self.meeting_id, self.store.today(), case_id=self.minute.case_id,
                              parent=self)
        dialog.saved.connect(self.reload)
        self.issue_dialog = dialog
        dialog.open()
        return dialog

    def start_finalise(self):
        from ..corrections import corrections
        from ..ops.minute import check, content_of
        from .signoff_dialogs import FinaliseDialog

        if not self.flush():
            return None
        items = check(store=self.store, meeting_id=self.meeting_id, today=self.store.today())
        issues = self.store.signoff.issues(self.meeting_id)
        changed = corrections(self.store.signoff.issued_content(issues[-1].id),
                              content_of(self.store, self.meeting_id)) if issues else ()
        users = [u for u in self.store.users.all() if u.active]
        dialog = FinaliseDialog(items, users=users, chair=self.state.values.get("chair") or "",
                                meeting_date=self.state.values.get("meeting_date"), today=self.store.today(),
                                corrections=changed, issued_on=issues[-1].issued_on if issues else None,
                                names_for=lambda kind: self.names[kind], parent=self)
        dialog.submitted.connect(lambda acks, approval, user_id, passphrase:
                                 self._finalise(dialog, acks, approval, user_id, passphrase))
        self.finalise_dialog = dialog
        dialog.open()
        return dialog

    def _finalise(self, dialog, acknowledgements: dict, approval: dict, user_id, passphrase: str) -> None:
        from PySide6.QtCore import Qt

        from ..db.errors import StoreError, ValidationError
        from ..ops.minute import finalise

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a passphrase takes a moment
        try:
            finalise(store=self.store, meeting_id=self.meeting_id, acknowledgements=acknowledgements,
                     today=self.store.today(), approval=approval, approver_user_id=user_id,
                     passphrase=passphrase or None)
        except ValidationError as exc:
            dialog.show_problems(exc.problems or [_Problem(exc.field, exc.reason)])
            return
        except StoreError as exc:
            dialog.show_error(exc.reason)
            return
        finally:
            QApplication.restoreOverrideCursor()
        dialog.accept()
        self.reload()
        self.finalised.emit()

    # -- addenda ----------------------------------------------------------------------------------

    def show_addenda(self) -> QDialog:
        from .minute_dialogs import AddendaDialog

        dialog = AddendaDialog(self.store, self.meeting_id, self.state.minute.addenda,
                               case_id=self.minute.case_id, parent=self)

        def added() -> None:
            dialog.accept()
            self.reload()

        dialog.panel.added.connect(added)
        self.addenda_dialog = dialog
        dialog.open()
        dialog.panel.body.setFocus()
        return dialog

    # -- actions from anywhere ----------------------------------------------------------------------

    def capture_action(self):
        """Ctrl+Shift+A from anywhere: a small panel, then back to where the cursor was."""
        if not self.state.editable:
            return None
        from .minute_dialogs import ActionCaptureDialog

        page = self.ensure_page("actions")
        return_to = QApplication.focusWidget()
        agency_of = {p.name: p.agency for p in self.store.directory.people()}
        dialog = ActionCaptureDialog(self.names[spec.Kind.PERSON], self.names[spec.Kind.AGENCY], agency_of, self)
        dialog.keep_typing(self.store, draft_key(self.minute.case_id, "action", self.meeting_id))

        def accepted(raw: dict) -> None:
            from ..db.errors import StoreError

            try:
                with self.store.changes.origin(self):
                    action_id, problems = self.state.raise_action(raw)
            except StoreError as exc:  # the words stay in the dialog, to add again
                dialog.show_error(f"NOT SAVED: {exc.reason}. The action is not added yet: press Add action again.")
                return
            if problems:
                dialog.show_error("\n".join(p.message for p in problems))
                return
            dialog.accept()
            page.refresh()
            self._update_mark("actions")
            self.status.setText(f"Action added. Saved {datetime.now():%H:%M:%S}")

        def finished(_code: int) -> None:
            self.window().activateWindow()  # without a window manager nobody else does
            if return_to is not None:
                return_to.setFocus()

        dialog.submitted.connect(accepted)
        dialog.finished.connect(finished)
        self.capture_dialog = dialog
        dialog.open()
        return dialog

    # -- printing -----------------------------------------------------------------------------------

    def print_minute(self):
        """The minute or its executive summary: preview, print or save (logged)."""
        from .. import printing
        from ..printouts import minute_job, plan_job, summary_plan, summary_sections
        from .print_dialog import PrintDialog

        if self.tasks is None:
            return None
        self.flush()

        def full():
            content, meta = minute_job(self.store, self.meeting_id)
            return lambda: printing.render_minute(content, meta)

        def summary():
            content, meta = minute_job(self.store, self.meeting_id)
            keep, plan = summary_sections(self.store), summary_plan(self.store)
            return lambda: printing.render_minute(content, meta, summary_sections=keep, summary_plan=plan)

        def plan():
            version, meta = plan_job(self.store, meeting_id=self.meeting_id)
            return lambda: printing.render_plan(version, meta)

        dialog = PrintDialog(self.store, self.tasks, title=f"Print the minute: {self.state.case.reference}",
                             kinds={"Full minute": full, "Executive summary (for requests from outside MAPPA)": summary,
                                    "Risk management plan (this meeting's version)": plan},
                             record_type="meeting", record_id=self.meeting_id, parent=self)
        self.print_dialog = dialog
        dialog.open()
        return dialog
