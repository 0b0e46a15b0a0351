"""What every printout is told besides its content, and what it hands back.

Pure data: importing this module loads nothing heavy (no ReportLab).
"""

from __future__ import annotations

from dataclasses import dataclass

#: UK Government Security Classifications: MAPPA material is OFFICIAL-SENSITIVE.
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class PrintMeta:
    """The frame of a printout: marking, case reference, status and who printed it.

    ``reference`` is the case reference; it goes in headers, footers and the PDF title,
    so it must never be the offender's name. Times are ISO UTC (shown in UK time), dates
    ISO (shown dd/mm/yyyy). ``addenda`` holds (at_iso, who, reason, body) tuples.
    ``approval`` is (approved by, as what, date approved, recorded by) when the chair's
    approval is recorded (empty for minutes finalised before approvals were).
    """

    protective_marking: str = DEFAULT_MARKING
    area_name: str = ""
    reference: str = ""
    meeting_date: str | None = None
    status: str = "draft"  # draft / issued / finalised
    version: int | None = None
    finalised_by: str = ""
    finalised_at: str | None = None
    sha256: str = ""
    addenda: tuple[tuple[str, str, str, str], ...] = ()
    approval: tuple[str, str, str, str] | tuple = ()
    printed_by: str = ""
    printed_at: str | None = None
    #: The head of the audit log when this was printed (``audit_chain.Anchor.token``): small
    #: type at the foot of every page, so that paper can later prove the log was not cut short.
    audit_anchor: str = ""

    @property
    def finalised(self) -> bool:
        return self.status == "finalised"


@dataclass(frozen=True)
class PrintResult:
    """A finished PDF. ``warnings`` are for the person printing (for example characters
    the font cannot print); they never contain the text itself."""

    pdf: bytes
    pages: int
    warnings: tuple[str, ...] = ()
