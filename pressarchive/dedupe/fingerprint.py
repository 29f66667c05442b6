"""One release, one row: canonical URLs, platform ids, content hashes and
near-duplicate clustering across platforms.

Everything here is pure and cheap enough to run on every page of a crawl.

Near-duplicates are found with MinHash over word 3-shingles and LSH banding
(each new release is compared only with the releases that share a band, so
time grows linearly with the archive). The MinHash is computed here with
numpy (multiply-shift hashing of stable 64-bit shingle hashes) rather than
with datasketch's per-shingle `update`, which was the slow part; the banding
is a dict per band. A candidate pair is accepted only after a check of the
estimated Jaccard similarity, the titles and the publication dates, so that
two different releases of one organisation that share an about-text and a
contact block stay apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import numpy as np
from w3lib.url import canonicalize_url

# --------------------------------------------------------------------------- URLs

# Parameters that only say who sent the reader or which session they are in.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref",
        "ref_src",
        "jsessionid",
        "phpsessid",
        # the interface language of the page chrome, not which release it is
        "lang",
        "locale",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

_VIATT_RELEASE_PATH = re.compile(r"^/pressmeddelande/\d+(?:/|$)")
# Via TT's publisher id is redundant on a release URL: the release id says it all.
_VIATT_REDUNDANT_ON_RELEASE = frozenset({"publisherid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_JSESSIONID_IN_PATH = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)

# Second-level labels under which organisations register (example.co.uk).
# Only used to decide whether a <link rel="canonical"> stays on the same site,
# so a short list of the common ones is enough; the error is to ignore a link.
_PUBLIC_SECOND_LEVELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "or", "ne"})


def _is_tracking(name: str, path: str) -> bool:
    lowered = name.lower()
    if lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES):
        return True
    return lowered in _VIATT_REDUNDANT_ON_RELEASE and bool(_VIATT_RELEASE_PATH.match(path))


def _host_key(hostname: str) -> str:
    """Lower case, no trailing dot, no leading `www.`.

    Dropping `www.` is safe for a *key*: no press room serves different
    releases on `www.example.se` and `example.se` (Mynewsdesk, Via TT and the
    Sitevision municipalities all redirect one to the other). The key is
    never fetched, so a site that only answers on one of them is unaffected.
    """
    host = hostname.lower().rstrip(".")
    return host[4:] if host.startswith("www.") and host.count(".") >= 2 else host


def registered_domain(hostname: str) -> str:
    """`news.cision.com` -> `cision.com`; `www.norrkoping.se` -> `norrkoping.se`."""
    labels = _host_key(hostname).split(".")
    if len(labels) <= 2 or labels[-1].isdigit():  # IP addresses compare whole
        return ".".join(labels)
    take = 3 if labels[-2] in _PUBLIC_SECOND_LEVELS and len(labels[-1]) == 2 else 2
    return ".".join(labels[-take:])


@lru_cache(maxsize=65536)
def _canonical(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return _unparseable(url)
    host = _host_key(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: no URL to normalise
        return _unparseable(url)
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = _JSESSIONID_IN_PATH.sub("", parts.path) or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, path)
    ]
    rebuilt = urlunsplit(("https", netloc, path, urlencode(query), ""))
    # w3lib sorts the query and normalises percent-encoding; the fragment is gone.
    try:
        return canonicalize_url(rebuilt)
    except ValueError:
        return _unparseable(url)


def _unparseable(url: str) -> str:
    # still a stable key for the same string, so the page is stored once
    return url.strip().split("#", 1)[0]


def canonical_url(url: str, *, canonical_link: str | None = None) -> str:
    """The key of a page: https, host without `www.` and default port, no
    fragment, no tracking or chrome parameters, query sorted.

    `canonical_link` (the page's `<link rel="canonical">`, absolute or
    relative) wins when it stays on the same registered domain; a canonical
    link to another site (syndication, a CDN, a parked domain) is ignored.
    """
    if canonical_link and canonical_link.strip():
        resolved = urljoin(url, canonical_link.strip())
        link_host = urlsplit(resolved).hostname
        page_host = urlsplit(url).hostname
        if link_host and page_host and registered_domain(link_host) == registered_domain(page_host):
            return _canonical(resolved)
    return _canonical(url)


# Release paths, keyed on shape rather than host: the fixture press rooms run
# on 127.0.0.1 with the real platforms' paths.
_RELEASE_ID_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "mynewsdesk": (
        re.compile(
            r"/pressroom/[^/]+/(?:pressrelease|news|event|blog_post|image)/view/[^/]*?-(\d+)/?$"
        ),
        re.compile(r"^/[a-z]{2}/[^/]+/(?:pressreleases|news|events|blog_posts)/[^/]*?-(\d+)/?$"),
    ),
    "viatt": (re.compile(r"^/pressmeddelande/(\d+)(?:/|$)"),),
    "cision": (re.compile(r"/r/[^/]*,c(\d+)/?$"),),
    "sitevision": (re.compile(r"/nyhetsarkiv/\d{4}/(\d{4}-\d{2}-\d{2}-[^/]+?)/?$"),),
}
_PLATFORM_ALIASES = {"via_tt": "viatt", "via-tt": "viatt", "tt": "viatt"}
# Release URLs that carry the id in the query: Via TT's older generation,
# still served (platforms.md): /pressmeddelande/<slug>?publisherId=<pid>&releaseId=<id>.
_RELEASE_ID_QUERY: dict[str, tuple[re.Pattern[str], str]] = {
    "viatt": (re.compile(r"^/pressmeddelande/[^/]+/?$"), "releaseid"),
}


def platform_release_id(platform: str, url: str) -> str | None:
    """The platform's own id of the release at `url`, or None (generic sites,
    listings, any URL whose path is not a release's)."""
    name = platform.lower()
    name = _PLATFORM_ALIASES.get(name, name)
    patterns = _RELEASE_ID_PATTERNS.get(name)
    if not patterns:
        return None
    parts = urlsplit(url)
    # decoded, so that `/2023-12-01-äventyr` and `/2023-12-01-%C3%A4ventyr` are one id
    path = unquote(parts.path)
    for pattern in patterns:
        match = pattern.search(path)
        if match:
            return match.group(1)
    in_query = _RELEASE_ID_QUERY.get(name)
    if in_query and in_query[0].search(path):
        for key, value in parse_qsl(parts.query):
            if key.lower() == in_query[1] and value.strip().isdigit():
                return value.strip()
    return None


# --------------------------------------------------------------------------- text


def content_hash(title: str, lead: str, body: str) -> str:
    """A stable hash of the release's text; whitespace changes leave it alone.

    Same algorithm as `pressarchive.storage.store.content_hash` (blake2b-128 over the
    NFC, whitespace-folded fields, separated by US), so either can be used.
    Case is kept: a corrected capital is a (small) revision.
    """
    h = hashlib.blake2b(digest_size=16)
    for part in (title, lead, body):
        h.update(" ".join(unicodedata.normalize("NFC", part).split()).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Case-folded word tokens (letters and digits; punctuation dropped)."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


# --------------------------------------------------------------------------- MinHash

NUM_PERM = 128
BANDS = 25
ROWS = 5  # BANDS * ROWS <= NUM_PERM; candidate threshold ~ (1/BANDS) ** (1/ROWS) = 0.53
SHINGLE = 3
_SIGNATURE_VERSION = 1
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


@dataclass(frozen=True, eq=False)
class Signature:
    """A MinHash of a text's word 3-shingles: NUM_PERM 32-bit values."""

    values: np.ndarray  # uint32, shape (NUM_PERM,)

    @property
    def is_empty(self) -> bool:
        return bool(self.values[0] == _EMPTY and (self.values == _EMPTY).all())

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        if self.is_empty or other.is_empty:
            return 0.0
        return float(np.count_nonzero(self.values == other.values)) / NUM_PERM

    def to_bytes(self) -> bytes:
        return bytes([_SIGNATURE_VERSION]) + self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) != 1 + 4 * NUM_PERM or data[0] != _SIGNATURE_VERSION:
            raise ValueError("not a pressarchive signature (wrong version or size)")
        return cls(np.frombuffer(data, dtype="<u4", offset=1).astype(np.uint32))

    def band_keys(self, bands: int = BANDS, rows: int = ROWS) -> list[int]:
        """One integer per LSH band (deterministic, but rebuilt rather than stored).

        Fewer rows per band find less similar pairs: (1/bands) ** (1/rows) is
        roughly the similarity from which a pair shares a band."""
        if rows > len(_BAND_MULT) or bands * rows > NUM_PERM:
            raise ValueError(f"{bands} bands of {rows} rows do not fit {NUM_PERM} values")
        grid = self.values[: bands * rows].astype(np.uint64).reshape(bands, rows)
        mixed = (grid * _BAND_MULT[:rows]).sum(axis=1, dtype=np.uint64)
        return mixed.tolist()


def signature(text: str) -> Signature:
    """The MinHash signature of `text` (re-wrapping and case do not change it)."""
    return minhash(_shingle_hashes(words(text)))


def minhash(shingles: np.ndarray) -> Signature:
    """The MinHash signature of a set of 64-bit shingle hashes."""
    if len(shingles) == 0:
        return Signature(np.full(NUM_PERM, _EMPTY, dtype=np.uint32))
    # multiply-shift hashing, one (a, b) per permutation: the minimum of the
    # full 64-bit a*x+b (mod 2**64) is decided by its high bits, which are kept.
    # Chunked so that a book-length page does not allocate shingles x 128 at once.
    minimum = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(shingles), _CHUNK):
        permuted = np.multiply(shingles[start : start + _CHUNK, None], _PERM_A)
        np.add(permuted, _PERM_B, out=permuted)
        np.minimum(minimum, permuted.min(axis=0), out=minimum)
    return Signature((minimum >> np.uint64(32)).astype(np.uint32))


def title_similarity(a: str, b: str) -> float:
    """Share of the shorter title's words found in the other title.

    Containment rather than Jaccard: a platform that prefixes
    "Pressinbjudan:" or appends the organisation still matches.
    """
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


# --------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class MatchRule:
    """When a candidate pair is the same release.

    Bodies must be similar; the less similar, the more the titles must agree.
    Publication more than `max_days` apart is never the same release (an
    annual event's release reuses last year's text). Without a date on one
    side that guard is gone, so the titles must then agree word for word:
    releases written from one template ("Ny detaljplan för <place> ute på
    samråd") differ only in a word or two of the title.
    """

    max_days: float = 7.0
    body_alone: float = 0.9  # the same text: a title rewritten by the platform still matches
    body_with_title: float = 0.45
    title_needed: float = 0.5
    title_when_identical: float = 0.2
    title_when_undated: float = 0.95

    def accepts(
        self,
        body_sim: float,
        title_a: str,
        title_b: str,
        published_a: datetime | None,
        published_b: datetime | None,
    ) -> bool:
        if body_sim < self.body_with_title:
            return False
        tsim = title_similarity(title_a, title_b)
        if published_a is None or published_b is None:
            return tsim >= self.title_when_undated
        if not self.close_in_time(published_a, published_b):
            return False
        if body_sim >= self.body_alone:
            return tsim >= self.title_when_identical
        return tsim >= self.title_needed

    def close_in_time(self, a: datetime, b: datetime) -> bool:
        return abs(_comparable(a) - _comparable(b)) <= timedelta(days=self.max_days)


def _comparable(value: datetime) -> datetime:
    # naive datetimes are taken as UTC (the archive's convention), so mixed inputs compare
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass
class _Entry:
    signature: Signature
    title: str
    published_at: datetime | None
    cluster: int


@dataclass
class DuplicateIndex:
    """The archive's releases by signature, to cluster new ones as they come.

    Cluster ids are release keys: a release that matches nothing starts its
    own cluster (id = its key); one that matches joins the cluster of its most
    similar match whose dated members all lie within the rule's `max_days` of
    it (so neither an undated release nor a chain of small steps can bridge
    two releases published far apart). The id is the key of the cluster's first *indexed* member,
    not necessarily its earliest publication: the head (earliest
    `published_at`, ties lowest id) is for the store to pick, as the
    `unique_releases` view does.
    """

    rule: MatchRule = field(default_factory=MatchRule)
    _entries: dict[int, _Entry] = field(default_factory=dict)
    _bands: list[dict[int, int | list[int]]] = field(
        default_factory=lambda: [{} for _ in range(BANDS)]
    )
    # cluster -> (earliest, latest) publication among its dated members
    _spans: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def cluster_of(self, key: int) -> int:
        return self._entries[key].cluster

    def candidates(self, sig: Signature) -> set[int]:
        """Keys sharing at least one LSH band with `sig`."""
        found: set[int] = set()
        if sig.is_empty:
            return found
        for band, bucket_key in zip(self._bands, sig.band_keys(), strict=True):
            bucket = band.get(bucket_key)
            if bucket is None:
                continue
            if isinstance(bucket, int):
                found.add(bucket)
            else:
                found.update(bucket)
        return found

    def matches(
        self, sig: Signature, *, title: str, published_at: datetime | None
    ) -> list[tuple[int, float]]:
        """Indexed releases that are the same release as this one, most similar first."""
        accepted = []
        for key in self.candidates(sig):
            entry = self._entries[key]
            sim = sig.similarity(entry.signature)
            if self.rule.accepts(sim, title, entry.title, published_at, entry.published_at):
                accepted.append((key, sim))
        accepted.sort(key=lambda pair: (-pair[1], pair[0]))
        return accepted

    def add(self, key: int, sig: Signature, *, title: str, published_at: datetime | None) -> int:
        """Index `key` and return its cluster id (its own key if it matches nothing).

        Adding a key again re-indexes it (its text changed) under its old cluster
        unless it now matches another one.
        """
        if key in self._entries:
            self.remove(key)
        clusters = (
            self._entries[match].cluster
            for match, _ in self.matches(sig, title=title, published_at=published_at)
            if match != key
        )
        cluster = next((c for c in clusters if self._fits(c, published_at)), key)
        self.load(key, sig, title=title, published_at=published_at, cluster=cluster)
        return cluster

    def load(
        self,
        key: int,
        sig: Signature,
        *,
        title: str,
        published_at: datetime | None,
        cluster: int,
    ) -> None:
        """Index a release whose cluster is already known (from the archive)."""
        self._entries[key] = _Entry(sig, title, published_at, cluster)
        if published_at is not None:
            moment = _comparable(published_at)
            earliest, latest = self._spans.get(cluster, (moment, moment))
            self._spans[cluster] = (min(earliest, moment), max(latest, moment))
        if sig.is_empty:
            return
        for band, bucket_key in zip(self._bands, sig.band_keys(), strict=True):
            bucket = band.get(bucket_key)
            # most buckets hold one key: store it bare, a list only on collision
            if bucket is None:
                band[bucket_key] = key
            elif isinstance(bucket, int):
                band[bucket_key] = [bucket, key]
            else:
                bucket.append(key)

    def widen_span(self, cluster: int, earliest: datetime, latest: datetime) -> None:
        """Count members of `cluster` that are not indexed (an index loaded for a
        window of dates): a release joins a cluster only if it fits all of them."""
        low, high = _comparable(earliest), _comparable(latest)
        span = self._spans.get(cluster)
        self._spans[cluster] = (min(span[0], low), max(span[1], high)) if span else (low, high)

    def _fits(self, cluster: int, published_at: datetime | None) -> bool:
        span = self._spans.get(cluster)
        if span is None or published_at is None:
            return True
        return self.rule.close_in_time(span[0], published_at) and self.rule.close_in_time(
            span[1], published_at
        )

    def remove(self, key: int) -> None:
        entry = self._entries.pop(key)
        if entry.signature.is_empty:
            return
        for band, bucket_key in zip(self._bands, entry.signature.band_keys(), strict=True):
            bucket = band.get(bucket_key)
            if bucket == key:
                del band[bucket_key]
            elif isinstance(bucket, list) and key in bucket:
                bucket.remove(key)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[int, bytes, str, datetime | None, int | None]],
        *,
        rule: MatchRule | None = None,
    ) -> DuplicateIndex:
        """Load stored releases: (key, signature bytes, title, published_at, cluster_id).

        A row without a cluster id is clustered as it is added.
        """
        index = cls(rule=rule or MatchRule())
        for key, blob, title, published_at, cluster in rows:
            sig = Signature.from_bytes(blob)
            if cluster is None:
                index.add(key, sig, title=title, published_at=published_at)
            else:
                index.load(key, sig, title=title, published_at=published_at, cluster=cluster)
        return index


@dataclass(frozen=True)
class ClusterInput:
    key: int
    title: str
    text: str  # the cleaned lead and body
    published_at: datetime | None


def _publication_order(record: ClusterInput) -> tuple[int, datetime, int]:
    if record.published_at is None:
        return (1, datetime.min.replace(tzinfo=UTC), record.key)
    return (0, _comparable(record.published_at), record.key)


def iter_clusters(
    records: Iterable[ClusterInput], *, rule: MatchRule | None = None
) -> Iterator[tuple[int, int]]:
    """(key, cluster id) for each record, in order of publication."""
    index = DuplicateIndex(rule=rule or MatchRule())
    for record in sorted(records, key=_publication_order):
        cluster = index.add(
            record.key,
            signature(record.text),
            title=record.title,
            published_at=record.published_at,
        )
        yield record.key, cluster


def cluster_all(
    records: Iterable[ClusterInput], *, rule: MatchRule | None = None
) -> dict[int, int]:
    """Cluster a whole archive at once: key -> cluster id.

    Records are taken in order of publication (undated last, then by key), so
    a cluster's id is the key of its earliest publication: its head.
    """
    return dict(iter_clusters(records, rule=rule))
