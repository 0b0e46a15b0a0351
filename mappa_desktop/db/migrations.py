"""The schema, as numbered, append-only migrations.

Never edit a migration once it has shipped: add the next one. Each runs in its own
transaction together with the record that it ran (``sqlite_utils.Migrations``). A store
that has a migration this version does not know was written by a newer version and is
refused before anything touches it.

Layout rules learnt from measuring the encrypted store: rows that lists scan hold short
values only; narrative text lives in its own table (``meeting_text``) so that a scan of
meetings does not decrypt pages of prose.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("mappa")


def _run(db, script: str) -> None:
    """Run a script statement by statement, inside the migration's transaction.

    (``executescript`` would commit first and break the migration's atomicity.)
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        db.execute(pending)


@MIGRATIONS(name="0001_foundation")
def m0001_foundation(db) -> None:
    _run(
        db,
        """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    slot_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    date_of_birth TEXT,
    gender TEXT,
    category TEXT,
    mappa_level TEXT,
    current_rosh TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    next_review_date TEXT,
    visor_number TEXT,
    pnc_number TEXT,
    chs_number TEXT,
    ethnicity TEXT,
    nationality TEXT,
    first_language TEXT,
    interpreter_needed INTEGER,
    address_from TEXT,
    index_offence_date TEXT,
    earliest_liberation_date TEXT,
    licence_expiry_date TEXT,
    sonr_start_date TEXT,
    sonr_expiry_date TEXT,
    sonr_indefinite INTEGER,
    lead_authority TEXT,
    lead_telephone TEXT,
    lead_email TEXT,
    case_officer TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- longer text last, so that list scans stop before it
    aliases TEXT,
    address TEXT,
    other_identifiers TEXT,
    disabilities TEXT,
    lead_address TEXT,
    lead_case_details TEXT
);
CREATE INDEX cases_status ON cases (status, next_review_date);
CREATE TABLE civil_orders (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    position INTEGER NOT NULL DEFAULT 0,
    order_type TEXT NOT NULL,
    order_detail TEXT,
    granted_date TEXT,
    expiry_date TEXT
);
CREATE INDEX civil_orders_case ON civil_orders (case_id, position);
CREATE INDEX civil_orders_expiry ON civil_orders (expiry_date);
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'finalised')),
    version INTEGER NOT NULL DEFAULT 0,
    meeting_type TEXT,
    meeting_date TEXT,
    meeting_time TEXT,
    location TEXT,
    category TEXT,
    mappa_level TEXT,
    chair TEXT,
    minute_taker TEXT,
    confidentiality_agreed INTEGER,
    confidentiality_time TEXT,
    confidentiality_reaffirmed TEXT,
    agreed_rosh TEXT,
    rosh_to_whom TEXT,
    level_decision TEXT,
    new_level TEXT,
    next_review_date TEXT,
    next_review_notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_case ON meetings (case_id, meeting_date);
CREATE INDEX meetings_status ON meetings (status);
CREATE TABLE meeting_text (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    purpose_notes TEXT,
    risk_assessment TEXT,
    rosh_rationale TEXT,
    risk_management TEXT,
    contingency TEXT,
    level_discussion TEXT,
    level_rationale TEXT,
    diversity_offender TEXT,
    diversity_victims TEXT,
    victim_issues TEXT,
    dissent TEXT,
    chair_summary TEXT
);
CREATE TABLE documents_tabled (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL DEFAULT 0,
    title TEXT,
    document_notes TEXT
);
CREATE INDEX documents_tabled_meeting ON documents_tabled (meeting_id, position);
CREATE TABLE attendance (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL DEFAULT 0,
    name TEXT,
    agency TEXT,
    role TEXT,
    status TEXT,
    attendance_note TEXT
);
CREATE INDEX attendance_meeting ON attendance (meeting_id, position);
CREATE TABLE agency_updates (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL DEFAULT 0,
    agency TEXT,
    briefer TEXT,
    update_text TEXT
);
CREATE INDEX agency_updates_meeting ON agency_updates (meeting_id, position);
CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL DEFAULT 0,
    disclosure_needed INTEGER,
    reason TEXT,
    disclosure_date TEXT,
    recipient TEXT,
    decided_by TEXT,
    disclosed_by TEXT
);
CREATE INDEX disclosures_meeting ON disclosures (meeting_id, position);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    meeting_id INTEGER REFERENCES meetings (id),
    number INTEGER NOT NULL,
    raised_date TEXT NOT NULL,
    owner_person TEXT,
    owner_agency TEXT,
    target_date TEXT,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'done', 'carried', 'withdrawn')),
    completed_date TEXT,
    updated_at TEXT NOT NULL,
    action_text TEXT,
    outcome TEXT,
    UNIQUE (case_id, number)
);
CREATE INDEX actions_case ON actions (case_id, number);
CREATE INDEX actions_open ON actions (status, target_date);
CREATE TABLE action_updates (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    meeting_id INTEGER REFERENCES meetings (id),
    user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX action_updates_action ON action_updates (action_id, at);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN (
        'collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure')),
    record_type TEXT NOT NULL,
    record_id INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'read-only: the audit log cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'read-only: the audit log cannot be changed');
END;
""",
    )


def known_names() -> list[str]:
    """Every migration this version knows, in order."""
    return [m.name for m in MIGRATIONS._migrations]


# Agencies every Scottish MAPPA area works with (FACTS.md): the responsible authorities and
# the usual duty-to-co-operate agencies. Areas edit the list in the directory.
SEED_AGENCIES = (
    ("Police Scotland", "responsible_authority"),
    ("Justice Social Work", "responsible_authority"),
    ("Scottish Prison Service", "responsible_authority"),
    ("NHS health board", "responsible_authority"),
    ("MAPPA unit", "other"),
    ("Children's Services", "other"),
    ("Local authority housing", "duty_to_cooperate"),
    ("Registered social landlord", "duty_to_cooperate"),
    ("Scottish Children's Reporter Administration (SCRA)", "duty_to_cooperate"),
    ("Electronic monitoring provider", "duty_to_cooperate"),
    ("DWP / Jobcentre Plus", "duty_to_cooperate"),
    ("Social Security Scotland", "duty_to_cooperate"),
)


@MIGRATIONS(name="0002_directory_drafts_case_search")
def m0002_directory_drafts_case_search(db) -> None:
    _run(
        db,
        """
CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL DEFAULT 'other'
        CHECK (kind IN ('responsible_authority', 'duty_to_cooperate', 'other')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX people_name ON people (name COLLATE NOCASE);
-- What a form held when it was locked or closed before it could be saved properly
-- (for example a date that does not parse yet): put back on unlock, never lost.
CREATE TABLE drafts (
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    saved_at TEXT NOT NULL
);
-- The cases list reads only this index (it covers every column the list shows), so that
-- listing never decrypts the pages of the case rows with their longer text.
CREATE INDEX cases_list ON cases (
    status, reference COLLATE NOCASE, full_name, category, mappa_level, current_rosh,
    lead_authority, next_review_date
);
CREATE VIRTUAL TABLE case_search USING fts5 (
    names, identifiers, compact,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
""",
    )
    for name, kind in SEED_AGENCIES:
        db.execute("INSERT INTO agencies (name, kind) VALUES (?, ?)", [name, kind])


def _freeze_rows_of_finalised(table: str) -> str:
    """Triggers that refuse any change to rows of a finalised minute, including moving a
    row into one (an UPDATE is checked against both its old and its new meeting)."""
    refuse = "SELECT RAISE(ABORT, 'read-only: this minute is finalised; add an addendum instead')"
    finalised = "(SELECT status FROM meetings WHERE id = {}.meeting_id) = 'finalised'"
    when = {
        "INSERT": finalised.format("NEW"),
        "UPDATE": f"{finalised.format('OLD')} OR {finalised.format('NEW')}",
        # Erasure under retention removes whole cases, finalised minutes included.
        "DELETE": f"{finalised.format('OLD')} AND NOT EXISTS (SELECT 1 FROM erasure_grants)",
    }
    return "".join(
        f"CREATE TRIGGER {table}_frozen_{event.lower()} BEFORE {event} ON {table}\n"
        f"WHEN {condition}\nBEGIN\n    {refuse};\nEND;\n"
        for event, condition in when.items()
    )


@MIGRATIONS(name="0003_minute_lifecycle")
def m0003_minute_lifecycle(db) -> None:
    refuse_meeting = "SELECT RAISE(ABORT, 'read-only: this minute is finalised; add an addendum instead')"
    _run(
        db,
        f"""
-- Present only inside the transaction that erases a case past its retention period: the
-- one path allowed to delete what is otherwise never deleted.
CREATE TABLE erasure_grants (
    case_id INTEGER PRIMARY KEY
);
CREATE TABLE minute_snapshots (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    version INTEGER NOT NULL,
    finalised_at TEXT NOT NULL,
    finalised_by INTEGER REFERENCES users (id),
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    UNIQUE (meeting_id, version)
);
CREATE TABLE addenda (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    reason TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX addenda_meeting ON addenda (meeting_id, at);
CREATE TABLE check_acknowledgements (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    item_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL,
    UNIQUE (meeting_id, item_key)
);
ALTER TABLE meetings ADD COLUMN finalised_at TEXT;
ALTER TABLE meetings ADD COLUMN finalised_by INTEGER REFERENCES users (id);
ALTER TABLE meetings ADD COLUMN issued_at TEXT;
ALTER TABLE actions ADD COLUMN withdrawn_reason TEXT;
CREATE TRIGGER meetings_frozen_update BEFORE UPDATE ON meetings
WHEN OLD.status = 'finalised'
BEGIN
    {refuse_meeting};
END;
CREATE TRIGGER meetings_frozen_delete BEFORE DELETE ON meetings
WHEN OLD.status = 'finalised' AND NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    {refuse_meeting};
END;
{_freeze_rows_of_finalised("meeting_text")}
{_freeze_rows_of_finalised("documents_tabled")}
{_freeze_rows_of_finalised("attendance")}
{_freeze_rows_of_finalised("agency_updates")}
{_freeze_rows_of_finalised("disclosures")}
{_freeze_rows_of_finalised("check_acknowledgements")}
-- What a finalised meeting agreed stays as agreed; the register may still record progress
-- (status, completion, outcome) between meetings.
CREATE TRIGGER actions_frozen_terms BEFORE UPDATE OF
    action_text, owner_person, owner_agency, target_date, raised_date, meeting_id, number, case_id
ON actions
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'finalised'
  OR (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'finalised'
BEGIN
    {refuse_meeting};
END;
CREATE TRIGGER actions_frozen_insert BEFORE INSERT ON actions
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'finalised'
BEGIN
    {refuse_meeting};
END;
CREATE TRIGGER minute_snapshots_one_per_minute BEFORE INSERT ON minute_snapshots
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'finalised'
BEGIN
    SELECT RAISE(ABORT, 'read-only: this minute is already finalised');
END;
CREATE TRIGGER actions_never_deleted BEFORE DELETE ON actions
WHEN NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    SELECT RAISE(ABORT, 'read-only: actions are never deleted; withdraw them with a reason');
END;
CREATE TRIGGER action_updates_append_only_u BEFORE UPDATE ON action_updates
BEGIN
    SELECT RAISE(ABORT, 'read-only: the history of an action cannot be changed');
END;
CREATE TRIGGER action_updates_append_only_d BEFORE DELETE ON action_updates
WHEN NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    SELECT RAISE(ABORT, 'read-only: the history of an action cannot be changed');
END;
CREATE TRIGGER minute_snapshots_no_update BEFORE UPDATE ON minute_snapshots
BEGIN
    SELECT RAISE(ABORT, 'read-only: a finalised minute cannot be changed');
END;
CREATE TRIGGER minute_snapshots_no_delete BEFORE DELETE ON minute_snapshots
WHEN NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    SELECT RAISE(ABORT, 'read-only: a finalised minute cannot be changed');
END;
CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda
BEGIN
    SELECT RAISE(ABORT, 'read-only: an addendum cannot be changed');
END;
CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda
WHEN NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    SELECT RAISE(ABORT, 'read-only: an addendum cannot be changed');
END;
CREATE INDEX actions_meeting ON actions (meeting_id);
""",
    )


@MIGRATIONS(name="0004_register_and_dashboard_indexes")
def m0004_register_and_dashboard_indexes(db) -> None:
    _run(
        db,
        """
CREATE INDEX cases_sonr_expiry ON cases (status, sonr_expiry_date);
CREATE INDEX actions_agency ON actions (owner_agency, status);
CREATE INDEX actions_case_status ON actions (case_id, status, target_date);
-- Finds what a meeting reviewed without scanning every action's history.
CREATE INDEX action_updates_meeting ON action_updates (meeting_id, status, at);
-- Covers the dashboard's overdue actions: no action row is decrypted to list them.
CREATE INDEX actions_overdue ON actions (status, target_date, case_id, number, owner_person, owner_agency);
""",
    )


@MIGRATIONS(name="0005_significant_case_reviews")
def m0005_significant_case_reviews(db) -> None:
    # A review's incident and stage values are kept as JSON keyed by the fields of
    # ``scr_spec``: the description, not the schema, says what a stage holds.
    _run(
        db,
        """
CREATE TABLE scr_reviews (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    incident TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_reason TEXT,
    closed_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX scr_reviews_case ON scr_reviews (case_id, status);
CREATE TABLE scr_stages (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES scr_reviews (id),
    stage_key TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
    stage_values TEXT NOT NULL DEFAULT '{}',
    completed_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (review_id, stage_key)
);
CREATE TABLE scr_recommendations (
    id INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES scr_reviews (id),
    number INTEGER NOT NULL,
    recommendation TEXT,
    owner_person TEXT,
    owner_agency TEXT,
    target_date TEXT,
    action_id INTEGER REFERENCES actions (id),
    UNIQUE (review_id, number)
);
""",
    )


@MIGRATIONS(name="0006_rule_guards_and_report")
def m0006_rule_guards_and_report(db) -> None:
    """The minute's rules held once (issue 11). Adds the place where the store keeps the
    fingerprint of its guard triggers (made from the spec by ``db/guards.py`` on opening),
    and a report of the stored values the new rules refuse: reported, never changed or
    deleted."""
    from datetime import datetime, timezone

    from .report import refused_values

    _run(
        db,
        """
CREATE TABLE spec_guards (fingerprint TEXT NOT NULL);
CREATE TABLE refused_values_report (
    id INTEGER PRIMARY KEY,
    found_at TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    message TEXT NOT NULL
);
""",
    )
    now = datetime.now(timezone.utc)
    for found in refused_values(db, now):
        db.execute(
            "INSERT INTO refused_values_report (found_at, record_type, record_id, field, message) "
            "VALUES (?, ?, ?, ?, ?)",
            [now.isoformat(timespec="seconds"), found.record_type, found.record_id, found.field, found.message],
        )


def _append_only(table: str, what: str) -> str:
    """Triggers that keep a table append-only (erasure under retention may still remove)."""
    refuse = f"SELECT RAISE(ABORT, 'read-only: {what} cannot be changed')"
    return (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}\nBEGIN\n    {refuse};\nEND;\n"
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}\n"
        f"WHEN NOT EXISTS (SELECT 1 FROM erasure_grants)\nBEGIN\n    {refuse};\nEND;\n"
    )


@MIGRATIONS(name="0007_case_bundles")
def m0007_case_bundles(db) -> None:
    """Case bundles (moving a case between laptops): this store's origin id, made once here
    for new and existing stores alike; the global ids of records that travelled; a per-case
    export sequence; the bundles imported (with their manifests); and the audit entries of
    other stores, kept apart from our own hash chain."""
    import uuid
    from datetime import datetime, timezone

    _run(
        db,
        f"""
CREATE TABLE store_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
{_append_only("store_identity", "the identity of this store")}
-- The global id of a record that has been in a bundle: given on first export (made here)
-- or taken from the bundle (made elsewhere, with who made it there).
CREATE TABLE record_uids (
    record_type TEXT NOT NULL,
    local_id INTEGER NOT NULL,
    uid TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL,
    author TEXT,
    PRIMARY KEY (record_type, local_id)
);
CREATE TABLE bundle_exports (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    sequence INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    UNIQUE (case_id, sequence)
);
CREATE TABLE bundle_imports (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    origin TEXT NOT NULL,
    case_uid TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    exported_at TEXT NOT NULL,
    manifest TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    UNIQUE (origin, case_uid, sequence)
);
CREATE INDEX bundle_imports_case ON bundle_imports (case_id);
CREATE TABLE imported_audit (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES bundle_imports (id),
    case_id INTEGER NOT NULL REFERENCES cases (id),
    origin TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    prev_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    user_name TEXT,
    kind TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER,
    record_uid TEXT,
    detail TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imported_audit_case ON imported_audit (case_id, at);
{_append_only("imported_audit", "an audit entry of another store")}
{_append_only("bundle_imports", "the record of an imported bundle")}
""",
    )
    db.execute(
        "INSERT INTO store_identity (id, origin_id, created_at) VALUES (1, ?, ?)",
        [str(uuid.uuid4()), datetime.now(timezone.utc).isoformat(timespec="seconds")],
    )


@MIGRATIONS(name="0008_signed_audit_and_key_rotation")
def m0008_signed_audit_and_key_rotation(db) -> None:
    """Audit entries gain their author's signature (NULL for the entries written before:
    they stay as they were, hash-chained, until an administrator seals them); retired
    database keys are kept, inside the store only, so that older backups can be
    re-encrypted; and a file being saved as a disclosure is noted before it is written, so
    that a crash can be cleaned up and logged at the next unlock."""
    _run(
        db,
        """
ALTER TABLE audit_log ADD COLUMN signature TEXT;
CREATE TABLE key_history (
    key_id TEXT PRIMARY KEY,
    db_key BLOB NOT NULL,
    retired_at TEXT NOT NULL
);
CREATE TABLE pending_exports (
    id INTEGER PRIMARY KEY,
    temp_path TEXT NOT NULL,
    final_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER,
    detail TEXT NOT NULL,
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL
);
""",
    )


@MIGRATIONS(name="0009_minute_search")
def m0009_minute_search(db) -> None:
    """Full-text search over minutes and reviews: the contentless FTS5 index
    ``minute_search`` (automerge off, merged when idle), ``search_entries`` (each
    entry's source and row, numbered in the order written) and ``search_pending`` (rows
    changed since the index caught up), the triggers of the sources that
    ``db/search.py`` declares with codes 1-15 (the minute's own text) and 21-29 (agency
    updates, disclosure reasons, actions, outcomes, addenda, reviews, documents), and what the
    store already holds, indexed and merged into one segment."""
    from .search import INDEX, create_index, install_sources

    create_index(db)
    install_sources(db, (*range(1, 16), *range(21, 30)))
    db.execute(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('optimize')")


@MIGRATIONS(name="0010_audit_fields")
def m0010_audit_fields(db) -> None:
    """The audits' evidence and record: ``cases.referral_date`` (timeliness of the initial
    meeting), ``attendance.report_received`` (a written report from someone not present),
    and ``meeting_audits``, one per meeting, its items as JSON keyed by
    ``oversight.meeting_audit.ITEMS`` (never a change to the minute itself)."""
    _run(
        db,
        """
ALTER TABLE cases ADD COLUMN referral_date TEXT;
ALTER TABLE attendance ADD COLUMN report_received INTEGER;
CREATE TABLE meeting_audits (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings (id),
    auditor_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'completed')),
    items TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
""",
    )


@MIGRATIONS(name="0011_risk_management_plan")
def m0011_risk_management_plan(db) -> None:
    """The risk management plan (issue 15). Adds the conditions of the licence and orders
    recorded on a case (each with a global id that plan entries link to); each meeting's
    version of the plan (its entries, the pillars not needed and why, and the version it
    opened from), frozen with the minute like its other rows; and the versions frozen at
    finalising, append-only. Changes no existing table or row."""
    _run(
        db,
        f"""
CREATE TABLE case_conditions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    uid TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    source_detail TEXT,
    from_date TEXT,
    until_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    condition_text TEXT
);
CREATE INDEX case_conditions_case ON case_conditions (case_id, position);
-- A meeting's plan is opened once, from the version it stood at (NULL: there was none).
CREATE TABLE plan_openings (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    base_version INTEGER,
    opened_at TEXT NOT NULL
);
CREATE TABLE plan_entries (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    entry_uid TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'ended')),
    pillar TEXT NOT NULL,
    owner_person TEXT,
    owner_agency TEXT,
    frequency TEXT,
    start_date TEXT,
    end_date TEXT,
    condition_uid TEXT,
    action_id INTEGER REFERENCES actions (id),
    updated_at TEXT NOT NULL,
    -- longer text last
    trigger_event TEXT,
    what TEXT,
    rationale TEXT,
    -- the entry as the version it was carried from had it (JSON); NULL: added at this meeting
    base TEXT,
    UNIQUE (meeting_id, entry_uid)
);
CREATE INDEX plan_entries_meeting ON plan_entries (meeting_id, position);
CREATE INDEX plan_entries_condition ON plan_entries (condition_uid);
CREATE TABLE plan_not_needed (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    pillar TEXT NOT NULL,
    not_needed TEXT,
    PRIMARY KEY (meeting_id, pillar)
);
CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings (id),
    user_id INTEGER,
    version INTEGER NOT NULL,
    finalised_at TEXT NOT NULL,
    plan TEXT NOT NULL
);
CREATE INDEX plan_versions_case ON plan_versions (case_id, version);
{_freeze_rows_of_finalised("plan_openings")}
{_freeze_rows_of_finalised("plan_entries")}
{_freeze_rows_of_finalised("plan_not_needed")}
{_append_only("plan_versions", "a frozen version of the risk management plan")}
""",
    )


_REFUSE_FINALISED = "SELECT RAISE(ABORT, 'read-only: this minute is finalised; add an addendum instead')"
_REFUSE_EXITED = "SELECT RAISE(ABORT, 'read-only: this case has left MAPPA; add an addendum instead')"


@MIGRATIONS(name="0012_signoff_action_life_exit")
def m0012_signoff_action_life_exit(db) -> None:
    """The chair's sign-off, an action's life and leaving MAPPA (issue 14).

    - ``minute_issues``: each time a draft is issued for comment (to whom, when, by whom) with
      the minute as it was issued, so corrections made after issue can be shown;
      ``minute_approvals``: who approved the minute, as what, when and how, and who recorded it.
    - ``action_updates`` gains what a change did to the terms: an action carried forward to a
      new target date or re-assigned keeps the terms before and after. The trigger that froze
      a finalised meeting's action terms now lets the target and owner change only together
      with such a history entry (the latest one must say exactly this change).
    - Cases may be ``exited`` (the CHECK on ``cases.status`` is widened by SQLite's documented
      procedure for loosening a constraint: the schema text is edited and its version bumped;
      no stored row changes); ``case_exits`` holds the decision, ``case_addenda`` what is added
      after it. An exited case's record, meetings and actions are read-only (triggers).
    All new tables are append-only (erasure under retention may still remove them).
    """
    finalised = "(SELECT status FROM meetings WHERE id = {}.meeting_id) = 'finalised'"
    exited = "(SELECT status FROM cases WHERE id = {}.case_id) = 'exited'"
    _run(
        db,
        f"""
CREATE TABLE minute_issues (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    issued_on TEXT NOT NULL,
    issued_to TEXT NOT NULL,
    issue_note TEXT,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX minute_issues_meeting ON minute_issues (meeting_id, id);
{_append_only("minute_issues", "the record of an issued draft")}
CREATE TABLE minute_approvals (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings (id),
    approved_by TEXT NOT NULL,
    approved_as TEXT NOT NULL,
    approval_method TEXT NOT NULL,
    approved_on TEXT NOT NULL,
    approval_note TEXT,
    -- the chair as a user of this store, when they confirmed here with their own passphrase
    -- (empty for an approval confirmed on another laptop and brought in a case bundle)
    approver_user_id INTEGER REFERENCES users (id),
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
{_append_only("minute_approvals", "the approval of a minute")}

ALTER TABLE action_updates ADD COLUMN change TEXT
    CHECK (change IS NULL OR change IN ('raised', 'carried', 'reassigned'));
ALTER TABLE action_updates ADD COLUMN target_date TEXT;
ALTER TABLE action_updates ADD COLUMN owner_person TEXT;
ALTER TABLE action_updates ADD COLUMN owner_agency TEXT;
ALTER TABLE action_updates ADD COLUMN previous_target_date TEXT;
ALTER TABLE action_updates ADD COLUMN previous_owner_person TEXT;
ALTER TABLE action_updates ADD COLUMN previous_owner_agency TEXT;
DROP TRIGGER actions_frozen_terms;
CREATE TRIGGER actions_frozen_agreement BEFORE UPDATE OF
    action_text, raised_date, meeting_id, number, case_id
ON actions
WHEN {finalised.format("OLD")} OR {finalised.format("NEW")}
BEGIN
    {_REFUSE_FINALISED};
END;
CREATE TRIGGER actions_frozen_terms BEFORE UPDATE OF owner_person, owner_agency, target_date ON actions
WHEN ({finalised.format("OLD")} OR {finalised.format("NEW")})
  AND NOT EXISTS (
    SELECT 1 FROM action_updates u
    WHERE u.id = (SELECT max(id) FROM action_updates WHERE action_id = NEW.id)
      AND u.change IN ('carried', 'reassigned')
      AND u.target_date IS NEW.target_date
      AND u.owner_person IS NEW.owner_person
      AND u.owner_agency IS NEW.owner_agency)
BEGIN
    SELECT RAISE(ABORT, 'read-only: what a finalised meeting agreed changes only by carrying the action forward or re-assigning it, with the reason in its history');
END;

CREATE TABLE case_exits (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases (id),
    exit_date TEXT NOT NULL,
    exit_reason TEXT NOT NULL,
    exit_detail TEXT,
    meeting_id INTEGER REFERENCES meetings (id),
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
{_append_only("case_exits", "an exit decision")}
CREATE TABLE case_addenda (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    reason TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX case_addenda_case ON case_addenda (case_id, at);
{_append_only("case_addenda", "an addendum")}
CREATE TRIGGER cases_exited_frozen BEFORE UPDATE ON cases
WHEN OLD.status = 'exited'
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER meetings_exited_insert BEFORE INSERT ON meetings
WHEN {exited.format("NEW")}
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER meetings_exited_update BEFORE UPDATE ON meetings
WHEN {exited.format("OLD")}
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER actions_exited_insert BEFORE INSERT ON actions
WHEN {exited.format("NEW")}
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER actions_exited_update BEFORE UPDATE ON actions
WHEN {exited.format("OLD")}
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER civil_orders_exited BEFORE INSERT ON civil_orders
WHEN {exited.format("NEW")}
BEGIN
    {_REFUSE_EXITED};
END;
CREATE TRIGGER civil_orders_exited_delete BEFORE DELETE ON civil_orders
WHEN {exited.format("OLD")} AND NOT EXISTS (SELECT 1 FROM erasure_grants)
BEGIN
    {_REFUSE_EXITED};
END;
""",
    )
    # Widen the CHECK on cases.status to take 'exited' (https://sqlite.org/lang_altertable.html,
    # "Making Other Kinds Of Table Schema Changes": a change that no stored row can violate,
    # made to the schema text, with the schema version bumped so every connection re-reads it).
    old = "CHECK (status IN ('active', 'archived'))"
    new = "CHECK (status IN ('active', 'archived', 'exited'))"
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cases'").fetchone()[0]
    if old not in sql:
        raise RuntimeError("the cases table is not as migration 0001 made it")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'cases'",
                   [sql.replace(old, new)])
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


@MIGRATIONS(name="0013_search_plan_and_withdrawals")
def m0013_search_plan_and_withdrawals(db) -> None:
    """Full-text search over what issues 14 and 15 added to the minute: why an action was
    withdrawn (source 30) and the entries of the risk management plan (sources 31 and 32,
    by the section that shows their pillar). Their triggers, and what the store already holds,
    indexed."""
    from .search import install_sources

    install_sources(db, (30, 31, 32))
