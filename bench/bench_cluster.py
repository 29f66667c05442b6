"""Near-duplicate clustering on synthetic Swedish-like releases.

    .venv/bin/python bench/bench_cluster.py [--sizes 10000,50000,100000]

Each size is a fresh archive of releases of 200-400 words drawn (Zipf-like)
from a synthetic Swedish-looking vocabulary, every one ending with its
organisation's shared phrases (a contact line, a sender line), so unrelated
releases of one organisation share text. 5% of the releases are near-copies
of another one: re-wrapped, re-dated by minutes to hours, lightly edited
(words changed, a sentence added, sometimes a title prefix).

The hard cases, `--hard` of each (300 by default): the same body under a
rewritten title; the same text re-posted 10 days and 30 days later; a
near-identical body (one word changed, re-wrapped) under the same title a day
later. Each must be found (recall per variant). And what must stay apart:
same-organisation template releases, weekly agendas (the same headings and
standing text, the week, dates and items changed, titles alike) and recurring
invitations (the same text, only the date and time changed, the same title),
published a week apart; they count in precision.

Prints a markdown table of precision and recall over pairs, recall per hard
variant, seconds and peak memory, and exits non-zero if a goal is missed.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pressarchive.dedupe.index import ClusterInput, cluster_all

GOAL_PRECISION = 0.99
GOAL_RECALL = 0.97
GOAL_HARD_RECALL = 0.98
HARD_VARIANTS = ("retitled", "repost_10_days", "repost_30_days", "near_identical")
GOAL_SECONDS_100K = 60.0
# seconds per 1,000 releases may grow this much from the smallest size to the largest
GROWTH_TOLERANCE = 1.5
DUPLICATE_SHARE = 0.05
SERIES_SHARE = 0.02  # originals that reuse their organisation's previous title
ORGANISATIONS = 200

_ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "st",
    "sk",
    "tr",
    "fr",
    "kr",
    "sv",
    "bl",
    "gr",
    "sj",
]
_VOWELS = ["a", "e", "i", "o", "u", "y", "å", "ä", "ö"]
_CODAS = ["", "n", "r", "s", "t", "ll", "nd", "ng", "rk", "st", "ck", "m"]
_FUNCTION_WORDS = (
    "och i att det som på är för med en till av den har de inte om ett kommun under nu kan".split()
)


def make_vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    seen: set[str] = set(_FUNCTION_WORDS)
    vocabulary = list(_FUNCTION_WORDS)
    while len(vocabulary) < size:
        syllables = int(rng.integers(1, 4))
        word = "".join(
            _ONSETS[rng.integers(len(_ONSETS))]
            + _VOWELS[rng.integers(len(_VOWELS))]
            + _CODAS[rng.integers(len(_CODAS))]
            for _ in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            vocabulary.append(word)
    return vocabulary


@dataclass
class Corpus:
    records: list[ClusterInput]
    true_pairs: set[tuple[int, int]]
    # variant -> the (original, copy) pairs that must be found
    hard_pairs: dict[str, list[tuple[int, int]]]
    template_keys: set[int]


def _sentences(words: list[str], rng: np.random.Generator) -> str:
    out: list[str] = []
    i = 0
    while i < len(words):
        n = int(rng.integers(8, 20))
        chunk = words[i : i + n]
        out.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
        i += n
    return " ".join(out)


def _rewrap(text: str, rng: np.random.Generator) -> str:
    words = text.split(" ")
    width = int(rng.integers(50, 90))
    lines, line = [], ""
    for w in words:
        if len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return "\n".join(lines)


_MONTHS = "januari februari mars april maj juni juli augusti september oktober november".split()


def _agenda(org_line: str, week: int, items: str) -> str:
    day = 1 + week % 27
    month = _MONTHS[week % 11]
    return (
        f"Veckans agenda för kommunstyrelsen vecka {week}. Sammanträdet hålls måndag den "
        f"{day} {month} klockan 13.00 i stadshusets sessionssal och är öppet för allmänheten. "
        f"Ärenden på dagordningen: {items} Handlingarna finns på kommunens webbplats från "
        f"torsdag den {day - 4 if day > 4 else day + 2} {month}. Frågor om sammanträdet "
        f"besvaras av kommunsekreteraren. {org_line}"
    )


def _invitation(org_line: str, place: str, when: datetime) -> str:
    return (
        f"Välkommen till öppet hus på {place} den {when.day} {_MONTHS[when.month % 11]} klockan "
        f"{when.hour}.00 till {when.hour + 3}.00. Du får träffa personalen, se lokalerna och "
        f"ställa frågor om verksamheten. Det bjuds på kaffe och det finns aktiviteter för barn "
        f"i alla åldrar. Ingen föranmälan behövs och entrén är gratis. Lokalen är "
        f"tillgänglighetsanpassad. Varmt välkomna önskar personalen på {place}. {org_line}"
    )


def make_corpus(size: int, seed: int = 7, hard: int = 300) -> Corpus:
    rng = np.random.default_rng(seed)
    vocabulary = make_vocabulary(rng, 40_000)
    ranks = np.arange(1, len(vocabulary) + 1, dtype=np.float64)
    weights = 1.0 / ranks**0.9
    weights /= weights.sum()
    org_lines = [
        (
            f"Kontakt: {vocabulary[rng.integers(2000, 40000)].capitalize()} "
            f"{vocabulary[rng.integers(2000, 40000)].capitalize()}, pressansvarig, telefon 011-15 {int(rng.integers(10, 99))} {int(rng.integers(10, 99))}. "
            f"Avsändare: {vocabulary[rng.integers(2000, 40000)].capitalize()} kommun, kommunikationsavdelningen."
        )
        for _ in range(ORGANISATIONS)
    ]
    n_duplicates = int(size * DUPLICATE_SHARE)
    n_originals = size - n_duplicates
    start = datetime(2017, 1, 1, tzinfo=UTC)
    lengths = rng.integers(200, 401, size=n_originals)
    all_words = rng.choice(len(vocabulary), size=int(lengths.sum()), p=weights)
    title_words = rng.choice(len(vocabulary), size=(n_originals, 7), p=weights)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    records: list[ClusterInput] = []
    last_of_org: dict[int, ClusterInput] = {}
    for i in range(n_originals):
        body_words = [vocabulary[j] for j in all_words[offsets[i] : offsets[i + 1]]]
        org = int(rng.integers(ORGANISATIONS))
        text = _sentences(body_words, rng) + " " + org_lines[org]
        title = " ".join(vocabulary[j] for j in title_words[i]).capitalize()
        published = start + timedelta(minutes=int(rng.integers(0, 9 * 365 * 24 * 60)))
        previous = last_of_org.get(org)
        if previous is not None and previous.published_at and rng.random() < SERIES_SHARE:
            # a recurring release ("Veckans evenemang"): the same title days
            # later, the same contact lines, a different text: not a duplicate
            title = previous.title
            published = previous.published_at + timedelta(hours=int(rng.integers(24, 6 * 24)))
        record = ClusterInput(key=i, title=title, text=text, published_at=published)
        last_of_org[org] = record
        records.append(record)
    true_pairs: set[tuple[int, int]] = set()
    copies_of: dict[int, list[int]] = {}
    for d in range(n_duplicates):
        key = n_originals + d
        original = records[int(rng.integers(n_originals))]
        words = original.text.split(" ")
        for _ in range(int(rng.integers(1, 6))):  # one to five words changed
            words[int(rng.integers(len(words)))] = vocabulary[int(rng.integers(len(vocabulary)))]
        for _ in range(int(rng.integers(0, 3))):  # up to two sentences added
            extra = [vocabulary[j] for j in rng.choice(len(vocabulary), size=12, p=weights)]
            at = int(rng.integers(len(words)))
            words[at:at] = [*extra[:-1], extra[-1] + "."]
        if rng.random() < 0.2:  # the last sentence dropped (a shorter web version)
            cut = max((i for i, w in enumerate(words[:-1]) if w.endswith(".")), default=len(words))
            words = words[: cut + 1]
        text = _rewrap(" ".join(words), rng)
        title = original.title
        if rng.random() < 0.3:
            title = "Pressinbjudan: " + title
        assert original.published_at is not None
        published = original.published_at + timedelta(minutes=int(rng.integers(1, 12 * 60)))
        records.append(ClusterInput(key=key, title=title, text=text, published_at=published))
        group = copies_of.setdefault(original.key, [original.key])
        group.append(key)
    hard_pairs: dict[str, list[tuple[int, int]]] = {v: [] for v in HARD_VARIANTS}
    key = len(records)
    # originals of the hard cases: fresh releases, so each pair is its own cluster
    for variant in HARD_VARIANTS:
        for _ in range(hard):
            base = records[int(rng.integers(n_originals))]
            body = base.text.split(" ")
            rng.shuffle(body)  # new text with the same statistics
            text = _sentences(body, rng)
            title = " ".join(vocabulary[j] for j in rng.choice(len(vocabulary), 7, p=weights))
            published = start + timedelta(minutes=int(rng.integers(0, 9 * 365 * 24 * 60)))
            original = ClusterInput(key, title.capitalize(), text, published)
            copy_text, copy_title = _rewrap(text, rng), original.title
            if variant == "retitled":
                copy_title = " ".join(
                    vocabulary[j] for j in rng.choice(len(vocabulary), 8, p=weights)
                ).capitalize()
                later = timedelta(minutes=int(rng.integers(1, 12 * 60)))
            elif variant == "repost_10_days":
                later = timedelta(days=10, minutes=int(rng.integers(0, 600)))
            elif variant == "repost_30_days":
                later = timedelta(days=30) - timedelta(minutes=int(rng.integers(0, 600)))
            else:  # near_identical: one word changed, re-wrapped, a day later
                words = text.split(" ")
                words[int(rng.integers(len(words)))] = vocabulary[int(rng.integers(2000, 40000))]
                copy_text = _rewrap(" ".join(words), rng)
                later = timedelta(days=1)
            copy = ClusterInput(key + 1, copy_title, copy_text, published + later)
            records.extend((original, copy))
            hard_pairs[variant].append((key, key + 1))
            true_pairs.add((key, key + 1))
            key += 2
    # templates that must stay apart: a weekly agenda and a recurring invitation
    # per organisation, each issue a week after the previous one
    template_keys: set[int] = set()
    for org in range(min(ORGANISATIONS, max(1, hard // 10))):
        first = start + timedelta(days=int(rng.integers(0, 8 * 365)))
        place = f"{vocabulary[int(rng.integers(2000, 40000))].capitalize()} bibliotek"
        for issue in range(10):
            when = first + timedelta(days=7 * issue, hours=int(rng.integers(0, 3)))
            items = _sentences(
                [vocabulary[j] for j in rng.choice(len(vocabulary), 40, p=weights)], rng
            )
            week = when.isocalendar().week
            records.append(
                ClusterInput(
                    key, f"Veckans agenda vecka {week}", _agenda(org_lines[org], week, items), when
                )
            )
            at = when.replace(hour=10 + issue % 8)
            records.append(
                ClusterInput(
                    key + 1, f"Öppet hus på {place}", _invitation(org_lines[org], place, at), when
                )
            )
            template_keys.update((key, key + 1))
            key += 2
    for group in copies_of.values():
        true_pairs.update((min(a, b), max(a, b)) for a, b in combinations(group, 2))
    order = rng.permutation(len(records))
    return Corpus([records[i] for i in order], true_pairs, hard_pairs, template_keys)


def predicted_pairs(clusters: dict[int, int]) -> set[tuple[int, int]]:
    members: dict[int, list[int]] = {}
    for key, cluster in clusters.items():
        members.setdefault(cluster, []).append(key)
    pairs: set[tuple[int, int]] = set()
    for group in members.values():
        pairs.update((min(a, b), max(a, b)) for a, b in combinations(group, 2))
    return pairs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(size: int, hard: int) -> dict[str, float]:
    corpus = make_corpus(size, hard=hard)
    gc.collect()
    rss_before = peak_rss_mb()
    load = os.getloadavg()[0]
    # CPU seconds: on a shared machine wall time says more about the neighbours
    started = time.process_time()
    clusters = cluster_all(corpus.records)
    seconds = time.process_time() - started
    predicted = predicted_pairs(clusters)
    hits = len(predicted & corpus.true_pairs)
    variants = {
        f"recall_{variant}": sum(clusters[a] == clusters[b] for a, b in pairs) / len(pairs)
        for variant, pairs in corpus.hard_pairs.items()
        if pairs
    }
    wrong_templates = [
        (a, b) for a, b in predicted - corpus.true_pairs if a in corpus.template_keys
    ]
    return {
        **variants,
        "template_pairs_joined": len(wrong_templates),
        "templates": len(corpus.template_keys),
        "size": size,
        "load": load,
        "precision": hits / len(predicted) if predicted else 1.0,
        "recall": hits / len(corpus.true_pairs) if corpus.true_pairs else 1.0,
        "seconds": seconds,
        "per_1k": seconds / size * 1000,
        "peak_rss_mb": peak_rss_mb(),
        "rss_growth_mb": peak_rss_mb() - rss_before,
        "true_pairs": len(corpus.true_pairs),
        "predicted_pairs": len(predicted),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--hard", type=int, default=300, help="pairs of each hard variant")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(
        "| releases | true pairs | found pairs | precision | recall | CPU seconds | CPU s per 1k "
        "| peak RSS MB | load (1 min) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed: list[str] = []
    per_1k: list[float] = []
    results: list[dict[str, float]] = []
    for size in sizes:
        r = run(size, args.hard)
        results.append(r)
        per_1k.append(r["per_1k"])
        print(
            f"| {size:,} | {r['true_pairs']:,.0f} | {r['predicted_pairs']:,.0f} | {r['precision']:.4f} "
            f"| {r['recall']:.4f} | {r['seconds']:.1f} | {r['per_1k']:.3f} | {r['peak_rss_mb']:.0f} "
            f"| {r['load']:.1f} |",
            flush=True,
        )
        if r["precision"] < GOAL_PRECISION:
            failed.append(f"precision {r['precision']:.4f} < {GOAL_PRECISION} at {size}")
        for variant in HARD_VARIANTS:
            value = r.get(f"recall_{variant}")
            if value is not None and value < GOAL_HARD_RECALL:
                failed.append(f"recall {value:.4f} < {GOAL_HARD_RECALL} on {variant} at {size}")
        if r["recall"] < GOAL_RECALL:
            failed.append(f"recall {r['recall']:.4f} < {GOAL_RECALL} at {size}")
        if size >= 100_000 and r["seconds"] > GOAL_SECONDS_100K * size / 100_000:
            failed.append(f"{r['seconds']:.1f} s > {GOAL_SECONDS_100K} s per 100k at {size}")
    print(
        "\n| releases | "
        + " | ".join(f"recall {v.replace('_', ' ')}" for v in HARD_VARIANTS)
        + " | template releases | template pairs wrongly joined |"
    )
    print("|---:|" + "---:|" * (len(HARD_VARIANTS) + 2))
    for r in results:
        print(
            f"| {r['size']:,} | "
            + " | ".join(f"{r.get(f'recall_{v}', float('nan')):.4f}" for v in HARD_VARIANTS)
            + f" | {r['templates']:,.0f} | {r['template_pairs_joined']:,.0f} |"
        )
    if len(per_1k) >= 2 and per_1k[-1] > GROWTH_TOLERANCE * per_1k[0]:
        failed.append(
            f"not linear: {per_1k[-1]:.3f} s per 1k at {sizes[-1]} vs {per_1k[0]:.3f} at {sizes[0]}"
        )
    for message in failed:
        print(f"GOAL MISSED: {message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
