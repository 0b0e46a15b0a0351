"""Shared fixtures for the whole suite.

QT_QPA_PLATFORM is set first, before anything can import Qt, so that every test (and every
subprocess a test starts) runs without a display.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import hashlib  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from mappa_desktop import security  # noqa: E402
from mappa_desktop.paths import DataPaths  # noqa: E402

ADMIN_NAME = "Ann Admin"
ADMIN_AGENCY = "Police Scotland"
ADMIN_PASSPHRASE = "granite otter lantern violet"


# -- core fixtures -------------------------------------------------------------------------


@pytest.fixture
def data_paths(tmp_path) -> DataPaths:
    """A data folder of its own (not yet created) under the test's tmp_path."""
    return DataPaths(tmp_path / "data")


@pytest.fixture
def admin_passphrase() -> str:
    return ADMIN_PASSPHRASE


@pytest.fixture
def session(data_paths):
    """A freshly created store, unlocked as its first user "Ann Admin" (cheap KDF)."""
    from mappa_desktop.db.session import create_store

    created = create_store(
        data_paths,
        name=ADMIN_NAME,
        agency=ADMIN_AGENCY,
        role="MAPPA coordinator",
        passphrase=ADMIN_PASSPHRASE,
        kdf=security.TEST_KDF,
    )
    yield created
    created.close()


@dataclass
class ClosedStore:
    """A created store, closed again: for tests that look at or damage the files."""

    paths: DataPaths
    key: bytes
    name: str
    passphrase: str


@pytest.fixture
def closed_store(session) -> ClosedStore:
    key = session.store.key
    paths = session.store.paths
    session.close()
    return ClosedStore(paths, key, ADMIN_NAME, ADMIN_PASSPHRASE)


@pytest.fixture
def add_user():
    """``add_user(session, name, passphrase, admin=False)``: a second user with a slot."""

    def _add(session, name: str, passphrase: str, *, is_admin: bool = False, agency="Social Work"):
        from mappa_desktop.db.access import add_user as add

        return add(session, name=name, agency=agency, role="", passphrase=passphrase,
                   is_admin=is_admin, kdf=security.TEST_KDF)

    return _add


@pytest.fixture
def act_as():
    """``act_as(store, name, passphrase)``: a store opened directly (``Store.open``) acts as
    that user, signing with the keys of their slot, as an unlock would set it up."""

    def _act(store, name: str, passphrase: str):
        from mappa_desktop.security import KeyFile

        keyfile = KeyFile.load(store.paths.keyfile)
        opened = keyfile.open_slot(name, passphrase)
        store.user = store.users.by_slot(opened.slot_id)
        store.signer = opened.identity
        return store

    return _act


def act_as_admin(store):
    """The same, for the fixtures' first administrator."""
    from mappa_desktop.security import KeyFile

    opened = KeyFile.load(store.paths.keyfile).open_slot(ADMIN_NAME, ADMIN_PASSPHRASE)
    store.user = store.users.by_slot(opened.slot_id)
    store.signer = opened.identity
    return store


# -- file helpers --------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> sha256): compare before and after."""
    root = Path(root)
    return {
        str(p.relative_to(root)): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def folder_snapshot():
    """``folder_snapshot(root)``: {relative path: sha256} of every file under root."""
    return snapshot


@pytest.fixture
def file_digest():
    """``file_digest(path)``: the sha256 of one file."""
    return sha256_of


@pytest.fixture
def raw_connection():
    """``raw_connection(path, key)``: a keyed sqlcipher3 connection with no checks, no
    migrations and no pragmas, for tests that must reach past the store (tampering)."""
    opened = []

    def _open(path, key):
        from mappa_desktop.db.connection import connect

        conn = connect(Path(path), key)
        opened.append(conn)
        return conn

    yield _open
    for conn in opened:
        try:
            conn.close()
        except Exception:
            pass


def damage_a_data_page(store, path) -> None:
    """Damage the store where a case's long text lives, not where its schema does: a long
    address is written last (its overflow pages are at the end of the file), the store is
    closed, and 64 bytes of one of those pages are overwritten. Unlocking reads the header and
    the schema only, so it opens; the full check after unlocking finds the damage."""
    store.cases.create({"reference": "DMG-1", "full_name": "Damage TEST", "category": "1", "mappa_level": "2",
                        "address": "x" * 90_000})
    store.close()
    size = Path(path).stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size - 3 * 4096 + 100)
        handle.write(b"\x00" * 64)


@contextmanager
def tmpfs(where: Path, size: str):
    """A real small file system at ``where`` that fills up (root only; the test is skipped
    where mounting is not allowed)."""
    import subprocess

    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill_up(folder: Path) -> Path:
    """Fill the file system of ``folder`` to the last block; returns the file that did (its
    removal gives the space back)."""
    filler = folder / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler
