"""Two laptops for the case bundle tests: stores A and B, the example case on A."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mappa_desktop import security
from mappa_desktop.db.session import Session, create_store
from mappa_desktop.demo import add_example_case, add_example_meetings
from mappa_desktop.ops.minute import finalise
from mappa_desktop.paths import DataPaths
from mappa_desktop.transfer import exchange
from .signoff_helpers import recorded_approval

PASSPHRASE = "orbit velvet canyon ladder pepper mosaic"
TODAY = date(2026, 10, 14)


def laptop(root: Path, name: str, user: str = "Ann Admin") -> Session:
    made = create_store(DataPaths(root / name), name=user, agency="Police Scotland", role="MAPPA coordinator",
                        passphrase="granite otter lantern violet", kdf=security.TEST_KDF)
    made.store.db.execute("PRAGMA synchronous = OFF")  # what is stored matters here, not durability
    return made


@dataclass
class ExampleCase:
    case_id: int
    first: int  # July meeting, a draft
    review: int  # October review, finalised (with an acknowledgement and an addendum)


def example_case(store, *, finalised: bool = True) -> ExampleCase:
    case_id = add_example_case(store)
    first, review = add_example_meetings(store, case_id)
    if finalised:
        last = store.minutes.get(review, consult=False).actions[-1]
        store.actions.update_terms(last.id, {"target_date": None})
        finalise(store=store, meeting_id=review, acknowledgements={f"action:{last.id}:target_date": "Date to follow."},
                 today=TODAY, approval=recorded_approval(store, review))
        store.minutes.add_addendum(review, body="The disclosure was on 17/10/2026.", reason="Date corrected")
    return ExampleCase(case_id, first, review)


def export(store, case_id: int, path: Path, passphrase: str = PASSPHRASE) -> Path:
    return exchange.export_case(store=store, case_id=case_id, path=path, passphrase=passphrase,
                                recipient="Deputy chair, Forthside", purpose="Second laptop",
                                kdf=security.TEST_KDF).path


def import_all(store, path: Path, passphrase: str = PASSPHRASE, prefer: str = "theirs"):
    bundle = exchange.open_bundle(path, passphrase)
    plan = exchange.preview_import(store=store, bundle=bundle)
    result = exchange.import_case(store=store, bundle=bundle, plan=plan,
                                  choices={d.key: prefer for d in plan.choosable})
    return plan, result


def case_state(store, case_id: int) -> list[str]:
    """Everything of the case but its audit entries, as canonical text (ids and stamps of
    this store's own bookkeeping left out): equal on two laptops that hold the same case."""
    records = store.bundles.records
    out = []
    for record in records.records(case_id):
        if record["type"] == "audit":
            continue
        record = dict(record)
        record.pop("updated_at", None)
        out.append(json.dumps(record, sort_keys=True))
    return sorted(out)


def store_files_digest(store) -> str:
    """The store file and its write-ahead log, hashed: equal before and after means untouched."""
    digest = hashlib.sha256()
    for suffix in ("", "-wal"):
        path = Path(str(store.paths.store) + suffix)
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()
