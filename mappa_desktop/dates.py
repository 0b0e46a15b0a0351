"""Dates as people type them (dd/mm/yyyy) and as the store keeps them (ISO yyyy-mm-dd).

One helper for each direction, used by every form, list and printout.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

#: MAPPA in Scotland keeps UK time: "today" and times shown are Europe/London (GMT/BST),
#: whatever zone the laptop is set to. Stored times are UTC.
UK = ZoneInfo("Europe/London")

_SEPARATORS = re.compile(r"[./\-\s]+")


class DateError(ValueError):
    """Text that is not a date; the message says what is expected."""


def parse_user_date(text: str) -> date | None:
    """A date typed as dd/mm/yyyy (also d/m/yyyy, dd.mm.yyyy, dd-mm-yyyy or ISO).

    Empty text is None. Two-digit years are refused: on a minute "19" is ambiguous.
    """
    text = (text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise DateError("That is not a real date.") from None
    parts = _SEPARATORS.split(text)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise DateError("Type the date as dd/mm/yyyy, for example 14/10/2026.")
    day, month, year = (int(p) for p in parts)
    if len(parts[2]) != 4:
        raise DateError("Type the year in full, for example 14/10/2026.")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("That is not a real date (check the day and month).") from None


def to_iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def from_iso(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def format_date(value: str | date | None) -> str:
    """dd/mm/yyyy for display; '' for nothing; a stored value that is not ISO as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = from_iso(value)
        if parsed is None:
            return value
        value = parsed
    return value.strftime("%d/%m/%Y")


def parse_user_time(text: str) -> str | None:
    """hh:mm (24-hour) from '10:02', '1002', '10.02' or '9:5'; None for empty text."""
    text = (text or "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", text)
    if not match:
        raise DateError("Type the time as hh:mm, for example 10:02.")
    hours, minutes = int(match.group(1)), int(match.group(2))
    try:
        return time(hours, minutes).strftime("%H:%M")
    except ValueError:
        raise DateError("That is not a real time (hh:mm, 24-hour).") from None


def format_datetime_local(iso_utc: str) -> str:
    """A stored UTC time shown in UK time, dd/mm/yyyy hh:mm."""
    try:
        moment = datetime.fromisoformat(iso_utc)
    except ValueError:
        return iso_utc
    return moment.astimezone(UK).strftime("%d/%m/%Y %H:%M")


def uk_today(now_utc: datetime) -> date:
    """The calendar date in the UK at this moment (00:30 BST on 30 March is 30 March,
    although it is still 29 March in UTC)."""
    return now_utc.astimezone(UK).date()


def uk_day(at_utc: str | None) -> str:
    """The UK day (ISO) of a stored UTC timestamp ("" for none; the first ten characters
    of text that is not a timestamp)."""
    if not at_utc:
        return ""
    try:
        return uk_today(datetime.fromisoformat(at_utc)).isoformat()
    except ValueError:
        return at_utc[:10]
