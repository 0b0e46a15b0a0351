"""Counting words: one helper for singular and plural, so no screen says "1 action(s)"."""

from __future__ import annotations

#: Nouns whose plural is not the noun with an "s".
_IRREGULAR = {"person": "people", "was": "were", "is": "are", "this": "these", "entry": "entries",
              "addendum": "addenda", "thing": "things", "day": "days", "copy": "copies",
              "summary": "summaries", "authority": "authorities", "agency": "agencies"}


def plural_of(noun: str) -> str:
    return _IRREGULAR.get(noun) or (noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s")


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 action``, ``2 actions``, ``0 people`` (``many`` when the plural is irregular)."""
    return f"{count:,} {noun if count == 1 else (many or plural_of(noun))}"
