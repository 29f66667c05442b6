"""MinHash signatures of a text's word 3-shingles, with LSH band keys.

Computed with numpy (multiply-shift hashing of stable 64-bit shingle hashes)
rather than datasketch's per-shingle `update`, which was the slow part. The
permutations are fixed: stored signatures stay comparable across runs."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def words(text: str) -> list[str]:
    """Case-folded word tokens (letters and digits; punctuation dropped)."""
    return _WORD.findall(_folded(text))


NUM_PERM = 128
BANDS = 25
ROWS = 5  # BANDS * ROWS <= NUM_PERM; candidate threshold ~ (1/BANDS) ** (1/ROWS) = 0.53
SHINGLE = 3
_SIGNATURE_VERSION = 2  # 1: the MinHash alone; 2: and the figures' hashes
_EMPTY = np.uint32(0xFFFFFFFF)
_CHUNK = 4096  # shingles hashed at once

_rng = np.random.default_rng(0x5EED_C0DE)  # fixed: stored signatures must stay comparable
_PERM_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_SHINGLE_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], np.uint64)
_BAND_MULT = _rng.integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)


@lru_cache(maxsize=262144)
def _word_hash(word: str) -> int:
    # Python's hash() is salted per process; stored signatures need a stable one.
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _shingle_hashes(tokens: list[str]) -> np.ndarray:
    hashed = np.fromiter((_word_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    if len(hashed) < SHINGLE:
        return hashed
    width = len(hashed) - SHINGLE + 1
    combined = hashed[:width] * _SHINGLE_MULT[0]
    for i in range(1, SHINGLE):
        combined = combined + hashed[i : i + width] * _SHINGLE_MULT[i]  # wraps mod 2**64
    return combined


def _figure_hashes(text: str) -> tuple[int, ...]:
    """32-bit hashes of the words that hold a digit (dates, times, week numbers,
    figures), sorted and unique: what a template release changes from one issue
    to the next while the rest of its text stays."""
    return tuple(sorted({_word_hash(t) & 0xFFFFFFFF for t in _FIGURE.findall(text)}))


# tried at word starts only, and no backtracking into a word: linear in the text
_FIGURE = re.compile(r"\b[^\W\d]*\d\w*")


@dataclass(frozen=True, eq=False)
class Signature:
    """A MinHash of a text's word 3-shingles (NUM_PERM 32-bit values) and the
    hashes of its figures (None in a signature stored before they were kept)."""

    values: np.ndarray  # uint32, shape (NUM_PERM,)
    figures: tuple[int, ...] | None = None
    shingles: int | None = None  # how many the text has (None: not kept)

    @property
    def is_empty(self) -> bool:
        return bool(self.values[0] == _EMPTY and (self.values == _EMPTY).all())

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        if self.is_empty or other.is_empty:
            return 0.0
        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    def figures_replaced(self, other: Signature) -> bool:
        """Each text has figures the other lacks: a date, a time or a week number
        was changed, as from one issue of a template release to the next. A copy
        that only adds or drops a passage (a dateline, a contact line) does not."""
        if self.figures is None or other.figures is None:
            return False
        mine, theirs = set(self.figures), set(other.figures)
        return bool(mine - theirs) and bool(theirs - mine)

    def is_substantial(self, words: int) -> bool:
        """At least `words` shingles (unknown counts as enough)."""
        return self.shingles is None or self.shingles >= words

    def to_bytes(self) -> bytes:
        extra = np.array([self.shingles or 0, *(self.figures or ())], dtype="<u4").tobytes()
        return bytes([_SIGNATURE_VERSION]) + self.values.astype("<u4").tobytes() + extra

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        size = 1 + 4 * NUM_PERM
        if data[:1] == b"\x01" and len(data) == size:  # before figures were kept
            return cls(np.frombuffer(data, dtype="<u4", offset=1).astype(np.uint32))
        if len(data) < size + 4 or (len(data) - size) % 4 or data[0] != _SIGNATURE_VERSION:
            raise ValueError("not a pressarchive signature (wrong version or size)")
        values = np.frombuffer(data, dtype="<u4", offset=1, count=NUM_PERM).astype(np.uint32)
        extra = np.frombuffer(data, dtype="<u4", offset=size).tolist()
        return cls(values, tuple(extra[1:]), extra[0])

    def band_keys(self, bands: int = BANDS, rows: int = ROWS) -> list[int]:
        """One integer per LSH band (deterministic, but rebuilt rather than stored).

        Fewer rows per band find less similar pairs: (1/bands) ** (1/rows) is
        roughly the similarity from which a pair shares a band."""
        if rows > len(_BAND_MULT) or bands * rows > NUM_PERM:
            raise ValueError(f"{bands} bands of {rows} rows do not fit {NUM_PERM} values")
        grid = self.values[: bands * rows].astype(np.uint64).reshape(bands, rows)
        mixed = (grid * _BAND_MULT[:rows]).sum(axis=1, dtype=np.uint64)
        return mixed.tolist()

    def stored_band_keys(self) -> list[int]:
        """The band keys as SQLite integers (signed 64-bit), the band's number mixed
        in so that equal rows in two different bands are different keys."""
        if self.is_empty:
            return []
        keys = []
        for band, key in enumerate(self.band_keys()):
            mixed = (key + (band + 1) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
            keys.append(mixed - (1 << 64) if mixed >= 1 << 63 else mixed)
        return keys


def signature(text: str) -> Signature:
    """The MinHash signature of `text` (re-wrapping and case do not change it)."""
    folded = _folded(text)
    sig = minhash(_shingle_hashes(_WORD.findall(folded)))
    return Signature(sig.values, _figure_hashes(folded), sig.shingles)


def minhash(shingles: np.ndarray) -> Signature:
    """The MinHash signature of a set of 64-bit shingle hashes (no figures)."""
    if len(shingles) == 0:
        return Signature(np.full(NUM_PERM, _EMPTY, dtype=np.uint32), (), 0)
    # multiply-shift hashing, one (a, b) per permutation: the minimum of the
    # full 64-bit a*x+b (mod 2**64) is decided by its high bits, which are kept.
    # Chunked so that a book-length page does not allocate shingles x 128 at once.
    minimum = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(shingles), _CHUNK):
        permuted = np.multiply(shingles[start : start + _CHUNK, None], _PERM_A)
        np.add(permuted, _PERM_B, out=permuted)
        np.minimum(minimum, permuted.min(axis=0), out=minimum)
    return Signature((minimum >> np.uint64(32)).astype(np.uint32), (), len(shingles))


def title_similarity(a: str, b: str) -> float:
    """Share of the shorter title's words found in the other title.

    Containment rather than Jaccard: a platform that prefixes
    "Pressinbjudan:" or appends the organisation still matches.
    """
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))
