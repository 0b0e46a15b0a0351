"""Bundles that must be refused, with a clear message and the store untouched (its file and
write-ahead log hashed before and after): damaged, cut short, reordered, with something
added, the wrong passphrase, not a bundle, a newer format, an old export replayed."""

from __future__ import annotations

import struct

import pytest

from mappa_desktop.transfer import container, exchange, format as bundle_format
from mappa_desktop.transfer.container import CHUNK_SIZE, MAGIC, TAG

from tests.conftest import tmpfs
from .bundle_helpers import PASSPHRASE, example_case, export, import_all, laptop, store_files_digest


@pytest.fixture
def two(tmp_path):
    a, b = laptop(tmp_path, "a"), laptop(tmp_path, "b", user="Bea Deputy")
    yield a.store, b.store
    a.close()
    b.close()


@pytest.fixture
def big_bundle(two, tmp_path):
    """A case whose bundle spans several chunks (random text does not compress)."""
    import secrets

    a, b = two
    case = example_case(a)
    a.minutes.save_fields(case.first, "risk_management", {"risk_management": secrets.token_hex(300_000)})
    path = export(a, case.case_id, tmp_path / "big")
    assert path.stat().st_size > 3 * CHUNK_SIZE
    return a, b, path


def _layout(path):
    """(offset of the first chunk, the chunk length on disk)."""
    data = path.read_bytes()
    (size,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    header = container.Header.parse(data[len(MAGIC) + 4:len(MAGIC) + 4 + size])
    return len(MAGIC) + 4 + size + TAG, header.chunk_size + TAG


def _refused(store, path, passphrase=PASSPHRASE, match=""):
    """Open, preview and import must refuse; the store is untouched."""
    before = store_files_digest(store)
    audit = store.audit.count()
    with pytest.raises(container.BundleError, match=match) as refused:
        import_all(store, path, passphrase)
    assert store_files_digest(store) == before and store.audit.count() == audit
    assert "Traceback" not in refused.value.reason and refused.value.reason.endswith(".")
    return refused.value


def test_wrong_passphrase(big_bundle):
    _, b, path = big_bundle
    error = _refused(b, path, "orbit velvet canyon ladder pepper mosaics", "does not open")
    assert isinstance(error, container.WrongBundlePassphrase)


@pytest.mark.parametrize("where", ["header", "middle", "last"])
def test_a_changed_byte_anywhere(big_bundle, where):
    _, b, path = big_bundle
    data = bytearray(path.read_bytes())
    start, _ = _layout(path)
    offset = {"header": len(MAGIC) + 20, "middle": start + CHUNK_SIZE + 100, "last": len(data) - 5}[where]
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    _refused(b, path, match="damaged|does not open")


@pytest.mark.parametrize("cut", ["boundary", "mid-chunk", "tag", "header"])
def test_a_bundle_cut_short(big_bundle, cut):
    _, b, path = big_bundle
    data = path.read_bytes()
    start, size = _layout(path)
    keep = {"boundary": start + 2 * size, "mid-chunk": start + size + 1000, "tag": start + size + 5,
            "header": 30}[cut]
    path.write_bytes(data[:keep])
    error = _refused(b, path, match="cut short|damaged")
    if cut == "boundary":
        assert "cut short" in error.reason


def test_chunks_reordered_or_one_dropped_or_junk_added(big_bundle):
    _, b, path = big_bundle
    data = path.read_bytes()
    start, size = _layout(path)
    chunks = [data[start + i * size:start + (i + 1) * size] for i in range(3)]
    rest = data[start + 3 * size:]
    for variant in (chunks[1] + chunks[0] + chunks[2] + rest,  # swapped
                    chunks[0] + chunks[2] + rest,  # one dropped
                    chunks[0] + chunks[1] + chunks[2] + rest + b"extra"):  # something added
        path.write_bytes(data[:start] + variant)
        _refused(b, path, match="damaged|cut short")


def test_not_a_bundle_or_missing(two, tmp_path):
    _, b = two
    other = tmp_path / "minute.pdf"
    other.write_bytes(b"%PDF-1.4 not a bundle at all")
    _refused(b, other, match="not a MAPPA Desktop case bundle")
    empty = tmp_path / "empty.mappa-case"
    empty.write_bytes(b"")
    _refused(b, empty, match="not a MAPPA Desktop case bundle")
    with pytest.raises(container.BundleError, match="not there"):
        exchange.open_bundle(tmp_path / "gone.mappa-case", PASSPHRASE)


def test_a_newer_format_is_refused_with_the_reason(two, tmp_path, monkeypatch):
    a, b = two
    case = example_case(a)
    monkeypatch.setattr(bundle_format, "FORMAT", 7)
    path = export(a, case.case_id, tmp_path / "future")
    monkeypatch.setattr(bundle_format, "FORMAT", 1)
    error = _refused(b, path, match="newer version")
    assert "format 7" in error.reason and isinstance(error, container.BundleTooNew)


def test_a_newer_container_is_refused_before_the_passphrase(two, tmp_path, monkeypatch):
    a, b = two
    case = example_case(a)
    monkeypatch.setattr(container, "CONTAINER_VERSION", 2)
    path = export(a, case.case_id, tmp_path / "future")
    monkeypatch.setattr(container, "CONTAINER_VERSION", 1)
    _refused(b, path, "any passphrase at all", match="newer version")


def test_an_older_export_replayed_is_refused(two, tmp_path):
    a, b = two
    case = example_case(a)
    old = export(a, case.case_id, tmp_path / "first")
    a.minutes.save_fields(case.first, "dissent", {"dissent": "Later news"})
    new = export(a, case.case_id, tmp_path / "second")
    import_all(b, new)
    error = _refused(b, old, match="older export")
    assert "export 1" in error.reason and "export 2" in error.reason
    _refused(b, new, match="already imported")


def test_a_bundle_is_not_imported_into_the_store_it_came_from(two, tmp_path):
    a, _ = two
    case = example_case(a)
    _refused(a, export(a, case.case_id, tmp_path / "self"), match="exported from this store")


def test_a_bundle_changed_between_preview_and_import_writes_nothing(two, tmp_path):
    a, b = two
    case = example_case(a)
    path = export(a, case.case_id, tmp_path / "a1")
    bundle = exchange.open_bundle(path, PASSPHRASE)
    plan = exchange.preview_import(store=b, bundle=bundle)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    before = store_files_digest(b)
    with pytest.raises(container.BundleDamaged):
        exchange.import_case(store=b, bundle=bundle, plan=plan, choices={})
    assert b.cases.count(status=None) == 0
    b.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b.integrity_check() == ["ok"] and before


def test_the_file_holds_nothing_readable(two, tmp_path):
    a, _ = two
    case = example_case(a)
    path = export(a, case.case_id, tmp_path / "a1")
    data = path.read_bytes()
    for secret in (b"AIRD", b"Kenneth", b"FS-2026-0147", b"Reid", b"disclosure", b"Ann Admin"):
        assert secret not in data
    assert path.stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob(".partial-*"))


@pytest.fixture
def small_disk(tmp_path):
    """A real 128 KiB file system (a USB stick that fills up)."""
    with tmpfs(tmp_path / "usb", "128k") as mount:
        yield mount


def test_a_full_disk_leaves_no_bundle_and_logs_no_disclosure(big_bundle, small_disk):
    from mappa_desktop.db.errors import StorageUnavailable

    a, _, _ = big_bundle
    case_id = a.cases.rows(status=None)[0].id
    disclosures = [e for e in a.audit.entries() if e.kind == "disclosure"]
    with pytest.raises(StorageUnavailable, match="the disk is full"):
        export(a, case_id, small_disk / "to-usb")
    assert list(small_disk.iterdir()) == []  # neither the bundle nor a partial file
    assert [e for e in a.audit.entries() if e.kind == "disclosure"] == disclosures
