"""What a search over the minutes' text means, and how a hit is shown.

A query as people type it: words (each must appear, case and accents ignored), ``word*``
for words that start so, and ``"an exact phrase"``. Several plain words also make a
phrase, and a minute that has them side by side is listed before one that has them apart.

The store's index (SQLite FTS5, ``unicode61 remove_diacritics 2``) holds no text of its own,
so the snippet and the highlighted words are found here, in the field's own text, with the
same folding as the index: ``fold("Nguyễn") == fold("nguyen")``. The editor uses the same
spans to highlight the words when a hit is opened.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: A token as the index sees it: a run of letters and digits (punctuation and spaces split).
_TOKEN = re.compile(r"[^\W_]+")
_QUOTED = re.compile(r'"([^"]*)("|$)(\*?)')
_WORD = re.compile(r"([^\W_]+)(\*?)")


#: Letters that are not a base letter with an accent in Unicode, so the index's own folding
#: (``remove_diacritics 2``) keeps them, but that people type without: "Lukasz" for
#: "Łukasz". The index is given the text with these replaced (``db/search.py``), and
#: queries and highlights fold the same way. Changing this list needs a migration that
#: re-creates the search triggers and rebuilds the index.
EXTRA_FOLDS = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H",
               "ı": "i", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"}
_EXTRA = str.maketrans(EXTRA_FOLDS)


def fold(text: str) -> str:
    """Lower case without accents, as the index compares words (``Ní`` -> ``ni``,
    ``Łukasz`` -> ``lukasz``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


_fold_word = lru_cache(maxsize=20_000)(fold)  # words repeat: fold each once


@dataclass(frozen=True)
class Term:
    """One thing the query asks for: a word or a phrase (words side by side); with
    ``prefix`` the last word may be the start of a longer one."""

    words: tuple[str, ...]
    prefix: bool = False

    def expression(self) -> str:
        """The FTS5 form. Words are letters and digits only, so quoting is enough to keep
        AND, OR, NEAR and the like literal."""
        return f'"{" ".join(self.words)}"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed query: ``terms`` must all match; ``phrase`` (plain words typed together)
    is what ranks first when present."""

    terms: tuple[Term, ...]
    phrase: Term | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def all_terms(self) -> str:
        """Every term required: the FTS5 MATCH expression."""
        return " AND ".join(t.expression() for t in self.terms)

    def exact(self) -> str | None:
        """The plain words as one phrase (None for a single word or a quoted query)."""
        return self.phrase.expression() if self.phrase else None


def parse(text: str) -> Query:
    """Read the search box. Nothing searchable (only punctuation) gives an empty Query."""
    terms: list[Term] = []
    plain: list[Term] = []
    rest = []
    last = 0
    for match in _QUOTED.finditer(text or ""):
        rest.append(text[last:match.start()])
        last = match.end()
        words = tuple(fold(w) for w in _TOKEN.findall(match.group(1)))
        if words:
            terms.append(Term(words, prefix=bool(match.group(3))))
    rest.append((text or "")[last:])
    for part in rest:
        for match in _WORD.finditer(part):
            plain.append(Term((fold(match.group(1)),), prefix=bool(match.group(2))))
    terms = plain + terms
    phrase = None
    if len(plain) > 1 and len(terms) == len(plain):
        phrase = Term(tuple(t.words[0] for t in plain), prefix=plain[-1].prefix)
    return Query(tuple(terms), phrase)


# -- where the words are in a text ------------------------------------------------------------


def _matches(token: str, word: str, prefix: bool) -> bool:
    return token.startswith(word) if prefix else token == word


def find_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """(start, end) of every place in ``text`` that a term of the query matches, in order,
    overlapping places joined."""
    if not text or not query:
        return []
    found = list(_TOKEN.finditer(text))
    words = [_fold_word(m.group()) for m in found]
    spans = []
    for term in (*query.terms, *((query.phrase,) if query.phrase else ())):
        first, size = term.words[0], len(term.words)
        first_prefix = term.prefix and size == 1
        for i, word in enumerate(words):
            if not _matches(word, first, first_prefix) or i + size > len(words):
                continue
            if all(_matches(words[i + k], w, term.prefix and k == size - 1)
                   for k, w in enumerate(term.words[1:], 1)):
                spans.append((found[i].start(), found[i + size - 1].end()))
    spans.sort()
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


@dataclass(frozen=True)
class Snippet:
    """A short stretch of a text around what was found, on one line; ``marks`` are
    (start, end) offsets into ``text`` of the words to highlight."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def pieces(self) -> list[tuple[str, bool]]:
        """The text cut into (piece, highlighted) in order: for whoever draws it."""
        out, at = [], 0
        for start, end in self.marks:
            if start > at:
                out.append((self.text[at:start], False))
            out.append((self.text[start:end], True))
            at = end
        if at < len(self.text):
            out.append((self.text[at:], False))
        return out


def _one_line(text: str, spans: list[tuple[int, int]], offset: int) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with every run of white space made one space, and ``spans`` (offsets into
    the whole text, ``offset`` being where ``text`` starts) moved to match."""
    out: list[str] = []
    where = []  # where each character of ``text`` (and its end) lands in the result
    for char in text:
        where.append(len(out))
        if char.isspace():
            if not out or out[-1] != " ":
                out.append(" ")
        else:
            out.append(char)
    where.append(len(out))
    return "".join(out), [(where[s - offset], where[e - offset]) for s, e in spans]


def snippet(text: str | None, query: Query, *, before: int = 70, width: int = 220) -> Snippet:
    """The stretch of ``text`` where most of what was searched for is, about ``width``
    characters, cut at word boundaries, with "…" where it was cut."""
    text = text or ""
    spans = find_spans(text, query)
    if not spans:
        head = text[:width]
        cut = head.rfind(" ") if len(text) > width else len(head)
        line, _ = _one_line(head[: cut if cut > 0 else width], [], 0)
        return Snippet(line.strip() + ("…" if len(text) > width else ""))
    # The window that holds the most places (the first such, for a stable choice).
    best, best_count = 0, 0
    for i, (start, _end) in enumerate(spans):
        count = sum(1 for s, e in spans[i:] if e <= start + width - before)
        if count > best_count:
            best, best_count = i, count
    start = max(0, spans[best][0] - before)
    end = min(len(text), start + width)
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 30 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 30 else end
    inside = [(max(s, start), min(e, end)) for s, e in spans if e > start and s < end]
    line, marks = _one_line(text[start:end], inside, start)
    lead = len(line) - len(line.lstrip())
    line = line.strip()
    marks = [(s - lead, e - lead) for s, e in marks]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    marks = [(s + len(prefix), e + len(prefix)) for s, e in marks if e > s]
    return Snippet(prefix + line + suffix, tuple(marks))
