"""The end of a printed minute: how it was issued for comment, the copies of the draft that
were disclosed, the corrections made after issue, and the chair's approval with a signature
block. Reads the ``sign_off`` record of the minute's content (``ops.signoff.sign_off``);
a minute finalised before approvals were recorded prints what it has (who finalised it).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Table

from ..dates import format_date, format_datetime_local
from ..ops.signoff import approval_sentence, how_approved
from .blocks import Writer
from .meta import PrintMeta
from .styles import RULE, grid_style


def issued(w: Writer, content: dict) -> list:
    """To whom and when the draft went, and every copy of it printed or saved."""
    record = content.get("sign_off")
    if record is None:
        return []
    out = w.heading("Issued for comment")
    issues = record.get("issues") or []
    if not issues:
        out.append(w.fixed("Not issued for comment.", w.s.body))
    for issue in issues:
        by = f", by {w.guard.markup(issue.get('by'))}" if issue.get("by") else ""
        note = f" {w.guard.markup(issue.get('issue_note'))}" if issue.get("issue_note") else ""
        out.append(w.fixed(f"Issued on {format_date(issue.get('issued_on'))} to "
                           f"{w.guard.markup(issue.get('issued_to'))}{by}.{note}", w.s.body))
    copies = record.get("copies") or []
    out.append(w.fixed("Copies printed or saved (from the audit log, where each is a disclosure)", w.s.subheading))
    if not copies:
        out.append(w.empty("No copy has been printed or saved."))
        return out
    rows = [[w.cell(format_datetime_local(c.get("at"))), w.cell(c.get("by")), w.cell(c.get("recipient")),
             w.cell(c.get("purpose")), w.cell(c.get("what"))] for c in copies]
    widths = [w.width * f for f in (0.17, 0.18, 0.22, 0.2, 0.23)]
    out.append(w.table(["When", "By", "To whom", "Purpose", "What"], rows, widths))
    return out


def corrected(w: Writer, content: dict, *, final: bool) -> list:
    """What changed after the (last) issue, section by section."""
    record = content.get("sign_off") or {}
    issues = record.get("issues") or []
    if not issues:
        return []
    out = w.heading("Corrections after issue")
    when = format_date(issues[-1].get("issued_on"))
    against = "the approved minute" if final else "the minute as it stands"
    changes = record.get("corrections") or []
    if not changes:
        return out + [w.fixed(f"Nothing changed between the draft issued on {when} and {against}.", w.s.body)]
    out.append(w.note(f"What changed between the draft issued on {when} and {against}, section by section."))
    for correction in changes:
        out.append(w.fixed(w.guard.markup(correction.get("title")), w.s.subheading))
        out += [w.para("• " + change) for change in correction.get("changes") or []]
    return out


def approval(w: Writer, meta: PrintMeta, content: dict) -> list:
    """Who approved the minute, as what, when and how, who recorded it, and its fingerprint;
    then a signature block for the chair."""
    out = w.heading("Approval")
    if not meta.finalised:
        return out + [w.fixed("Not yet approved. The chair approves the minute when it is finalised in MAPPA "
                              "Desktop: either confirmed on this laptop with the chair's own passphrase, or "
                              "recorded, with how and when it was given, by the person finalising.", w.s.body)]
    given = (content.get("sign_off") or {}).get("approval")
    rows = []
    if given:
        out.append(w.para(approval_sentence(given) + ".", w.s.subheading))
        rows += [("How", how_approved(given))]
        if given.get("recorded_at"):
            rows.append(("Recorded", format_datetime_local(given["recorded_at"])))
    elif meta.finalised_by:
        rows.append(("Finalised by", meta.finalised_by))
    rows.append(("Version", str(meta.version or 1)))
    if meta.finalised_at:
        rows.append(("Finalised on", format_datetime_local(meta.finalised_at)))
    if meta.sha256:
        rows.append(("Fingerprint (SHA-256)", " ".join(meta.sha256[i:i + 8] for i in range(0, len(meta.sha256), 8))))
    out += [w.grid(rows), w.note("A finalised minute cannot be changed; corrections are added as addenda below.")]
    return out + signature_block(w, given)


def signature_block(w: Writer, given: dict | None) -> list:
    """Lines for the chair's signature and the date, on the paper copy for the case file."""
    who = w.guard.markup(given.get("approved_by")) if given and given.get("approved_by") else ""
    as_what = w.guard.markup(given.get("approved_as")) if given and given.get("approved_as") else "chair"
    cells = [[w.fixed("Signed", w.s.label), "", w.fixed("Date", w.s.label), ""],
             [w.fixed(f"{who} ({as_what})" if who else f"({as_what})", w.s.note), "", "", ""]]
    table = Table(cells, colWidths=[18 * mm, w.width * 0.5, 12 * mm, w.width * 0.5 - 30 * mm - 2], hAlign="LEFT",
                  rowHeights=[12 * mm, None])
    table.setStyle(grid_style([("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                               ("LINEBELOW", (1, 0), (1, 0), 0.6, RULE),
                               ("LINEBELOW", (3, 0), (3, 0), 0.6, RULE),
                               ("SPAN", (0, 1), (1, 1))]))
    return [w.space(4), w.together([table])[0]]
