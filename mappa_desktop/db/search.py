"""Full-text search over everything typed into minutes and reviews (SQLite FTS5).

What is indexed is declared once, in ``SOURCES``: each source is one text column of one
table (or the text values of a JSON column), with where a hit opens (a section and field of
the minute). Triggers on those tables keep the index in step with every write, whatever
code makes it: autosave, the register, addenda, reviews, erasure. A source added later (the
risk management plan's entries, say) is one more ``SearchSource`` here and a migration that
calls :func:`install_sources` with its code; ``tests/test_search.py`` fails until both exist.

Saving is not slowed by the index: a trigger only notes the changed row in
``search_pending`` (one small row in the save's own transaction, so a crash loses nothing),
and :meth:`SearchRepo.catch_up` indexes what was noted before any search, at each pause in
typing, and inside an erasure. Forty saves of one field while the chair types become one
indexing at the next pause.

The index (``minute_search``) is contentless: it holds tokens, not text, so there is no
second copy of any minute to protect or to erase. It is given the text with the letters of
``EXTRA_FOLDS`` replaced (Ł as L...), beyond the accents that FTS5 folds itself. Each entry
is numbered in ``search_entries`` (source, row: no text), newest writing last, so that a
very common word can be ranked among its most recent places; a column ``case_tag``
("c123") lets a search stay within one case.

Merging: ``automerge=0`` so that writing to the index never pays for merging segments (a
merge inside a save spiked it to 40+ ms); :meth:`SearchRepo.tidy` merges a little at a time
when the app is idle, and ``crisismerge`` is raised so that only a long stretch without a
pause forces a merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .. import spec
from ..oversight.search import EXTRA_FOLDS, Query, Snippet, parse, snippet
from .errors import storage_errors

if TYPE_CHECKING:
    from .store import Store

INDEX = "minute_search"
ENTRIES = "search_entries"  # entry number (the index's rowid) -> source and row
PENDING = "search_pending"  # rows whose text changed since the index last caught up
#: Places ranked for a query: the best of the most recent this many (see ``SearchRepo.search``).
RANKED = 5000
CRISIS_MERGE = 64  # segments on one level before FTS5 merges during a write anyway
IN_CASE_LIMIT = 2000  # places listed when searching one case (far above any real case)


@dataclass(frozen=True)
class SearchSource:
    """One indexed text. SQL snippets are written over ``{r}``, the row (``NEW``/``OLD`` in
    triggers, an alias in queries).

    ``code`` is stored with every entry and written into the triggers: never renumber or
    reuse one.
    """

    code: int
    table: str
    text: str  # the text indexed, e.g. "{r}.risk_assessment"
    case: str  # the case id
    meeting: str  # the meeting a hit opens (NULL: the case)
    section: str  # where in the minute a hit opens (a spec section key, or "review")
    field: str  # the field there (a spec field key, or a stage key for reviews)
    watch: tuple[str, ...] = ()  # columns whose update changes the text (none: never updated)
    date: str = "NULL"  # a date to show beside a hit that has no meeting
    key: str = "id"

    def sql(self, part: str, row: str) -> str:
        return getattr(self, part).format(r=row)


_VIA_MEETING = "(SELECT case_id FROM meetings WHERE id = {r}.meeting_id)"
_PLAN_TEXT = ("nullif(coalesce({r}.trigger_event || char(10), '') || coalesce({r}.what, '') "
              "|| coalesce(char(10) || {r}.rationale, ''), '')")
_VIA_REVIEW = "(SELECT case_id FROM scr_reviews WHERE id = {r}.review_id)"
_JSON_TEXT = "(SELECT group_concat(value, char(10)) FROM json_each({r}.%s) WHERE type = 'text')"

#: Long text of the minute's own sections, by field: codes 1 to 20.
_MEETING_TEXT_CODES = {
    "purpose_notes": 1, "risk_assessment": 2, "rosh_rationale": 3, "risk_management": 4,
    "contingency": 5, "level_discussion": 6, "level_rationale": 7, "diversity_offender": 8,
    "diversity_victims": 9, "victim_issues": 10, "dissent": 11, "chair_summary": 12,
}

#: One-line text of the minute's own sections: codes 13 to 20.
_MEETING_LINE_CODES = {"confidentiality_reaffirmed": 13, "rosh_to_whom": 14, "next_review_notes": 15}

#: Typed fields of the minute that are not searched here, and why (a test holds every
#: text field of the minute to being a source or listed here).
NOT_INDEXED = {
    "location": "the same few rooms in every minute",
    "role": "the job titles of those attending",
    "attendance_note": "times of arrival and leaving",
    "disclosed_by": "names of staff, kept in the directory",
}


def _section_of(field_key: str) -> str:
    return next(s.key for s in spec.SECTIONS for f in s.fields if f.key == field_key)


SOURCES: tuple[SearchSource, ...] = (
    *(
        SearchSource(code, "meeting_text", f"{{r}}.{column}", _VIA_MEETING, "{r}.meeting_id",
                     _section_of(column), column, watch=(column,), key="meeting_id")
        for column, code in _MEETING_TEXT_CODES.items()
    ),
    # One-line text of the minute's own sections, on the meeting's row.
    *(
        SearchSource(code, "meetings", f"{{r}}.{column}", "{r}.case_id", "{r}.id",
                     _section_of(column), column, watch=(column,))
        for column, code in _MEETING_LINE_CODES.items()
    ),
    # Rows of repeating sections are rewritten whole on each save: insert and delete only.
    SearchSource(21, "agency_updates", "{r}.update_text", _VIA_MEETING, "{r}.meeting_id",
                 "agency_updates", "update_text"),
    SearchSource(22, "disclosures", "{r}.reason || coalesce(char(10) || {r}.recipient, '')", _VIA_MEETING, "{r}.meeting_id",
                 "disclosure", "reason"),
    SearchSource(29, "documents_tabled", "{r}.title || coalesce(char(10) || {r}.document_notes, '')",
                 _VIA_MEETING, "{r}.meeting_id", "documents", "title"),
    SearchSource(23, "actions", "{r}.action_text", "{r}.case_id", "{r}.meeting_id",
                 "actions", "action_text", watch=("action_text",), date="{r}.raised_date"),
    # An outcome is recorded where the action was reviewed: that meeting opens.
    SearchSource(24, "actions", "{r}.outcome", "{r}.case_id",
                 "(SELECT meeting_id FROM action_updates WHERE action_id = {r}.id "
                 "AND meeting_id IS NOT NULL ORDER BY id DESC LIMIT 1)",
                 "previous_actions", "outcome", watch=("outcome",), date="{r}.completed_date"),
    SearchSource(25, "addenda", "{r}.reason || char(10) || {r}.body", _VIA_MEETING, "{r}.meeting_id",
                 "addenda", "body", date="substr({r}.at, 1, 10)"),
    SearchSource(26, "scr_reviews", _JSON_TEXT % "incident", "{r}.case_id", "NULL",
                 "review", "incident", watch=("incident",), date="json_extract({r}.incident, '$.incident_date')"),
    SearchSource(27, "scr_stages", _JSON_TEXT % "stage_values", _VIA_REVIEW, "NULL",
                 "review", "{stage}", watch=("stage_values",), date="substr({r}.updated_at, 1, 10)"),
    SearchSource(28, "scr_recommendations", "{r}.recommendation", _VIA_REVIEW, "NULL",
                 "review", "recommendations", watch=("recommendation",)),
    # Why an action was withdrawn (issue 14): opens where it was withdrawn, as an outcome does.
    SearchSource(30, "actions", "{r}.withdrawn_reason", "{r}.case_id",
                 "(SELECT meeting_id FROM action_updates WHERE action_id = {r}.id "
                 "AND meeting_id IS NOT NULL ORDER BY id DESC LIMIT 1)",
                 "previous_actions", "withdrawn_reason", watch=("withdrawn_reason",), date="{r}.raised_date"),
    # Entries of the risk management plan (issue 15): what is done, the trigger, the reason
    # for the change; found in the section that shows the entry's pillar.
    *(
        SearchSource(code, "plan_entries",
                     f"CASE WHEN {{r}}.pillar {test} 'contingency' THEN {_PLAN_TEXT} END",
                     _VIA_MEETING, "{r}.meeting_id", section, "what",
                     watch=("what", "trigger_event", "rationale", "pillar"))
        for code, test, section in ((31, "!=", "risk_management"), (32, "=", "contingency"))
    ),
)

_BY_CODE = {s.code: s for s in SOURCES}


def folded(expression: str) -> str:
    """SQL giving the text of ``expression`` with ``EXTRA_FOLDS`` applied, as indexed."""
    for letter, plain in EXTRA_FOLDS.items():
        expression = f"replace({expression}, '{letter}', '{plain}')"
    return expression


def trigger_sql(source: SearchSource) -> list[str]:
    """The triggers that note each change of one source's text in ``search_pending``: a
    save pays for one small row, and :meth:`SearchRepo.catch_up` indexes the rows noted
    (before any search, at each pause in typing, and before an erasure is committed)."""
    name = f"search_{source.code}"
    note = f"INSERT OR IGNORE INTO {PENDING} (source, row_key) VALUES ({source.code}, {{row}}.{source.key});"
    out = [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source.table}\n"
        f"WHEN ({source.sql('text', 'NEW')}) IS NOT NULL\nBEGIN\n    {note.format(row='NEW')}\nEND",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source.table}\nBEGIN\n    {note.format(row='OLD')}\nEND",
    ]
    if source.watch:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in source.watch)
        out.append(
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(source.watch)} ON {source.table}\n"
            f"WHEN {changed}\nBEGIN\n    {note.format(row='NEW')}\nEND"
        )
    return out


def install_sources(db, codes: Iterable[int]) -> None:
    """Create the triggers of these sources and index what their tables already hold, the
    oldest meeting's text first (entry numbers follow time, as they do from then on). For
    migrations: runs inside the migration's transaction."""
    sources = [_BY_CODE[code] for code in codes]
    for source in sources:
        for statement in trigger_sql(source):
            db.execute(statement)
    when = [
        f"SELECT {s.code} AS source, r.{s.key} AS row_key, "
        f"coalesce((SELECT meeting_date FROM meetings WHERE id = {s.sql('meeting', 'r')}), {s.sql('date', 'r')}, '') AS day "
        f"FROM {s.table} AS r WHERE ({s.sql('text', 'r')}) IS NOT NULL"
        for s in sources
    ]
    db.execute(f"INSERT INTO {ENTRIES} (source, row_key) SELECT source, row_key FROM ({' UNION ALL '.join(when)}) "
               "ORDER BY day, source, row_key")
    for source in sources:
        text = source.sql("text", "r")
        db.execute(
            f"INSERT INTO {INDEX} (rowid, body, case_tag) "
            f"SELECT e.entry, {folded(text)}, 'c' || {source.sql('case', 'r')} FROM {source.table} AS r "
            f"JOIN {ENTRIES} AS e ON e.source = {source.code} AND e.row_key = r.{source.key}"
        )


def create_index(db) -> None:
    """The index, its settings and its entries (see the module's docstring)."""
    db.execute(
        f"CREATE TABLE {ENTRIES} (entry INTEGER PRIMARY KEY, source INTEGER NOT NULL, "
        "row_key INTEGER NOT NULL, UNIQUE (source, row_key))"
    )
    db.execute(f"CREATE TABLE {PENDING} (source INTEGER NOT NULL, row_key INTEGER NOT NULL, "
               "PRIMARY KEY (source, row_key)) WITHOUT ROWID")
    db.execute(
        f"CREATE VIRTUAL TABLE {INDEX} USING fts5 (body, case_tag, content = '', "
        "contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for option, value in (("automerge", 0), ("crisismerge", CRISIS_MERGE), ("rank", "bm25(1.0, 0.0)")):
        db.execute(f"INSERT INTO {INDEX} ({INDEX}, rank) VALUES (?, ?)", [option, value])


@dataclass(frozen=True)
class SearchHit:
    """One place where the words were found. ``section`` and ``field`` say where the
    minute opens (``section`` "review": the case's Significant Case Reviews); ``row_id``
    is the row in that section (an agency update, a decision, an action, an addendum)."""

    case_id: int
    reference: str
    meeting_id: int | None
    meeting_date: str | None  # the meeting's date, or the row's own date without one
    section: str
    field: str
    row_id: int | None
    snippet: Snippet

    @property
    def where(self) -> str:
        """The section and field in words, for a list of results."""
        if self.section == "review":
            return "Significant Case Review"
        if self.section == "addenda":
            return "Addendum"
        section = spec.section(self.section)
        if len(section.fields) == 1 or section.repeating:
            return section.title
        return f"{section.title}: {section.field(self.field).label}"


class SearchRepo:
    def __init__(self, store: "Store"):
        self._store = store

    def _matching(self, expression: str, case_id: int | None, limit: int, offset: int = 0,
                  exclude: Iterable[int] = ()) -> list[int]:
        """Entries matching, best first: ranked by bm25 among the ``RANKED`` most recently
        written matches (all of them, unless the words are very common: ranking every one of
        80,000 places cost 120 ms and more). Within one case: most recently written first."""
        where = f"{INDEX} MATCH ?"
        params: list = [expression if case_id is None else f"({expression}) AND case_tag : c{int(case_id)}"]
        exclude = list(exclude)
        if exclude:
            where += f" AND rowid NOT IN ({', '.join('?' * len(exclude))})"
            params += exclude
        if case_id is not None:
            sql = f"SELECT rowid FROM {INDEX} WHERE {where} ORDER BY rowid DESC LIMIT ? OFFSET ?"
        else:
            sql = (f"SELECT entry FROM (SELECT rowid AS entry, rank AS score FROM {INDEX} WHERE {where} "
                   f"ORDER BY rowid DESC LIMIT {RANKED}) ORDER BY score LIMIT ? OFFSET ?")
        return [r[0] for r in self._store.db.execute(sql, [*params, limit, offset])]

    def search(self, text: str, *, case_id: int | None = None, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        """The best ``limit`` places (after ``offset``) where the query matches, best
        first; an exact phrase of the words typed ranks before the words apart. Within one
        case (``case_id``) the places are in date order instead, the newest meeting first."""
        query = parse(text)
        if not query:
            return []
        self.catch_up()
        with storage_errors():
            if case_id is not None:
                # One case holds a few hundred entries at most: place them all by date.
                entries = self._matching(query.all_terms(), case_id, IN_CASE_LIMIT)
                places = sorted(self._places(entries, with_text=False),
                                key=lambda p: (p[6] or p[1] or "", p[0] or 0), reverse=True)
                page = [p[-1] for p in places[offset:offset + limit]]
                return self._hits(self._places(page, with_text=True), query)
            exact = query.exact()
            if exact:
                # Paging across the two lists: phrase hits first, then the rest.
                phrase_ids = self._matching(exact, None, limit + offset)
                rowids = phrase_ids[offset:offset + limit]
                if len(rowids) < limit:
                    skip = max(0, offset - len(phrase_ids))
                    rowids += self._matching(query.all_terms(), None, limit - len(rowids), skip,
                                             exclude=phrase_ids)
            else:
                rowids = self._matching(query.all_terms(), None, limit, offset)
            return self._hits(self._places(rowids, with_text=True), query)

    def _places(self, entries: list[int], *, with_text: bool) -> list[tuple]:
        """For each entry still there, in order: (meeting id, date, case id, row id, stage key,
        text, meeting date, case reference, source, entry). One query per entry, one for all."""
        db = self._store.db
        where = {}
        for chunk in range(0, len(entries), 500):
            part = entries[chunk:chunk + 500]
            where.update((e, (s, k)) for e, s, k in db.execute(
                f"SELECT entry, source, row_key FROM {ENTRIES} WHERE entry IN ({', '.join('?' * len(part))})", part))
        places = []
        for entry in entries:
            code, key = where.get(entry, (None, None))
            source = _BY_CODE.get(code)
            if source is None:
                continue
            stage = "r.stage_key" if source.table == "scr_stages" else "NULL"
            row_id = "r.review_id" if source.table in ("scr_stages", "scr_recommendations") else f"r.{source.key}"
            text = source.sql("text", "r") if with_text else "NULL"
            found = db.execute(
                f"SELECT t.*, m.meeting_date, c.reference FROM (SELECT {source.sql('meeting', 'r')} AS meeting, "
                f"{source.sql('date', 'r')} AS day, {source.sql('case', 'r')} AS case_id, {row_id} AS row, "
                f"{stage} AS stage, {text} AS body FROM {source.table} AS r WHERE r.{source.key} = ?) AS t "
                "LEFT JOIN meetings AS m ON m.id = t.meeting LEFT JOIN cases AS c ON c.id = t.case_id",
                [key],
            ).fetchone()
            if found is not None:
                places.append((*found, source, entry))
        return places

    def _hits(self, places, query: Query) -> list[SearchHit]:
        hits = []
        for meeting_id, day, case_id, row, stage, text, meeting_date, reference, source, _entry in places:
            hits.append(SearchHit(
                case_id=case_id, reference=reference or "", meeting_id=meeting_id,
                meeting_date=meeting_date or day, section=source.section,
                field=source.field.format(stage=stage) if stage else source.field,
                row_id=None if source.table == "meeting_text" else row, snippet=snippet(text, query),
            ))
        return hits

    def count(self, text: str, *, case_id: int | None = None) -> int:
        """How many places match in all (for "20 of 1,234")."""
        query = parse(text)
        if not query:
            return 0
        expression = query.all_terms()
        if case_id is not None:
            expression = f"({expression}) AND case_tag : c{int(case_id)}"
        self.catch_up()
        with storage_errors():
            return self._store.db.execute(
                f"SELECT count(*) FROM {INDEX} WHERE {INDEX} MATCH ?", [expression]).fetchone()[0]

    # -- upkeep --------------------------------------------------------------------------------

    def catch_up(self) -> int:
        """Index the rows whose text changed since last time (noted by the triggers) and
        forget those that went; returns how many. Called before every search, at pauses in
        typing, and by erasure inside its own transaction. Cheap when nothing is noted."""
        db = self._store.db
        with self._store.transaction():
            noted = db.execute(f"SELECT source, row_key FROM {PENDING}").fetchall()
            for code, key in noted:
                source = _BY_CODE.get(code)
                old = db.execute(f"SELECT entry FROM {ENTRIES} WHERE source = ? AND row_key = ?", [code, key]).fetchone()
                if old is not None:
                    db.execute(f"DELETE FROM {INDEX} WHERE rowid = ?", [old[0]])
                    db.execute(f"DELETE FROM {ENTRIES} WHERE entry = ?", [old[0]])
                if source is None:
                    continue
                text = source.sql("text", "r")
                where = f"FROM {source.table} AS r WHERE r.{source.key} = ? AND ({text}) IS NOT NULL"
                if db.execute(f"SELECT 1 {where}", [key]).fetchone() is None:
                    continue  # the row went, or its text did
                entry = db.execute(f"INSERT INTO {ENTRIES} (source, row_key) VALUES (?, ?)", [code, key]).lastrowid
                db.execute(f"INSERT INTO {INDEX} (rowid, body, case_tag) "
                           f"SELECT ?, {folded(text)}, 'c' || {source.sql('case', 'r')} {where}", [entry, key])
            if noted:
                db.execute(f"DELETE FROM {PENDING}")
        return len(noted)

    def tidy(self, pages: int = 200) -> bool:
        """One small step of merging the index's segments (for idle moments). True when it
        did some work: call again while it does."""
        conn = self._store.db.conn
        with self._store.transaction():
            before = conn.total_changes
            self._store.db.execute(f"INSERT INTO {INDEX} ({INDEX}, rank) VALUES ('merge', ?)", [pages])
            return conn.total_changes - before > 1

    def optimize(self) -> None:
        """Merge everything into one segment: deleted entries leave the index for good
        (erasure does this in its own transaction)."""
        self._store.db.execute(f"INSERT INTO {INDEX} ({INDEX}) VALUES ('optimize')")

    def integrity_check(self) -> None:
        """Raises (a storage error) when the index does not match itself."""
        with storage_errors():
            self._store.db.execute(f"INSERT INTO {INDEX} ({INDEX}, rank) VALUES ('integrity-check', 0)")
