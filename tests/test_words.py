"""Words that read right: one helper for singular and plural (and no "(s)" or hand-made
plural left in the code), the Go-to-section finder's order, and guidance that uses the
updated document numbers."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from mappa_desktop import scr_spec, spec
from mappa_desktop.words import match_rank, plural

CODE = Path(__file__).resolve().parent.parent / "mappa_desktop"
#: "thing(s)" in a string; "{n} case{'s' if n != 1 else ''}", "entr{'ies' ...}" in the code.
IN_WORDS = re.compile(r"[a-z]\((?:s|es)\)")
IN_CODE = re.compile(r"""['"](?:s|es|ies)['"] if |['"]s['"] \*""")
STRINGS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def test_singular_and_plural():
    assert plural(1, "thing") == "1 thing"
    assert plural(2, "thing") == "2 things"
    assert plural(1, "page") == "1 page" and plural(0, "page") == "0 pages"
    assert plural(1, "entry") == "1 entry" and plural(3, "entry") == "3 entries"
    assert plural(1, "case") == "1 case" and plural(1_234, "case") == "1,234 cases"
    assert plural(2, "audit entry", "audit entries") == "2 audit entries"


def test_no_plural_is_made_by_hand_anywhere_in_the_code():
    """Every string (f-strings too) of the application, read as Python reads it."""
    found = set()
    for path in CODE.rglob("*.py"):
        if path.name == "words.py":
            continue
        with tokenize.open(path) as source:
            for token in tokenize.generate_tokens(source.readline):
                if token.type in STRINGS and IN_WORDS.search(token.string) or IN_CODE.search(token.line):
                    found.add(f"{path.relative_to(CODE.parent)}:{token.start[0]}: {token.line.strip()}")
    assert not found, "\n".join(sorted(found))


def test_the_finder_puts_the_start_of_a_title_or_word_first():
    titles = [s.title for s in spec.SECTIONS]

    def found(typed):
        ranked = sorted((match_rank(typed, t), i, t) for i, t in enumerate(titles) if match_rank(typed, t) is not None)
        return [t for _r, _i, t in ranked]

    assert found("disc")[0] == "Disclosure and public protection decisions"
    assert found("disc")[1:] == ["Risk assessment discussion", "Risk management discussion",
                                 "Contingency planning discussion", "MAPPA level discussion"]
    assert found("Dissent")[0] == "Dissent"  # the whole title first
    assert found("mappa")[0] == "MAPPA level discussion"  # a title's start before a word's
    assert found("level") == ["Agreed level of risk of serious harm", "MAPPA level discussion"]
    assert found("summ") == ["Chair's summary"]
    assert found("zzz") == []


@given(st.text(max_size=12))
def test_the_finder_never_fails_and_finds_what_it_contains(typed):
    for title in (s.title for s in spec.SECTIONS):
        rank = match_rank(typed, title)
        words = " ".join(typed.casefold().split())
        assert (rank is not None) == (not words or words in title.casefold())


def test_the_go_to_dialog_lists_the_best_match_first(qtbot):
    from mappa_desktop.ui.minute_dialogs import GoToSectionDialog

    dialog = GoToSectionDialog(spec.SECTIONS)
    qtbot.addWidget(dialog)
    chosen = []
    dialog.chosen.connect(chosen.append)
    dialog.filter.setText("disc")
    assert dialog.list.item(0).text() == "Disclosure and public protection decisions"
    assert dialog.list.count() == 5
    dialog._choose()
    assert chosen == ["disclosure"]


def _user_facing_text():
    for section in (*spec.SECTIONS, *spec.CASE_SECTIONS, scr_spec.INCIDENT, *scr_spec.STAGES):
        yield f"section {section.key}", section.guidance
        for field in section.fields:
            yield f"field {section.key}.{field.key}", field.help or ""
    for path in (CODE / "ui").glob("*.py"):
        yield str(path.name), path.read_text(encoding="utf-8")


def test_guidance_uses_the_updated_document_numbers():
    """5B's "document 6" (risk assessment) and "document 7" (risk management) are the 2016
    numbers; the updated set has 6 for the risk management plan and 7A/7B for Social Security
    Scotland. Every "document N" a person reads is one of the set, named as the set names it."""
    mentions = []
    for where, text in _user_facing_text():
        for number in re.findall(r"[Dd]ocument (\d+[A-C]?)\b", text):
            assert number in spec.DOCUMENT_SET, (where, number)
            mentions.append((where, number, text))
    risk_management = [text for where, number, text in mentions if number == "6"]
    assert risk_management, "the risk management plan's number is given somewhere"
    for text in risk_management:
        for found in re.finditer(r"[Dd]ocument 6\b", text):
            nearby = text[max(0, found.start() - 80): found.end() + 40].replace("\n", " ")
            assert "risk management plan" in nearby, nearby
    assert not any(number == "7" for _w, number, _t in mentions)
