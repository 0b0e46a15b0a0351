"""What goes into each printout: the content and the frame (PrintMeta), from the store.

A finalised minute prints from its immutable snapshot, so the paper always matches the
fingerprint, and says that its case facts are those of that day; a draft prints from the
minute as it stands, with what the completeness check still names. The pre-meeting pack
states the case as it is now beside the last finalised minute's decisions.
"""

from __future__ import annotations

from .dates import format_date
from .ops.minute import check, content_of
from .printing import DEFAULT_MARKING, PrintMeta

#: The printout that sends a meeting's papers out: printing or saving it is logged as a
#: disclosure with these words, which the meeting audit reads as "papers sent in advance".
PACK_KIND = "Pre-meeting pack"


def _user_names(store) -> dict:
    return {u.id: u.name for u in store.users.all()}


def print_meta(store, **details) -> PrintMeta:
    """The frame every printout shares (marking, area, who printed it and when), plus
    ``details`` such as the case reference, status or fingerprint."""
    return PrintMeta(
        protective_marking=store.settings.get("protective_marking") or DEFAULT_MARKING,
        area_name=store.settings.get("area_name") or "",
        printed_by=store.user.name if store.user else "",
        printed_at=store.now_iso(),
        audit_anchor=store.audit.anchor().token(),
        **details,
    )


def minute_job(store, meeting_id: int) -> tuple[dict, PrintMeta]:
    """(content, meta) for printing a meeting's minute or its executive summary."""
    minute = store.minutes.get(meeting_id, consult=False)
    case = store.cases.get(minute.case_id, consult=False)
    names = _user_names(store)
    sha256 = ""
    if minute.status == "finalised":
        content, sha256 = store.minutes.snapshot(meeting_id)
    else:
        from .ops.signoff import sign_off

        content = content_of(store, meeting_id, plan_base=store.plan.opened_from(meeting_id)[1])
        content["open_items"] = [item.message for item in check(store=store, meeting_id=meeting_id, today=store.today())]
        content["sign_off"] = sign_off(store, meeting_id, content)
    approval = (content.get("sign_off") or {}).get("approval") or {}
    meta = print_meta(
        store,
        reference=case.reference,
        meeting_date=minute.values.get("meeting_date"),
        status=minute.status,
        version=minute.version or None,
        finalised_by=names.get(minute.finalised_by) or store.bundles.author("meeting", minute.id) or "",
        finalised_at=minute.finalised_at,
        sha256=sha256,
        addenda=tuple((a.at, names.get(a.user_id) or store.bundles.author("addendum", a.id) or "", a.reason, a.body)
                      for a in minute.addenda),
        approval=(approval.get("approved_by") or "", approval.get("approved_as") or "", approval.get("approved_on") or "",
                  approval.get("recorded_by") or "") if approval else (),
    )
    return content, meta


def summary_sections(store) -> tuple[str, ...]:
    return tuple(store.settings.get("summary_sections"))


def summary_plan(store) -> tuple[str, ...]:
    """The pillars of the risk management plan an executive summary keeps (none by default)."""
    return tuple(store.settings.get("summary_plan") or ())


def plan_job(store, *, meeting_id: int | None = None, case_id: int | None = None) -> tuple[dict, PrintMeta]:
    """(plan, meta) for printing the risk management plan: a meeting's version (frozen with
    its finalised minute, or the draft's as it stands), or with ``case_id`` the plan as it
    stands now (the latest version). ``plan`` is None when there is no plan to print."""
    if meeting_id is None:
        case = store.cases.get(case_id, consult=False)
        current = store.plan.current(case_id)
        if current is None:
            return None, print_meta(store, reference=case.reference)
        meeting_id = current.meeting_id
    content, meta = minute_job(store, meeting_id)
    return content.get("plan"), meta


def pack_job(store, case_id: int) -> tuple[dict, PrintMeta, list, list]:
    """(content, meta, open actions, documents) for a case's pre-meeting pack.

    "Where the case stands", its key dates and orders are the case as it is now; the
    decisions are those of the last finalised minute (its frozen snapshot)."""
    from .db.register import RegisterFilter

    case = store.cases.get(case_id, consult=False)
    meetings = store.minutes.meetings(case_id)
    finalised = [m for m in meetings if m.status == "finalised"]
    upcoming = [m for m in meetings if m.status != "finalised"]
    content = store.minutes.snapshot(finalised[-1].id)[0] if finalised else {}
    current = store.plan.current(case_id)  # the plan as it stands: its latest version
    content = {**content, "case": dict(case.values), "civil_orders": [o.as_values() for o in case.orders],
               "current_plan": current.plan if current else None}
    # Papers for the coming meeting: as listed on its draft, else the usual two.
    documents = []
    if upcoming:
        documents = [r.get("title") for r in store.minutes.get(upcoming[-1].id, consult=False,
                                                                  with_actions=False).rows["documents"]]
    elif finalised:
        documents = [f"Minute of the meeting of {format_date(finalised[-1].meeting_date)}", "Action register"]
    ids = store.register.ids(RegisterFilter(case_id=case_id), store.today(), "number")
    meta = print_meta(store, reference=case.reference)
    return content, meta, register_rows(store, ids), [d for d in documents if d]


def register_rows(store, ids) -> list:
    """Register rows for these ids, in order, each with its history line (carries and
    re-assignments) for the printout."""
    from dataclasses import replace

    from .action_life import lines_for

    rows = store.register.rows(ids)
    lines = lines_for(store, ids)
    return [replace(rows[i], history=lines.get(i, "")) for i in ids if i in rows]


def meeting_audit_job(store, meeting_id: int) -> tuple[dict, PrintMeta]:
    """(content, meta) for printing a meeting's saved audit."""
    saved = store.audits.get(meeting_id)
    if saved is None:
        raise ValueError("that meeting has no saved audit")
    facts = store.audits.facts(meeting_id)
    case = store.cases.get(facts.case_id, consult=False)
    record = saved.record
    content = {
        "reference": case.reference, "meeting_date": facts.meeting_date, "meeting_type": facts.meeting_type,
        "auditor": _user_names(store).get(saved.auditor_id, ""), "assessed_on": record.get("assessed_on"),
        "status": saved.status,
        "items": [{"key": key, **entry} for key, entry in record.get("items", {}).items()],
    }
    from .oversight.meeting_audit import ITEMS

    order = [i.key for i in ITEMS]
    content["items"].sort(key=lambda e: order.index(e["key"]) if e["key"] in order else len(order))
    return content, print_meta(store, reference=case.reference, meeting_date=facts.meeting_date)
