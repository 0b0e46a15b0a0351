"""The risk management plan in the meeting editor (``spec.Form.PLAN``): a section's pillars,
each with its entries and what the meeting changed, then the section's discussion.

Built from the spec like every page: an entry shows the fields of ``spec.PLAN_ENTRY`` that
its pillar has (``plan.fields_for``); there is no form per pillar. Each entry saves as its
own unit ("plan:<section>:<id>"), and so does the reason a pillar is not needed
("pillar:<section>:<pillar>"). Adding, ending, keeping, taking back an entry and raising an
action from it go through the minute's state (``ops.minute_state``); the editor follows
through the store's announcement of the change. An entry carried over unchanged is shown
folded to one line, so that a plan of a dozen entries fits the screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from .. import spec
from ..rules.values import is_required
from ..ops.minute_state import pillar_unit, plan_unit
from ..plan import before_words, change_words, condition_label, entry_summary, fields_for, is_live
from .fields import LongTextField, make_field, set_read_only
from .minute_pages import FieldsPage
from .widgets import plain_label

NOT_NEEDED = spec.PLAN_NOT_NEEDED


def _error_label() -> QLabel:
    label = plain_label("")
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #9b1c1c; font-weight: bold;")
    label.setWordWrap(True)
    label.hide()
    return label


def _wide(field: spec.Field) -> bool:
    """Fields given a whole line: paragraphs, a condition's words, a trigger."""
    return field.kind in (spec.Kind.LONG_TEXT, spec.Kind.CONDITION) or (
        field.kind is spec.Kind.TEXT and field.max_length is None)


class EntryCard(QFrame):
    """One entry of the plan: a line that says what it is and what the meeting did to it,
    and its fields (folded away while it is carried over unchanged)."""

    edited = Signal(int)
    requested = Signal(str, int)  # "end" / "keep" / "remove" / "action", entry id

    def __init__(self, entry: dict, names_for, number: int, parent=None):
        super().__init__(parent)
        self.entry_id, self.pillar, self.number = entry["id"], entry["pillar"], number
        self.setObjectName("repeatingRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.read_only = False
        self.conditions: dict = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.setSpacing(3)
        head = QHBoxLayout()
        label = spec.pillar(self.pillar).label
        self.title = plain_label(f"Entry {number}")
        self.title.setStyleSheet("font-weight: bold;")
        self.badge = plain_label("")
        self.badge.setObjectName("planChange")
        self.fold_button = QPushButton("Change…")
        self.action_button = QPushButton("Raise action")
        self.action_button.setToolTip("An action for this entry, owner and date carried over")
        self.end_button = QPushButton("End…")
        self.end_button.setToolTip("End the entry at this meeting, with the reason")
        self.keep_button = QPushButton("Keep in plan")
        self.remove_button = QPushButton("Take back")
        self.remove_button.setToolTip("Remove an entry added at this meeting by mistake")
        head.addWidget(self.title)
        head.addWidget(self.badge)
        head.addStretch(1)
        for button, name in ((self.fold_button, None), (self.action_button, "action"), (self.end_button, "end"),
                             (self.keep_button, "keep"), (self.remove_button, "remove")):
            button.setAccessibleName(f"{label}, entry {number}: {button.text().rstrip('…')}")
            head.addWidget(button)
            if name:
                button.clicked.connect(lambda _c=False, n=name: self.requested.emit(n, self.entry_id))
        self.fold_button.clicked.connect(lambda: self.set_expanded(not self.expanded))
        column.addLayout(head)
        self.summary = plain_label("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.summary)
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}
        row, slot = 0, 0
        for field in fields_for(self.pillar):
            wide = _wide(field)
            if wide and slot:
                row, slot = row + 3, 0
            widget = make_field(field, names_for)
            if isinstance(widget, QComboBox):  # long directory names must not widen the page
                widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                widget.setMinimumContentsLength(10)
            if isinstance(widget, LongTextField):
                widget.MIN_LINES = 2
                widget._fit()
            widget.setAccessibleName(f"{label}, entry {number}: {field.label}")
            caption = QLabel(field.label)
            caption.setBuddy(widget.focus_target())
            error = _error_label()
            span = 3 if wide else 1
            grid.addWidget(caption, row, slot, 1, span)
            grid.addWidget(widget, row + 1, slot, 1, span)
            grid.addWidget(error, row + 2, slot, 1, span)
            self.widgets[field.key], self.errors[field.key], self.captions[field.key] = widget, error, caption
            widget.edited.connect(lambda: self.edited.emit(self.entry_id))
            slot = 0 if wide else slot + 1
            if wide or slot == 3:
                row, slot = row + 3, 0
        for index in range(3):
            grid.setColumnStretch(index, 1)
        column.addWidget(self.body)
        self.error = _error_label()
        column.addWidget(self.error)
        self.expanded = True
        self.entry = dict(entry)
        self.load(entry)

    # -- showing the entry -------------------------------------------------------------------------

    def load(self, entry: dict) -> None:
        """Show the entry as the state holds it (values and what the meeting did to it)."""
        for key, widget in self.widgets.items():
            widget.set_value(entry.get(key))
        self.show_state(entry)

    def show_state(self, entry: dict) -> None:
        """The line, the badge, the buttons and the required marks, from the entry."""
        self.entry = dict(entry)
        change = entry.get("change") or "carried"
        self.badge.setText(change_words(entry).upper() if change != "carried" else "carried over")
        self.badge.setToolTip(before_words(entry) if change == "changed" else entry.get("rationale") or "")
        if self.badge.property("change") != change:
            self.badge.setProperty("change", change)
            self.badge.style().polish(self.badge)
        raised = f"Action {entry['action_number']} raised from this entry." if entry.get("action_number") else ""
        line = entry_summary(entry, self.conditions.get(entry.get("condition_uid")))
        self.summary.setText(raised if self.expanded else f"{line}\n{raised}".strip())
        self.summary.setVisible(bool(self.summary.text()))
        ended = change == "ended"
        self.setProperty("ended", ended)
        record = {**entry, "change": change}
        for key, caption in self.captions.items():
            field = spec.PLAN_ENTRY.field(key)
            caption.setText(field.label + (" *" if is_required(field, record) else ""))
        self._buttons()

    def _buttons(self) -> None:
        change = self.entry.get("change") or "carried"
        editable = not self.read_only
        self.end_button.setVisible(editable and change != "ended" and change != "added")
        self.keep_button.setVisible(editable and change == "ended")
        self.remove_button.setVisible(editable and change == "added")
        self.action_button.setVisible(editable and change != "ended" and not self.entry.get("action_id"))
        self.fold_button.setVisible(True)
        self.fold_button.setText("Fold" if self.expanded else ("Change…" if editable else "Details"))
        for key, widget in self.widgets.items():
            set_read_only(widget, self.read_only or (change == "ended" and key != "rationale"))

    def set_conditions(self, conditions: dict) -> None:
        """The case's conditions by global id (for the line, and the choice of one)."""
        self.conditions = conditions
        widget = self.widgets.get("condition_uid")
        if widget is not None:
            widget.set_choices([(uid, condition_label(c)) for uid, c in conditions.items()])
        self.show_state(self.entry)

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.body.setVisible(expanded)
        self.show_state(self.entry)

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._buttons()

    # -- what is typed -------------------------------------------------------------------------------

    def raw(self) -> dict:
        return {key: widget.raw() for key, widget in self.widgets.items()}

    def set_raw(self, raw) -> None:
        for key, value in (raw or {}).items():
            if key in self.widgets:
                self.widgets[key].set_raw(value)

    def show_problems(self, problems) -> None:
        """Each problem beside its field; any other under the entry."""
        for label in (*self.errors.values(), self.error):
            label.clear()
            label.hide()
        rest = []
        for problem in problems:
            label = self.errors.get(problem.field.rsplit(".", 1)[-1])
            if label is None:
                rest.append(problem.message)
                continue
            label.setText(problem.message)
            label.show()
        if rest:
            self.error.setText("\n".join(rest))
            self.error.show()
        if problems:
            self.set_expanded(True)


class PillarBox(QFrame):
    """A pillar of the plan: its entries, a way to add one, and why it is not needed."""

    def __init__(self, pillar: spec.Choice, parent=None):
        super().__init__(parent)
        self.pillar = pillar
        self.setObjectName("pillarBox")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 6, 0, 4)
        column.setSpacing(4)
        head = QHBoxLayout()
        title = plain_label(pillar.label)
        title.setObjectName("pillarTitle")
        title.setToolTip(pillar.help)
        head.addWidget(title)
        head.addStretch(1)
        self.add_button = QPushButton("Add entry" if pillar.value != "contingency" else "Add trigger and response")
        self.add_button.setAccessibleName(f"{pillar.label}: add an entry")
        head.addWidget(self.add_button)
        column.addLayout(head)
        help_text = plain_label(pillar.help)
        help_text.setObjectName("muted")
        help_text.setWordWrap(True)
        column.addWidget(help_text)
        self.cards_box = QVBoxLayout()
        self.cards_box.setSpacing(4)
        column.addLayout(self.cards_box)
        self.cards: dict[int, EntryCard] = {}
        self.not_needed_row = QWidget()
        row = QHBoxLayout(self.not_needed_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.not_needed = make_field(NOT_NEEDED)
        self.not_needed.setAccessibleName(f"{pillar.label}: {NOT_NEEDED.label}")
        caption = QLabel(NOT_NEEDED.label + ":")
        caption.setBuddy(self.not_needed)
        row.addWidget(caption)
        row.addWidget(self.not_needed, 1)
        column.addWidget(self.not_needed_row)
        self.not_needed_error = _error_label()
        column.addWidget(self.not_needed_error)
        self.not_needed_row.setVisible(pillar.value != "contingency")  # a trigger is always needed


class PlanPage(FieldsPage):
    """A section of the minute that shows pillars of the plan (``Section.pillars``)."""

    def __init__(self, section, ctx, parent=None):
        super().__init__(section, ctx, parent)  # the title, then the section's discussion
        self._build_plan()

    def _build_plan(self) -> None:
        self.cards: dict[int, EntryCard] = {}
        self.boxes: dict[str, PillarBox] = {}
        head = QHBoxLayout()
        heading = plain_label("The risk management plan")
        heading.setObjectName("sectionTitle")
        self.column.addWidget(heading)
        self.version_line = plain_label("")
        self.version_line.setWordWrap(True)
        self.version_line.setObjectName("caption")
        self.conditions_button = QPushButton("Conditions on the case…")
        self.conditions_button.setToolTip("The licence's and orders' conditions entries can rest on")
        self.conditions_button.clicked.connect(self.edit_conditions)
        head.addWidget(self.version_line, 1)
        head.addWidget(self.conditions_button)
        self.column.addLayout(head)
        for key in self.section.pillars:
            box = PillarBox(spec.pillar(key))
            box.add_button.clicked.connect(lambda _c=False, k=key: self.add_entry(k))
            box.not_needed.edited.connect(lambda k=key: self.edited.emit(pillar_unit(self.section.key, k)))
            self.boxes[key] = box
            self.column.addWidget(box)

    # -- units ------------------------------------------------------------------------------------

    def units(self) -> list[str]:
        return [self.unit, *(plan_unit(self.section.key, i) for i in self.cards),
                *(pillar_unit(self.section.key, k) for k in self.boxes)]

    def raw(self, unit: str):
        kind, _, rest = unit.partition(":")
        if kind == "plan":
            return self.cards[int(rest.rsplit(":", 1)[1])].raw()
        if kind == "pillar":
            return self.boxes[rest.rsplit(":", 1)[1]].not_needed.raw()
        return super().raw(unit)

    # -- filling from the state ------------------------------------------------------------------

    def _names_for(self, kind):
        if kind is spec.Kind.CONDITION:
            return [(c.uid, condition_label(c.as_values())) for c in self.ctx.state.case.conditions]
        return self.ctx.names_for(kind)

    def _conditions(self) -> dict:
        return {c.uid: c.as_values() for c in self.ctx.state.case.conditions}

    def load(self) -> None:
        super().load()
        self.refresh()
        state = self.ctx.state
        for entry_id, card in self.cards.items():
            kept = state.kept_words(plan_unit(self.section.key, entry_id))
            if kept:
                card.set_raw(kept)
                card.show_problems(state.typed.get(plan_unit(self.section.key, entry_id), ()))
        for key, box in self.boxes.items():
            kept = state.kept_words(pillar_unit(self.section.key, key))
            if kept:
                box.not_needed.set_raw(kept.get("not_needed"))

    def refresh(self) -> None:
        """Show the plan as the state holds it: entries added or gone, their state, the
        version line (entries being typed keep their words)."""
        state = self.ctx.state
        entries = state.plan_entries(self.section.key)
        conditions = self._conditions()
        wanted = {e["id"] for e in entries}
        for entry_id in [i for i in self.cards if i not in wanted]:
            card = self.cards.pop(entry_id)
            self.boxes[card.pillar].cards.pop(entry_id, None)
            card.hide()
            card.deleteLater()
        numbers: dict[str, int] = {}
        for entry in entries:
            numbers[entry["pillar"]] = numbers.get(entry["pillar"], 0) + 1
            card = self.cards.get(entry["id"])
            unit = plan_unit(self.section.key, entry["id"])
            if card is None or card.number != numbers[entry["pillar"]]:
                if card is not None:
                    card.hide()
                    card.deleteLater()
                card = self._new_card(entry, numbers[entry["pillar"]])
            elif unit not in state.typed:
                card.load(entry)
            card.set_conditions(conditions)
        for key, box in self.boxes.items():
            if pillar_unit(self.section.key, key) not in state.typed:
                box.not_needed.set_value(state.not_needed.get(key))
        self._version_line()
        self.set_read_only(not state.editable)

    def _show_not_needed(self, box: PillarBox) -> None:
        """'Not needed because' is asked where a pillar has nothing in the plan (or was
        answered already); contingency always needs a trigger."""
        state = self.ctx.state
        key = box.pillar.value
        live = any(is_live(e) and e["pillar"] == key for e in state.plan.values())
        answered = bool(state.not_needed.get(key)) or pillar_unit(self.section.key, key) in state.typed
        box.not_needed_row.setVisible(key != "contingency" and (answered or (not live and state.editable)))

    def _new_card(self, entry: dict, number: int) -> EntryCard:
        card = EntryCard(entry, self._names_for, number)
        card.edited.connect(self._card_edited)
        card.requested.connect(self._requested)
        box = self.boxes[entry["pillar"]]
        box.cards[entry["id"]] = card
        self.cards[entry["id"]] = card
        position = list(box.cards).index(entry["id"])
        box.cards_box.insertWidget(position, card)
        if self.isVisible():
            card.show()
        card.set_expanded(entry.get("change") in ("added", "changed") and self.ctx.state.editable)
        return card

    def _card_edited(self, entry_id: int) -> None:
        unit = plan_unit(self.section.key, entry_id)
        self.edited.emit(unit)  # the editor hands the words to the state now
        self.entry_edited(unit)

    def _version_line(self) -> None:
        state = self.ctx.state
        base = state.plan_base
        counts: dict[str, int] = {}
        for entry in state.plan.values():
            counts[entry.get("change")] = counts.get(entry.get("change"), 0) + 1
        changed = ", ".join(f"{counts[k]} {k}" for k in ("added", "changed", "ended") if counts.get(k))
        if not state.editable:
            version = state.store.plan.version_of(state.meeting_id)
            head = f"Version {version.version} of the plan, frozen with this minute." if version else \
                "This minute was finalised without a structured plan."
        elif base:
            head = f"The plan as it stood (version {base}) opened with this minute."
        else:
            head = "No earlier version of the plan: it starts at this meeting."
        self.version_line.setText(f"{head} Changes at this meeting: {changed or 'none yet'}.")

    # -- what the chair does ----------------------------------------------------------------------

    def add_entry(self, pillar: str) -> None:
        with self.ctx.store.changes.origin(self):
            entry_id = self.ctx.state.add_plan_entry(pillar)
        self.refresh()
        card = self.cards.get(entry_id)
        if card is not None:
            card.set_expanded(True)
            first = next(iter(card.widgets.values()))
            first.focus_target().setFocus()

    def _requested(self, what: str, entry_id: int) -> None:
        state = self.ctx.state
        card = self.cards.get(entry_id)
        if what == "end":
            from .minute_dialogs import ask_reason

            def then(reason: str) -> None:
                with self.ctx.store.changes.origin(self):
                    problems = state.end_plan_entry(entry_id, reason)
                self.refresh()
                if problems and entry_id in self.cards:
                    self.cards[entry_id].show_problems(problems)

            ask_reason(self, "End the entry", "Why does the meeting end this entry of the plan?", then)
            return
        with self.ctx.store.changes.origin(self):
            if what == "keep":
                state.keep_plan_entry(entry_id)
                problems = []
            elif what == "remove":
                problems = state.remove_plan_entry(entry_id)
            else:
                action_id, problems = state.raise_action_from_plan(entry_id)
        self.refresh()
        if problems and entry_id in self.cards:
            self.cards[entry_id].show_problems(problems)
        elif card is not None and what == "action":
            self.cards[entry_id].action_button.setFocus() if self.cards[entry_id].action_button.isVisible() \
                else self.cards[entry_id].fold_button.setFocus()

    def edit_conditions(self):
        from .conditions_dialog import ConditionsDialog

        dialog = ConditionsDialog(self.ctx.store, self.ctx.state.case, origin=self, parent=self)
        self.conditions_dialog = dialog
        dialog.open()
        return dialog

    # -- problems, read-only, focus -----------------------------------------------------------------

    def show_problems(self, unit, problems) -> None:
        kind, _, rest = unit.partition(":")
        if kind == "plan":
            card = self.cards.get(int(rest.rsplit(":", 1)[1]))
            if card is not None:
                card.show_problems(problems)
                card.show_state(self.ctx.state.plan.get(card.entry_id, card.entry))
        elif kind == "pillar":
            box = self.boxes.get(rest.rsplit(":", 1)[1])
            if box is not None:
                box.not_needed_error.setText("\n".join(p.message for p in problems))
                box.not_needed_error.setVisible(bool(problems))
        else:
            super().show_problems(unit, problems)

    def entry_edited(self, unit: str) -> None:
        """After the state took what was typed: the line and badge follow at once."""
        kind, _, rest = unit.partition(":")
        if kind == "plan":
            entry_id = int(rest.rsplit(":", 1)[1])
            if entry_id in self.cards and entry_id in self.ctx.state.plan:
                self.cards[entry_id].show_state(self.ctx.state.plan[entry_id])
        self._version_line()

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.conditions_button.setVisible(not read_only)
        for box in self.boxes.values():
            box.add_button.setVisible(not read_only)
            set_read_only(box.not_needed, read_only)
            self._show_not_needed(box)
        for card in self.cards.values():
            card.set_read_only(read_only)

    def focus_target(self, field="", row=None):
        entries = self.ctx.state.plan_entries(self.section.key)
        if field == "not_needed":
            keys = list(self.section.pillars)
            box = self.boxes[keys[row if row is not None and row < len(keys) else 0]]
            return box.not_needed if box.not_needed_row.isVisible() else box.add_button
        if field in {f.key for f in spec.PLAN_ENTRY.fields}:
            if row is None:  # a rule over the plan: the first entry that has the field, else add one
                row = next((i for i, e in enumerate(entries) if spec.PLAN_ENTRY.field(field).applies(e)), None)
                if row is None:
                    return self.boxes[self.section.pillars[-1]].add_button
            if row < len(entries):
                card = self.cards[entries[row]["id"]]
                card.set_expanded(True)
                widget = card.widgets.get(field) or next(iter(card.widgets.values()))
                return widget.focus_target()
        return super().focus_target(field, row)

