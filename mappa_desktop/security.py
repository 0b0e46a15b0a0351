"""Passphrases, key slots and the database key.

The store is encrypted with a random 256-bit key. Each user has a *key slot* in a small
key file beside the store: the database key wrapped with AES-256-GCM under a key derived
from that user's passphrase with Argon2id. Unlocking unwraps one slot; changing a passphrase
rewraps one slot and never re-encrypts the store. A forgotten passphrase cannot be recovered
except by an administrator re-issuing a slot from their own.

The key file holds no names: a slot is found by an HMAC of the normalised user name under a
random per-store identifier.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

KEY_BYTES = 32
FORMAT = 1
MIN_PASSPHRASE_LENGTH = 10


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB). Stored per slot, so they can grow later."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4


#: What the application uses: RFC 9106's second recommended option (t=3, 64 MiB, 4 lanes).
#: Measured on the two-core reference machine: 0.33 s and a 64 MiB transient per unlock,
#: where 128 MiB took 0.67 s and lifted the process's peak to 250-270 MB. Every guess costs
#: an attacker the same 64 MiB and three passes; the README says what it costs and why.
#: Slots keep the parameters they were made with until their passphrase is next set.
DEFAULT_KDF = KdfParams()
#: For tests only: cheap, so a test suite can create hundreds of slots. Never the default.
TEST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


class KeyFileError(Exception):
    """The key file is missing, damaged or of an unknown format. ``reason`` is safe to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WrongPassphrase(Exception):
    """The name and passphrase do not open any slot. Deliberately says no more than that."""

    def __init__(self) -> None:
        super().__init__("That name and passphrase do not match a user of this store.")


def normalise_name(name: str) -> str:
    """User names match whatever the case, accents' encoding and spacing."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def derive_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    """Argon2id of the passphrase (NFC-normalised, so any keyboard types the same key)."""
    from argon2.low_level import Type, hash_secret_raw

    # surrogatepass: a lone surrogate (pasted from a broken source) is still a key, not a crash.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")
    return hash_secret_raw(
        secret,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Slot:
    """One user's wrapped copy of the database key."""

    salt: bytes
    nonce: bytes
    wrapped: bytes
    kdf: KdfParams

    def to_json(self) -> dict:
        return {
            "salt": _b64(self.salt),
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
            "kdf": asdict(self.kdf),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Slot":
        return cls(
            salt=_unb64(data["salt"]),
            nonce=_unb64(data["nonce"]),
            wrapped=_unb64(data["wrapped"]),
            kdf=KdfParams(**data["kdf"]),
        )


class KeyFile:
    """The key slots of one store, kept in ``keys.json`` beside it."""

    def __init__(self, path: Path, store_id: bytes, slots: dict[str, Slot]):
        self.path = Path(path)
        self.store_id = store_id
        self.slots = slots

    # -- creating and reading -------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> tuple["KeyFile", bytes]:
        """A new, empty key file and a fresh random database key (not yet saved)."""
        return cls(Path(path), secrets.token_bytes(16), {}), secrets.token_bytes(KEY_BYTES)

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyFileError("the key file of this store is missing") from None
        except (OSError, ValueError, UnicodeDecodeError):
            raise KeyFileError("the key file of this store is damaged") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyFileError("the key file is of a format this version does not know")
        try:
            slots = {sid: Slot.from_json(s) for sid, s in data["slots"].items()}
            return cls(path, _unb64(data["store_id"]), slots)
        except (KeyError, TypeError, ValueError, AttributeError):  # wrong types of value
            raise KeyFileError("the key file of this store is damaged") from None

    def save(self) -> None:
        """Write atomically: a temp file in the same folder, fsync, then rename."""
        payload = json.dumps(
            {
                "format": FORMAT,
                "store_id": _b64(self.store_id),
                "slots": {sid: slot.to_json() for sid, slot in sorted(self.slots.items())},
            },
            indent=1,
        ).encode("utf-8")
        write_atomically(self.path, payload)

    # -- slots ----------------------------------------------------------------------------

    def slot_id(self, name: str) -> str:
        """The slot identifier of a user name: no name is stored in the key file."""
        digest = hmac.new(self.store_id, normalise_name(name).encode("utf-8", "surrogatepass"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def has_slot(self, name: str) -> bool:
        return self.slot_id(name) in self.slots

    def _aad(self, slot_id: str) -> bytes:
        return b"mappa-desktop/slot/v1/" + self.store_id + slot_id.encode("ascii")

    def set_slot(
        self, name: str, passphrase: str, db_key: bytes, kdf: KdfParams = DEFAULT_KDF
    ) -> str:
        """Wrap the database key for this user (new slot or replacement). Not saved yet."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        slot_id = self.slot_id(name)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        kek = derive_key(passphrase, salt, kdf)
        wrapped = AESGCM(kek).encrypt(nonce, db_key, self._aad(slot_id))
        self.slots[slot_id] = Slot(salt, nonce, wrapped, kdf)
        return slot_id

    def unlock(self, name: str, passphrase: str) -> bytes:
        """The database key, or :class:`WrongPassphrase`."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        slot_id = self.slot_id(name)
        slot = self.slots.get(slot_id)
        if slot is None:
            # Spend the same time as a real attempt so that timing does not reveal names.
            derive_key(passphrase, secrets.token_bytes(16), DEFAULT_KDF)
            raise WrongPassphrase()
        kek = derive_key(passphrase, slot.salt, slot.kdf)
        try:
            return AESGCM(kek).decrypt(slot.nonce, slot.wrapped, self._aad(slot_id))
        except InvalidTag:
            raise WrongPassphrase() from None

    def change_passphrase(self, name: str, old: str, new: str) -> None:
        """Rewrap this user's slot under a new passphrase and save; the store is untouched."""
        db_key = self.unlock(name, old)
        self.set_slot(name, new, db_key, self.slots[self.slot_id(name)].kdf)
        self.save()

    def remove_slot(self, name: str) -> None:
        self.slots.pop(self.slot_id(name), None)


def write_atomically(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that the old file or the new one is there, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        if os.name == "posix":
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class Strength:
    """A passphrase's strength, for a hint beside the field: score 0 (weak) to 4."""

    score: int
    label: str
    hint: str
    acceptable: bool


_LABELS = ("Very weak", "Weak", "Fair", "Good", "Strong")
_ZXCVBN_MAX_LENGTH = 72  # zxcvbn >= 4.5 raises ValueError beyond this


def passphrase_strength(passphrase: str, user_inputs: tuple[str, ...] = ()) -> Strength:
    """How guessable a passphrase is (zxcvbn), with one helpful hint rather than rules.

    Acceptable means at least :data:`MIN_PASSPHRASE_LENGTH` characters and a score of 3:
    a few ordinary words strung together pass; "Password1!" does not.
    """
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return Strength(
            0,
            _LABELS[0],
            f"Use at least {MIN_PASSPHRASE_LENGTH} characters. Three or four unrelated "
            "words are easy to remember and hard to guess.",
            False,
        )
    from zxcvbn import zxcvbn

    # zxcvbn refuses (ValueError) anything longer than 72 characters, so it is shown the
    # first 72 only; longer is strong by length anyway.
    result = zxcvbn(passphrase[:_ZXCVBN_MAX_LENGTH], user_inputs=[u for u in user_inputs if u])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
    if score >= 3 and not hint:
        hint = "Good: hard to guess."
    elif not hint:
        hint = "Add another unrelated word or two."
    return Strength(score, _LABELS[score], hint, score >= 3)


def unlock_delay_seconds(failures: int) -> int:
    """How long to wait before the next attempt after ``failures`` wrong ones in a row.

    Three free tries (typos happen), then 2, 4, 8... seconds, at most a minute.
    """
    if failures < 3:
        return 0
    return min(60, 2 ** (failures - 2))
