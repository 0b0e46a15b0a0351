"""Case bundles between two laptops: the round trip, conflicts shown and chosen, finalised
minutes and audit entries never overwritten, and what a bundle says about itself."""

from __future__ import annotations

import json

import pytest

from mappa_desktop import security
from mappa_desktop.transfer import exchange, format as bundle_format
from mappa_desktop.transfer.compare import WHOLE_MINUTE

from .bundle_helpers import PASSPHRASE, case_state, example_case, export, import_all, laptop
from .signoff_helpers import recorded_approval


@pytest.fixture
def two(tmp_path):
    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b", user="Bea Deputy")
    yield a.store, b.store
    a.close()
    b.close()


def _audit(store, kind=None):
    return [e for e in store.audit.entries() if kind is None or e.kind == kind]


def test_round_trip_changes_nothing_and_duplicates_nothing(two, tmp_path):
    a, b = two
    case = example_case(a)
    first = export(a, case.case_id, tmp_path / "a1")  # gives the records their global ids
    before_a = case_state(a, case.case_id)
    counts_a = {t: a.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("cases", "meetings", "actions", "action_updates", "addenda", "minute_snapshots")}

    plan, result = import_all(b, first)
    assert plan.new_case and result.added["meeting"] == 2 and result.added["snapshot"] == 1
    assert case_state(b, result.case_id) == before_a  # B holds the same case, the same ids

    plan, back = import_all(a, export(b, result.case_id, tmp_path / "b1"))
    assert not plan.new_case and plan.differences == [] and back.case_id == case.case_id
    assert set(back.added) == {"audit"}  # only B's own log of the case is new to A
    assert case_state(a, case.case_id) == before_a
    assert counts_a == {t: a.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts_a}

    # Once more each way: nothing new at all now but the import logs themselves.
    plan, again = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    assert plan.differences == [] and set(again.added) <= {"audit"}
    assert case_state(b, result.case_id) == before_a
    assert a.audit.verify().ok and b.audit.verify().ok


def test_the_finalised_minute_arrives_finalised_with_its_fingerprint(two, tmp_path):
    a, b = two
    case = example_case(a)
    _, result = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    theirs = a.minutes.snapshot(case.review)
    review = b.bundles.records.local_id("meeting", a.bundles.records.uid_of("meeting", case.review))
    assert b.minutes.snapshot(review) == theirs  # the same content, the same SHA-256
    minute = b.minutes.get(review, consult=False)
    assert minute.status == "finalised" and not minute.editable
    assert [x.body for x in minute.addenda] == ["The disclosure was on 17/10/2026."]
    # Who finalised it and who wrote the addendum are users of A, named on B's printout.
    from mappa_desktop.printouts import minute_job

    _, meta = minute_job(b, review)
    assert meta.finalised_by == "Ann Admin" and meta.addenda[0][1] == "Ann Admin"
    # The triggers hold on the imported minute as on one finalised here.
    from mappa_desktop.db.errors import RecordLocked

    with pytest.raises(RecordLocked):
        b.minutes.save_fields(review, "risk_management", {"risk_management": "changed"})


def test_same_minute_field_edited_on_both_sides_is_a_conflict_the_chosen_side_wins(two, tmp_path):
    a, b = two
    case = example_case(a)
    _, first_import = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    july_b = b.bundles.records.local_id("meeting", a.bundles.records.uid_of("meeting", case.first))
    a.minutes.save_fields(case.first, "risk_management", {"risk_management": "Weekly visits (A)"})
    b.minutes.save_fields(july_b, "risk_management", {"risk_management": "Fortnightly visits (B)"})

    bundle = exchange.open_bundle(export(a, case.case_id, tmp_path / "a2"), PASSPHRASE)
    plan = exchange.preview_import(store=b, bundle=bundle)
    [difference] = plan.differences
    assert (difference.field, difference.theirs, difference.ours) == (
        "risk_management", "Weekly visits (A)", "Fortnightly visits (B)")
    assert difference.choosable and difference.record == "Meeting of 15/07/2026"
    # Nothing is merged without a choice for every difference.
    with pytest.raises(exchange.ImportRefused, match="Choose theirs or ours"):
        exchange.import_case(store=b, bundle=bundle, plan=plan, choices={})
    exchange.import_case(store=b, bundle=bundle, plan=plan, choices={difference.key: "theirs"})
    assert b.minutes.get(july_b, consult=False).get("risk_management") == "Weekly visits (A)"
    logged = [json.loads(e.detail.removeprefix("case bundle conflict: "))
              for e in _audit(b, "alteration") if e.detail.startswith("case bundle conflict")]
    assert logged == [{"field": "risk_management", "chosen": "theirs",
                       "theirs": "Weekly visits (A)", "ours": "Fortnightly visits (B)"}]


def test_choosing_ours_keeps_ours_and_still_logs_both(two, tmp_path):
    a, b = two
    case = example_case(a)
    import_all(b, export(a, case.case_id, tmp_path / "a1"))
    july_b = b.bundles.records.local_id("meeting", a.bundles.records.uid_of("meeting", case.first))
    a.minutes.save_fields(case.first, "risk_management", {"risk_management": "A's text"})
    b.minutes.save_fields(july_b, "risk_management", {"risk_management": "B's text"})
    plan, result = import_all(b, export(a, case.case_id, tmp_path / "a2"), prefer="ours")
    assert result.chosen_ours == 1 and result.chosen_theirs == 0
    assert b.minutes.get(july_b, consult=False).get("risk_management") == "B's text"
    assert any('"chosen": "ours"' in e.detail and "A's text" in e.detail and "B's text" in e.detail
               for e in _audit(b, "alteration"))


def test_a_minute_finalised_here_is_never_overwritten(two, tmp_path):
    a, b = two
    case = example_case(a, finalised=False)
    _, imported = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    review_b = b.bundles.records.local_id("meeting", a.bundles.records.uid_of("meeting", case.review))
    from mappa_desktop.ops.minute import finalise

    from .bundle_helpers import TODAY

    a.minutes.save_fields(case.review, "dissent", {"dissent": "Edited on A after the copy."})
    finalise(store=b, meeting_id=review_b, acknowledgements={}, today=TODAY, approval=recorded_approval(b, review_b))
    sha_b = b.minutes.snapshot(review_b)[1]
    plan, _ = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    [kept] = [d for d in plan.differences if d.field == WHOLE_MINUTE]
    assert not kept.choosable and "never overwritten" in kept.note
    assert b.minutes.snapshot(review_b)[1] == sha_b
    assert b.minutes.get(review_b, consult=False).get("dissent") != "Edited on A after the copy."


def test_their_finalised_minute_over_our_draft_is_taken_whole_when_chosen(two, tmp_path):
    a, b = two
    case = example_case(a, finalised=False)
    import_all(b, export(a, case.case_id, tmp_path / "a1"))
    review_b = b.bundles.records.local_id("meeting", a.bundles.records.uid_of("meeting", case.review))
    b.minutes.save_fields(review_b, "dissent", {"dissent": "B's draft note"})
    from mappa_desktop.ops.minute import finalise

    from .bundle_helpers import TODAY

    digest = finalise(store=a, meeting_id=case.review, acknowledgements={}, today=TODAY,
                      approval=recorded_approval(a, case.review))
    plan, result = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    [whole] = [d for d in plan.differences if d.field == WHOLE_MINUTE]
    assert whole.choosable and "dissent" in whole.ours.lower()
    assert b.minutes.snapshot(review_b)[1] == digest
    minute = b.minutes.get(review_b, consult=False)
    assert minute.status == "finalised" and minute.get("dissent") == a.minutes.get(case.review, consult=False).get("dissent")


def test_action_progress_on_both_sides_is_a_choice_and_history_is_added(two, tmp_path):
    a, b = two
    case = example_case(a)
    _, imported = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    action_a = a.actions.of_case(case.case_id)[-1]
    action_b = b.bundles.records.local_id("action", a.bundles.records.uid_of("action", action_a.id))
    a.actions.set_state(action_a.id, status="done", completed_date="2026-10-20", outcome="Done on A")
    b.actions.carry(action_b, target_date="2099-12-31", reason="Carried on B")
    plan, _ = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    assert {d.field for d in plan.differences} == {"status", "completed_date", "outcome", "target_date"}
    # The new target is a term of a finalised meeting's action: B's stays, with B's history.
    assert {d.field for d in plan.differences if not d.choosable} == {"target_date"}
    assert plan.added.get("action_update") == 1  # A's "done" joins B's history, B's "carried" stays
    after = b.actions.get(action_b)
    assert (after.status, after.completed_date, after.outcome) == ("done", "2026-10-20", "Done on A")
    assert after.target_date == "2099-12-31"
    assert [u.status for u in b.actions.history(action_b)] == ["open", "carried", "done"]


def test_case_field_conflicts_and_additions_are_shown_before_writing(two, tmp_path):
    a, b = two
    case = example_case(a)
    _, imported = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    values = dict(a.cases.get(case.case_id, consult=False).values)
    a.cases.update(case.case_id, {**values, "address": "2 New Road, Forthside"}, [])
    new_meeting = a.minutes.create(case.case_id, {"meeting_date": "2027-01-13"})
    b_values = dict(b.cases.get(imported.case_id, consult=False).values)
    b.cases.update(imported.case_id, {**b_values, "address": "9 Other Street"},
                   [o.as_values() for o in b.cases.get(imported.case_id, consult=False).orders])
    bundle = exchange.open_bundle(export(a, case.case_id, tmp_path / "a2"), PASSPHRASE)
    plan = exchange.preview_import(store=b, bundle=bundle)
    fields = {d.field: (d.theirs, d.ours) for d in plan.differences}
    assert fields["address"] == ("2 New Road, Forthside", "9 Other Street")
    assert fields["civil_orders"][1] != [] and fields["civil_orders"][0] == []
    assert [x.label for x in plan.additions if x.kind == "meeting"] == ["Meeting of 13/01/2027"]
    assert b.minutes.meetings(imported.case_id).__len__() == 2  # the preview wrote nothing
    exchange.import_case(store=b, bundle=bundle, plan=plan, choices={d.key: "theirs" for d in plan.choosable})
    assert b.cases.get(imported.case_id, consult=False).get("address") == "2 New Road, Forthside"
    assert len(b.minutes.meetings(imported.case_id)) == 3
    assert new_meeting


def test_a_different_case_with_the_same_reference_is_refused(two, tmp_path):
    a, b = two
    case = example_case(a)
    add = example_case(b)  # the same reference, made independently on B
    with pytest.raises(exchange.ImportRefused, match="different case with the reference"):
        import_all(b, export(a, case.case_id, tmp_path / "a1"))
    assert len(b.minutes.meetings(add.case_id)) == 2


def test_import_and_export_are_logged_with_manifest_recipient_and_purpose(two, tmp_path):
    a, b = two
    case = example_case(a)
    a.settings.set("area_name", "Forthside")
    path = export(a, case.case_id, tmp_path / "a1")
    [disclosure] = [e for e in _audit(a, "disclosure")]
    assert (disclosure.record_type, disclosure.record_id) == ("case", case.case_id)
    assert disclosure.recipient == "Deputy chair, Forthside" and disclosure.purpose == "Second laptop"
    assert "export 1" in disclosure.detail
    _, result = import_all(b, path)
    [collection] = [e for e in _audit(b, "collection") if e.detail.startswith("case bundle imported")]
    manifest = json.loads(collection.detail.split("; manifest ", 1)[1])
    assert manifest["area"] == "Forthside" and manifest["exported_by"]["name"] == "Ann Admin"
    assert manifest["origin"] == a.bundles.records.origin_id() and manifest["sequence"] == 1
    assert manifest["seal"]["counts"]["meeting"] == 2 and len(manifest["seal"]["content_sha256"]) == 64
    # A's audit entries of the case are kept apart, as they came; B's own chain still verifies.
    assert b.bundles.imported_audit_count(result.case_id) > 0
    assert b.audit.verify().ok


def test_export_needs_recipient_purpose_and_a_strong_passphrase(two, tmp_path):
    a, _ = two
    case = example_case(a)
    kwargs = dict(store=a, case_id=case.case_id, path=tmp_path / "x", kdf=security.TEST_KDF)
    with pytest.raises(exchange.ExportRefused) as refused:
        exchange.export_case(**kwargs, passphrase=PASSPHRASE, recipient=" ", purpose="p")
    assert refused.value.field == "recipient"
    with pytest.raises(exchange.ExportRefused) as refused:
        exchange.export_case(**kwargs, passphrase=PASSPHRASE, recipient="r", purpose="")
    assert refused.value.field == "purpose"
    with pytest.raises(exchange.ExportRefused) as refused:
        exchange.export_case(**kwargs, passphrase="Password1!", recipient="r", purpose="p")
    assert refused.value.field == "passphrase"
    assert not list(tmp_path.glob("*.mappa-case")) and not _audit(a, "disclosure")


def test_generated_transfer_passphrases_pass_the_user_rule_and_differ():
    made = {exchange.new_transfer_passphrase() for _ in range(20)}
    assert len(made) == 20
    assert all(exchange.transfer_passphrase_strength(p).acceptable and len(p.split()) == 6 for p in made)


def test_an_older_format_is_brought_up_to_date_on_import(two, tmp_path, monkeypatch):
    a, b = two
    case = example_case(a)
    path = export(a, case.case_id, tmp_path / "a1")  # the current format
    current = bundle_format.FORMAT
    seen = []

    def to_next(record: dict) -> dict:
        seen.append(record["type"])
        if record["type"] == "case":
            record = {**record, "fields": {**record["fields"], "full_name": record["fields"]["full_name"].upper()}}
        return record

    monkeypatch.setattr(bundle_format, "FORMAT", current + 1)
    monkeypatch.setattr(bundle_format, "UPGRADES", {current: to_next})
    _, result = import_all(b, path)
    assert "case" in seen and "meeting" in seen and "audit" in seen
    assert b.cases.get(result.case_id, consult=False).full_name == "KENNETH AIRD"


def test_erasing_an_imported_case_leaves_none_of_its_bundle_traces(two, tmp_path):
    a, b = two
    case = example_case(a)
    _, result = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    b.cases.set_status(result.case_id, "archived")
    b.retention.erase_case(result.case_id, confirm_reference="FS-2026-0147")
    for table in ("record_uids", "imported_audit", "bundle_imports", "bundle_exports"):
        assert b.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_a_significant_case_review_travels_with_its_stages_and_recommendations(two, tmp_path):
    from mappa_desktop import scr

    from .test_scr import FRAME, INCIDENT, RECOMMENDATIONS, STAGE_VALUES

    a, b = two
    case = example_case(a)
    review_id, problems = scr.report_incident(store=a, case_id=case.case_id, values=INCIDENT)
    assert problems == []
    for key in ("initial_notification", "chair_review", "sog_decision", "review"):
        assert scr.complete_stage(store=a, review_id=review_id, stage_key=key,
                                  values={**FRAME, **STAGE_VALUES[key]},
                                  recommendations=RECOMMENDATIONS if key == "review" else None) == []
    first = export(a, case.case_id, tmp_path / "a1")
    before = case_state(a, case.case_id)
    _, result = import_all(b, first)
    assert case_state(b, result.case_id) == before
    [theirs] = b.scr.of_case(result.case_id)
    assert [r.recommendation for r in theirs.recommendations] == [r["recommendation"] for r in RECOMMENDATIONS]
    # Each recommendation points at its action in B's own register.
    assert all(b.actions.get(r.action_id).case_id == result.case_id for r in theirs.recommendations)
    assert set(theirs.stages) == {"initial_notification", "chair_review", "sog_decision", "review"}

    # The incident is edited on both sides: a choice. A completed stage differs: ours is kept.
    a.scr.save_incident(review_id, {**INCIDENT, "what_happened": "Assault in Perth city centre"})
    b.scr.save_incident(theirs.id, {**INCIDENT, "what_happened": "Assault near Perth station"})
    a.db.execute("UPDATE scr_stages SET stage_values = json_set(stage_values, '$.lessons', 'edited on A') "
                 "WHERE review_id = ? AND stage_key = 'review'", [review_id])
    plan, _ = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    by_field = {d.field: d for d in plan.differences}
    assert by_field["incident.what_happened"].choosable
    assert not by_field["stage:review"].choosable and "completed here" in by_field["stage:review"].note
    assert b.scr.get(theirs.id).incident["what_happened"] == "Assault in Perth city centre"
    assert b.scr.get(theirs.id).stages["review"].values["lessons"] == STAGE_VALUES["review"]["lessons"]


def test_a_new_kind_of_record_is_one_declaration(two, tmp_path, monkeypatch):
    """Risk management plan versions (issue 15) will be one AppendOnlyKind: declared, they
    travel, are matched and are added only where missing, with nothing else to write."""
    from mappa_desktop.db import bundle_records
    from mappa_desktop.db.bundle_records import AppendOnlyKind

    a, b = two
    for store in (a, b):
        store.db.execute("CREATE TABLE rmp_versions (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL "
                         "REFERENCES cases (id), user_id INTEGER, version INTEGER, saved_at TEXT, plan TEXT)")
    monkeypatch.setattr(bundle_records, "APPEND_ONLY", (*bundle_records.APPEND_ONLY, AppendOnlyKind(
        "rmp_version", "risk management plan version", "rmp_versions", "case", "case_id",
        ("version", "saved_at", "plan"))))
    case = example_case(a)
    for version in (1, 2):
        a.db.execute("INSERT INTO rmp_versions (case_id, user_id, version, saved_at, plan) VALUES (?, ?, ?, ?, ?)",
                     [case.case_id, a.user.id, version, f"2026-0{version}-01T10:00:00+00:00", f"Plan {version}"])
    plan, result = import_all(b, export(a, case.case_id, tmp_path / "a1"))
    assert plan.added["rmp_version"] == 2
    a.db.execute("INSERT INTO rmp_versions (case_id, user_id, version, saved_at, plan) VALUES (?, ?, 3, ?, ?)",
                 [case.case_id, a.user.id, "2026-03-01T10:00:00+00:00", "Plan 3"])
    plan, _ = import_all(b, export(a, case.case_id, tmp_path / "a2"))
    assert plan.added["rmp_version"] == 1 and plan.already["rmp_version"] == 2
    rows = b.db.execute("SELECT version, plan, user_id FROM rmp_versions WHERE case_id = ? ORDER BY version",
                        [result.case_id]).fetchall()
    assert rows == [(1, "Plan 1", None), (2, "Plan 2", None), (3, "Plan 3", None)]
    assert b.bundles.author("rmp_version", b.db.execute("SELECT max(id) FROM rmp_versions").fetchone()[0]) == "Ann Admin"
