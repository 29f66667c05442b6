"""The language of a release body (ISO 639-1), or None when the text is too
short to tell: a few words of Swedish pass for Norwegian or Danish.

Almost every page declares its language (`<html lang="sv">`, og:locale,
JSON-LD inLanguage) and almost every release is in the language its page
declares. A declaration is checked against the text with a handful of
function words frequent in that language and absent from its neighbours (no
"och", "att" or "är" in Norwegian or Danish); when they confirm it, the
statistical model (py3langid, some 75 MB resident and a millisecond a page) is
not needed and is never loaded. A text too terse to confirm it (a press
invitation's "Tid: … Plats: … Obligatorisk föranmälan …", seen on a real Via
TT page) keeps the declaration too, unless it holds words of another
language (English function words, Norwegian or Danish spellings): only then,
or with no declaration or no word list, does the model decide. Before, every
such invitation loaded the model into a crawl of Swedish pages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MIN_LETTERS = 60
_LETTERS = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W\d_]+")
# Enough text to decide; classifying more only costs time.
_SAMPLE = 800

# Frequent words of the language that its close neighbours spell otherwise
# (Swedish och/att/är/för/inte: Norwegian og/at/er/for/ikke; Danish og/at/er/for/ikke).
MARKERS: dict[str, frozenset[str]] = {
    "sv": frozenset(
        "och att är för inte ett också från när där detta sina även mycket skulle vara "
        "till eller hur vad".split()
    ),
    "en": frozenset(
        "the and of to is that with for was are this from have be which will their".split()
    ),
}
# Words that show a text is not in the declared language although that
# language's markers are too few to confirm it: the other lists' markers, and
# Norwegian and Danish spellings of frequent words that Swedish spells otherwise
# (og/och, ikke/inte, et/ett, til/till, fra/från, dette/detta, ...). Not "er"
# (är) nor "blir": Swedish has them too ("anmäl er", "det blir").
_NEIGHBOURS: dict[str, frozenset[str]] = {
    "sv": frozenset(
        "og ikke et jeg hva hvad hvor hvordan meget mye noen nogen også skal til fra "
        "hun vil kun der dette etter bliver".split()
    ),
}
# Another list's markers that the language writes too ("att be om", "is" = ice).
_HOMOGRAPHS: dict[str, frozenset[str]] = {"sv": frozenset({"be", "is"})}
OTHER_WORDS: dict[str, frozenset[str]] = {
    language: (
        frozenset().union(*(m for other, m in MARKERS.items() if other != language))
        | _NEIGHBOURS.get(language, frozenset())
    )
    - _HOMOGRAPHS.get(language, frozenset())
    for language in MARKERS
}
# Share of a sample's words that are markers above which the declaration stands.
# Swedish running text lies around 0.07-0.21 (the 43 golden pages); Norwegian,
# Danish and English text scores near 0 against the Swedish list.
MARKER_SHARE = 0.04


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _declared_base(declared: str | None) -> str | None:
    if not declared:
        return None
    return declared.replace("_", "-").split("-")[0].strip().lower() or None


def confirms(sample: str, language: str) -> bool:
    """Do the sample's words bear out `language` (one with a marker list)?"""
    markers = MARKERS.get(language)
    if markers is None:
        return False
    words = _WORDS.findall(sample.lower())
    if not words:
        return False
    return sum(word in markers for word in words) / len(words) >= MARKER_SHARE


def contradicts(sample: str, language: str) -> bool:
    """Does the sample hold words of another language than `language` (one
    with a marker list)? Two such words, or a marker share of them."""
    others = OTHER_WORDS[language]
    words = _WORDS.findall(sample.lower())
    found = sum(word in others for word in words)
    return found >= 2 or (bool(words) and found / len(words) >= MARKER_SHARE)


def detect_language(
    text: str, *, declared: str | None = None, min_letters: int = MIN_LETTERS
) -> str | None:
    """The language of `text`; `declared` is what the page says, if anything."""
    sample = text[:_SAMPLE]
    if len(_LETTERS.findall(sample)) < min_letters:
        return None
    base = _declared_base(declared)
    if base in MARKERS and (confirms(sample, base) or not contradicts(sample, base)):
        return base
    language, probability = _identifier().classify(sample)
    if probability < 0.5:
        return None
    return str(language)
