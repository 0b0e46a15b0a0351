"""What changed between the draft issued for comment and the minute approved, section by
section: the corrections received after issue, in words a reader of the case file can
check against the issued copy.

Pure: two minute contents (``ops.minute.minute_content``) in, a list of ``Correction`` out.
Rows of a section are compared by position (a row is re-written whenever its section is
saved); actions by their id; long text by the passages that changed, quoted briefly.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Mapping, Sequence

from . import spec

Kind, Source = spec.Kind, spec.Source
QUOTE = 90  # characters of a changed passage quoted
MOST = 4  # passages quoted per field; the rest are counted


@dataclass(frozen=True)
class Correction:
    """The changes to one section after issue."""

    section: str
    title: str
    changes: tuple[str, ...]


def _quote(words: Sequence[str]) -> str:
    text = " ".join(words)
    return f"“{text[:QUOTE].rstrip()}…”" if len(text) > QUOTE else f"“{text}”"


def text_changes(old, new) -> list[str]:
    """The passages of a long text that changed, as '“old” → “new”', 'added “…”' and
    'removed “…”' (at most ``MOST``, then how many more)."""
    before, after = str(old or "").split(), str(new or "").split()
    passages = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if op == "replace":
            passages.append(f"{_quote(before[i1:i2])} → {_quote(after[j1:j2])}")
        elif op == "delete":
            passages.append(f"removed {_quote(before[i1:i2])}")
        elif op == "insert":
            passages.append(f"added {_quote(after[j1:j2])}")
    if len(passages) > MOST:
        passages = passages[:MOST] + [f"and {len(passages) - MOST} more changes"]
    return passages


def _shown(field: spec.Field, value) -> str:
    try:
        return field.display(value) or "not recorded"
    except (TypeError, ValueError):
        return str(value)


def _same(a, b) -> bool:
    blank = (None, "")
    return (a in blank and b in blank) or a == b


def field_changes(fields, old: Mapping, new: Mapping, prefix: str = "") -> list[str]:
    """One line per field whose value differs."""
    out = []
    for field in fields:
        a, b = old.get(field.key), new.get(field.key)
        if _same(a, b):
            continue
        if field.kind is Kind.LONG_TEXT and a not in (None, "") and b not in (None, ""):
            out.append(f"{prefix}{field.label}: " + "; ".join(text_changes(a, b)))
        elif field.kind is Kind.LONG_TEXT:
            out.append(f"{prefix}{field.label}: " + (f"added {_quote(str(b).split())}" if a in (None, "")
                                                     else f"removed {_quote(str(a).split())}"))
        else:
            out.append(f"{prefix}{field.label}: {_shown(field, a)} → {_shown(field, b)}")
    return out


def _row_changes(section: spec.Section, old_rows: Sequence[Mapping], new_rows: Sequence[Mapping]) -> list[str]:
    noun = section.row_noun.capitalize()
    out = []
    for index in range(max(len(old_rows), len(new_rows))):
        if index >= len(old_rows):
            out.append(f"{noun} {index + 1} added")
        elif index >= len(new_rows):
            out.append(f"{noun} {index + 1} removed")
        else:
            out += field_changes(section.fields, old_rows[index], new_rows[index], f"{noun} {index + 1}, ")
    return out


def _action_changes(section: spec.Section, old: Sequence[Mapping], new: Sequence[Mapping]) -> list[str]:
    before = {a.get("id"): a for a in old}
    after = {a.get("id"): a for a in new}
    out = []
    for action_id, action in after.items():
        number = action.get("number")
        if action_id not in before:
            out.append(f"Action {number} added")
            continue
        out += field_changes(section.fields, before[action_id], action, f"Action {number}, ")
    out += [f"Action {a.get('number')} removed" for i, a in before.items() if i not in after]
    return out


def corrections(issued: Mapping, approved: Mapping) -> list[Correction]:
    """Every section of the minute that differs between the two contents, in minute order."""
    found = []
    for section in spec.SECTIONS:
        if section.source is Source.MEETING:
            changes = field_changes(section.fields, issued.get("meeting") or {}, approved.get("meeting") or {})
        elif section.source is Source.CASE:
            changes = field_changes(section.fields, issued.get("case") or {}, approved.get("case") or {})
        elif section.source is Source.CASE_ROWS:
            changes = _row_changes(section, issued.get(section.key) or [], approved.get(section.key) or [])
        elif section.source is Source.ROWS:
            changes = _row_changes(section, (issued.get("rows") or {}).get(section.key) or [],
                                   (approved.get("rows") or {}).get(section.key) or [])
        else:
            changes = _action_changes(section, issued.get(section.key) or [], approved.get(section.key) or [])
        if changes:
            found.append(Correction(section.key, section.title, tuple(changes)))
    return found


def as_data(found: Sequence[Correction]) -> list[dict]:
    """Corrections as plain JSON-able data (kept in the finalised minute's content)."""
    return [{"section": c.section, "title": c.title, "changes": list(c.changes)} for c in found]
