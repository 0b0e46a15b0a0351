"""The Cases page: the list, one case's overview, a case form or a minute, one at a time."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from .case_editor import CaseEditor
from .case_view import CaseOverview
from .cases_list import CasesListPage
from .widgets import first_field, flush_each, focus_first


class CasesArea(QStackedWidget):
    """The Cases page: the list, one case's overview, or a case form, one at a time."""

    def __init__(self, store, tasks=None, parent: QWidget | None = None, *, kdf=None):
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.kdf = kdf
        self.list_page = CasesListPage(store)
        self.addWidget(self.list_page)
        self.overview: CaseOverview | None = None
        self.editor: CaseEditor | None = None
        self.minute_editor = None
        self.list_page.open_case.connect(self.open_case)
        self.list_page.new_case.connect(lambda: self.edit_case(None))
        self.list_page.resume_draft.connect(self._resume_draft)
        self._offer_drafts()

    def _offer_drafts(self) -> None:
        keys = self.store.drafts.keys("case_form:")
        self.list_page.show_resume(keys[-1] if keys else None)

    def _resume_draft(self, key: str) -> None:
        target = key.split(":", 1)[1]
        self.edit_case(None if target == "new" else int(target))

    # -- where we are (ids only: remembered across a lock) -----------------------------------

    def location(self) -> dict:
        if self.minute_editor is not None and self.currentWidget() is self.minute_editor:
            return {"meeting_id": self.minute_editor.meeting_id,
                    "section": self.minute_editor.current_section()}
        if self.editor is not None and self.currentWidget() is self.editor:
            case = self.editor.case
            return {"editing": case.id if case else "new"}
        if self.overview is not None and self.currentWidget() is self.overview:
            return {"case_id": self.overview.case.id}
        return {}

    def restore(self, location: dict) -> None:
        if location.get("meeting_id"):
            self.open_meeting(location["meeting_id"])
            if self.minute_editor is not None and location.get("section"):
                self.minute_editor.go_to(location["section"])
        elif "editing" in location:
            editing = location["editing"]
            self.edit_case(None if editing == "new" else editing)
        elif location.get("case_id"):
            self.open_case(location["case_id"])

    # -- moving between views ------------------------------------------------------------------

    def _replace(self, attr: str, widget: QWidget | None) -> None:
        old = getattr(self, attr)
        if old is not None:
            dispose = getattr(old, "dispose", None)
            if callable(dispose):
                dispose()
            self.removeWidget(old)
            old.deleteLater()
        setattr(self, attr, widget)
        if widget is not None:
            self.addWidget(widget)
            self.setCurrentWidget(widget)
            focus_first(widget)  # a new screen: the keyboard on its first field

    def initial_focus(self):
        return first_field(self.currentWidget())

    def _can_leave(self) -> bool:
        """The view on screen saves what is typed in it before another replaces it. If it
        cannot, it stays, its NOT SAVED line showing with Retry."""
        current = self.currentWidget()
        return current is self.list_page or flush_each([current])

    def _refused(self, text: str) -> None:
        self.show_list()
        self.list_page.message.setText(text)

    def show_list(self) -> None:
        if not self._can_leave():
            return
        self.list_page.message.clear()
        self._replace("minute_editor", None)
        self._replace("editor", None)
        self._replace("overview", None)
        self._offer_drafts()  # the list itself follows the store (``watch``), on being shown
        self.setCurrentWidget(self.list_page)
        self.list_page.search.setFocus()

    def open_case(self, case_id: int) -> bool:
        """The case's overview; False if the view on screen could not be left, or the case
        could not be opened (said on the list)."""
        from ..db.errors import NotFound, StoreError

        if not self._can_leave():
            return False
        try:
            case = self.store.cases.get(case_id)  # audited as a consultation
        except NotFound:
            self.show_list()
            return False
        except StoreError as exc:  # opening a case is logged first; a store that refuses writes cannot
            self._refused(f"The case was not opened: {exc.reason}, and opening a case is written to the "
                          "audit log first.")
            return False
        self._replace("editor", None)
        self._replace("minute_editor", None)
        overview = CaseOverview(self.store, case, tasks=self.tasks, kdf=self.kdf)
        overview.back_requested.connect(self.show_list)
        overview.edit_requested.connect(lambda: self.edit_case(case_id))
        overview.open_meeting.connect(self.open_meeting)
        overview.new_meeting.connect(lambda: self.new_meeting(case_id))
        self._replace("overview", overview)
        self.list_page.message.clear()
        return True

    def edit_case(self, case_id: int | None) -> None:
        if not self._can_leave():
            return
        case = self.store.cases.get(case_id, consult=False) if case_id else None
        editor = CaseEditor(self.store, case)
        draft = self.store.drafts.get(editor.draft_key)
        if draft:
            editor.restore_raw_state(draft)
        editor.saved.connect(self.open_case)
        editor.cancelled.connect(lambda: self.open_case(case_id) if case_id else self.show_list())
        self._replace("editor", editor)

    def new_meeting(self, case_id: int) -> None:
        from .meeting_start import NewMeetingDialog

        if not self._can_leave():  # the minute it starts could not be shown
            return
        dialog = NewMeetingDialog(self.store, case_id, self)
        dialog.created.connect(self.open_meeting)
        self.new_meeting_dialog = dialog
        dialog.open()

    def open_meeting(self, meeting_id: int) -> bool:
        """The meeting's minute; False if the view on screen could not be left."""
        from .minute_editor import MinuteEditor

        from ..db.errors import StoreError

        if not self._can_leave():
            return False
        try:
            editor = MinuteEditor(self.store, meeting_id, tasks=self.tasks)  # audited as a consultation
        except StoreError as exc:
            self._refused(f"The minute was not opened: {exc.reason}, and opening a minute is written to the "
                          "audit log first.")
            return False
        editor.closed.connect(lambda: self.open_case(editor.minute.case_id))
        self._replace("minute_editor", editor)
        self.list_page.message.clear()
        return True

    def flush(self) -> bool:
        """On lock and close: the minute saves now; an open case form keeps a draft."""
        ok = True
        if self.minute_editor is not None:
            ok = self.minute_editor.flush() and ok
        if self.editor is not None:
            ok = self.editor.flush() and ok
        if self.overview is not None:
            ok = self.overview.flush() and ok  # a review's stages
        return ok
