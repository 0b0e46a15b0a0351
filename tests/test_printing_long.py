"""Very long text prints whole, in time proportional to its length: long paragraphs go to
ReportLab in pieces of about a page, cut at line ends, and a paragraph split at a page end
keeps the lines it already has (the same bytes as breaking them again)."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from mappa_desktop.printing import render_minute
from mappa_desktop.printing.text import PIECE_CHARS, PIECE_LINES, split_pieces

from .test_printing import DRAFT, body_text, demo_content, rich_content, squash  # noqa: F401 (fixtures)


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
                        max_size=3000), max_size=60).map("\n".join))
@settings(max_examples=60, deadline=None)
def test_pieces_keep_every_word_in_order_and_stay_small(text):
    for grouped in (False, True):
        pieces = split_pieces(text, grouped=grouped)
        assert [w for piece in pieces for w in piece.split()] == text.split()
        for piece in pieces:
            assert piece.count("\n") < (PIECE_LINES if grouped or len(pieces) == 1 else 1)
            assert len(piece) <= PIECE_CHARS


def test_a_short_paragraph_is_one_piece():
    text = "A paragraph.\nWith a second line."
    assert split_pieces(text) == [text]


def test_a_long_line_is_cut_after_a_sentence():
    sentence = "The meeting agreed the plan in full. "
    text = (sentence * 700).strip()  # about 26,000 characters, no newline
    pieces = split_pieces(text)
    assert len(pieces) >= 3
    assert all(p.endswith(".") for p in pieces)
    assert " ".join(pieces) == text


def test_a_300000_character_paragraph_and_6000_lines_print_whole(rich_content):  # noqa: F811
    words = " ".join(f"w{i}" for i in range(50_000))[:300_000]
    lines = "\n".join(f"line {i} of the list" for i in range(6_000))
    c = copy.deepcopy(rich_content)
    c["meeting"]["risk_assessment"] = words
    c["meeting"]["contingency"] = lines
    c["rows"]["agency_updates"][0]["update_text"] = lines.replace("line", "row")  # in a table cell
    result = render_minute(c, DRAFT)
    body = squash(body_text(result.pdf))
    assert squash(words) in body
    assert squash(lines) in body
    for i in range(0, 6_000, 250):  # the cell runs over many pages, inside its row
        assert f"row{i}ofthelist" in body
    assert result.pages > 100


def test_keeping_the_lines_of_a_split_paragraph_changes_no_byte(rich_content, monkeypatch):  # noqa: F811
    from reportlab.platypus import Paragraph

    from mappa_desktop.printing import blocks

    words = " ".join(f"word{i % 977}" for i in range(12_000))
    c = copy.deepcopy(rich_content)
    c["meeting"]["risk_assessment"] = words  # a long plain paragraph: its lines are kept
    c["meeting"]["dissent"] = (words[:5000] + "\n\n") * 3
    kept = render_minute(c, DRAFT)
    monkeypatch.setattr(blocks.Para, "split", Paragraph.split)  # ReportLab breaks them again
    again = render_minute(c, DRAFT)
    assert kept.pages == again.pages and kept.pdf == again.pdf
