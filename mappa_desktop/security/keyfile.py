"""The key file (``keys.json`` beside the store): one slot per user.

A slot holds what its user needs to open the store, locked under their passphrase
(Argon2id, then AES-256-GCM): their private signing and wrapping keys (see ``identity``),
and the database key sealed to their wrapping key. A key rotation seals a new database key
to every remaining slot without anyone's passphrase, and simply leaves out the slot being
revoked. A slot may hold the sealed database key under more than one key id while a
rotation is under way; ``key_id`` names the one the store uses.

Slots of the first format (the database key wrapped directly under the passphrase, no
key pairs) are still read, and are upgraded when their user next unlocks.

The file holds no names: a slot is found by an HMAC of the normalised user name under a
random per-store identifier. A SHA-256 of the content lets a damaged file be named as
damaged rather than taken for a wrong passphrase.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import write_atomically
from .identity import Identity, PublicKeys, SealedKey, b64, key_id, seal_key, unb64
from .passphrases import DEFAULT_KDF, KEY_BYTES, KdfParams, derive_key, normalise_name

FORMAT = 2
READABLE_FORMATS = (1, 2)
_SLOT_ID = re.compile(r"^[0-9a-f]{32}$")
_KEY_ID = re.compile(r"^[0-9a-f]{16}$")


class KeyFileError(Exception):
    """The key file is missing, damaged or of an unknown format. ``reason`` is safe to show."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class WrongPassphrase(Exception):
    """The name and passphrase do not open any slot. Deliberately says no more than that."""

    def __init__(self) -> None:
        super().__init__("That name and passphrase do not match a user of this store.")


DAMAGED = "the key file of this store (keys.json) is damaged"


@dataclass(frozen=True)
class LegacySlot:
    """A first-format slot: the database key wrapped under the passphrase, no key pairs."""

    salt: bytes
    nonce: bytes
    wrapped: bytes
    kdf: KdfParams

    def to_json(self) -> dict:
        return {"salt": b64(self.salt), "nonce": b64(self.nonce), "wrapped": b64(self.wrapped),
                "kdf": asdict(self.kdf)}

    @classmethod
    def from_json(cls, data: dict) -> "LegacySlot":
        slot = cls(unb64(data["salt"]), unb64(data["nonce"]), unb64(data["wrapped"]), _kdf(data["kdf"]))
        if len(slot.salt) != 16 or len(slot.nonce) != 12 or len(slot.wrapped) != KEY_BYTES + 16:
            raise ValueError("wrong length")
        return slot


@dataclass(frozen=True)
class Slot:
    """A user's slot: their private keys under their passphrase, and the database key
    sealed to their public wrapping key (by key id)."""

    salt: bytes
    kdf: KdfParams
    nonce: bytes
    secrets: bytes  # AES-GCM of the 64 bytes of private keys
    public: PublicKeys
    keys: dict = field(default_factory=dict)  # key id -> SealedKey

    def to_json(self) -> dict:
        return {
            "v": 2,
            "salt": b64(self.salt),
            "kdf": asdict(self.kdf),
            "nonce": b64(self.nonce),
            "secrets": b64(self.secrets),
            "signing_public": b64(self.public.signing),
            "wrapping_public": b64(self.public.wrapping),
            "keys": {kid: sealed.to_json() for kid, sealed in sorted(self.keys.items())},
        }

    @classmethod
    def from_json(cls, data: dict) -> "Slot":
        keys = {}
        for kid, sealed in data["keys"].items():
            if not _KEY_ID.match(kid):
                raise ValueError("key id")
            keys[kid] = SealedKey.from_json(sealed)
        slot = cls(unb64(data["salt"]), _kdf(data["kdf"]), unb64(data["nonce"]), unb64(data["secrets"]),
                   PublicKeys(unb64(data["signing_public"]), unb64(data["wrapping_public"])), keys)
        if (len(slot.salt) != 16 or len(slot.nonce) != 12 or len(slot.secrets) != 2 * KEY_BYTES + 16
                or len(slot.public.signing) != KEY_BYTES or len(slot.public.wrapping) != KEY_BYTES):
            raise ValueError("wrong length")
        return slot


def _kdf(data: dict) -> KdfParams:
    params = KdfParams(**data)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in asdict(params).values()) or not params.sane():
        raise ValueError("kdf")
    return params


@dataclass(frozen=True)
class OpenedSlot:
    """What a right passphrase unlocks: the user's keys (None for a first-format slot) and
    every database key their slot holds, by key id."""

    slot_id: str
    identity: Identity | None
    keys: dict


class KeyFile:
    """The key slots of one store, kept in ``keys.json`` beside it."""

    def __init__(self, path: Path, store_id: bytes, slots: dict, key_id: str | None = None,
                 rotation: dict | None = None):
        self.path = Path(path)
        self.store_id = store_id
        self.slots = slots
        self.key_id = key_id  # the database key the store uses (None: not known yet)
        self.rotation = rotation  # {"from": id, "to": id} while a rotation is under way

    # -- creating, reading, writing -------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> tuple["KeyFile", bytes]:
        """A new, empty key file and a fresh random database key (not yet saved)."""
        db_key = secrets.token_bytes(KEY_BYTES)
        return cls(Path(path), secrets.token_bytes(16), {}, key_id(db_key)), db_key

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        path = Path(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise KeyFileError("the key file of this store (keys.json) is missing") from None
        except OSError:
            raise KeyFileError("the key file of this store (keys.json) cannot be read") from None
        return cls.from_bytes(path, raw)

    @classmethod
    def from_bytes(cls, path: Path, raw: bytes) -> "KeyFile":
        """A key file from its bytes (a backup's manifest carries a copy)."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise KeyFileError(DAMAGED) from None
        if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
            raise KeyFileError("the key file (keys.json) is of a format this version does not know")
        if data["format"] >= 2:
            checksum = data.pop("checksum", None)
            if checksum != _checksum(data):
                raise KeyFileError(DAMAGED + " (its checksum does not match)")
        try:
            slots = {}
            for sid, slot in data["slots"].items():
                if not _SLOT_ID.match(sid):
                    raise ValueError("slot id")
                slots[sid] = Slot.from_json(slot) if slot.get("v") == 2 else LegacySlot.from_json(slot)
            store_id = unb64(data["store_id"])
            kid = data.get("key_id")
            rotation = data.get("rotation")
            if len(store_id) != 16 or (kid is not None and not _KEY_ID.match(kid)):
                raise ValueError("ids")
            if rotation is not None and not (isinstance(rotation, dict) and
                                             all(_KEY_ID.match(str(rotation.get(k, ""))) for k in ("from", "to"))):
                raise ValueError("rotation")
            return cls(path, store_id, slots, kid, rotation)
        except (KeyError, TypeError, ValueError, AttributeError):  # wrong types of value
            raise KeyFileError(DAMAGED) from None

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "store_id": b64(self.store_id),
            "key_id": self.key_id,
            "slots": {sid: slot.to_json() for sid, slot in sorted(self.slots.items())},
        }
        if self.rotation:
            data["rotation"] = dict(self.rotation)
        data["checksum"] = _checksum(data)
        return json.dumps(data, indent=1).encode("utf-8")

    def save(self) -> None:
        """Write atomically: a temp file in the same folder, fsync, then rename."""
        write_atomically(self.path, self.to_bytes())

    def copy(self) -> "KeyFile":
        return KeyFile.from_bytes(self.path, self.to_bytes())

    # -- slots ----------------------------------------------------------------------------

    def slot_id(self, name: str) -> str:
        """The slot identifier of a user name: no name is stored in the key file."""
        digest = hmac.new(self.store_id, normalise_name(name).encode("utf-8", "surrogatepass"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def has_slot(self, name: str) -> bool:
        return self.slot_id(name) in self.slots

    def _aad(self, slot_id: str) -> bytes:
        return b"mappa-desktop/slot/v1/" + self.store_id + slot_id.encode("ascii")

    def _secrets_aad(self, slot_id: str, public: PublicKeys) -> bytes:
        return b"mappa-desktop/slot/v2/" + self.store_id + slot_id.encode("ascii") + public.signing + public.wrapping

    def _seal_context(self, slot_id: str, kid: str) -> bytes:
        return b"slot v2\n" + self.store_id + slot_id.encode("ascii") + kid.encode("ascii")

    def set_slot(self, name: str, passphrase: str, db_key: bytes, kdf: KdfParams = DEFAULT_KDF,
                 identity: Identity | None = None) -> str:
        """Give this user a slot (new, or in place of their old one) holding ``identity``
        (fresh key pairs when None) and ``db_key``. Not saved yet."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        identity = identity or Identity.generate()
        slot_id = self.slot_id(name)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        kek = derive_key(passphrase, salt, kdf)
        public = identity.public
        sealed = AESGCM(kek).encrypt(nonce, identity.to_bytes(), self._secrets_aad(slot_id, public))
        kid = key_id(db_key)
        if self.key_id is None:
            self.key_id = kid
        self.slots[slot_id] = Slot(salt, kdf, nonce, sealed, public,
                                   {kid: seal_key(db_key, public.wrapping, self._seal_context(slot_id, kid))})
        return slot_id

    def add_key(self, slot_id: str, db_key: bytes, recipient: bytes | None = None) -> None:
        """Seal ``db_key`` to a slot as well (a rotation): to ``recipient`` (the wrapping key
        the signed audit log knows for that user) rather than the one written in this file."""
        slot = self.slots[slot_id]
        if not isinstance(slot, Slot):
            raise ValueError("a first-format slot cannot receive a new key")
        recipient = recipient or slot.public.wrapping
        kid = key_id(db_key)
        slot.keys[kid] = seal_key(db_key, recipient, self._seal_context(slot_id, kid))

    def open_slot(self, name: str, passphrase: str) -> OpenedSlot:
        """Everything this user's slot holds, or :class:`WrongPassphrase`."""
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
            if isinstance(slot, LegacySlot):
                db_key = AESGCM(kek).decrypt(slot.nonce, slot.wrapped, self._aad(slot_id))
                return OpenedSlot(slot_id, None, {key_id(db_key): db_key})
            raw = AESGCM(kek).decrypt(slot.nonce, slot.secrets, self._secrets_aad(slot_id, slot.public))
        except InvalidTag:
            raise WrongPassphrase() from None
        identity = Identity.from_bytes(raw)
        keys = {}
        for kid, sealed in slot.keys.items():
            try:
                db_key = identity.open_sealed(sealed, self._seal_context(slot_id, kid))
            except (InvalidTag, ValueError):
                continue  # sealed to a key this slot no longer holds: not for this user
            if key_id(db_key) == kid:
                keys[kid] = db_key
        return OpenedSlot(slot_id, identity, keys)

    def unlock(self, name: str, passphrase: str) -> bytes:
        """The database key this slot holds (the current one if it has several)."""
        opened = self.open_slot(name, passphrase)
        if not opened.keys:
            raise WrongPassphrase()
        return opened.keys.get(self.key_id) or next(iter(opened.keys.values()))

    def change_passphrase(self, name: str, old: str, new: str, identity: Identity | None = None) -> Identity:
        """Lock this user's slot under a new passphrase (with ``identity``, or their current
        key pairs) and save; the store is untouched. Returns the identity the slot now holds."""
        opened = self.open_slot(name, old)
        slot = self.slots[opened.slot_id]
        identity = identity or opened.identity or Identity.generate()
        keys = opened.keys
        self.set_slot(name, new, next(iter(keys.values())), slot.kdf, identity)
        for db_key in keys.values():
            self.add_key(opened.slot_id, db_key)
        self.save()
        return identity

    def remove_slot(self, name: str) -> None:
        self.slots.pop(self.slot_id(name), None)

    def finish_rotation(self, current: str) -> list[str]:
        """Keep only ``current`` in every slot and drop the slots that do not hold it (the
        ones a rotation left out). Returns the slot ids dropped. Not saved yet."""
        dropped = []
        for sid, slot in list(self.slots.items()):
            if isinstance(slot, Slot) and current in slot.keys:
                for kid in [k for k in slot.keys if k != current]:
                    del slot.keys[kid]
            else:
                del self.slots[sid]
                dropped.append(sid)
        self.key_id, self.rotation = current, None
        return dropped


def _checksum(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
