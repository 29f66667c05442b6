"""Synthetic Swedish-like releases for the benchmarks (deterministic)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from pressarchive.items import Contact, Release, Tag

# Real words from municipal press releases: the most frequent part of the vocabulary.
WORDS = (
    "kommunen staden trafiken bron broar skolan skolor förskolan barnen eleverna "
    "tryggheten trygghet arbetet samverkan polisen räddningstjänsten biblioteket "
    "kulturen museet utställningen parken vattnet ström strömmen hamnen bostäder "
    "byggandet detaljplanen nämnden kommunstyrelsen ordförande beslut budget "
    "investeringar klimatet energin solceller cykelvägar kollektivtrafiken bussar "
    "spårvagn invånare företag näringslivet turismen evenemang konserter idrott "
    "simhallen arenan föreningar ungdomar äldreomsorgen hemtjänsten socialtjänsten "
    "integration språket medborgare demokratin valet fullmäktige får far år åtgärder "
    "öppnar stänger bygger satsar välkomnar presenterar inviger planerar utvecklar"
).split()

FUNCTION_WORDS = (
    "och i att det som en på är för med av till den har de inte om ett vi kommer kan "
    "under också man nu så efter mer sig sina sin vara blir ska har varit många även"
).split()

SOURCES = ("bench-viatt", "bench-mynewsdesk", "bench-sitevision")
PEOPLE = [
    Contact("Anna Thörn", title="kommundirektör", phone="+46730202036"),
    Contact("Olle Vikmång", party="S", title="ordförande kommunstyrelsen", phone="+46706871538"),
    Contact("Helena Jalkner", role="sender", title="presskommunikatör", phone="+46725970900"),
    Contact("Sophia Jarl", party="M", title="kommunstyrelsens ordförande", phone="+46725836966"),
]


def _vocabulary(size: int = 20_000, seed: int = 1) -> list[str]:
    """The real words first, then Swedish-looking made-up words: a press room's
    vocabulary is large, and word frequencies fall off like Zipf's law."""
    rng = random.Random(seed)
    onsets = (
        "b",
        "br",
        "d",
        "f",
        "fr",
        "g",
        "h",
        "k",
        "kl",
        "l",
        "m",
        "n",
        "p",
        "r",
        "s",
        "sk",
        "sl",
        "st",
        "str",
        "t",
        "tr",
        "v",
        "sj",
        "tj",
    )
    vowels = ("a", "e", "i", "o", "u", "y", "å", "ä", "ö")
    codas = ("", "n", "r", "s", "t", "ng", "nd", "rt", "ck", "ll", "mm", "st")
    endings = ("", "en", "et", "ar", "er", "or", "arna", "erna", "ning", "het", "ande", "lig")
    # Function words are the most frequent in real Swedish text; the content
    # words a reader searches for sit further down the frequency ranking.
    words = list(FUNCTION_WORDS)
    seen = set(words) | set(WORDS)
    while len(words) < size:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
            for _ in range(rng.randint(1, 3))
        ) + rng.choice(endings)
        if word not in seen:
            seen.add(word)
            words.append(word)
    for i, word in enumerate(dict.fromkeys(WORDS)):
        words.insert(len(FUNCTION_WORDS) + 100 + i * 20, word)
    # The town the press room is in is among its most frequent words, so that
    # "i Norrköping" is a common phrase, as in a real municipality's archive.
    words.insert(len(FUNCTION_WORDS) + 5, "Norrköping")
    return words


VOCABULARY = _vocabulary()
_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]
_CUMULATIVE = list(__import__("itertools").accumulate(_WEIGHTS))


def sentence(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=rng.randint(8, 16))
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, size: int = 2000) -> str:
    paragraphs: list[str] = []
    length = 0
    while length < size:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size]


def releases(count: int, *, seed: int = 7) -> Iterator[Release]:
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, 8, tzinfo=UTC)
    for n in range(count):
        source = SOURCES[n % len(SOURCES)]
        yield Release(
            source=source,
            platform=source.removeprefix("bench-"),
            url=f"https://example.org/{source}/release/{n}",
            canonical_url=f"https://example.org/{source}/release/{n}",
            platform_id=str(n),
            title=sentence(rng)[:90],
            lead=sentence(rng),
            body_text=body(rng),
            organisation="Norrköpings kommun",
            published_at=start + timedelta(hours=n * 2),
            contacts=[PEOPLE[n % 2], PEOPLE[2 + n % 2]],
            tags=[Tag(rng.choice(("Trafik", "Skola", "Kultur", "Miljö")), "subject")],
        )
