"""A case's overview, and the area that moves between the list, a case and its form."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import spec
from ..cases import missing_for_minute, upcoming_dates
from ..dates import format_date
from ..model import Case
from .case_editor import CaseEditor
from .cases_list import CasesListPage
from .widgets import plain_label


def display_value(field: spec.Field, value) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return ""
    if field.kind is spec.Kind.DATE:
        return format_date(value)
    if field.kind is spec.Kind.YES_NO:
        return "Yes" if int(value) else "No"
    if field.kind is spec.Kind.CHOICE:
        return field.label_of(value)
    return str(value)


def _value_label(text: str):
    label = plain_label(text or "—")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    if not text:
        label.setObjectName("muted")
    return label


class CaseOverview(QWidget):
    """The whole record, read-only, with what is coming up and what the minute still needs."""

    edit_requested = Signal()
    back_requested = Signal()

    def __init__(self, store, case: Case, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.case = case
        today = store.clock().date()

        heading = plain_label(f"{case.reference}  ·  {case.full_name}")
        heading.setObjectName("pageTitle")
        status_bits = [
            display_value(spec.field_of_case("category"), case.get("category")),
            display_value(spec.field_of_case("mappa_level"), case.get("mappa_level")),
        ]
        if case.get("current_rosh"):
            status_bits.append("Risk of serious harm: " + display_value(spec.field_of_case("current_rosh"), case.get("current_rosh")))
        if case.status == "archived":
            status_bits.append("ARCHIVED")
        summary = plain_label("  ·  ".join(b for b in status_bits if b))
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
        top.addWidget(self.edit_button)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._attention(today))
        for section in spec.CASE_SECTIONS:
            if section.key == "case_status":
                continue
            column.addWidget(self._section_box(section))
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addLayout(top)
        layout.addWidget(heading)
        layout.addWidget(summary)
        layout.addWidget(scroll, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.edit_button.clicked.connect(self.edit_requested)
        self.archive_button.clicked.connect(self._toggle_archive)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit_requested.emit)
        QShortcut(QKeySequence("Alt+Left"), self, self.back_requested.emit)

    def _attention(self, today) -> QWidget:
        """Key dates falling soon, and what the minute will still ask for."""
        box = QFrame()
        box.setObjectName("attentionBox")
        column = QVBoxLayout(box)
        orders = [o.as_values() for o in self.case.orders]
        upcoming = upcoming_dates(self.case.values, orders, today)
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
        if section.source is spec.Source.CASE_ROWS:
            if not self.case.orders:
                column.addWidget(_value_label(""))
            type_field = section.field("order_type")
            for order in self.case.orders:
                kind = type_field.label_of(order.order_type)
                if order.order_detail:
                    kind += f" ({order.order_detail})"
                dates = f"granted {format_date(order.granted_date) or '—'}"
                dates += f", expires {format_date(order.expiry_date)}" if order.expiry_date else ", no end date"
                column.addWidget(_value_label(f"{kind}: {dates}"))
            return box
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for field in section.fields:
            value = display_value(field, self.case.get(field.key))
            if not value and not field.required:
                continue
            caption = plain_label(field.label)
            caption.setObjectName("caption")
            form.addRow(caption, _value_label(value))
        column.addLayout(form)
        return box

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
        self.store.cases.set_status(self.case.id, "active" if archived else "archived")
        self.back_requested.emit()


class CasesArea(QStackedWidget):
    """The Cases page: the list, one case's overview, or a case form, one at a time."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.list_page = CasesListPage(store)
        self.addWidget(self.list_page)
        self.overview: CaseOverview | None = None
        self.editor: CaseEditor | None = None
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
        if self.editor is not None and self.currentWidget() is self.editor:
            case = self.editor.case
            return {"editing": case.id if case else "new"}
        if self.overview is not None and self.currentWidget() is self.overview:
            return {"case_id": self.overview.case.id}
        return {}

    def restore(self, location: dict) -> None:
        if "editing" in location:
            editing = location["editing"]
            self.edit_case(None if editing == "new" else editing)
        elif location.get("case_id"):
            self.open_case(location["case_id"])

    # -- moving between views ------------------------------------------------------------------

    def _replace(self, attr: str, widget: QWidget | None) -> None:
        old = getattr(self, attr)
        if old is not None:
            self.removeWidget(old)
            old.deleteLater()
        setattr(self, attr, widget)
        if widget is not None:
            self.addWidget(widget)
            self.setCurrentWidget(widget)

    def show_list(self) -> None:
        self._replace("editor", None)
        self._replace("overview", None)
        self.list_page.refresh()
        self._offer_drafts()
        self.setCurrentWidget(self.list_page)
        self.list_page.search.setFocus()

    def open_case(self, case_id: int) -> None:
        from ..db.errors import NotFound

        try:
            case = self.store.cases.get(case_id)  # audited as a consultation
        except NotFound:
            self.show_list()
            return
        self._replace("editor", None)
        overview = CaseOverview(self.store, case)
        overview.back_requested.connect(self.show_list)
        overview.edit_requested.connect(lambda: self.edit_case(case_id))
        self._replace("overview", overview)
        overview.edit_button.setFocus()

    def edit_case(self, case_id: int | None) -> None:
        case = self.store.cases.get(case_id, consult=False) if case_id else None
        editor = CaseEditor(self.store, case)
        draft = self.store.drafts.get(editor.draft_key)
        if draft:
            editor.restore_raw_state(draft)
        editor.saved.connect(self.open_case)
        editor.cancelled.connect(lambda: self.open_case(case_id) if case_id else self.show_list())
        self._replace("editor", editor)

    def flush(self) -> None:
        """On lock and close: an open case form keeps its typing as a draft."""
        if self.editor is not None:
            self.editor.flush()
