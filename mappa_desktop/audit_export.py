"""Exporting the audit log as CSV, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by
Excel or LibreOffice; each such cell is prefixed with an apostrophe, which spreadsheets show
as text. The export is itself a disclosure, logged by the caller.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping

from .dates import format_datetime_local
from .model import AuditEntry

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("Entry", "When (UK time)", "When (UTC)", "User", "Kind", "Record", "Record id", "Detail",
          "Recipient", "Purpose", "Hash")


def neutralise(cell) -> str:
    """A cell a spreadsheet will show as text, never evaluate."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(DANGEROUS_START) else text


def audit_csv(entries: Iterable[AuditEntry], user_names: Mapping[int, str]) -> bytes:
    """The entries as CSV (UTF-8 with a byte order mark, which Excel needs for accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow([neutralise(v) for v in (
            e.id, format_datetime_local(e.at), e.at, user_names.get(e.user_id, ""), e.kind,
            e.record_type, e.record_id, e.detail, e.recipient, e.purpose, e.hash)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
