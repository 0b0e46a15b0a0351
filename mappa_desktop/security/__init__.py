"""Security: passphrases, each user's key pairs, the key file of slots, atomic small files.

The store is encrypted with a random 256-bit key. Each user has a *key slot* in a small
key file beside the store (``keyfile``), locked under a key derived from their passphrase
with Argon2id (``passphrases``). A slot holds the user's own key pairs (``identity``): one
signs their audit entries, the other receives the database key, so that rotating the
database key (when access is taken away) never needs anyone else's passphrase. A forgotten
passphrase cannot be recovered except by an administrator issuing a new slot.
"""

from .files import fsync_folder, write_atomically
from .identity import (
    Identity,
    PublicKeys,
    SealedKey,
    b64 as _b64,
    key_id,
    unb64 as _unb64,
    verify_signature,
)
from .keyfile import FORMAT, KeyFile, KeyFileError, LegacySlot, OpenedSlot, Slot, WrongPassphrase
from .passphrases import (
    DEFAULT_KDF,
    KEY_BYTES,
    MIN_PASSPHRASE_LENGTH,
    TEST_KDF,
    FailedUnlocks,
    KdfParams,
    Strength,
    derive_key,
    normalise_name,
    passphrase_problem,
    passphrase_strength,
    unlock_delay_seconds,
)

__all__ = [
    "DEFAULT_KDF", "FORMAT", "KEY_BYTES", "MIN_PASSPHRASE_LENGTH", "TEST_KDF", "FailedUnlocks",
    "Identity", "KdfParams", "KeyFile", "KeyFileError", "LegacySlot", "OpenedSlot", "PublicKeys",
    "SealedKey", "Slot", "Strength", "WrongPassphrase", "derive_key", "fsync_folder", "key_id",
    "normalise_name", "passphrase_problem", "passphrase_strength", "unlock_delay_seconds", "verify_signature",
    "write_atomically",
]
