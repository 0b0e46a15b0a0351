"""The printed minute and executive summary, read back with pypdf.

The demo review meeting (``demo.add_example_meetings``) is built in a real store and
turned into printable content by ``minutes.minute_content``, as the app does; tests add
text and actions to it where they need more.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import unicodedata

import pytest
from pypdf import PdfReader

from mappa_desktop import demo, security, spec
from mappa_desktop.dates import format_date
from mappa_desktop.ops.minute import minute_content
from mappa_desktop.paths import DataPaths
from mappa_desktop.printing import DEFAULT_SUMMARY_SECTIONS, PrintMeta, render_minute, summary_selection

MARKING = "OFFICIAL-SENSITIVE"
SHA = "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd"
DRAFT = PrintMeta(area_name="Forth Valley MAPPA", reference="FS-2026-0147", meeting_date="2026-10-14",
                  status="draft", printed_by="Ann Admin", printed_at="2026-10-14T14:20:00+00:00")
FINAL = PrintMeta(area_name="Forth Valley MAPPA", reference="FS-2026-0147", meeting_date="2026-10-14",
                  status="finalised", version=1, finalised_by="DI Euan MacDhòmhnaill",
                  finalised_at="2026-10-15T08:14:00+00:00", sha256=SHA, printed_by="Ann Admin",
                  printed_at="2026-10-15T14:20:00+00:00",
                  addenda=(("2026-10-20T09:00:00+00:00", "DI Euan MacDhòmhnaill", "Date of disclosure corrected",
                            "The disclosure took place on 17/10/2026 because Ms Reid was unwell."),))

EXTRA_ACTIONS = [
    ("Arrange hearing loop for the disclosure meeting", "Siobhán Ní Bhriain", "Justice Social Work", "2026-10-15"),
    ("Confirm the children's school with the head teacher", "Grzegorz Wiśniewski", "Children's Services", "2026-10-28"),
    ("Monthly unannounced home visit (November)", "DS Fiona McLeish", "Police Scotland", "2026-11-14"),
    ("Offer the community alcohol service referral again", "Dr Nguyễn Thị Lan", "NHS health board", "2026-11-11"),
    ("Review the tenancy file for further neighbour complaints", "Aileen Docherty", "Registered social landlord", "2026-12-01"),
    ("Ask the programme provider for a mid-programme report", "Siobhán Ní Bhriain", "Justice Social Work", "2026-11-30"),
    ("Share the out-of-hours number with the duty inspector", "Lorna Petrie", "MAPPA unit", "2026-10-15"),
    ("Check jobcentre records for any change of work placement", "Ross Mackay", "DWP / Jobcentre Plus", "2026-11-04"),
]
DISCUSSION = (
    "Risk Matrix 2000: high. Stable 2007: moderate; the scoring was discussed and agreed.\n\n"
    "Relationships: he has told police of a new relationship with a woman who has two children. "
    "The meeting agreed this is the most significant change since July.\n\n"
    "Alcohol: the GP reports raised alcohol use since the summer; he declined the referral."
)


# -- content ---------------------------------------------------------------------------------


def build_demo_content(folder) -> dict:
    """The October review meeting of the example case, as the printout receives it."""
    from mappa_desktop.db.session import create_store

    created = create_store(DataPaths(folder / "data"), name="Ann Admin",
                           agency="Police Scotland", role="MAPPA coordinator",
                           passphrase="granite otter lantern violet", kdf=security.TEST_KDF)
    try:
        store = created.store
        case_id = demo.add_example_case(store)
        _first, review = demo.add_example_meetings(store, case_id)
        minute = store.minutes.get(review, consult=False)
        case = store.cases.get(case_id, consult=False)
        return minute_content(minute, case, {"review:past": "The chair set the date before the meeting moved."})
    finally:
        created.close()


@pytest.fixture(scope="module")
def demo_content(tmp_path_factory) -> dict:
    return build_demo_content(tmp_path_factory.mktemp("printing"))


def with_more(content: dict) -> dict:
    """The demo minute with a longer discussion and twelve actions agreed."""
    c = copy.deepcopy(content)
    c["meeting"]["risk_assessment"] = DISCUSSION
    base = max(a["number"] for a in c["actions"])
    for i, (text, who, agency, target) in enumerate(EXTRA_ACTIONS, 1):
        c["actions"].append({"id": 900 + i, "number": base + i, "raised_date": "2026-10-14",
                             "meeting_id": c["meeting_id"], "action_text": text, "owner_person": who,
                             "owner_agency": agency, "target_date": target, "status": "open",
                             "completed_date": None, "outcome": None, "withdrawn_reason": None})
    return c


@pytest.fixture(scope="module")
def rich_content(demo_content) -> dict:
    return with_more(demo_content)


@pytest.fixture(scope="module")
def final_minute(rich_content):
    return render_minute(rich_content, FINAL)


# -- reading PDFs back -------------------------------------------------------------------------


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader_(pdf).pages]


def PdfReader_(pdf: bytes) -> PdfReader:  # noqa: N802
    import io

    return PdfReader(io.BytesIO(pdf))


def body_text(pdf: bytes) -> str:
    """The text of every page without the page furniture (marking, running header,
    watermark, footer), so that text running across pages can be read whole."""
    out = []
    for text in page_texts(pdf):
        lines = text.strip().splitlines()[3:-3]
        out.extend(line for line in lines if line.strip() != "DRAFT")
    return "\n".join(out)


def squash(text: str) -> str:
    """Text without any whitespace: line breaks fall wherever the layout puts them."""
    return "".join(str(text).split())


def all_text(pdf: bytes) -> str:
    return squash("".join(page_texts(pdf)))


def names_in(content: dict) -> set[str]:
    """Every personal name in the content: the offender's names and the attendees'."""
    case = content["case"]
    names = {case["full_name"], *case["aliases"].splitlines(), case["case_officer"]}
    names |= {r["name"] for r in content["rows"]["attendance"]}
    names |= {a["owner_person"] for a in content["actions"] + content["previous_actions"]}
    names |= {content["meeting"]["chair"], content["meeting"]["minute_taker"], "Joanne Reid"}
    return {n for n in names if n}


# -- the full minute ---------------------------------------------------------------------------


def test_every_section_title_in_spec_order(final_minute):
    text = all_text(final_minute.pdf)
    position = 0
    for number, section in enumerate(spec.SECTIONS, 1):
        found = text.find(squash(f"{number} {section.title}"), position)
        assert found >= 0, f"section {section.key} ({section.title}) missing or out of order"
        position = found


def _section_spans(text: str) -> dict[str, tuple[int, int]]:
    starts = [text.find(squash(f"{n} {s.title}")) for n, s in enumerate(spec.SECTIONS, 1)]
    ends = starts[1:] + [text.find(squash("Gaps acknowledged at finalising"))]
    return {s.key: (a, b) for s, a, b in zip(spec.SECTIONS, starts, ends)}


def _expected_values(section: spec.Section, content: dict) -> list[str]:
    """What the printout must show for a section, in the order it shows it."""
    if section.source in (spec.Source.MEETING, spec.Source.CASE):
        values = content["meeting" if section.source is spec.Source.MEETING else "case"]
        return [f.display(values.get(f.key)) for f in section.fields]
    if section.source is spec.Source.ROWS:
        rows = content["rows"].get(section.key, [])
    elif section.source is spec.Source.CASE_ROWS:
        rows = content[section.key]
    else:
        rows = sorted(content[section.key], key=lambda r: r["number"])
    shown = []
    for row in rows:
        if section.source is spec.Source.REGISTER:
            shown.append(str(row["number"]))
        for f in section.fields:
            if section.key == "previous_actions" and f.key in ("owner_agency", "target_date"):
                value = row.get("owner_agency") if f.key == "owner_agency" else ""  # under the owner; no target column
            else:
                value = f.display(row.get(f.key))
            shown.append(value)
    return shown


def test_every_typed_value_in_its_section_in_order(final_minute, rich_content):
    text = all_text(final_minute.pdf)
    spans = _section_spans(text)
    checked = 0
    for section in spec.SECTIONS:
        start, end = spans[section.key]
        part = text[start:end]
        cursor = 0
        for value in _expected_values(section, rich_content):
            if not value:
                continue
            found = part.find(squash(value), cursor)
            assert found >= 0, f"{section.key}: {value!r} missing or out of order"
            cursor = found + len(squash(value))
            checked += 1
    assert checked > 150


def test_the_agreed_risk_carries_its_definition_and_the_confidentiality_its_time(final_minute):
    text = all_text(final_minute.pdf)
    high = spec.field("rosh.agreed_rosh").choice("high")
    assert squash(f"Risk of serious harm {high.label} {high.help}") in text
    assert squash("Agreed by all present Yes Time agreed 10:02") in text


def test_acknowledged_gaps_approval_and_addenda_follow_the_sections(final_minute):
    text = all_text(final_minute.pdf)
    order = [squash(spec.SECTIONS[-1].title), "Gapsacknowledgedatfinalising", squash("The next review date is in the past."),
             squash("The chair set the date before the meeting moved."), "Approval", squash("9f2c4e1a 7b3d5c6e"),
             "Addenda", squash("Addendum 1 · 20/10/2026 10:00 · DI Euan MacDhòmhnaill"),
             squash("Date of disclosure corrected"), squash("because Ms Reid was unwell."), "Endoftheminute."]
    positions = [text.find(x) for x in order]
    assert -1 not in positions, dict(zip(order, positions))
    assert positions == sorted(positions)


def test_every_page_starts_and_ends_with_the_marking(final_minute):
    texts = page_texts(final_minute.pdf)
    assert len(texts) == final_minute.pages > 1
    for text in texts:
        assert text.strip().startswith(MARKING)
        assert text.strip().endswith(MARKING)


def test_a_configured_marking_is_used(rich_content):
    meta = PrintMeta(protective_marking="OFFICIAL-SENSITIVE: MAPPA", reference="FS-2026-0147")
    for text in page_texts(render_minute(rich_content, meta).pdf):
        assert text.strip().startswith("OFFICIAL-SENSITIVE: MAPPA")
        assert text.strip().endswith("OFFICIAL-SENSITIVE: MAPPA")


def test_the_running_header_names_the_case_and_date_not_the_offender(final_minute, rich_content):
    for text in page_texts(final_minute.pdf):
        assert "Case FS-2026-0147 · 14/10/2026" in text
    # The name is in the offender section and nowhere else: never in a header or footer.
    texts = page_texts(final_minute.pdf)
    assert sum(squash(t).count(squash(rich_content["case"]["full_name"])) for t in texts) == 1


def _with_long_text(content: dict, paragraphs: int) -> dict:
    c = copy.deepcopy(content)
    sentence = "The meeting went through each dynamic factor in turn and agreed the plan below. "
    c["meeting"]["risk_management"] = "\n\n".join(sentence * 6 for _ in range(paragraphs))
    return c


def _content_with_pages(content: dict, target: int, *, summary=None):
    """Content whose printout has exactly ``target`` pages (found by trying lengths)."""
    low, high = 0, 12 * target + 10
    while low <= high:
        middle = (low + high) // 2
        result = render_minute(_with_long_text(content, middle), DRAFT, summary_sections=summary)
        if result.pages == target:
            return result
        if result.pages < target:
            low = middle + 1
        else:
            high = middle - 1
    raise AssertionError(f"no length gives {target} pages")


@pytest.mark.parametrize("target", [1, 2, 40])
def test_page_i_of_n_is_right(demo_content, target):
    summary = ("purpose", "risk_management") if target < 3 else None
    result = _content_with_pages(demo_content, target, summary=summary)
    texts = page_texts(result.pdf)
    assert len(texts) == result.pages == target
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {target}" in text


def test_drafts_carry_draft_on_every_page_and_finalised_ones_do_not(rich_content, final_minute):
    for status in ("draft", "issued"):
        result = render_minute(rich_content, PrintMeta(reference="FS-2026-0147", status=status))
        assert result.pages > 1
        for text in page_texts(result.pdf):
            assert "DRAFT" in text
    assert "DRAFT" not in "".join(page_texts(final_minute.pdf))


def test_finalised_pages_carry_version_and_fingerprint(final_minute, rich_content):
    line = "Version 1 · finalised by DI Euan MacDhòmhnaill on 15/10/2026 09:14 · fingerprint 9f2c4e1a7b3d"
    for text in page_texts(final_minute.pdf):
        assert line in text
    assert squash("9f2c4e1a 7b3d5c6e 8f0a1b2c 3d4e5f60 718293a4 b5c6d7e8 f9012345 678abcd") in all_text(final_minute.pdf)
    draft = render_minute(rich_content, DRAFT)
    for text in page_texts(draft.pdf):
        assert not re.search(r"fingerprint [0-9a-f]{12}", text) and "Draft · not approved by the chair" in text


def test_metadata_carries_no_personal_names(final_minute, rich_content):
    reader = PdfReader_(final_minute.pdf)
    info = reader.metadata
    assert info["/Title"] == "MAPPA minute FS-2026-0147 14/10/2026"
    assert info["/Author"] == "Forth Valley MAPPA"
    fields = " ".join(str(info.get(k, "")) for k in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer"))
    for name in names_in(rich_content) | {"Ann Admin", "DI Euan MacDhòmhnaill"}:
        assert name not in fields
        for part in name.split():
            if len(part) > 3:
                assert part not in fields, part
    assert b"/Metadata" not in final_minute.pdf  # no XMP packet to carry anything else
    assert PdfReader_(render_minute(rich_content, PrintMeta()).pdf).metadata["/Author"] == "MAPPA Desktop"


def test_the_same_minute_gives_the_same_bytes(rich_content):
    assert render_minute(rich_content, FINAL).pdf == render_minute(rich_content, FINAL).pdf
    summary = render_minute(rich_content, FINAL, summary_sections=DEFAULT_SUMMARY_SECTIONS)
    assert summary.pdf == render_minute(rich_content, FINAL, summary_sections=DEFAULT_SUMMARY_SECTIONS).pdf


def test_long_tables_repeat_their_header(rich_content):
    c = copy.deepcopy(rich_content)
    first = c["actions"][0]
    c["actions"] = [dict(first, id=5000 + i, number=i + 1, action_text=f"Action number {i + 1} of the long list")
                    for i in range(120)]
    texts = page_texts(render_minute(c, DRAFT).pdf)
    header = squash("No. Action Owner Agency Target date")
    pages_with_actions = [t for t in texts if "of the long list" in t]
    assert len(pages_with_actions) >= 3
    for text in pages_with_actions:
        assert header in squash(text)
    squashed = squash("".join(texts))
    positions = [squashed.find(squash(f"Action number {i + 1} of the long list")) for i in range(120)]
    assert -1 not in positions and positions == sorted(positions)


# -- the executive summary -------------------------------------------------------------------------


def test_summary_is_titled_and_keeps_only_its_sections(rich_content):
    result = render_minute(rich_content, FINAL, summary_sections=DEFAULT_SUMMARY_SECTIONS)
    texts = page_texts(result.pdf)
    text = squash("".join(texts))
    assert "Executivesummary" in text
    kept = {key.partition(".")[0] for key in DEFAULT_SUMMARY_SECTIONS}
    for section in spec.SECTIONS:
        assert (squash(section.title) in text) == (section.key in kept), section.key
    assert squash("High") in text and squash(spec.field("rosh.agreed_rosh").choice("high").help) in text
    assert squash("13/01/2027") in text and squash("Stays at the current level") in text


def test_summary_leaves_out_everything_else(rich_content):
    for meta in (DRAFT, FINAL):
        result = render_minute(rich_content, meta, summary_sections=DEFAULT_SUMMARY_SECTIONS)
        text = squash("".join(page_texts(result.pdf)))
        meeting, case = rich_content["meeting"], rich_content["case"]
        left_out = [
            meeting["victim_issues"], meeting["rosh_rationale"], "To whom", "Rationale", "Discussion",
            meeting["dissent"], meeting["diversity_offender"], meeting["chair_summary"], meeting["location"],
            case["pnc_number"], case["visor_number"], case["chs_number"], case["address"], case["date_of_birth"],
            format_date(case["date_of_birth"]), "Category1", "registeredsexoffender",
            rich_content["rows"]["disclosure"][0]["recipient"], rich_content["rows"]["disclosure"][0]["reason"],
            rich_content["rows"]["agency_updates"][0]["update_text"], "fingerprint9f2c4e1a7b3d5c6e",
            "Date of disclosure corrected", "The chair set the date before the meeting moved.",
        ]
        for item in left_out:
            assert squash(item) not in text, item
        for name in names_in(rich_content) | {"Ann Admin"}:
            assert squash(name) not in text, name
        assert squash("Version 1 · finalised on 15/10/2026 09:14") in text or meta is DRAFT


def test_summary_rows_are_reduced_to_the_chosen_columns(rich_content):
    result = render_minute(rich_content, DRAFT, summary_sections=("attendance.agency",))
    text = squash("".join(page_texts(result.pdf)))
    assert text.count("PoliceScotland") == 1  # two officers, one agency
    assert "Present" not in text and "Apologies" not in text


def test_summary_selection_is_checked_against_the_spec():
    assert summary_selection(["rosh", "rosh.agreed_rosh", "attendance.agency"]) == {
        "rosh": None, "attendance": frozenset({"agency"})}
    with pytest.raises(ValueError):
        summary_selection(["victim"])
    with pytest.raises(ValueError):
        summary_selection(["rosh.secret"])


# -- text safety and fonts ------------------------------------------------------------------------


def test_a_300_character_word_wraps_everywhere(rich_content):
    word = "".join("abcdefghij"[i % 10] for i in range(300))
    c = copy.deepcopy(rich_content)
    c["meeting"]["dissent"] = f"Before {word} after"
    c["case"]["full_name"] = word  # a grid value
    c["rows"]["attendance"][0]["name"] = word  # a table cell
    c["actions"][0]["action_text"] = word
    result = render_minute(c, DRAFT)
    texts = page_texts(result.pdf)
    for text in texts:
        for line in text.splitlines():
            assert len(line) < 160, line  # broken at the column edge, not run off the page
    assert squash(body_text(result.pdf)).count(word) == 4


def test_a_10000_character_paragraph_splits_across_pages(rich_content):
    words = " ".join(f"word{i}" for i in range(1500))[:10_000]
    c = copy.deepcopy(rich_content)
    c["meeting"]["dissent"] = words
    c["rows"]["agency_updates"][0]["update_text"] = words
    c["actions"][0]["action_text"] = words
    c["rows"]["attendance"][1]["role"] = words
    c["rows"]["disclosure"][0]["recipient"] = words
    result = render_minute(c, DRAFT)
    assert result.pages > 12
    body = squash(body_text(result.pdf))
    assert squash(words) in body  # the paragraph, whole, across its pages
    tokens = [t for t in words.split()[:-1] if len(t) == len("word1000")]  # none is the start of another
    for token in tokens[::23]:  # and in each table cell, split inside its row across pages
        assert body.count(token) == 5, token


def test_markup_in_user_text_prints_literally(rich_content):
    nasty = ['<b>bold?</b>', '<img src="/etc/passwd"/>', "&amp; R&D", "]]>", "<font name=x>", '<a href="http://x">x</a>',
             '<para>', "<br/>", "&#x41;", "&nbsp;"]
    c = copy.deepcopy(rich_content)
    c["meeting"]["dissent"] = " ".join(nasty)
    c["rows"]["attendance"][0]["name"] = nasty[1]
    c["actions"][0]["action_text"] = nasty[5]
    result = render_minute(c, PrintMeta(reference="<b>FS-1</b>", area_name="R&D <i>"))
    text = "".join(page_texts(result.pdf))
    for item in nasty:
        assert squash(item) in squash(text), item
    assert "<b>FS-1</b>" in text
    _assert_nothing_injected(result.pdf)


def _assert_nothing_injected(pdf: bytes):
    reader = PdfReader_(pdf)
    for page in reader.pages:
        assert page.get("/Annots") is None
        resources = page.get("/Resources")
        assert "/XObject" not in resources
    for forbidden in (b"/Subtype /Image", b"/XObject", b"/Annot", b"/URI", b"/Link", b"/JavaScript", b"/Launch"):
        assert forbidden not in pdf


SCRIPTS_THAT_PRINT = {
    "Polish": "Grzegorz Wiśniewski, Łukasz Żółć",
    "Irish": "Siobhán Ní Bhriain, Donnchadh Ó Súilleabháin",
    "Scottish Gaelic": "Euan MacDhòmhnaill, Ruairidh MacLeòid",
    "Vietnamese": "Nguyễn Thị Lan, Trần Văn Đức",
    "Greek": "Γιάννης Παπαδόπουλος",
    "Cyrillic": "Олена Коваленко, Дмитрий Иванов",
}
SCRIPTS_MARKED = {  # text, characters the printout cannot show
    "Chinese": ("王秀英", 3),
    "Arabic (right to left)": ("محمد", 4),
    "Hebrew (right to left)": ("דוד", 3),
    "emoji": ("🙂", 1),
}


@pytest.mark.parametrize("script", sorted(SCRIPTS_THAT_PRINT))
def test_latin_greek_and_cyrillic_names_print_as_typed(rich_content, script):
    name = SCRIPTS_THAT_PRINT[script]
    c = copy.deepcopy(rich_content)
    c["rows"]["attendance"][0]["name"] = name
    c["meeting"]["dissent"] = f"{name} disagreed."
    result = render_minute(c, DRAFT)
    assert result.warnings == ()
    text = "".join(page_texts(result.pdf))
    assert squash(text).count(squash(name)) >= 2


def test_vietnamese_typed_with_combining_accents_prints_composed(rich_content):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Lan")
    c = copy.deepcopy(rich_content)
    c["meeting"]["dissent"] = decomposed
    result = render_minute(c, DRAFT)
    assert result.warnings == ()
    assert "Nguyễn Thị Lan" in "".join(page_texts(result.pdf))


@pytest.mark.parametrize("script", sorted(SCRIPTS_MARKED))
def test_other_scripts_become_visible_codes_with_a_warning(rich_content, script):
    text, count = SCRIPTS_MARKED[script]
    c = copy.deepcopy(rich_content)
    c["meeting"]["dissent"] = f"Name: {text} (typed as given)"
    result = render_minute(c, DRAFT)
    printed = "".join(page_texts(result.pdf))
    for char in text:
        assert f"[U+{ord(char):04X}]" in printed
        assert char not in printed
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith(f"{count} character")
    assert "transliteration" in warning
    assert text not in warning
    if "right to left" in script:
        assert "right-to-left" in warning


def test_printing_package_import_does_not_load_reportlab():
    code = "import sys, mappa_desktop.printing as p; print(any(m.startswith('reportlab') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_an_empty_minute_prints_what_is_missing():
    result = render_minute({}, DRAFT)
    text = squash("".join(page_texts(result.pdf)))
    assert "Notrecorded" in text and "Nonerecorded." in text
    for number, section in enumerate(spec.SECTIONS, 1):
        assert squash(f"{number} {section.title}") in text


def test_the_unprintable_codes_are_never_silent_boxes():
    """Every character either prints as itself or as a visible [U+XXXX] code."""
    from mappa_desktop.printing.fonts import register_fonts
    from mappa_desktop.printing.text import TextGuard

    guard = TextGuard(register_fonts())
    sample = "Ab ß ł ễ Ж Ω 中 ع א 🙂 \x07 \ud800"
    out = guard.plain(sample)
    assert re.findall(r"\[U\+[0-9A-F]{4,6}\]", out) == ["[U+4E2D]", "[U+0639]", "[U+05D0]", "[U+1F642]",
                                                        "[U+0007]", "[U+D800]"]
    assert guard.right_to_left == 2 and guard.missing == 4
    assert guard.markup("<b> & \n") == "&lt;b&gt; &amp; <br/>"


def test_a_stored_value_that_does_not_fit_its_kind_prints_as_it_is(rich_content):
    c = copy.deepcopy(rich_content)
    c["meeting"]["confidentiality_agreed"] = "not sure"  # a yes/no field
    c["meeting"]["meeting_date"] = "14th October"  # a date field
    text = all_text(render_minute(c, DRAFT).pdf)
    assert "Agreedbyallpresentnotsure" in text and "Date14thOctober" in text


def test_acknowledged_gaps_are_described_in_words(rich_content):
    c = copy.deepcopy(rich_content)
    action = c["actions"][0]
    c["acknowledgements"] = {
        "required:dissent": "None was raised.",
        f"action:{action['id']}:target": "The date depends on the partner.",
        "rows:documents": "Papers were read out.",
        "level:inconsistent": "Recorded as the chair decided.",
        "something:new": "Kept as its key.",
    }
    text = all_text(render_minute(c, FINAL).pdf)
    for words in ("Dissent: Dissent is missing.", f"Action {action['number']} has no target date.",
                  "Documents tabled: nothing recorded.", "The MAPPA level decision does not match the level from now.",
                  "something:new", "The date depends on the partner."):
        assert squash(words) in text, words


def test_the_summary_is_made_by_leaving_out_not_covering(rich_content):
    """Nothing of a left-out section is in any content stream, drawn over or not."""
    result = render_minute(rich_content, FINAL, summary_sections=DEFAULT_SUMMARY_SECTIONS)
    streams = b"".join(page.get_contents().get_data() for page in PdfReader_(result.pdf).pages)
    full = render_minute(rich_content, FINAL)
    full_streams = b"".join(page.get_contents().get_data() for page in PdfReader_(full.pdf).pages)
    assert len(streams) * 5 < len(full_streams)
    assert b"1 1 1 rg" not in streams  # no white box anywhere
