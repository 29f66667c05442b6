"""The language of a release body (ISO 639-1), or None when the text is too
short to tell: a few words of Swedish pass for Norwegian or Danish.

Almost every page declares its language (`<html lang="sv">`, og:locale,
JSON-LD inLanguage) and almost every release is in the language its page
declares. A declaration is checked against the text with a handful of
function words frequent in that language and absent from its neighbours (no
"och", "att" or "är" in Norwegian or Danish); when they confirm it, the
statistical model (py3langid, some 75 MB resident and a millisecond a page) is
not needed and is never loaded. An undeclared language, one without a word
list, or a text the words do not confirm (an English release on a Swedish
site) goes to the model.
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


def detect_language(
    text: str, *, declared: str | None = None, min_letters: int = MIN_LETTERS
) -> str | None:
    """The language of `text`; `declared` is what the page says, if anything."""
    sample = text[:_SAMPLE]
    if len(_LETTERS.findall(sample)) < min_letters:
        return None
    base = _declared_base(declared)
    if base is not None and confirms(sample, base):
        return base
    language, probability = _identifier().classify(sample)
    if probability < 0.5:
        return None
    return str(language)
