"""Each user's own key pairs, and the small pieces of public-key cryptography built on them.

A user holds two key pairs, kept (private halves encrypted under their passphrase) in their
slot of the key file:

- **Ed25519, for signing.** Every audit entry the user writes is signed by them, so a
  colleague who holds the database key still cannot change, remove or forge an entry in
  their name without the signature failing.
- **X25519, for receiving the database key.** The database key is sealed to each user's
  public key (an ephemeral X25519 exchange, HKDF-SHA256, AES-256-GCM). So when the database
  key is rotated, an administrator can hand the new key to every remaining user without
  knowing their passphrases, and leave out the one whose access is being removed.

Public halves are also written into the signed audit log when a user is created or their
keys change, so that neither a verifier nor a key rotation has to trust the key file for them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

KEY_BYTES = 32
#: Domain separation: a signature over an audit entry can never pass as anything else.
ENTRY_CONTEXT = b"mappa-desktop audit entry v2\n"
ANCHOR_CONTEXT = b"mappa-desktop audit anchor v1\n"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id(db_key: bytes) -> str:
    """A short public name for a database key (an HMAC of it): lets a backup's manifest and
    the key file say which key opens what, without revealing the key."""
    return hmac.new(db_key, b"mappa-desktop database key id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKeys:
    """The public halves of a user's keys, as the audit log records them."""

    signing: bytes  # Ed25519, 32 bytes
    wrapping: bytes  # X25519, 32 bytes

    def detail(self) -> str:
        """How an audit entry's detail carries them (parsed back by :meth:`parse`)."""
        return f"keys ed25519:{self.signing.hex()} x25519:{self.wrapping.hex()}"

    @classmethod
    def parse(cls, detail: str) -> "PublicKeys | None":
        """The keys an audit entry's detail registers, or None."""
        import re

        match = re.search(r"\bkeys ed25519:([0-9a-f]{64}) x25519:([0-9a-f]{64})\b", detail or "")
        if not match:
            return None
        return cls(bytes.fromhex(match.group(1)), bytes.fromhex(match.group(2)))


class Identity:
    """A user's private keys (held in memory only while the store is unlocked)."""

    def __init__(self, signing_seed: bytes, wrapping_private: bytes):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

        if len(signing_seed) != KEY_BYTES or len(wrapping_private) != KEY_BYTES:
            raise ValueError("a private key must be 32 bytes")
        self._signing = Ed25519PrivateKey.from_private_bytes(signing_seed)
        self._wrapping = X25519PrivateKey.from_private_bytes(wrapping_private)
        self._raw = signing_seed + wrapping_private

    @classmethod
    def generate(cls) -> "Identity":
        return cls(secrets.token_bytes(KEY_BYTES), secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Identity":
        if len(raw) != 2 * KEY_BYTES:
            raise ValueError("a user's private keys are 64 bytes")
        return cls(raw[:KEY_BYTES], raw[KEY_BYTES:])

    def to_bytes(self) -> bytes:
        """Both private keys, for sealing under the passphrase. Never written in the clear."""
        return self._raw

    @property
    def public(self) -> PublicKeys:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = (Encoding.Raw, PublicFormat.Raw)
        return PublicKeys(self._signing.public_key().public_bytes(*raw),
                          self._wrapping.public_key().public_bytes(*raw))

    def sign(self, message: bytes) -> bytes:
        return self._signing.sign(message)

    def open_sealed(self, sealed: "SealedKey", context: bytes) -> bytes:
        """The database key sealed to this user's wrapping key (``InvalidTag`` if not theirs)."""
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        shared = self._wrapping.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral))
        kek = _seal_kek(shared, sealed.ephemeral, self.public.wrapping, context)
        return AESGCM(kek).decrypt(sealed.nonce, sealed.ciphertext, context)


@lru_cache(maxsize=256)
def _public_key(public_signing: bytes):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(public_signing)


def verify_signature(public_signing: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is the owner of ``public_signing``'s over ``message``."""
    from cryptography.exceptions import InvalidSignature

    try:
        _public_key(public_signing).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SealedKey:
    """A database key sealed to one user's X25519 public key."""

    ephemeral: bytes
    nonce: bytes
    ciphertext: bytes

    def to_json(self) -> dict:
        return {"ephemeral": b64(self.ephemeral), "nonce": b64(self.nonce), "sealed": b64(self.ciphertext)}

    @classmethod
    def from_json(cls, data: dict) -> "SealedKey":
        sealed = cls(unb64(data["ephemeral"]), unb64(data["nonce"]), unb64(data["sealed"]))
        if len(sealed.ephemeral) != KEY_BYTES or len(sealed.nonce) != 12 or len(sealed.ciphertext) != 48:
            raise ValueError("wrong length")
        return sealed


def _seal_kek(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient,
                info=b"mappa-desktop sealed database key\n" + context).derive(shared)


def seal_key(db_key: bytes, recipient_wrapping: bytes, context: bytes) -> SealedKey:
    """Seal ``db_key`` so that only the holder of ``recipient_wrapping``'s private half opens it.
    ``context`` (store, slot and key ids) binds it to one place in one key file."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_wrapping))
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kek = _seal_kek(shared, ephemeral_public, recipient_wrapping, context)
    nonce = secrets.token_bytes(12)
    return SealedKey(ephemeral_public, nonce, AESGCM(kek).encrypt(nonce, db_key, context))
