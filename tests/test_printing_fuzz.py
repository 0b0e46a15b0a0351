"""Any text in any field: the PDF builds, the text prints literally, nothing is injected.

ReportLab's Paragraph reads a mini-markup; user text must never be read as markup
(``<img src=...>`` would embed a local file, ``<a href=...>`` a link, ``<font name=x>``
kill the build). Hypothesis mixes arbitrary Unicode with markup-looking text.
"""

from __future__ import annotations

import io
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from mappa_desktop.printing import PrintMeta, render_minute, render_register

MARKUP = [
    "<b>", "</b>", '<img src="/etc/passwd"/>', "<img src='/etc/hostname' width=10 height=10/>", "&amp;", "&",
    "]]>", "<![CDATA[", "<font name=x>", '<font name="Helvetica" size=90>', '<a href="file:///etc/passwd">',
    "</a>", '<link href="http://example.com">x</link>', "<para>", "<br/>", "<br>", "&#x41;", "&nbsp;", "&lt;",
    "<onDraw name=x/>", "<seq/>", "<u>", "<super>", "\n", "\n\n", "\t", "\r\n", "  ",
]

texts = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(MARKUP)), max_size=8).map("".join)

FIELDS = ("dissent", "name", "action", "full_name", "agency")


def _printable():
    from mappa_desktop.printing.fonts import register_fonts

    return register_fonts()


def visible(text: str) -> str:
    """The characters a reader would find on the page: letters, digits, punctuation and
    symbols the font has (spaces, line breaks and invisible characters aside)."""
    printable = _printable()
    text = unicodedata.normalize("NFC", text.replace("\r", "\n"))
    return "".join(c for c in text if c in printable and unicodedata.category(c)[0] in "LNPS")


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(char in it for char in needle)


def squash(text: str) -> str:
    return "".join(text.split())


def _content(values: dict) -> dict:
    def marked(key):
        return f"QSTART{key}Q{values[key]}QEND{key}Q"

    return {
        "meeting": {"dissent": marked("dissent"), "meeting_date": "2026-10-14"},
        "rows": {"attendance": [{"name": marked("name"), "agency": marked("agency"), "status": "present"}]},
        "case": {"full_name": marked("full_name")},
        "actions": [{"id": 1, "number": 1, "action_text": marked("action"), "owner_person": "A", "owner_agency": "B",
                     "target_date": "2026-10-20", "status": "open"}],
    }


def _assert_nothing_injected(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert page.get("/Annots") is None
        assert "/XObject" not in page.get("/Resources")
    for forbidden in (b"/Subtype /Image", b"/XObject", b"/Annot", b"/URI", b"/Link", b"/JavaScript", b"/Launch"):
        assert forbidden not in pdf


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: texts for key in FIELDS}), texts)
def test_any_text_in_any_field_prints_literally(values, frame_text):
    meta = PrintMeta(reference=frame_text, area_name=frame_text, protective_marking=frame_text or "OFFICIAL-SENSITIVE",
                     printed_by=frame_text)
    result = render_minute(_content(values), meta)
    _assert_nothing_injected(result.pdf)
    reader = PdfReader(io.BytesIO(result.pdf))
    assert len(reader.pages) == result.pages
    text = squash("".join(page.extract_text() for page in reader.pages))
    for key in FIELDS:
        start = text.find(f"QSTART{key}Q")
        end = text.find(f"QEND{key}Q", start)
        assert 0 <= start < end, key
        assert is_subsequence(visible(values[key]), text[start:end]), key
    for name, value in reader.metadata.items():
        assert isinstance(value, str)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_in_a_register_row_prints_literally(value):
    row = {"reference": "FS-1", "number": 1, "raised_date": "2026-10-01", "action_text": f"QS{value}QE",
           "owner_person": value, "owner_agency": value, "target_date": "2026-10-20", "status": "open",
           "completed_date": None, "outcome": value, "withdrawn_reason": None}
    result = render_register([row], PrintMeta(printed_at="2026-10-25T10:00:00+00:00"), title=value or "Register")
    _assert_nothing_injected(result.pdf)
    text = squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(result.pdf)).pages))
    start, end = text.find("QS"), text.rfind("QE")
    assert is_subsequence(visible(value), text[start:end])
