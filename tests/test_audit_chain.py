"""The pure core of the signed log and of the WAL parser, with inputs nobody planned for."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from mappa_desktop.audit_chain import Anchor
from mappa_desktop.db import wal
from mappa_desktop.security import Identity


@given(st.integers(0, 10**9), st.binary(min_size=32, max_size=32), st.one_of(st.none(), st.integers(1, 10**6)))
def test_an_anchor_survives_its_token(seq, digest, user):
    identity = Identity.generate()
    anchor = Anchor(seq, digest.hex(), user)
    signed = Anchor(seq, digest.hex(), user, identity.sign(anchor.message()) if user else b"")
    assert Anchor.parse(signed.token()) == signed
    # Copied from a PDF, a token may come back with line breaks or spaces in it.
    token = signed.token()
    assert Anchor.parse(token[:40] + "\n " + token[40:]) == signed


@given(st.text(max_size=300))
def test_anything_else_is_refused_plainly(text):
    try:
        Anchor.parse(text)
    except ValueError as exc:
        assert "anchor" in str(exc)


@settings(max_examples=300)
@given(st.binary(max_size=5000))
def test_the_wal_parser_never_fails_on_any_bytes(data):
    report = wal.examine_bytes(data)
    assert report.frames >= 0 and isinstance(report.problem, str)


@settings(max_examples=200)
@given(st.binary(min_size=1, max_size=3000), st.integers(0, 2))
def test_a_wal_header_followed_by_noise_never_reads_as_damage(noise, _):
    """Noise after a valid header (a torn or reused log) has no frames that verify, so it
    is never taken for lost commits."""
    header = struct.pack(">6I", wal.MAGIC_LE, 3007000, 512, 0, 1, 2)
    s0, s1 = wal._checksum(header, False)
    data = header + struct.pack(">2I", s0, s1) + noise
    assert not wal.examine_bytes(data).damaged
