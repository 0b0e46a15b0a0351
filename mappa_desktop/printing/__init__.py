"""Printouts: the minute, its executive summary, the action register, the pre-meeting
pack, the case chronology, reviews, audits and the oversight report, as PDF bytes.

Pure: data in (plain dicts and dataclasses), PDF bytes out; no Qt, no SQL. Importing this
package is cheap: ReportLab (about 0.3 s) is imported on the first printout, not at
start-up. Each ``render_*`` returns a ``PrintResult`` (pdf, pages, warnings).

- Every user string is escaped by one guard (``text.py``); characters the printout cannot
  show (CJK, emoji, and right-to-left scripts, which would print unjoined and reversed)
  become visible ``[U+XXXX]`` codes and a warning asks for a transliteration.
- The executive summary leaves sections out, never covers them; what the default keeps,
  and why, is in ``summary.py``.
- Every page: the protective marking top and bottom, the case reference (never a name),
  "Page i of N"; drafts a DRAFT watermark, finalised minutes version and fingerprint.
  Same input, same bytes; no personal name in the PDF's metadata (``page.py``).
"""

from __future__ import annotations

from .meta import DEFAULT_MARKING, PrintMeta, PrintResult
from .summary import DEFAULT_SUMMARY_SECTIONS, summary_selection

__all__ = [
    "DEFAULT_MARKING",
    "DEFAULT_SUMMARY_SECTIONS",
    "PrintMeta",
    "PrintResult",
    "render_audit",
    "render_chronology",
    "render_meeting_audit",
    "render_minute",
    "render_oversight",
    "render_pack",
    "render_plan",
    "render_register",
    "render_scr",
    "summary_selection",
]


def render_minute(content: dict, meta: PrintMeta, *, summary_sections: tuple[str, ...] | None = None,
                  summary_plan: tuple[str, ...] = ()) -> PrintResult:
    """The full minute from ``minutes.minute_content``; with ``summary_sections`` (see
    ``DEFAULT_SUMMARY_SECTIONS``) the executive summary, which leaves the rest out, the risk
    management plan included (but for the pillars in ``summary_plan``)."""
    from .minute import render_minute as render

    return render(content, meta, summary_sections=summary_sections, summary_plan=summary_plan)


def render_register(rows, meta: PrintMeta, *, title: str = "Action register") -> PrintResult:
    """An action register: ``RegisterRow``s (or dicts with the same keys), in the order given."""
    from .register import render_register as render

    return render(rows, meta, title=title)


def render_pack(content: dict, meta: PrintMeta, *, open_actions, documents) -> PrintResult:
    """The pre-meeting pack: key dates, the last meeting's decisions, open actions and
    the documents to be tabled. ``content`` is the last minute's content (or a dict with
    only ``case`` and ``civil_orders`` before a first meeting)."""
    from .pack import render_pack as render

    return render(content, meta, open_actions=open_actions, documents=documents)


def render_plan(plan: dict, meta: PrintMeta) -> PrintResult:
    """The risk management plan (document 6) as its own document: one version, from
    ``plan.plan_content`` (frozen with a finalised minute, or a draft's as it stands)."""
    from .plan import render_plan as render

    return render(plan, meta)


def render_chronology(events, meta: PrintMeta, *, shown: str = "") -> PrintResult:
    """A case chronology from ``chronology.case_chronology`` events, oldest first; ``shown``
    names the filter when only some kinds are printed."""
    from .chronology import render_chronology as render

    return render(events, meta, shown=shown)


def render_audit(entries, meta: PrintMeta, *, user_names: dict, title: str = "Audit log") -> PrintResult:
    """Audit log entries (``AuditEntry``), in the order given; user ids shown by name."""
    from .audit import render_audit as render

    return render(entries, meta, user_names=user_names, title=title)


def render_scr(content: dict, meta: PrintMeta, *, stage: str | None = None) -> PrintResult:
    """A Significant Case Review from ``scr.review_content``: one stage, or (``stage``
    None) the full review with its recommendations and the chronology before the incident."""
    from .scr import render_scr as render

    return render(content, meta, stage=stage)


def render_meeting_audit(content: dict, meta: PrintMeta) -> PrintResult:
    """A meeting audit (document 12) from ``printouts.meeting_audit_job``."""
    from .oversight import render_meeting_audit as render

    return render(content, meta)


def render_oversight(report, meta: PrintMeta) -> PrintResult:
    """The Strategic Oversight Group's report (``oversight.report.OversightReport``)."""
    from .oversight import render_oversight as render

    return render(report, meta)
