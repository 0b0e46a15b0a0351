"""The risk management plan in the meeting editor (``spec.Form.PLAN``): a section's
discussion, then its pillars, each with its entries and what the meeting changed.

Built from the spec like every page: an entry shows the fields of ``spec.PLAN_ENTRY`` that
its pillar has (``plan.fields_for``, in ``plan_widgets.EntryCard``); there is no form per
pillar. Each entry saves as its own unit ("plan:<section>:<id>"), and so does the reason a
pillar is not needed ("pillar:<section>:<pillar>"). Adding, ending, keeping, taking back an
entry and raising an action from it go through the minute's state (``ops.minute_state``);
the editor follows through the store's announcement of the change. An entry carried over
unchanged is shown folded to one line, so that a plan of a dozen entries fits the screen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton

from .. import spec
from ..ops.minute_state import pillar_unit, plan_unit
from ..plan import condition_label, is_live
from .fields import set_read_only
from .minute_pages import FieldsPage
from .plan_widgets import EntryCard, PillarBox
from .messages import field_error_label
from .widgets import plain_label


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
        self.message = field_error_label()  # NOT SAVED, when the store refuses
        self.column.addWidget(self.message)
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
        """The conditions entries may rest on; a finalised minute shows those of its day."""
        state = self.ctx.state
        if not state.editable:
            version = state.store.plan.version_of(state.meeting_id)
            if version is not None:
                return {c["uid"]: c for c in version.plan.get("conditions") or ()}
        return {c.uid: c.as_values() for c in state.case.conditions}

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
        card.set_expanded(self.ctx.state.editable and self._incomplete(entry))
        return card

    def _incomplete(self, entry: dict) -> bool:
        """Whether the check names something of this entry: it opens unfolded. Complete
        entries read as one line each, and a page of them opens at once."""
        uid = entry.get("entry_uid")
        return any(item.key.split(":")[1:2] == [uid] for item in self.ctx.state.items()
                   if item.key.startswith(("plan:", "plan-invalid:")))

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

    def _write(self, change):
        """Run a change of the plan's shape; a store that cannot be written says so here
        (nothing was changed, the chair may try again) rather than failing the window."""
        from ..db.errors import StoreError

        try:
            with self.ctx.store.changes.origin(self):
                result = change()
        except StoreError as exc:
            self.message.setText(f"NOT SAVED: {exc.reason}. Nothing was changed; try again.")
            self.message.show()
            return None
        self.message.hide()
        return result

    def add_entry(self, pillar: str) -> None:
        entry_id = self._write(lambda: self.ctx.state.add_plan_entry(pillar))
        if entry_id is None:
            return
        self.refresh()
        card = self.cards.get(entry_id)
        if card is not None:
            card.set_expanded(True)
            first = next(iter(card.widgets.values()))
            first.focus_target().setFocus()

    def _requested(self, what: str, entry_id: int) -> None:
        state = self.ctx.state
        if what == "end":
            from .minute_dialogs import ask_reason

            def then(reason: str) -> None:
                problems = self._write(lambda: state.end_plan_entry(entry_id, reason)) or []
                self.refresh()
                if problems and entry_id in self.cards:
                    self.cards[entry_id].show_problems(problems)

            ask_reason(self, "End the entry", "Why does the meeting end this entry of the plan?", then)
            return
        if what == "keep":
            problems = self._write(lambda: state.keep_plan_entry(entry_id) or [])
        elif what == "remove":
            problems = self._write(lambda: state.remove_plan_entry(entry_id))
        else:
            problems = (self._write(lambda: state.raise_action_from_plan(entry_id)) or (None, []))[1]
        problems = problems or []
        self.refresh()
        if problems and entry_id in self.cards:
            self.cards[entry_id].show_problems(problems)
        elif what == "action" and entry_id in self.cards:
            self.cards[entry_id].fold_button.setFocus()  # its button is gone: the focus stays on the entry

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

