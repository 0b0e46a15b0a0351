"""The pages of the meeting editor, one class per kind of section (``spec.Form``).

The editor asks :data:`PAGES` for the class that shows a section and never looks at which
section it is. Every page speaks in *units* (what saves as one piece: a section, an
action agreed, an earlier action under review): it says when a unit is edited, hands over
its words as typed (``raw``), shows the problems the rules found, and can be made
read-only. Rules live in ``ops.minute_state`` / ``mappa_desktop.rules``, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from .. import spec
from ..ops.minute_state import MinuteState
from .forms import RowsForm, SectionForm
from .minute_review import ReviewRow
from .minute_sections import ActionsPanel, AttendancePanel, CaseSectionView
from .widgets import plain_label

Form = spec.Form


@dataclass
class PageContext:
    """What pages need from the editor: the minute's state, names to pick from, the time
    now (hh:mm, UK) and the way to capture an action."""

    store: object
    state: MinuteState
    names_for: Callable
    now_hhmm: Callable[[], str]
    capture_action: Callable[[], object]


class SectionPage(QWidget):
    """A section of the minute on screen. ``edited(unit)`` when something is typed."""

    edited = Signal(str)

    def __init__(self, section: spec.Section, ctx: PageContext, parent=None):
        super().__init__(parent)
        self.section, self.ctx = section, ctx
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(8, 4, 8, 8)
        title = plain_label(section.title)
        title.setObjectName("sectionTitle")
        self.column.addWidget(title)

    @property
    def unit(self) -> str:
        return f"section:{self.section.key}"

    def units(self) -> list[str]:
        return [self.unit]

    def owns(self, unit: str) -> bool:
        return unit in self.units()

    def raw(self, unit: str):
        raise NotImplementedError

    def load(self) -> None:
        """Fill from the state (and put back words kept as typed)."""

    def refresh(self) -> None:
        """Show the state again after a change made elsewhere (default: nothing to do)."""

    def show_problems(self, unit: str, problems) -> None:
        """Show each problem beside its field."""

    def set_read_only(self, read_only: bool) -> None:
        """Nothing can be changed on a finalised minute."""

    def focus_target(self, field: str = "", row: int | None = None) -> QWidget | None:
        return None

    def found_target(self, field: str, row_id: int | None) -> QWidget | None:
        """Where a search hit in this section is shown: the field, in the row with that id."""
        rows = self.ctx.state.minute.rows.get(self.section.key) or ()
        row = next((i for i, r in enumerate(rows) if r.get("id") == row_id), None)
        return self.focus_target(field, row)


class _FormPage(SectionPage):
    """A page whose section is one form (single values, or repeating rows): what is typed
    is the form's raw state, problems show beside their fields, words kept as typed come
    back when the page is built."""

    form: QWidget

    def raw(self, unit: str):
        return self.form.raw_state()

    def _restore_kept(self) -> None:
        kept = self.ctx.state.kept_words(self.unit)
        if kept:
            self.form.restore_raw_state(kept)
            self.show_problems(self.unit, self.ctx.state.typed.get(self.unit, ()))

    def show_problems(self, unit, problems) -> None:
        self.form.clear_problems()
        for problem in problems:
            self.form.show_problem(problem.field, problem.message)

    def set_read_only(self, read_only: bool) -> None:
        self.form.set_read_only(read_only)


class FieldsPage(_FormPage):
    """Single values in a form built from the spec."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        self.form = SectionForm(section, ctx.names_for)
        self.form.edited.connect(lambda: self.edited.emit(self.unit))
        self.extras()
        self.column.addWidget(self.form)

    def extras(self) -> None:
        """Anything a kind of page shows above the form."""

    def load(self) -> None:
        self.form.load(self.ctx.state.values)
        self._restore_kept()

    def focus_target(self, field="", row=None):
        widget = self.form.widgets.get(field) or next(iter(self.form.widgets.values()))
        return widget.focus_target()


class StatementPage(FieldsPage):
    """The confidentiality statement read out, with one key to record that all agreed."""

    def extras(self) -> None:
        box = QFrame()
        box.setObjectName("statementBox")
        column = QVBoxLayout(box)
        statement = plain_label(self.ctx.store.settings.get("confidentiality_statement") or "")
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
        self.confirm_button.clicked.connect(self.confirm)
        self.reaffirm_button.clicked.connect(self.reaffirm)
        self.column.addWidget(box)

    def confirm(self) -> None:
        self.form.widgets["confidentiality_agreed"].set_value(1)
        self.form.widgets["confidentiality_time"].set_value(self.ctx.now_hhmm())
        self.edited.emit(self.unit)

    def reaffirm(self) -> None:
        field = self.form.widgets["confidentiality_reaffirmed"]
        current = field.value() or ""
        field.set_value((current + "; " if current else "") + f"re-affirmed at {self.ctx.now_hhmm()}")
        field.focus_target().setFocus()
        field.focus_target().end(False)
        self.edited.emit(self.unit)

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.confirm_button.setVisible(not read_only)
        self.reaffirm_button.setVisible(not read_only)

    def focus_target(self, field="", row=None):
        if not field and self.ctx.state.editable:
            return self.confirm_button  # the one thing to do at the start: Space records it
        return super().focus_target(field, row)


class RowsPage(_FormPage):
    """Repeating rows, each a small form (documents, agency updates, disclosures)."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        self.form = RowsForm(section, ctx.names_for, problem_prefix=section.key)
        self.form.edited.connect(lambda: self.edited.emit(self.unit))
        self.column.addWidget(self.form)

    def load(self) -> None:
        rows = self.ctx.state.minute.rows.get(self.section.key, ())
        self.form.load(rows, [r["id"] for r in rows])
        self._restore_kept()

    def focus_target(self, field="", row=None):
        if not self.form.rows:
            return self.form.add_button
        index = row if row is not None and row < len(self.form.rows) else 0
        widgets = self.form.rows[index].widgets
        return (widgets.get(field) or next(iter(widgets.values()))).focus_target()


class AttendancePage(SectionPage):
    """One line a person, marked present, apologies or did not attend with one key."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        self.form = AttendancePanel(ctx.store.directory.people())
        self.form.edited.connect(lambda: self.edited.emit(self.unit))
        self.read_only_note = plain_label("")
        self.read_only_note.setObjectName("warning")
        self.read_only_note.hide()
        self.form.table.refused.connect(self._refused)
        self.column.addWidget(self.form)
        self.column.addWidget(self.read_only_note)

    def _refused(self) -> None:
        self.read_only_note.setText("This minute is finalised: attendance cannot be changed. "
                                    "Add an addendum to correct it.")
        self.read_only_note.show()

    def raw(self, unit: str):
        return self.form.rows()

    def load(self) -> None:
        self.form.load(self.ctx.state.minute.rows.get(self.section.key, ()))

    def set_read_only(self, read_only: bool) -> None:
        self.form.set_read_only(read_only)

    def focus_target(self, field="", row=None):
        table = self.form.table
        if row is not None and row < table.rowCount():
            table.setCurrentCell(row, 0)
        return table if table.rowCount() else self.form.picker


class CasePage(SectionPage):
    """A section of the case record, shown as it is (corrected on the case, not here)."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        self.view: QWidget | None = None

    def units(self) -> list[str]:
        return []

    def load(self) -> None:
        if self.view is not None:
            self.column.removeWidget(self.view)
            self.view.deleteLater()
        self.view = CaseSectionView(self.section, self.ctx.state.case)
        self.column.addWidget(self.view)

    refresh = load


class ActionsPage(SectionPage):
    """The actions agreed at this meeting; each saves as its own unit."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        names = ctx.names_for
        self.panel = ActionsPanel(list(names(spec.Kind.PERSON)), list(names(spec.Kind.AGENCY)))
        self.panel.add_requested.connect(ctx.capture_action)
        self.column.addWidget(self.panel)

    def units(self) -> list[str]:
        return [f"action:{action_id}" for action_id in self.panel.rows]

    def raw(self, unit: str):
        return self.panel.rows[int(unit.partition(":")[2])].raw()

    def load(self) -> None:
        for action in self.ctx.state.actions.values():
            self._show(action)
            kept = self.ctx.state.kept_words(f"action:{action.id}")
            if kept:
                self.panel.rows[action.id].set_raw(kept)

    def refresh(self) -> None:
        for action in self.ctx.state.actions.values():
            if f"action:{action.id}" not in self.ctx.state.typed:  # words with problems stay
                self._show(action)
        self.set_read_only(not self.ctx.state.editable)

    def _show(self, action) -> None:
        row = self.panel.show_action(action)
        if not getattr(row, "_wired", False):
            row.edited.connect(lambda action_id: self.edited.emit(f"action:{action_id}"))
            row.withdraw_requested.connect(self._withdraw)
            row._wired = True

    def _withdraw(self, action_id: int) -> None:
        from .minute_dialogs import ask_reason

        def then(reason: str) -> None:
            problems = self.ctx.state.withdraw(action_id, reason)
            self.panel.rows[action_id].show_problems(problems)
            self._show(self.ctx.state.actions[action_id])

        ask_reason(self, "Withdraw the action", "Why is this action withdrawn? It stays in the register.", then)

    def show_problems(self, unit, problems) -> None:
        row = self.panel.rows.get(int(unit.partition(":")[2]))
        if row is not None:
            row.show_problems(problems)

    def set_read_only(self, read_only: bool) -> None:
        self.panel.set_read_only(read_only)
        if not read_only:  # a withdrawn action stays read-only
            for action_id, row in self.panel.rows.items():
                row.set_read_only(self.ctx.state.actions[action_id].status == "withdrawn")

    def found_target(self, field, row_id):
        row = self.panel.rows.get(row_id)
        return row.text if row is not None else self.focus_target(field)

    def focus_target(self, field="", row=None):
        rows = list(self.panel.rows.values())
        if not rows:
            return self.panel.add_button
        chosen = rows[row] if row is not None and row < len(rows) else rows[0]
        widget = chosen.widgets.get(field) or chosen.text
        return widget.focus_target() if hasattr(widget, "focus_target") else widget


class ReviewPage(SectionPage):
    """Earlier actions reviewed at this meeting: each arrives to review, and is recorded as
    done, carried forward to a new date, or withdrawn."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)
        self.rows: dict[int, ReviewRow] = {}
        self.box = QVBoxLayout()
        self.empty = plain_label("No earlier action is open or carried forward: nothing to review.")
        self.empty.setObjectName("muted")
        self.column.addLayout(self.box)
        self.column.addWidget(self.empty)

    def units(self) -> list[str]:
        return [f"review:{action_id}" for action_id in self.rows]

    def raw(self, unit: str):
        return self.rows[int(unit.partition(":")[2])].raw()

    def load(self) -> None:
        self.refresh()
        for action_id, row in self.rows.items():
            kept = self.ctx.state.kept_words(f"review:{action_id}")
            if kept:
                row.set_raw(kept)

    def refresh(self) -> None:
        state = self.ctx.state
        for action in state.previous.values():
            row = self.rows.get(action.id)
            if row is None:
                row = ReviewRow(action, state.reviewed(action.id), self.ctx.names_for(spec.Kind.PERSON),
                                self.ctx.names_for(spec.Kind.AGENCY))
                self.rows[action.id] = row
                self.box.addWidget(row)
                row.edited.connect(lambda action_id: self.edited.emit(f"review:{action_id}"))
            elif f"review:{action.id}" not in state.typed:
                row.load(action, state.reviewed(action.id))  # changed elsewhere: show it as it is now
        self.empty.setVisible(not self.rows)
        self.set_read_only(not state.editable)

    def show_problems(self, unit, problems) -> None:
        row = self.rows.get(int(unit.partition(":")[2]))
        if row is not None:
            row.show_problems(problems)

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            row.set_read_only(read_only)

    def found_target(self, field, row_id):
        row = self.rows.get(row_id)
        return row.outcome if row is not None else self.focus_target(field)

    def focus_target(self, field="", row=None):
        rows = list(self.rows.values())
        if not rows:
            return None
        chosen = rows[row] if row is not None and row < len(rows) else rows[0]
        return chosen.status


# The plan's page lives in its own module and builds on FieldsPage, defined above.
from .plan_page import PlanPage  # noqa: E402

#: The page for each kind of section: the editor's only way to build one.
PAGES: dict[Form, type[SectionPage]] = {
    Form.FIELDS: FieldsPage,
    Form.STATEMENT: StatementPage,
    Form.ROWS: RowsPage,
    Form.TABLE: AttendancePage,
    Form.CASE: CasePage,
    Form.CASE_ROWS: CasePage,
    Form.ACTIONS: ActionsPage,
    Form.REVIEW: ReviewPage,
    Form.PLAN: PlanPage,
}
