"""The content of a case bundle: one JSON record per line, a manifest first, a seal last.

The manifest says where the bundle comes from (the store's origin id and area, who exported
it, when, the case and the export's number) and which format it is in; the seal counts the
records of each kind and holds their SHA-256, so that what was read is what was written.
A bundle of a newer format is refused with the reason; an older one is brought up to date
record by record through :data:`UPGRADES` as it is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .container import BundleDamaged, BundleTooNew, read_lines

#: The bundle format this version writes. Raise it, and add the step from the previous
#: format to :data:`UPGRADES`, whenever a record changes shape.
FORMAT = 2
#: Fields a record of an older format cannot have: the bundle says nothing about them, so
#: they are never compared with ours, nor taken from it.
UNKNOWN_FIELDS = "unknown_fields"


def _from_1(record: dict) -> dict:
    """Format 2 added a case's conditions of licence and orders and a meeting's risk
    management plan (issue 15), and records of plan versions."""
    missing = {"case": ["conditions"], "meeting": ["plan"]}.get(record.get("type"))
    return {**record, UNKNOWN_FIELDS: missing} if missing else record


#: ``UPGRADES[n]`` turns one record of format ``n`` into format ``n + 1``.
UPGRADES: dict[int, Callable[[dict], dict]] = {1: _from_1}


def canonical_line(record: dict) -> bytes:
    """One record as one line: sorted keys, ASCII (every other character escaped)."""
    return json.dumps(record, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True)
class Manifest:
    """The first record and the seal, together: what a bundle says about itself."""

    head: dict
    seal: dict

    @property
    def format(self) -> int:
        return self.head["format"]

    def __getitem__(self, key):
        return self.head[key]

    def get(self, key, default=None):
        return self.head.get(key, default)

    def as_dict(self) -> dict:
        return {**self.head, "seal": self.seal}


class _Sealer:
    """Counts and hashes the records as they go past."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.digests: dict[str, "hashlib._Hash"] = {}
        self.content = hashlib.sha256()

    def add(self, kind: str, line: bytes) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.digests.setdefault(kind, hashlib.sha256()).update(line + b"\n")
        self.content.update(line + b"\n")

    def seal(self, manifest_line: bytes) -> dict:
        return {"type": "seal", "counts": dict(sorted(self.counts.items())),
                "sha256": {k: d.hexdigest() for k, d in sorted(self.digests.items())},
                "content_sha256": self.content.hexdigest(),
                "manifest_sha256": hashlib.sha256(manifest_line + b"\n").hexdigest()}


def bundle_lines(manifest: dict, records: Iterable[dict]) -> Iterator[bytes]:
    """The bundle's content as lines (each ending in a newline): manifest, records, seal."""
    head = canonical_line({**manifest, "type": "manifest", "format": FORMAT})
    yield head + b"\n"
    sealer = _Sealer()
    for record in records:
        line = canonical_line(record)
        sealer.add(record["type"], line)
        yield line + b"\n"
    yield canonical_line(sealer.seal(head)) + b"\n"


def _parse(line: bytes) -> dict:
    try:
        record = json.loads(line)
    except ValueError:
        raise BundleDamaged("The bundle's content is damaged (a record cannot be read).") from None
    if not isinstance(record, dict) or not isinstance(record.get("type"), str):
        raise BundleDamaged("The bundle's content is damaged (a record has no kind).")
    return record


def _upgrade(record: dict, version: int) -> dict:
    while version < FORMAT:
        step = UPGRADES.get(version)
        if step is None:
            raise BundleTooNew(f"This bundle is in format {version}, which this version can no longer read.")
        record = step(record)
        version += 1
    return record


def read_manifest(path: Path, key: bytes) -> dict:
    """The manifest alone (the first record), for refusing a bundle before reading it all."""
    for line in read_lines(path, key):
        head = _parse(line)
        _check_head(head)
        return _upgrade(head, head["format"])
    raise BundleDamaged("The bundle is empty.")


def _check_head(head: dict) -> None:
    if head.get("type") != "manifest" or not isinstance(head.get("format"), int):
        raise BundleDamaged("The bundle's content is damaged (no manifest).")
    if head["format"] > FORMAT:
        raise BundleTooNew(
            f"This bundle was made by a newer version of MAPPA Desktop (format {head['format']}; this version "
            f"reads formats up to {FORMAT}). Install that version or newer to import it.")


def read_records(path: Path, key: bytes, *, on_manifest: Callable[[dict], None] | None = None,
                 on_seal: Callable[[dict], None] | None = None) -> Iterator[dict]:
    """Every record of the bundle, brought up to this format, in order; then checks the
    seal. A bundle is only good once this has run to the end without an error."""
    lines = read_lines(path, key)
    first = next(lines, None)
    if first is None:
        raise BundleDamaged("The bundle is empty.")
    head = _parse(first)
    _check_head(head)
    version = head["format"]
    if on_manifest is not None:
        on_manifest(_upgrade(dict(head), version))
    sealer = _Sealer()
    seal = None
    for line in lines:
        if seal is not None:
            raise BundleDamaged("The bundle's content is damaged (records after its seal).")
        record = _parse(line)
        if record["type"] == "seal":
            seal = record
            continue
        sealer.add(record["type"], line)
        yield _upgrade(record, version)
    if seal is None:
        raise BundleDamaged("The bundle's content is incomplete (it has no seal).")
    expected = sealer.seal(first)
    if any(seal.get(k) != expected[k] for k in ("counts", "sha256", "content_sha256", "manifest_sha256")):
        raise BundleDamaged("The bundle's content does not match its seal.")
    if on_seal is not None:
        on_seal(seal)
