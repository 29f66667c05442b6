"""The about-text of a source, learned from its releases.

An organisation ends every release with the same standing paragraph(s) — but
not quite the same: the population grows, the company count changes, the
governing parties change. So paragraphs are compared after normalisation
(case, punctuation, every number -> one placeholder) by the Jaccard
similarity of their word bigrams, and variants are clustered single-link
(MinHash LSH finds the candidates), so a text that drifts year by year stays
one cluster. A cluster found in at least `max(min_docs, min_share * n)`
releases is boilerplate: a long prose paragraph that closes the release
(only boilerplate after it, in most releases) is about-text; a short line
("Dela", "Kontakt:", "Telefon: 000-000 00 00") is chrome, removed but never
put in about_text. A sentence quoted in two releases is below the threshold;
a quote recurring in many releases, but inside their text, is left alone.

The model keeps only signatures (bigram hash sets behind an inverted index,
normalised keys of short lines), so applying it costs a few set lookups per
paragraph.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from pressarchive.dedupe.minhash import minhash
from pressarchive.refine.chrome import is_chrome

# Paragraphs with fewer words are compared whole (normalised), not by bigrams.
SHORT_WORDS = 8
# Paragraphs with at least this many words can be about-text; shorter ones are chrome.
ABOUT_WORDS = 15
SIMILARITY = 0.5
MAX_VARIANTS = 25
# An about cluster closes the release (nothing but boilerplate after it) in
# at least this share of the releases it occurs in.
MIN_TRAILING_SHARE = 0.6
# LSH over the dedupe package's MinHash: 42 bands of 3 rows put a pair of
# Jaccard 0.5 (SIMILARITY) in a shared band with probability 0.996, 0.3 with
# 0.68; every candidate is then checked exactly, so only recall hangs on this.
_LSH_BANDS = 42
_LSH_ROWS = 3

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[\s.,:\-–]\d+)*")


def tokens(paragraph: str) -> list[str]:
    """Case-folded words, every number (however spaced) as one placeholder."""
    return _WORD.findall(_NUMBER.sub(" 0 ", paragraph.casefold()))


def shingles(words: Sequence[str]) -> frozenset[int]:
    """Stable hashes (crc32, not Python's salted hash) of word bigrams."""
    if len(words) < 2:
        return frozenset(zlib.crc32(w.encode()) for w in words)
    return frozenset(zlib.crc32(f"{a} {b}".encode()) for a, b in itertools.pairwise(words))


def _key(words: Sequence[str]) -> str:
    return " ".join(words)


@dataclass
class AboutModel:
    """Chrome keys (short lines) and about-text variants (bigram signatures)."""

    chrome: set[str] = field(default_factory=set)
    about: list[frozenset[int]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # one text per about cluster, for people
    documents: int = 0
    _index: dict[int, list[int]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._build_index()

    def _build_index(self) -> None:
        index: dict[int, list[int]] = defaultdict(list)
        for i, signature in enumerate(self.about):
            for h in signature:
                index[h].append(i)
        self._index = dict(index)

    def _is_about(self, signature: frozenset[int]) -> bool:
        hits: Counter[int] = Counter()
        for h in signature:
            for i in self._index.get(h, ()):
                hits[i] += 1
        for i, shared in hits.items():
            union = len(signature) + len(self.about[i]) - shared
            if union and shared / union >= SIMILARITY:
                return True
        return False

    def kind(self, paragraph: str) -> str:
        """ "about", "chrome" or "body"."""
        key = paragraph_key(paragraph)
        if not key:
            return "chrome"
        words = key.split(" ")
        if len(words) < SHORT_WORDS:
            return "chrome" if key in self.chrome else "body"
        if self._is_about(shingles(words)) and not is_quote(paragraph):
            return "about"
        return "chrome" if key in self.chrome else "body"

    def classify(self, paragraphs: Sequence[str]) -> list[str]:
        """Per paragraph "about", "chrome" or "body". A recurring short line
        right before about-text ("Let's create Norrköping!") is its heading."""
        kinds = [self.kind(p) for p in paragraphs]
        for i in range(len(kinds) - 2, -1, -1):
            if kinds[i] == "chrome" and kinds[i + 1] == "about" and heading_like(paragraphs[i]):
                kinds[i] = "about"
        return kinds

    def split(self, paragraphs: Sequence[str]) -> tuple[list[str], list[str]]:
        """(body, about): recurring chrome is in neither."""
        body: list[str] = []
        about: list[str] = []
        for paragraph, kind in zip(paragraphs, self.classify(paragraphs), strict=True):
            if kind == "body":
                body.append(paragraph)
            elif kind == "about":
                about.append(paragraph)
        return body, about

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "documents": self.documents,
                "chrome": sorted(self.chrome),
                "about": [sorted(s) for s in self.about],
                "examples": self.examples,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> AboutModel:
        data = json.loads(text)
        return cls(
            chrome=set(data.get("chrome", [])),
            about=[frozenset(s) for s in data.get("about", [])],
            examples=list(data.get("examples", [])),
            documents=int(data.get("documents", 0)),
        )


# "– Det här är en viktig satsning …, säger Anna Selander." A stock quote can
# recur across releases like boilerplate, but the organisation's about-text is
# never somebody speaking.
_QUOTE_OPENING = re.compile(r"^\s*[–—-]\s")
_SPEECH = re.compile(r"[,.]\s*säger\s+\w", re.IGNORECASE)


def is_quote(paragraph: str) -> bool:
    return bool(_QUOTE_OPENING.match(paragraph) or _SPEECH.search(paragraph))


def heading_like(paragraph: str) -> bool:
    """A short line that reads as a title ("Let's create Norrköping!"), not a
    sentence ("Beslutet fattades enhälligt.") or a label ("Kontakt:")."""
    text = paragraph.strip()
    return (
        0 < len(text) <= 60
        and ":" not in text
        and not text.endswith(".")
        and any(ch.isalpha() for ch in text)
    )


def _sentence(text: str) -> bool:
    """A recurring sentence ("Beslutet fattades enhälligt.") is release text
    the source likes to repeat, not page chrome: it stays in the body."""
    stripped = text.strip()
    return (
        len(stripped.split()) >= 4
        and stripped[-1:] in ".!?"
        and ":" not in stripped
        and not is_chrome(stripped)
    )


def _trailing_shares(clusters: list[set[str]], long_keys: list[list[str]]) -> list[float]:
    """Per cluster, the share of its occurrences with no release prose after
    them (only other recurring paragraphs): the about-text closes a release, a
    quote that recurs sits inside it."""
    owner = {key: c for c, keys in enumerate(clusters) for key in keys}
    seen = [0] * len(clusters)
    trailing = [0] * len(clusters)
    for keys in long_keys:
        prose_after = False
        for key in reversed(keys):
            cluster = owner.get(key)
            if cluster is None:
                prose_after = True
                continue
            seen[cluster] += 1
            trailing[cluster] += not prose_after
    return [t / s if s else 0.0 for t, s in zip(trailing, seen, strict=True)]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    # the union's size from the intersection's: one set built, not two
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


# A paragraph with its key (its tokens joined by spaces; "" when it has no
# words): what learning needs of it, so that a document kept keyed is learned
# from without tokenising it again.
KeyedParagraph = tuple[str, str]


def paragraph_key(paragraph: str) -> str:
    # A crawl keys each release's paragraphs for the learner and then classifies
    # the same paragraphs to clean the release: the second time is a look-up,
    # for paragraphs of a paragraph's size (a page can hold one of megabytes).
    if len(paragraph) <= _REMEMBERED_CHARS:
        return _remembered_key(paragraph)
    return _key(tokens(paragraph))


_REMEMBERED_CHARS = 4000


@lru_cache(maxsize=2048)
def _remembered_key(paragraph: str) -> str:
    return _key(tokens(paragraph))


def keyed(paragraphs: Iterable[str]) -> list[KeyedParagraph]:
    return [(paragraph, paragraph_key(paragraph)) for paragraph in paragraphs]


def learn_about(
    docs: Iterable[Sequence[str]], *, min_docs: int = 3, min_share: float = 0.2
) -> AboutModel:
    """Learn one source's boilerplate from its releases' paragraphs."""
    return learn_about_keyed((keyed(doc) for doc in docs), min_docs=min_docs, min_share=min_share)


def learn_about_keyed(
    docs: Iterable[Sequence[KeyedParagraph]], *, min_docs: int = 3, min_share: float = 0.2
) -> AboutModel:
    """`learn_about` of documents whose paragraphs come with their keys."""
    short_docs: dict[str, set[int]] = defaultdict(set)
    variant_docs: dict[str, set[int]] = defaultdict(set)
    variant_text: dict[str, str] = {}
    short_text: dict[str, str] = {}
    # per release, its long paragraphs' keys in order (for the trailing test)
    long_keys: list[list[str]] = []
    n = 0
    for n_doc, paragraphs in enumerate(docs):
        n = n_doc + 1
        long_keys.append([])
        for paragraph, key in paragraphs:
            if not key:
                continue
            words = key.count(" ") + 1  # tokens hold no spaces
            if words < SHORT_WORDS:
                short_docs[key].add(n_doc)
                short_text.setdefault(key, paragraph)
            else:
                variant_docs[key].add(n_doc)
                variant_text.setdefault(key, paragraph)
                if words >= ABOUT_WORDS:
                    long_keys[-1].append(key)
    need = max(min_docs, math.ceil(min_share * n))
    model = AboutModel(documents=n)
    model.chrome = {
        key
        for key, where in short_docs.items()
        if len(where) >= need and not _sentence(short_text[key])
    }

    keys = list(variant_docs)
    signatures = [shingles(k.split()) for k in keys]
    finder = _UnionFind(len(keys))
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, signature in enumerate(signatures):
        sketch = minhash(np.fromiter(signature, dtype=np.uint64, count=len(signature)))
        near: set[int] = set()
        for band, band_key in enumerate(sketch.band_keys(_LSH_BANDS, _LSH_ROWS)):
            bucket = buckets[(band, band_key)]
            near.update(bucket)
            bucket.append(i)
        for j in near:
            if _jaccard(signature, signatures[j]) >= SIMILARITY:
                finder.union(i, j)

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(keys)):
        clusters[finder.find(i)].append(i)
    candidates: list[list[int]] = []
    for members in clusters.values():
        where = set().union(*(variant_docs[keys[i]] for i in members))
        if len(where) < need:
            continue
        members.sort(key=lambda i: -len(variant_docs[keys[i]]))
        example = variant_text[keys[members[0]]]
        if len(keys[members[0]].split()) < ABOUT_WORDS or is_chrome(example):
            if not _sentence(example):
                model.chrome.update(keys[i] for i in members)
        else:
            candidates.append(members)
    trailing = _trailing_shares([{keys[i] for i in m} for m in candidates], long_keys)
    for members, share in zip(candidates, trailing, strict=True):
        if share < MIN_TRAILING_SHARE:
            continue  # a recurring quote or phrase inside the text: body, not boilerplate
        model.about.extend(signatures[i] for i in members[:MAX_VARIANTS])
        model.examples.append(variant_text[keys[members[0]]])
    model._build_index()
    return model
