"""The other printouts: the action register, the pre-meeting pack and the case chronology."""

from __future__ import annotations

import copy

import pytest

from mappa_desktop import spec
from mappa_desktop.chronology import Event
from mappa_desktop.db.register import RegisterRow
from mappa_desktop.printing import PrintMeta, render_chronology, render_pack, render_register

from .test_printing import MARKING, PdfReader_, build_demo_content, names_in, page_texts, squash

@pytest.fixture(scope="module")
def demo_content(tmp_path_factory) -> dict:
    return build_demo_content(tmp_path_factory.mktemp("printing-documents"))


PRINTED = dict(area_name="Forth Valley MAPPA", printed_by="Lorna Petrie", printed_at="2026-10-25T10:00:00+00:00")


def register_rows(count: int, cases: int = 7) -> list[RegisterRow]:
    people = [("DS Fiona McLeish", "Police Scotland"), ("Siobhán Ní Bhriain", "Justice Social Work"),
              ("Dr Nguyễn Thị Lan", "NHS health board"), ("Grzegorz Wiśniewski", "Children's Services")]
    rows = []
    for i in range(count):
        person, agency = people[i % len(people)]
        status = ("open", "carried", "done", "withdrawn")[i % 4]
        rows.append(RegisterRow(
            id=i + 1, case_id=i % cases, reference=f"FS-2026-{i % cases:04d}", number=i + 1,
            raised_date="2026-07-15", action_text=f"Register action {i + 1}: check the devices declared",
            owner_person=person, owner_agency=agency, target_date=f"2026-{9 + i % 4:02d}-15", status=status,
            completed_date="2026-10-02" if status == "done" else None,
            outcome=f"No concerns at visit {i + 1}." if status == "done" else None,
            withdrawn_reason="Moved out of the area" if status == "withdrawn" else None))
    return rows


def assert_in_order(text: str, items: list[str]):
    """Each item found after the one before it."""
    cursor = 0
    for item in items:
        found = text.find(item, cursor)
        assert found >= 0, f"{item!r} missing or out of order"
        cursor = found + len(item)


def assert_framed(pdf: bytes, pages: int):
    texts = page_texts(pdf)
    assert len(texts) == pages
    for number, text in enumerate(texts, 1):
        assert text.strip().startswith(MARKING) and text.strip().endswith(MARKING)
        assert f"Page {number} of {pages}" in text
        assert "DRAFT" not in text


# -- the action register ---------------------------------------------------------------------


def test_register_across_cases_lists_every_row_with_its_case():
    rows = register_rows(150)
    result = render_register(rows, PrintMeta(**PRINTED), title="Open actions, all cases")
    assert result.pages >= 3
    assert_framed(result.pdf, result.pages)
    texts = page_texts(result.pdf)
    for text in texts[:-1]:
        assert squash("Case No. Raised Action Owner Agency Target date Status Outcome or note") in squash(text)
    text = squash("".join(texts))
    assert_in_order(text, [squash(f"Register action {r.number}: check the devices declared") for r in rows])
    assert "FS-2026-0006" in text and "Siobhán" in text and "JusticeSocialWork" in text


def test_register_shows_overdue_withdrawn_and_completed():
    rows = register_rows(4)  # open (09/2026), carried (10/2026), done, withdrawn
    text = squash("".join(page_texts(render_register(rows, PrintMeta(**PRINTED)).pdf)))
    assert squash("Open Overdue") in text and squash("Carried forward Overdue") in text
    assert text.count("Overdue") == 2
    assert squash("Completed 02/10/2026: No concerns at visit 3.") in text
    assert squash("Withdrawn: Moved out of the area") in text


def test_one_case_register_leaves_out_the_case_column():
    rows = [r for r in register_rows(30) if r.reference == "FS-2026-0001"]
    meta = PrintMeta(reference="FS-2026-0001", **PRINTED)
    result = render_register(rows, meta, title="Action register")
    text = squash("".join(page_texts(result.pdf)))
    assert squash("No. Raised Action Owner") in text and squash("Case No.") not in text
    assert "CaseFS-2026-0001" in text  # in the running header and the title block


def test_register_metadata_and_bytes():
    rows = register_rows(20)
    meta = PrintMeta(**PRINTED)
    first = render_register(rows, meta, title="Open actions, all cases")
    assert first.pdf == render_register(rows, meta, title="Open actions, all cases").pdf
    info = PdfReader_(first.pdf).metadata
    assert info["/Title"] == "MAPPA action register"
    named = render_register(rows, PrintMeta(reference="FS-2026-0001", **PRINTED), title="Actions of DS Fiona McLeish")
    assert "Actions of DS Fiona McLeish" in page_texts(named.pdf)[0]
    assert PdfReader_(named.pdf).metadata["/Title"] == "MAPPA action register FS-2026-0001"
    values = " ".join(str(v) for v in info.values())
    for name in ("McLeish", "Bhriain", "Nguyễn", "Wiśniewski", "Petrie"):
        assert name not in values


def test_register_takes_dicts_and_prints_an_empty_list():
    rows = [dict(r.__dict__) for r in register_rows(3)]
    assert "Registeraction3" in squash("".join(page_texts(render_register(rows, PrintMeta()).pdf)))
    empty = render_register([], PrintMeta(), title="Overdue actions")
    assert empty.pages == 1 and "Noactions." in squash(page_texts(empty.pdf)[0])


# -- the pre-meeting pack --------------------------------------------------------------------------


def test_pack_holds_key_dates_last_decisions_open_actions_and_papers(demo_content):
    meta = PrintMeta(reference="FS-2026-0147", meeting_date="2027-01-13", **PRINTED)
    open_actions = [a for a in demo_content["actions"]] + [demo_content["previous_actions"][2]]
    result = render_pack(demo_content, meta, open_actions=open_actions,
                         documents=["Minute of 14/10/2026", {"title": "Police update", "document_notes": "to follow"}])
    assert_framed(result.pdf, result.pages)
    text = squash("".join(page_texts(result.pdf)))
    meeting = demo_content["meeting"]
    expected = [
        "Pre-meetingpack", "Wherethecasestands", squash("Category 1: registered sex offender"),
        "Keydatesandcivilorders", "03/05/2019", "12/02/2027", squash("Sexual Harm Prevention Order (SHPO)"), "28/08/2030",
        squash("Decisions of the last meeting (14/10/2026)"), "High",
        squash(spec.field("rosh.agreed_rosh").choice("high").help), squash(meeting["rosh_rationale"]),
        squash("Stays at the current level"), squash(meeting["level_rationale"]),
        squash(demo_content["rows"]["disclosure"][0]["reason"]), "MsJoanneReid", "13/01/2027",
        "Openactions", squash("Disclosure to Ms Reid"), squash("Offer alcohol service referral"),
        "Documentstobetabled", squash("Minute of 14/10/2026"), "Policeupdate", "tofollow",
    ]
    assert_in_order(text, expected)
    assert squash(meeting["level_discussion"]) not in text  # decisions, not the discussion
    assert PdfReader_(result.pdf).metadata["/Title"] == "MAPPA pre-meeting pack FS-2026-0147 13/01/2027"


def test_pack_before_a_first_meeting(demo_content):
    content = {"case": demo_content["case"], "civil_orders": demo_content["civil_orders"]}
    result = render_pack(content, PrintMeta(reference="FS-2026-0147"), open_actions=[], documents=[])
    text = squash("".join(page_texts(result.pdf)))
    assert "Noearlierminute" in text and "Noopenactions." in text and "Nonerecorded." in text


# -- the chronology ----------------------------------------------------------------------------------


def test_chronology_lists_events_in_order():
    events = [Event("2019-05-03", "key_date", "Index offence"),
              Event("2020-08-28", "order", "Sexual Harm Prevention Order (SHPO) granted"),
              Event("2026-10-14", "meeting", "Review meeting", meeting_id=2),
              Event("2026-10-14", "change", "Risk of serious harm Medium → High", meeting_id=2)]
    events += [Event("2026-11-01", "action_raised", f"Action {i} raised: a long list entry") for i in range(200)]
    result = render_chronology(events, PrintMeta(reference="FS-2026-0147", **PRINTED))
    assert result.pages > 2
    assert_framed(result.pdf, result.pages)
    text = squash("".join(page_texts(result.pdf)))
    expected = ["03/05/2019Keydate", "28/08/2020Civilorder", "14/10/2026MeetingReviewmeeting",
                squash("14/10/2026 Decision Risk of serious harm Medium → High"), "Action199raised"]
    assert_in_order(text, expected)
    assert PdfReader_(result.pdf).metadata["/Title"] == "MAPPA case chronology FS-2026-0147"


def test_no_document_puts_a_name_in_its_metadata(demo_content):
    meta = PrintMeta(reference="FS-2026-0147", meeting_date="2027-01-13", **PRINTED)
    pdfs = [
        render_pack(demo_content, meta, open_actions=demo_content["actions"], documents=[]).pdf,
        render_chronology([Event("2026-10-14", "meeting", "Review meeting")], meta).pdf,
        render_register(register_rows(5), meta).pdf,
    ]
    for pdf in pdfs:
        values = " ".join(str(v) for v in PdfReader_(pdf).metadata.values())
        for name in names_in(copy.deepcopy(demo_content)) | {"Lorna Petrie"}:
            assert name not in values
