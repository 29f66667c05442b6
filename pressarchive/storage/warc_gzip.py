"""The WARC files' gzip members: one per record, at the archive's level.

warcio compresses every record at zlib's level 9; `LeveledWARCWriter` takes
the level a crawl asks for instead, and ISA-L's deflate for levels 1-3.
"""

from __future__ import annotations

import zlib
from typing import Any

from isal import isal_zlib
from warcio.warcwriter import GzippingWrapper, WARCWriter

# The gzip level of the WARC files, 1-9. Compressing is the largest single cost
# of recording a real-size page (~80-100 KB). Levels 1-3 go through ISA-L
# (python-isal), whose deflate makes files about the size of zlib's at the
# same level several times faster; 4-9 through zlib, for smaller files. On
# the pages of tests/real (one-off timing, CPU a page, share of the bytes
# left): zlib 6 1160 µs 21.8%, zlib 3 588 µs 24.1%, ISA-L 2 131 µs 24.9%,
# ISA-L 3 279 µs 24.2%. 2 is the default: a ninth of zlib 6's CPU for files
# 14% larger. `PRESSARCHIVE_WARC_GZIP_LEVEL` chooses another for a crawl.
DEFAULT_GZIP_LEVEL = 2
_FAST_LEVELS = range(1, 4)


def _compressor(level: int, size: int) -> Any:
    """A compressor for one gzip member of about `size` bytes."""
    if level in _FAST_LEVELS:
        return isal_zlib.compressobj(level, isal_zlib.DEFLATED, zlib.MAX_WBITS + 16)
    # zlib sets a member up for 32 KB of history unless told, ~45 µs: for a
    # request record's few hundred bytes that was most of its cost. A window
    # and hash table the record's size cost ~6 µs.
    window = max(9, min(zlib.MAX_WBITS, size.bit_length()))
    return zlib.compressobj(level, zlib.DEFLATED, window + 16, memLevel=8 if window >= 13 else 4)


class _MemberGzip(GzippingWrapper):
    def __init__(self, out: Any, level: int, size: int) -> None:
        self.compressor = _compressor(level, size)
        self.out = out


class LeveledWARCWriter(WARCWriter):
    """warcio's writer at our gzip level instead of its 9, each member sized
    to its record. Each record is still its own gzip member, as WARC readers
    expect."""

    gzip: bool

    def __init__(self, *args: Any, level: int = DEFAULT_GZIP_LEVEL, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level = level

    def _write_warc_record(self, out: Any, record: Any) -> Any:
        if not self.gzip:
            return super()._write_warc_record(out, record)
        # the payload, its HTTP headers and the WARC headers (a few hundred
        # bytes); a record of unknown length gets the whole window
        size = record.length + 2048 if record.length is not None else 1 << zlib.MAX_WBITS
        self.gzip = False  # warcio would wrap `out` at level 9
        try:
            return super()._write_warc_record(_MemberGzip(out, self.level, size), record)
        finally:
            self.gzip = True
