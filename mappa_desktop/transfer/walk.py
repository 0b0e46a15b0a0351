"""One pass over a bundle's records against this store: what importing would add and every
difference (the preview), and the same pass again writing it (the import), so that the
import can prove it does exactly what was shown."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Mapping

from . import compare
from .compare import Addition, Difference
from .container import BundleError
from ..words import plural


class ImportRefused(BundleError):
    """The bundle cannot be imported into this store (a replay, a clash, a choice missing)."""


@dataclass
class ImportPlan:
    """What importing the bundle would do, shown before anything is written."""

    manifest: dict
    seal: dict = field(default_factory=dict)
    case_reference: str = ""
    case_name: str = ""
    new_case: bool = False
    additions: list[Addition] = field(default_factory=list)
    added: dict = field(default_factory=dict)  # kind -> how many records would be added
    already: dict = field(default_factory=dict)  # kind -> how many are here already
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def choosable(self) -> list[Difference]:
        return [d for d in self.differences if d.choosable]

    @property
    def kept(self) -> list[Difference]:
        return [d for d in self.differences if not d.choosable]

    def summary(self) -> str:
        """One paragraph: where the bundle is from and what it would do."""
        m = self.manifest
        by = (m.get("exported_by") or {}).get("name") or "someone"
        head = (f"Case {self.case_reference}, exported from {m.get('area') or 'another area'} by {by} "
                f"on {when_local(m.get('exported_at'))} (export {m.get('sequence')}).")
        if self.new_case:
            return head + " The case is not in this store: it will be added whole."
        return (head + f" The case is already here: {counted_all(self.added) or 'nothing'} to add, "
                f"{plural(len(self.choosable), 'difference')} to choose, {len(self.kept)} kept as ours.")


def when_local(iso: str | None) -> str:
    """A UTC timestamp as UK local dd/mm/yyyy hh:mm."""
    from ..dates import format_datetime_local

    return format_datetime_local(iso) if iso else "(unknown date)"


KIND_NOUNS = {"case": ("case", "cases"), "meeting": ("meeting", "meetings"), "action": ("action", "actions"),
              "snapshot": ("finalised minute", "finalised minutes"), "scr_review": ("review", "reviews"),
              "audit": ("audit entry", "audit entries"), "addendum": ("addendum", "addenda"),
              "action_update": ("action history entry", "action history entries"),
              "minute_issue": ("issue of a draft", "issues of drafts"),
              "minute_approval": ("chair's approval", "chair's approvals"),
              "case_exit": ("exit from MAPPA", "exits from MAPPA"),
              "case_addendum": ("addendum to the case", "addenda to the case"),
              "plan_version": ("risk management plan version", "risk management plan versions")}


def counted(kind: str, n: int) -> str:
    """'1 addendum', '3 addenda'."""
    singular, plural = KIND_NOUNS.get(kind, (kind, kind))
    return f"{n} {singular if n == 1 else plural}"


def counted_all(counts: Mapping[str, int]) -> str:
    """'1 meeting, 3 actions'."""
    return ", ".join(counted(k, n) for k, n in counts.items() if n)


_MUTABLE = ("case", "meeting", "action", "snapshot", "scr_review", "audit")


class ImportPass:
    """One pass over a bundle's records: compares each with this store and, when applying,
    writes it. The preview and the import run the same pass, so the import can prove it
    does exactly what was shown."""

    def __init__(self, store, manifest: Mapping, *, apply: bool, choices: Mapping[str, str] | None = None,
                 seal: dict | None = None):
        self.store, self.bundles, self.records = store, store.bundles, store.bundles.records
        self.apply, self.choices = apply, choices or {}
        self.plan = ImportPlan(manifest=dict(manifest))
        self.case_uid = manifest["case_uid"]
        self.case_id: int | None = None
        self.import_id: int | None = None
        self.meetings: dict[str, str] = {}  # uid -> new / take / final / draft / keep-draft
        self.new: set[str] = set()  # uids of records this import adds
        self.theirs = self.ours = 0
        self.expected_seal = seal  # when applying: the seal the preview read
        self.exits = False  # the case has left MAPPA in the bundle: made so once all is in

    def sealed(self, seal: dict) -> None:
        self.plan.seal = seal

    def finish(self) -> ImportPlan:
        if self.plan.case_reference == "":
            raise ImportRefused("The bundle holds no case.")
        if self.apply and self.exits:
            self.bundles.mark_exited(self.case_id)
        return self.plan

    def _add(self, kind: str, uid: str | None = None, label: str = "") -> None:
        self.plan.added[kind] = self.plan.added.get(kind, 0) + 1
        if uid:
            self.new.add(uid)
        if label:
            self.plan.additions.append(Addition(kind, uid or "", label))

    def _already(self, kind: str) -> None:
        self.plan.already[kind] = self.plan.already.get(kind, 0) + 1

    def _decide(self, diffs: list[Difference], local_id: int | None, write: Callable[[dict], None]) -> None:
        """Record the differences; when applying, write the fields chosen as theirs and log
        every choice with both values."""
        self.plan.differences += diffs
        if not self.apply:
            return
        chosen = {}
        for d in diffs:
            if not d.choosable:
                continue
            side = self.choices[d.key]
            if side == "theirs":
                chosen[d.field] = d.theirs
                self.theirs += 1
            else:
                self.ours += 1
            self.store.audit.record("alteration", d.record_type, local_id, detail="case bundle conflict: " + json.dumps(
                {"field": d.field, "chosen": side, "theirs": d.theirs, "ours": d.ours}, ensure_ascii=False,
                sort_keys=True))
        if chosen:
            write(chosen)

    def take(self, record: dict) -> None:
        handler = getattr(self, "_" + record["type"], None) if record["type"] in _MUTABLE else self._appended
        handler(record)

    # -- each kind ---------------------------------------------------------------------------------

    def _case(self, r: dict) -> None:
        if r.get("uid") != self.case_uid or self.plan.case_reference:
            raise ImportRefused("The bundle's case does not match its manifest.")
        fields = r["fields"]
        self.plan.case_reference, self.plan.case_name = fields.get("reference") or "", fields.get("full_name") or ""
        local = self.records.local_id("case", r["uid"])
        if local is None:
            if self.bundles.case_by_reference(fields.get("reference") or "") is not None:
                raise ImportRefused(
                    f"This store already has a different case with the reference {fields.get('reference')} "
                    "(made here or on another laptop, not this one). Change the reference of one of them, "
                    "then import again.")
            self.plan.new_case = True
            self._add("case", r["uid"], f"{fields.get('reference')}: the whole case")
            self.exits = fields.get("status") == "exited"
            if self.apply:
                self.case_id = self.bundles.add_case(r)
        else:
            self.case_id = local
            ours = self.records.case(local)
            if ours["fields"].get("status") == "exited":
                raise ImportRefused(f"Case {fields.get('reference')} has left MAPPA on this laptop and is read-only: "
                                    "nothing can be imported into it.")

            def write(chosen: dict) -> None:
                self.exits = chosen.get("status") == "exited"
                self.bundles.update_case(local, chosen)

            self._decide(compare.compare_case(r, ours), local, write)
        if self.apply:
            self.import_id = self.bundles.log_import(self.case_id, {**self.plan.manifest, "seal": self.expected_seal})

    def _local_in_case(self, kind: str, uid: str) -> int | None:
        """Our record with this global id; refused if it belongs to another case here."""
        local = self.records.local_id(kind, uid)
        if local is not None:
            owner = getattr(self.records, {"meeting": "meeting", "action": "action",
                                           "scr_review": "review"}[kind])(local)["case"]
            if owner != self.case_uid:
                raise ImportRefused("A record of the bundle belongs to another case in this store.")
        return local

    def _meeting(self, r: dict) -> None:
        local = None if self.plan.new_case else self._local_in_case("meeting", r["uid"])
        if local is None:
            self.meetings[r["uid"]] = "new"
            self._add("meeting", r["uid"], compare.meeting_label(r) + (" (finalised)" if r["status"] == "finalised" else ""))
            if self.apply:
                self.bundles.add_meeting(self.case_id, r)
            return
        ours = self.records.meeting(local)
        diffs = compare.compare_meeting(r, ours)
        whole = next((d for d in diffs if d.field == compare.WHOLE_MINUTE and d.choosable), None)
        if ours["status"] == "finalised":
            self.meetings[r["uid"]] = "final"
        elif whole is not None:
            take = self.choices.get(whole.key) == "theirs"
            self.meetings[r["uid"]] = "take" if take else "keep-draft"
        else:
            self.meetings[r["uid"]] = "draft"

        def write(chosen: dict) -> None:
            if compare.WHOLE_MINUTE in chosen:  # their finalised minute replaces our draft
                fields = {k: v for k, v in r["fields"].items() if ours["fields"].get(k) != v}
                for key, value in fields.items():  # each value replaced, with both in the log
                    self.store.audit.record("alteration", "meeting", local, detail="case bundle conflict: " + json.dumps(
                        {"field": key, "chosen": "theirs", "with": compare.WHOLE_MINUTE, "theirs": value,
                         "ours": ours["fields"].get(key)}, ensure_ascii=False, sort_keys=True))
                self.bundles.update_meeting(local, fields)
            else:
                self.bundles.update_meeting(local, chosen)

        self._decide(diffs, local, write)

    def _action(self, r: dict) -> None:
        local = None if self.plan.new_case else self._local_in_case("action", r["uid"])
        if local is None:
            if r.get("meeting") and self.meetings.get(r["meeting"]) == "final":
                self.plan.notes.append(f"{compare.action_label(r)}: not added, because it was raised at a "
                                       "meeting whose minute is finalised here without it.")
                return
            self._add("action", r["uid"], compare.action_label(r))
            if self.apply:
                self.bundles.add_action(self.case_id, self.records.local_id("meeting", r.get("meeting")), r)
            return
        self._decide(compare.compare_action(r, self.records.action(local)), local,
                     lambda chosen: self.bundles.update_action(local, chosen))

    def _snapshot(self, r: dict) -> None:
        state = self.meetings.get(r["uid"])
        if state == "new" or state == "take":
            self._add("snapshot")
            if self.apply:
                self.bundles.add_snapshot(self.records.local_id("meeting", r["uid"]), r)
        elif state == "final":
            self._already("snapshot")
        else:
            self.plan.notes.append("A finalised minute of the bundle was left out, as chosen (ours is a draft).")

    def _scr_review(self, r: dict) -> None:
        local = None if self.plan.new_case else self._local_in_case("scr_review", r["uid"])
        if local is None:
            self._add("scr_review", r["uid"], compare.review_label(r))
            if self.apply:
                self.bundles.add_review(self.case_id, r)
            return
        self._decide(compare.compare_review(r, self.records.review(local)), local,
                     lambda chosen: self.bundles.update_review(local, chosen))

    def _appended(self, r: dict) -> None:
        kind = self.bundles.append_only_kind(r["type"])
        if kind is None:
            raise ImportRefused(f"The bundle holds records of a kind this version does not know ({r['type']}).")
        if self.records.local_id(kind.key, r["uid"]) is not None:
            self._already(kind.key)
            return
        parent_known = r["parent"] in self.new or self.records.local_id(kind.parent, r["parent"]) is not None
        if not parent_known:
            self.plan.notes.append(f"A {kind.label} was left out: what it belongs to was not imported.")
            return
        if kind.parent == "meeting" and kind.key in ("addendum", "minute_approval") and self.meetings.get(
                r["parent"]) not in ("new", "take", "final"):
            self.plan.notes.append(f"An {kind.label} was left out: it belongs to a finalised minute that is a draft here."
                                   if kind.key == "addendum" else
                                   f"A {kind.label} was left out: it approves a minute that is a draft here.")
            return
        if kind.key == "minute_approval" and self.bundles.has_approval(self.records.local_id("meeting", r["parent"])):
            self._already(kind.key)  # the minute was approved here (one approval a minute)
            return
        if kind.frozen_with and self.meetings.get((r.get("refs") or {}).get(kind.frozen_with)) not in ("new", "take"):
            self.plan.notes.append(f"A {kind.label} was left out: it belongs to a minute not taken from the bundle "
                                   "(finalised here already, or kept as our draft).")
            return
        self._add(kind.key, r["uid"], f"{kind.label.capitalize()} of {when_local(r['values'].get('at'))}"
                  if kind.key == "addendum" else "")
        if self.apply:
            self.bundles.add_appended(r, self.records.local_id(kind.parent, r["parent"]))

    def _audit(self, r: dict) -> None:
        if self.records.has_audit_entry(r["hash"]):
            self._already("audit")
            return
        self._add("audit")
        if self.apply:
            self.bundles.add_audit_entry(self.import_id, self.case_id, r)
