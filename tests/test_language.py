"""The release language: a page's declaration confirmed by its words, else the model."""

from __future__ import annotations

from pressarchive.refine import language
from pressarchive.refine.language import confirms, detect_language

SWEDISH = (
    "Kommunen har beslutat att bygga en ny skola i Hageby och att den ska stå klar till "
    "hösten. Det är ett efterlängtat beslut för många familjer, som länge har haft långt "
    "till närmaste skola. Arbetet börjar redan i vår och pågår under hela året."
)
ENGLISH = (
    "The municipality has decided that the new school in Hageby will open in August. This "
    "is the result of a long process with the residents and the school board, which have "
    "been involved from the start and will follow the work."
)
NORWEGIAN = (
    "Kommunen har bestemt at det skal bygges en ny skole i Hageby, og at den skal stå ferdig "
    "til høsten. Det er et etterlengtet vedtak for mange familier, som lenge har hatt lang "
    "vei til nærmeste skole. Arbeidet begynner allerede i vår."
)


def test_a_declaration_the_words_confirm_needs_no_model() -> None:
    language._identifier.cache_clear()
    assert detect_language(SWEDISH, declared="sv-SE") == "sv"
    assert detect_language(ENGLISH, declared="en") == "en"
    assert language._identifier.cache_info().currsize == 0  # never loaded


def test_a_declaration_the_words_do_not_confirm_goes_to_the_model() -> None:
    # an English release, a Norwegian one, on a site that declares Swedish
    assert not confirms(ENGLISH, "sv") and not confirms(NORWEGIAN, "sv")
    assert detect_language(ENGLISH, declared="sv") == "en"
    assert detect_language(NORWEGIAN, declared="sv") in ("no", "nb", "nn")


def test_without_a_declaration_the_model_decides() -> None:
    assert detect_language(SWEDISH) == "sv"
    assert detect_language("Kort text.", declared="sv") is None  # too short to tell
