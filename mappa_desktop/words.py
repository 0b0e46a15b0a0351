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


def match_rank(typed: str, title: str) -> int | None:
    """How well ``typed`` finds ``title`` (lower is better; None: not at all). The whole
    title first, then titles that start with it, then a word that starts with it, then
    anywhere: "disc" finds "Disclosure" before "Risk assessment discussion", and "mappa"
    finds "MAPPA level discussion" before "Chair's summary" could ever get in the way."""
    typed, title = " ".join(typed.casefold().split()), title.casefold()
    if not typed:
        return 3
    if title == typed:
        return 0
    if title.startswith(typed):
        return 1
    words = title.replace("'", " ").replace("-", " ").split()
    if any(" ".join(words[i:]).startswith(typed) for i in range(len(words))):
        return 2
    return 3 if typed in title else None
