"""Exporting a case as a bundle and importing one: the use cases shared by the window and
the command line.

Export: a transfer passphrase (strong enough by the rule user passphrases follow), a
recipient and a purpose; the case's records streamed into the bundle; logged as a
disclosure. Import: the passphrase opens the bundle; :func:`preview_import` reads it whole
(every chunk verified, the seal checked) and compares it with this store without writing
anything; :func:`import_case` then writes, in one transaction, what the preview showed and
the person chose, or nothing at all.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .. import APP_NAME, __version__
from ..security import DEFAULT_KDF, KdfParams, Strength, passphrase_strength
from .container import BundleError, Header, unlock_key, write_sealed
from .format import bundle_lines, read_manifest, read_records
from .walk import KIND_NOUNS, ImportPass, ImportPlan, ImportRefused, counted_all, when_local, counted  # noqa: F401 (for callers)

SUFFIX = ".mappa-case"
PASSPHRASE_WORDS = 6  # 66 bits from a list of 2,048 words, behind Argon2id


class ExportRefused(BundleError):
    """The export cannot go ahead as asked; ``field`` names what to fix."""

    def __init__(self, reason: str, field: str = ""):
        super().__init__(reason)
        self.field = field


# -- the transfer passphrase ----------------------------------------------------------------


def new_transfer_passphrase(words: int = PASSPHRASE_WORDS) -> str:
    """Words picked at random from the BIP-39 English list (short, unambiguous words that
    are easy to read out over the telephone)."""
    from mnemonic import Mnemonic

    wordlist = Mnemonic("english").wordlist
    return " ".join(secrets.choice(wordlist) for _ in range(words))


def transfer_passphrase_strength(passphrase: str) -> Strength:
    """The same rule as a user's passphrase (security.passphrase_strength)."""
    return passphrase_strength(passphrase, ("mappa", "case", "bundle"))


# -- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    sequence: int
    counts: dict


def export_case(*, store, case_id: int, path: Path, passphrase: str, recipient: str, purpose: str,
                kdf: KdfParams = DEFAULT_KDF) -> ExportResult:
    """Write the case to ``path`` as a bundle for the recipient, and log the disclosure.

    The bundle is complete at ``path`` or not there at all; it is logged only once written
    (and removed again if the log cannot take the entry).
    """
    recipient, purpose = (recipient or "").strip(), (purpose or "").strip()
    if not recipient:
        raise ExportRefused("Say who the bundle is for: it is logged as a disclosure.", "recipient")
    if not purpose:
        raise ExportRefused("Say why the case is being sent: it is logged as a disclosure.", "purpose")
    strength = transfer_passphrase_strength(passphrase)
    if not strength.acceptable:
        raise ExportRefused(f"The transfer passphrase is too easy to guess. {strength.hint}", "passphrase")
    path = Path(path)
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    sequence = store.bundles.begin_export(case_id)
    records = store.bundles.records
    case = records.case(case_id)
    user = store.user
    manifest = {
        "app": f"{APP_NAME} {__version__}",
        "origin": records.origin_id(),
        "area": store.settings.get("area_name") or "",
        "exported_by": {"name": user.name, "agency": user.agency, "role": user.role} if user else None,
        "exported_at": store.now_iso(),
        "case_uid": case["uid"],
        "case_reference": case["fields"]["reference"],
        "sequence": sequence,
        "recipient": recipient,
        "purpose": purpose,
    }
    counts: dict[str, int] = {}

    def tallied(stream):
        for record in stream:
            counts[record["type"]] = counts.get(record["type"], 0) + 1
            yield record

    with store.transaction():  # one consistent reading of the case
        size = write_sealed(path, bundle_lines(manifest, tallied(records.records(case_id))), passphrase, kdf)
    try:
        store.audit.record_now(
            "disclosure", "case", case_id, recipient=recipient, purpose=purpose,
            detail=f"case bundle exported: export {sequence}, {size} bytes; "
                   + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return ExportResult(path, size, sequence, counts)


def suggested_file_name(reference: str, today) -> str:
    """A file name with the case reference and the date, never a person's name."""
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in reference).strip("-") or "case"
    return f"{safe}-{today.isoformat()}{SUFFIX}"


# -- opening and previewing -------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle whose passphrase has been proved; holds the derived key, not the passphrase."""

    path: Path
    header: Header
    key: bytes
    manifest: dict


def open_bundle(path: Path, passphrase: str) -> OpenedBundle:
    """Prove the passphrase and read the manifest (refusing a newer format at once)."""
    path = Path(path)
    try:
        header, key = unlock_key(path, passphrase)
    except FileNotFoundError:
        raise BundleError("That file is not there any more.") from None
    except IsADirectoryError:
        raise BundleError("That is a folder, not a bundle.") from None
    except PermissionError:
        raise BundleError("The bundle cannot be read: permission was refused.") from None
    return OpenedBundle(path, header, key, read_manifest(path, key))


def preview_import(*, store, bundle: OpenedBundle) -> ImportPlan:
    """Read the whole bundle (refusing it if any part fails) and compare it with this store.
    Writes nothing."""
    _refuse_replay(store, bundle.manifest)
    walk = ImportPass(store, bundle.manifest, apply=False)
    for record in read_records(bundle.path, bundle.key, on_seal=walk.sealed):
        walk.take(record)
    return walk.finish()


def _refuse_replay(store, manifest: Mapping) -> None:
    records = store.bundles.records
    if manifest.get("origin") == records.origin_id():
        raise ImportRefused("This bundle was exported from this store: there is nothing to import.")
    last = store.bundles.last_import(manifest["origin"], manifest["case_uid"])
    if last is None:
        return
    if manifest["sequence"] == last["sequence"]:
        raise ImportRefused(f"This bundle was already imported here on {when_local(last['imported_at'])}.")
    if manifest["sequence"] < last["sequence"]:
        raise ImportRefused(
            f"This is an older export of the case (export {manifest['sequence']}, made "
            f"{when_local(manifest.get('exported_at'))}) than one already imported here (export "
            f"{last['sequence']}, made {when_local(last['exported_at'])}). It is refused so that older "
            "data cannot come back over newer.")


# -- import -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    case_id: int
    added: dict
    chosen_theirs: int
    chosen_ours: int
    kept: int


def import_case(*, store, bundle: OpenedBundle, plan: ImportPlan, choices: Mapping[str, str]) -> ImportResult:
    """Write what the preview showed, with the person's choice for every difference, in one
    transaction: all of it, or (on any refusal or damage) nothing."""
    missing = [d for d in plan.choosable if choices.get(d.key) not in ("theirs", "ours")]
    if missing:
        raise ImportRefused(f"Choose theirs or ours for every difference ({len(missing)} left).")
    with store.transaction():
        _refuse_replay(store, bundle.manifest)
        walk = ImportPass(store, bundle.manifest, apply=True, choices=choices, seal=plan.seal)
        for record in read_records(bundle.path, bundle.key, on_seal=walk.sealed):
            walk.take(record)
        done = walk.finish()
        if [(d.key, d.ours, d.theirs) for d in done.differences] != [
                (d.key, d.ours, d.theirs) for d in plan.differences] or done.seal != plan.seal:
            raise ImportRefused("The store or the bundle changed since the preview. Nothing was imported; "
                                "open the bundle again to see what it would do now.")
        store.audit.record(
            "collection", "case", walk.case_id,
            detail="case bundle imported: " + counted_all(done.added)
                   + f"; {walk.theirs} chosen theirs, {walk.ours} chosen ours, {len(done.kept)} kept as ours"
                   + "; manifest " + json.dumps({**bundle.manifest, "seal": done.seal}, sort_keys=True))
    return ImportResult(walk.case_id, done.added, walk.theirs, walk.ours, len(done.kept))
