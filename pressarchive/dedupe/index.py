"""Near-duplicate clustering across platforms: the match rule and the duplicate index.

A candidate pair (sharing an LSH band, dedupe.minhash) is accepted only after a
check of the estimated Jaccard similarity, the titles and the publication dates,
so that two different releases of one organisation that share an about-text and
a contact block stay apart. Everything here is pure."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pressarchive.dedupe.minhash import BANDS, Signature, signature, title_similarity


@dataclass(frozen=True)
class MatchRule:
    """When a candidate pair is the same release.

    The same text (`body_alone`) is the same release whatever the titles (a
    platform rewrites them) up to `max_days` apart (a press room re-posts a
    release a week or a month later). A text edited more than that needs
    agreeing titles and publication within `edit_days`. Never the same release:
    two texts of which each has figures the other lacks (a date, a time, a week
    number: the next issue of a weekly agenda, a recurring invitation), and two
    publications more than `max_days` apart (an annual event's release reuses
    last year's text). A text shorter than `substantial_words` (a contact block
    left of a page whose body was not found) is no evidence on its own: it
    needs titles that agree. Without a date on one side the time guard is gone, so
    only the same text, or titles that agree word for word, will do: releases
    written from one template ("Ny detaljplan för <place> ute på samråd")
    differ only in a word or two of the title.
    """

    max_days: float = 30.0
    edit_days: float = 7.0
    body_alone: float = 0.9
    substantial_words: int = 40
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
        *,
        figures_replaced: bool = False,
        substantial: bool = True,
    ) -> bool:
        if body_sim < self.body_with_title or figures_replaced:
            return False
        same_text = body_sim >= self.body_alone
        if published_a is not None and published_b is not None:
            apart = abs(_comparable(published_a) - _comparable(published_b))
            if apart > timedelta(days=self.max_days):
                return False
            if same_text and substantial:
                return True
            if apart > timedelta(days=self.edit_days):
                return False
            needed = self.title_when_identical if same_text else self.title_needed
            return title_similarity(title_a, title_b) >= needed
        if same_text and substantial:
            return True
        return title_similarity(title_a, title_b) >= self.title_when_undated

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
            if self.rule.accepts(
                sim,
                title,
                entry.title,
                published_at,
                entry.published_at,
                figures_replaced=sig.figures_replaced(entry.signature),
                substantial=sig.is_substantial(self.rule.substantial_words)
                and entry.signature.is_substantial(self.rule.substantial_words),
            ):
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
