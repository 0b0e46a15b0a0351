"""The meeting editor: the minute taken live, one section at a time.

Left, the sections with a mark each (○ empty, ◐ started, ● complete: the completeness
check's verdict on that section); middle, the current section's page (``minute_pages``,
one class per kind of section); right, its guidance (F1 hides it). The editor is a view of
``ops.minute_state.MinuteState``: it holds no rule. Every edit is saved within about a
second; switching section, locking and closing save at once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
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
from ..ops.minute_state import MinuteState, last_meeting_lines, unit_section
from .autosave import Autosaver, SaveStatus
from .case_editor import names_from_directory
from .changes import watch
from .minute_lifecycle import MinuteLifecycle
from .minute_pages import PAGES, PageContext, SectionPage
from .widgets import plain_label, scroll_area

log = logging.getLogger(__name__)

MARKS = {"empty": "○", "started": "◐", "complete": "●"}


class MinuteEditor(MinuteLifecycle, QWidget):
    """Edits one meeting's minute. ``closed`` asks the case view to show the case again."""

    closed = Signal()
    finalised = Signal()

    def __init__(self, store, meeting_id: int, *, autosave_ms: int = 1000, tasks=None, parent=None):
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.meeting_id = meeting_id
        self.state = MinuteState(store, meeting_id)  # audited: the minute was consulted
        self.autosaver = Autosaver(autosave_ms, self)
        self._marks_timer = QTimer(self)
        self._marks_timer.setSingleShot(True)
        self._marks_timer.setInterval(0)
        self._marks_timer.timeout.connect(self._refresh_marks)
        self.sections = list(spec.SECTIONS)
        self.page_of: dict[str, SectionPage] = {}  # built on first visit
        names_for = names_from_directory(store)
        self.names = {kind: list(names_for(kind)) for kind in (spec.Kind.PERSON, spec.Kind.AGENCY)}
        self.ctx = PageContext(store, self.state, lambda kind: self.names[kind], self._now_hhmm,
                               self.capture_action)

        self.title = plain_label("")
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)  # wraps before it widens the window past 1366 pixels
        self.back_button = QPushButton("← Case")
        self.back_button.setToolTip("Save and go back to the case (Alt+Left)")
        self.header = QHBoxLayout()
        self.header.addWidget(self.back_button)
        self.header.addWidget(self.title, 1)
        self.build_lifecycle_buttons(self.header)

        self.section_list = QListWidget()
        self.section_list.setObjectName("sectionList")
        self.section_list.setAccessibleName("Sections of the minute")
        self.section_list.setMaximumWidth(380)
        self.section_list.setMinimumWidth(150)
        self.section_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.section_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pages = QStackedWidget()
        for section in self.sections:
            item = QListWidgetItem(self._item_text(section, "empty"))
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            if section.shortcut:
                item.setToolTip(f"Alt+{section.shortcut}")
            self.section_list.addItem(item)
            self.pages.addWidget(QWidget())  # built on first visit
        splitter = self.splitter = QSplitter()
        splitter.addWidget(self.section_list)
        splitter.addWidget(self.pages)
        splitter.addWidget(self._guidance_box())
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([330, 700, 260])
        self._sized_by_hand = False
        splitter.splitterMoved.connect(lambda *_: setattr(self, "_sized_by_hand", True))

        self.save_status = SaveStatus(self.autosaver)
        self.status, self.retry_button = self.save_status.label, self.save_status.retry_button

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(self.header)
        layout.addWidget(self.build_read_only_banner())
        layout.addWidget(self.build_issue_banner())
        layout.addWidget(splitter, 1)
        layout.addWidget(self.save_status)

        self.section_list.currentRowChanged.connect(self._section_changed)
        self.back_button.clicked.connect(self._back)
        self._shortcuts()
        # What others change (the register, a review, the case form) shows here too.
        watch(self, store, self._changed_elsewhere,
              lambda c: c.touches_case(self.state.minute.case_id) and not c.only_from(self))
        self.refresh_view()
        self.section_list.setCurrentRow(0)
        self.ensure_page(self.sections[0].key)

    # -- building -------------------------------------------------------------------------

    def _guidance_box(self) -> QWidget:
        self.guidance = plain_label("")
        self.guidance.setWordWrap(True)
        self.guidance.setObjectName("guidance")
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box = QFrame()
        box.setObjectName("guidanceBox")
        column = QVBoxLayout(box)
        heading = plain_label("Guidance (F1 hides)")
        heading.setObjectName("sectionTitle")
        column.addWidget(heading)
        column.addWidget(self.guidance)
        self.last_meeting = plain_label("\n".join(last_meeting_lines(self.store, self.state.minute.case_id,
                                                                     self.meeting_id)))
        self.last_meeting.setObjectName("lastMeeting")
        self.last_meeting.setWordWrap(True)
        self.last_meeting.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.last_meeting.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.last_meeting.setVisible(bool(self.last_meeting.text()))  # the first meeting has none
        column.addWidget(self.last_meeting)
        column.addStretch(1)
        self.guidance_box = box
        return box

    @staticmethod
    def _item_text(section: spec.Section, mark: str) -> str:
        key = f"  Alt+{section.shortcut}" if section.shortcut else ""
        return f"{MARKS[mark]}  {section.title}{key}"

    def _shortcuts(self) -> None:
        for section in self.sections:
            if section.shortcut:
                QShortcut(QKeySequence(f"Alt+{section.shortcut}"), self, lambda k=section.key: self.go_to(k))
        QShortcut(QKeySequence("Ctrl+PgDown"), self, lambda: self._step(1))
        QShortcut(QKeySequence("Ctrl+PgUp"), self, lambda: self._step(-1))
        QShortcut(QKeySequence("Ctrl+G"), self, self.go_to_dialog)
        QShortcut(QKeySequence("Ctrl+Shift+A"), self, self.capture_action)
        QShortcut(QKeySequence("Ctrl+S"), self, self.flush)
        QShortcut(QKeySequence("F1"), self, lambda: self.guidance_box.setVisible(not self.guidance_box.isVisible()))
        QShortcut(QKeySequence("Ctrl+Shift+L"), self, self.toggle_section_list)
        QShortcut(QKeySequence("Alt+Left"), self, self._back)
        self.lifecycle_shortcuts()

    def toggle_section_list(self) -> None:
        """Ctrl+Shift+L hides the list of sections (its room goes to the form) or shows it;
        Alt keys, Ctrl+G and Ctrl+PgUp/PgDown still move between sections."""
        hide = self.section_list.isVisible()
        if hide and self.section_list.hasFocus():
            self.ensure_page(self.current_section()).focus_target().setFocus()
        self.section_list.setVisible(not hide)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if not self._sized_by_hand:  # until the splitter is dragged, the form gets what is spare
            width = self.splitter.width()
            listed = max(190, min(330, int(width * 0.2)))
            guidance = max(190, min(260, int(width * 0.18)))
            self.splitter.setSizes([listed, max(300, width - listed - guidance), guidance])

    def ensure_page(self, key: str) -> SectionPage:
        """Build a section's page (once, on first visit) and fill it from the state."""
        page = self.page_of.get(key)
        if page is not None:
            return page
        index = next(i for i, s in enumerate(self.sections) if s.key == key)
        section = self.sections[index]
        page = PAGES[section.page](section, self.ctx)
        page.edited.connect(self._edited)
        self.page_of[key] = page
        page.column.addStretch(1)
        scroll = scroll_area(page)  # the section's fields take the keyboard, not the area
        placeholder = self.pages.widget(index)
        current = self.pages.currentIndex()
        self.pages.insertWidget(index, scroll)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()
        self.pages.setCurrentIndex(current)
        page.load()
        page.set_read_only(not self.state.editable)
        self._update_mark(key)
        return page

    # -- the view follows the state --------------------------------------------------------

    def refresh_view(self) -> None:
        """Title, buttons, read-only banner and every mark, from the state."""
        self.refresh_title()
        self.refresh_read_only()
        self.refresh_issue_banner()
        self._refresh_marks()

    def _refresh_marks(self) -> None:
        """Every section's mark from one run of the check (a value of one section can change
        another's: the meeting's date, the review after it)."""
        marks = self.state.marks()
        for index, section in enumerate(self.sections):
            self.section_list.item(index).setText(self._item_text(section, marks[section.key]))

    def _update_mark(self, key: str) -> None:
        index = next(i for i, s in enumerate(self.sections) if s.key == key)
        section = self.sections[index]
        self.section_list.item(index).setText(self._item_text(section, self.state.mark(key)))

    def section_state(self, section: spec.Section) -> str:
        return self.state.mark(section.key)

    def _changed_elsewhere(self, change) -> None:
        if self.autosaver.dirty:
            self.flush()
        if change.touches("case"):
            self.state.reload()
        else:
            self.state.refresh_actions()
        for page in self.page_of.values():
            page.refresh()
        self.refresh_view()

    def reload(self) -> None:
        """After a life-cycle step (issued, finalised, an addendum): read it all again."""
        self.state.reload()
        for page in self.page_of.values():
            page.refresh()
            page.set_read_only(not self.state.editable)
        self.refresh_view()

    # -- navigation ---------------------------------------------------------------------------

    def current_section(self) -> str:
        return self.sections[self.section_list.currentRow()].key

    def go_to(self, key: str, field: str = "", row: int | None = None) -> None:
        index = next(i for i, s in enumerate(self.sections) if s.key == key)
        self.section_list.setCurrentRow(index)
        target = self.ensure_page(key).focus_target(field, row)
        if target is not None:
            target.setFocus()
            page = self.pages.currentWidget()
            if isinstance(page, QScrollArea):
                page.ensureWidgetVisible(target)

    def show_found(self, section: str, field: str, text: str, row_id: int | None = None) -> int:
        """Open at the place a search found ``text`` (a field, or the field of one row:
        an agency update, a decision, an action, an addendum) and highlight the words.
        Returns how many places are highlighted (0: shown, nothing to mark)."""
        from ..oversight.search import parse
        from .found import mark_found

        query = parse(text)
        if section == "addenda":  # not a section of the minute: read in the addenda window
            targets = self.show_addenda().findChildren(QLabel)
        else:
            page = self.ensure_page(section)
            target = page.found_target(field, row_id)
            self.go_to(section, field)
            targets = [target]
        for target in targets:
            if target is not None and (count := mark_found(target, query)):
                target.setFocus()
                page = self.pages.currentWidget()
                if isinstance(page, QScrollArea):
                    page.ensureWidgetVisible(target)
                return count
        return 0

    def initial_focus(self):
        """A minute opens on its section's first field (on a new minute: Agreed now)."""
        return self.ensure_page(self.current_section()).focus_target() or self.section_list

    def _step(self, delta: int) -> None:
        row = max(0, min(len(self.sections) - 1, self.section_list.currentRow() + delta))
        self.go_to(self.sections[row].key)

    def _section_changed(self, row: int) -> None:
        if row < 0:
            return
        self.flush()  # switching section saves at once
        page = self.ensure_page(self.sections[row].key)
        self.pages.setCurrentIndex(row)
        self.guidance.setText(self.sections[row].guidance)
        target = page.focus_target()
        if target is not None and not self.section_list.hasFocus():
            target.setFocus()

    def go_to_dialog(self) -> None:
        from .minute_dialogs import GoToSectionDialog

        dialog = GoToSectionDialog(self.sections, self)
        dialog.chosen.connect(self.go_to)
        dialog.open()

    # -- editing and saving -----------------------------------------------------------------------

    def _page_for(self, unit: str) -> SectionPage:
        return self.page_of[unit_section(unit)]

    def _edited(self, unit: str) -> None:
        if not self.state.editable:
            return
        self.state.edit(unit, self._page_for(unit).raw(unit))
        self.autosaver.register(unit, lambda u=unit: self._save(u))
        self.autosaver.mark_dirty(unit)
        self._update_mark(unit_section(unit))
        self.save_status.saving()

    def _save(self, unit: str) -> None:
        page = self._page_for(unit)
        with self.store.changes.origin(self):
            problems = self.state.save(unit, page.raw(unit))
        page.show_problems(unit, problems)
        self._update_mark(unit_section(unit))
        self._marks_timer.start()  # the other sections' marks, once the save is done

    def flush(self) -> bool:
        """Save everything pending now (section switch, lock, close, Ctrl+S)."""
        return self.autosaver.flush()

    def dispose(self) -> None:
        self.flush()
        self.autosaver.stop()

    def _now_hhmm(self) -> str:
        from ..dates import UK

        return self.store.clock().astimezone(UK).strftime("%H:%M")

    def _back(self) -> None:
        if self.flush():  # NOT SAVED: the minute stays on screen, with Retry
            self.closed.emit()

    # -- for tests and the problems view -------------------------------------------------------

    @property
    def minute(self):
        return self.state.minute

    @property
    def forms(self) -> "_Forms":
        """The form of each section's page by section key (built when asked for)."""
        return _Forms(self)

    def form(self, key: str):
        return self.ensure_page(key).form

    @property
    def actions_panel(self):
        return self.ensure_page("actions").panel

    @property
    def review_rows(self) -> dict:
        return self.ensure_page("previous_actions").rows

    @property
    def confirm_button(self):
        return self.ensure_page("confidentiality").confirm_button

    def field(self, path: str) -> QWidget:
        """The widget of ``section.field`` (its focus target), e.g. ``rosh.rosh_rationale``."""
        section_key, _, field_key = path.partition(".")
        return self.form(section_key).widgets[field_key].focus_target()


class _Forms:
    """``editor.forms[key]``: the form on a section's page, the page built if need be."""

    def __init__(self, editor: MinuteEditor):
        self._editor = editor

    def __getitem__(self, key: str):
        return self._editor.form(key)

    def get(self, key: str, default=None):
        return getattr(self._editor.page_of.get(key), "form", default)

    def values(self):
        return [getattr(page, "form", None) for page in self._editor.page_of.values()]
