"""Reading a write-ahead log (``store.db-wal``) ourselves, to tell a damaged one from a
torn tail before SQLite is allowed near it.

SQLite treats the WAL as valid up to the first frame whose checksum fails and silently
ignores everything after it: a single damaged frame in the middle drops every commit that
follows, and the next writer overwrites them. A crash can only tear the *last*, never
committed, transaction (``synchronous=FULL`` syncs each commit), so frames that verify and
commit *after* a bad one are the mark of damage, not of a crash.

Format (https://www.sqlite.org/fileformat.html#the_write_ahead_log): a 32-byte header
(magic, version, page size, checkpoint sequence, two salts, two checksums over the first
24 bytes), then frames of a 24-byte header (page number, database size in pages for a
commit frame else 0, the two salts, two cumulative checksums over the first 8 header bytes
and the page) and the page. The checksum runs over 32-bit words in the byte order the
magic names; each frame's sums start from the previous frame's.

Reads the file only; never opens it for writing.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from ..words import plural

MAGIC_LE = 0x377F0682  # checksums over little-endian words
MAGIC_BE = 0x377F0683
HEADER = 32
FRAME_HEADER = 24
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class WalReport:
    """What a WAL holds. ``problem`` is '' for a sound (or empty, or torn-tail) WAL and
    otherwise the exact reason, safe to show (numbers only)."""

    frames: int  # frames SQLite would use (up to the last valid commit)
    commits: int  # commits among them
    problem: str = ""

    @property
    def damaged(self) -> bool:
        return bool(self.problem)


def _checksum(data: bytes, big_endian: bool, s0: int = 0, s1: int = 0) -> tuple[int, int]:
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & _MASK
        s1 = (s1 + words[i + 1] + s0) & _MASK
    return s0, s1


def examine(path: Path) -> WalReport:
    """Check a WAL file. A missing or empty file is sound (nothing to replay)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return WalReport(0, 0)
    return examine_bytes(data)


def examine_bytes(data: bytes) -> WalReport:
    """:func:`examine` on the bytes of a WAL."""
    if len(data) < HEADER:
        # Shorter than a header: SQLite ignores it and nothing was ever committed in it
        # (a commit needs a header and at least one frame).
        return WalReport(0, 0)
    magic, version, page_size, _seq, salt1, salt2, ck1, ck2 = struct.unpack(">8I", data[:HEADER])
    body = len(data) - HEADER
    if magic not in (MAGIC_LE, MAGIC_BE):
        if body >= FRAME_HEADER:
            return WalReport(0, 0, "the write-ahead log (store.db-wal) does not start like one: its header is damaged")
        return WalReport(0, 0)
    big_endian = magic == MAGIC_BE
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1) or version != 3007000:
        return WalReport(0, 0, "the header of the write-ahead log (store.db-wal) is damaged "
                               "(page size or version)")
    frame_size = FRAME_HEADER + page_size
    count = body // frame_size
    header_ok = _checksum(data[:24], big_endian) == (ck1, ck2)
    if not header_ok and count:
        # A damaged header may have damaged salts: the first frame is always of the
        # current generation of the log (a reset rewrites the header, then frame 1).
        salt1, salt2 = struct.unpack(">2I", data[HEADER + 8:HEADER + 16])
    used = commits = 0  # frames and commits SQLite will use
    first_bad = None  # 1-based number of the frame where SQLite stops reading
    later_commits = 0  # commits of this generation that verify after that frame
    prev = (ck1, ck2)
    for n in range(count):
        start = HEADER + n * frame_size
        head = data[start:start + FRAME_HEADER]
        page_no, db_size, f_salt1, f_salt2, f_ck1, f_ck2 = struct.unpack(">6I", head)
        ours = (f_salt1, f_salt2) == (salt1, salt2)
        page = data[start + FRAME_HEADER:start + frame_size]
        valid = ours and page_no > 0 and _checksum(head[:8] + page, big_endian, *prev) == (f_ck1, f_ck2)
        if first_bad is None and header_ok and valid:
            if db_size:
                used, commits = n + 1, commits + 1
        elif first_bad is None:
            first_bad = n + 1
        elif valid and db_size:
            later_commits += 1
        # Each frame's sums start from the previous frame's *stored* sums, so one damaged
        # frame does not hide whether the frames after it are sound. (Frames left from an
        # earlier generation carry other salts and never count.)
        prev = (f_ck1, f_ck2)
    if later_commits and not header_ok:
        # SQLite ignores a log whose header fails its checksum, and every commit in it.
        return WalReport(0, 0, f"the header of the write-ahead log (store.db-wal) is damaged; SQLite "
                               f"would silently drop the {plural(count, 'frame')} after it ({later_commits} or more "
                               "saved transactions)")
    if later_commits:
        return WalReport(used, commits, f"the write-ahead log (store.db-wal) is damaged at frame {first_bad} "
                                        f"of {count}; SQLite would silently drop the {plural(later_commits, 'saved transaction')} "
                                        "after it")
    return WalReport(used, commits)
