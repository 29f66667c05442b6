"""The language of a release body (ISO 639-1), or None when the text is too
short to tell: a few words of Swedish pass for Norwegian or Danish."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MIN_LETTERS = 60
_LETTERS = re.compile(r"[^\W\d_]")
# Enough text to decide; classifying more only costs time.
_SAMPLE = 800


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_letters: int = MIN_LETTERS) -> str | None:
    sample = text[:_SAMPLE]
    if len(_LETTERS.findall(sample)) < min_letters:
        return None
    language, probability = _identifier().classify(sample)
    if probability < 0.5:
        return None
    return str(language)
