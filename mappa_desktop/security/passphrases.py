"""Passphrases: the slow derivation of a slot key, how strong a new passphrase is, and how
long to wait after wrong ones (the same rule for the window and the command line)."""

from __future__ import annotations

import json
import logging
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .files import write_atomically

log = logging.getLogger(__name__)

KEY_BYTES = 32
MIN_PASSPHRASE_LENGTH = 10


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost parameters (memory in KiB). Stored per slot, so they can grow later."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4

    def sane(self) -> bool:
        """Within what any version of the app writes (a damaged key file may say otherwise)."""
        return (
            1 <= self.time_cost <= 64
            and 8 * self.parallelism <= self.memory_kib <= 8 * 1024 * 1024
            and 1 <= self.parallelism <= 64
        )


#: What the application uses: RFC 9106's second recommended option (t=3, 64 MiB, 4 lanes).
#: Measured on the two-core reference machine: 0.33 s and a 64 MiB transient per unlock,
#: where 128 MiB took 0.67 s and lifted the process's peak to 250-270 MB. Every guess costs
#: an attacker the same 64 MiB and three passes; the README says what it costs and why.
#: Slots keep the parameters they were made with until their passphrase is next set.
DEFAULT_KDF = KdfParams()
#: For tests only: cheap, so a test suite can create hundreds of slots. Never the default.
TEST_KDF = KdfParams(time_cost=1, memory_kib=8 * 1024, parallelism=1)


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


class FailedUnlocks:
    """Wrong passphrases in a row for one data folder, kept in a small file beside the store
    so that the delay grows across restarts of the window and across runs of the command
    line alike. Holds a count and a time, never a name. Damage or absence counts as none
    tried (the file guards against guessing, not against someone who can delete it)."""

    FILE = "unlock-failures.json"

    def __init__(self, folder: Path, clock=time.time):
        self.path = Path(folder) / self.FILE
        self.clock = clock

    def _read(self) -> tuple[int, float]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            return max(0, int(data["failures"])), float(data["last"])
        except (OSError, ValueError, KeyError, TypeError):
            return 0, 0.0

    @property
    def failures(self) -> int:
        return self._read()[0]

    def wait_seconds(self) -> float:
        """How long the next attempt must still wait (0 when it may go ahead)."""
        failures, last = self._read()
        return max(0.0, last + unlock_delay_seconds(failures) - self.clock())

    def failed(self) -> int:
        """Count one more wrong attempt; returns how many in a row."""
        failures = self._read()[0] + 1
        try:
            write_atomically(self.path, json.dumps({"failures": failures, "last": self.clock()}).encode())
        except OSError:
            log.warning("could not record a failed unlock")
        return failures

    def succeeded(self) -> int:
        """Clear the count after a good unlock; returns how many wrong attempts came before."""
        failures = self._read()[0]
        if failures or self.path.exists():
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                log.warning("could not clear the failed unlocks")
        return failures


def passphrase_problem(passphrase: str, names: tuple[str, ...] = ()) -> str:
    """Why a new passphrase cannot be used ('' when it can): the one rule for the window,
    the command line and the store (long enough and hard to guess, see
    :func:`passphrase_strength`)."""
    strength = passphrase_strength(passphrase, tuple(names))
    return "" if strength.acceptable else f"Choose a stronger passphrase: {strength.hint}"
