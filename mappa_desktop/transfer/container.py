"""The encrypted container of a case bundle: Argon2id, then AES-256-GCM in chunks.

Layout (docs/case-bundle.md): a magic line, a length-prefixed JSON header (KDF salt and
costs, chunk size, nonce prefix), a 16-byte key check, then the chunks. Each chunk is
AES-GCM of at most ``chunk_size`` bytes of the (zlib-compressed) content under the nonce
``prefix(7) || counter(4, big-endian) || final(1)`` with the header's SHA-256 as associated
data: the online authenticated encryption of Hoang, Reyhanitabar, Rogaway and Vizár
("STREAM"). A chunk moved, dropped, changed or added, a header changed, or a bundle cut
short (the last chunk present was not sealed as the last) fails to decrypt. Neither side
ever holds more than a chunk or two of the bundle in memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from ..security import DEFAULT_KDF, KdfParams, derive_key

MAGIC = b"MAPPA-CASE-BUNDLE\n"
CONTAINER_VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG = 16
NONCE_PREFIX = 7
_KEY_CHECK_COUNTER = 0xFFFFFFFF  # never a chunk's counter
_MAX_HEADER = 64 * 1024
#: A header may not ask for more than this (a forged header must not exhaust the machine).
_KDF_LIMITS = KdfParams(time_cost=20, memory_kib=2 * 1024 * 1024, parallelism=16)
#: Decompressed content is read in pieces of at most this much.
_PIECE = 256 * 1024


class BundleError(Exception):
    """A bundle that cannot be used. ``reason`` is safe to show (no names, no content)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotABundle(BundleError):
    pass


class BundleTooNew(BundleError):
    pass


class WrongBundlePassphrase(BundleError):
    pass


class BundleDamaged(BundleError):
    pass


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if final else b"\x00")


@dataclass(frozen=True)
class Header:
    """What the container says about itself, authenticated by every chunk."""

    raw: bytes  # exactly as written: the associated data is its hash
    salt: bytes
    kdf: KdfParams
    chunk_size: int
    nonce_prefix: bytes

    @property
    def aad(self) -> bytes:
        return hashlib.sha256(MAGIC + struct.pack(">I", len(self.raw)) + self.raw).digest()

    @classmethod
    def new(cls, kdf: KdfParams) -> "Header":
        salt, prefix = secrets.token_bytes(16), secrets.token_bytes(NONCE_PREFIX)
        body = {
            "container": CONTAINER_VERSION,
            "cipher": "AES-256-GCM/STREAM",
            "compression": "zlib",
            "chunk_size": CHUNK_SIZE,
            "nonce_prefix": _b64(prefix),
            "kdf": {"name": "argon2id", "salt": _b64(salt), "time_cost": kdf.time_cost,
                    "memory_kib": kdf.memory_kib, "parallelism": kdf.parallelism},
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
        return cls(raw, salt, kdf, CHUNK_SIZE, prefix)

    @classmethod
    def parse(cls, raw: bytes) -> "Header":
        try:
            body = json.loads(raw.decode("ascii"))
            version = body["container"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise BundleDamaged("The bundle's header is damaged.") from None
        if not isinstance(version, int) or version > CONTAINER_VERSION:
            raise BundleTooNew(
                f"This bundle was made by a newer version of MAPPA Desktop (container {version}; this "
                f"version reads up to {CONTAINER_VERSION}). Install that version or newer to import it.")
        try:
            kdf_body = body["kdf"]
            kdf = KdfParams(int(kdf_body["time_cost"]), int(kdf_body["memory_kib"]), int(kdf_body["parallelism"]))
            salt = base64.b64decode(kdf_body["salt"], validate=True)
            prefix = base64.b64decode(body["nonce_prefix"], validate=True)
            chunk_size = int(body["chunk_size"])
            assert kdf_body["name"] == "argon2id" and body["compression"] == "zlib"
        except (KeyError, TypeError, ValueError, AssertionError):
            raise BundleDamaged("The bundle's header is damaged.") from None
        if (len(prefix) != NONCE_PREFIX or len(salt) < 16 or not 1024 <= chunk_size <= 16 * 1024 * 1024
                or not 1 <= kdf.time_cost <= _KDF_LIMITS.time_cost
                or not 8 * kdf.parallelism <= kdf.memory_kib <= _KDF_LIMITS.memory_kib
                or not 1 <= kdf.parallelism <= _KDF_LIMITS.parallelism):
            raise BundleDamaged("The bundle's header is damaged (its settings are out of range).")
        return cls(raw, salt, kdf, chunk_size, prefix)


class SealedWriter:
    """Compresses and encrypts what is written to it, chunk by chunk, into ``out``."""

    def __init__(self, out: BinaryIO, passphrase: str, kdf: KdfParams = DEFAULT_KDF):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._out = out
        self._header = Header.new(kdf)
        self._aead = AESGCM(derive_key(passphrase, self._header.salt, kdf))
        self._compress = zlib.compressobj(6)
        self._pending = bytearray()
        self._counter = 0
        self.bytes_written = 0
        raw = self._header.raw
        check = self._aead.encrypt(_nonce(self._header.nonce_prefix, _KEY_CHECK_COUNTER, True), b"", self._header.aad)
        self._emit(MAGIC + struct.pack(">I", len(raw)) + raw + check)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self.bytes_written += len(data)

    def _seal(self, chunk: bytes, final: bool) -> None:
        nonce = _nonce(self._header.nonce_prefix, self._counter, final)
        self._emit(self._aead.encrypt(nonce, chunk, self._header.aad))
        self._counter += 1
        if self._counter >= _KEY_CHECK_COUNTER:
            raise BundleError("The bundle is too large.")

    def write(self, data: bytes) -> None:
        self._pending += self._compress.compress(data)
        size = self._header.chunk_size
        # Strictly more than a chunk: the last chunk, sealed as final, is never empty-handed.
        while len(self._pending) > size:
            self._seal(bytes(self._pending[:size]), False)
            del self._pending[:size]

    def close(self) -> None:
        """Seal the rest as the final chunk (possibly empty): without it the bundle is cut."""
        self._pending += self._compress.flush()
        size = self._header.chunk_size
        while len(self._pending) > size:
            self._seal(bytes(self._pending[:size]), False)
            del self._pending[:size]
        self._seal(bytes(self._pending), True)
        self._pending.clear()


def write_sealed(path: Path, pieces: Iterator[bytes], passphrase: str, kdf: KdfParams = DEFAULT_KDF) -> int:
    """Write a bundle to ``path`` from ``pieces``: to a temporary file in the same folder,
    flushed to disk, then renamed, so a bundle at ``path`` is always whole. Returns its size."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", suffix=".mappa-case", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            writer = SealedWriter(handle, passphrase, kdf)
            for piece in pieces:
                writer.write(piece)
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        return writer.bytes_written
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_header(handle: BinaryIO) -> Header:
    """The header, after the magic; leaves ``handle`` at the key check."""
    magic = handle.read(len(MAGIC))
    if magic != MAGIC:
        raise NotABundle("This file is not a MAPPA Desktop case bundle.")
    size_bytes = handle.read(4)
    if len(size_bytes) != 4:
        raise BundleDamaged("The bundle is cut short (its header is incomplete).")
    (size,) = struct.unpack(">I", size_bytes)
    if size > _MAX_HEADER:
        raise BundleDamaged("The bundle's header is damaged.")
    raw = handle.read(size)
    if len(raw) != size:
        raise BundleDamaged("The bundle is cut short (its header is incomplete).")
    return Header.parse(raw)


def unlock_key(path: Path, passphrase: str) -> tuple[Header, bytes]:
    """Derive the key from the passphrase and prove it against the key check. Reads only
    the start of the file."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    with open(path, "rb") as handle:
        header = read_header(handle)
        check = handle.read(TAG)
    if len(check) != TAG:
        raise BundleDamaged("The bundle is cut short (it holds no content).")
    key = derive_key(passphrase, header.salt, header.kdf)
    try:
        AESGCM(key).decrypt(_nonce(header.nonce_prefix, _KEY_CHECK_COUNTER, True), check, header.aad)
    except InvalidTag:
        raise WrongBundlePassphrase(
            "This passphrase does not open the bundle. Check it with the person who sent it "
            "(capitals, spaces and accents count).") from None
    return header, key


def _chunks(path: Path, key: bytes) -> Iterator[bytes]:
    """The decrypted chunks, each verified; refuses a bundle cut, reordered or changed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    with open(path, "rb") as handle:
        header = read_header(handle)
        handle.read(TAG)
        size = header.chunk_size + TAG
        counter = 0
        block = handle.read(size)
        while True:
            following = handle.read(size) if len(block) == size else b""
            final = not following
            if len(block) < TAG:
                raise BundleDamaged("The bundle is cut short: its end is missing. Nothing was imported.")
            try:
                yield aead.decrypt(_nonce(header.nonce_prefix, counter, final), block, header.aad)
            except InvalidTag:
                if final:
                    try:  # sealed as an ordinary chunk: what followed it was cut off
                        aead.decrypt(_nonce(header.nonce_prefix, counter, False), block, header.aad)
                    except InvalidTag:
                        pass
                    else:
                        raise BundleDamaged("The bundle is cut short: its end is missing. "
                                            "Nothing was imported.") from None
                raise BundleDamaged(f"The bundle is damaged or has been changed (part {counter + 1} does "
                                    "not verify). Nothing was imported.") from None
            if final:
                return
            counter += 1
            block = following


def read_lines(path: Path, key: bytes, max_line: int = 256 * 1024 * 1024) -> Iterator[bytes]:
    """The decompressed content, one line (one record) at a time."""
    inflate = zlib.decompressobj()
    pending = b""
    try:
        for chunk in _chunks(path, key):
            data = inflate.decompress(chunk, _PIECE)
            while True:
                pending += data
                *lines, pending = pending.split(b"\n")
                yield from lines
                if len(pending) > max_line:
                    raise BundleDamaged("The bundle holds a record too large to read.")
                if not inflate.unconsumed_tail:
                    break
                data = inflate.decompress(inflate.unconsumed_tail, _PIECE)
        pending += inflate.flush()
    except zlib.error:
        raise BundleDamaged("The bundle's content is damaged.") from None
    if not inflate.eof:
        raise BundleDamaged("The bundle's content is incomplete.")
    if pending:
        yield pending
