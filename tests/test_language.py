"""The release language: a page's declaration confirmed by its words, else the model."""

from __future__ import annotations

from pressarchive.refine import language
from pressarchive.refine.language import confirms, contradicts, detect_language

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


# A press invitation as a real Via TT page words it: lines of facts, no function words.
INVITATION = (
    "Tid: Klockan 11.30\n\nPlats: Hotel Skeppsholmen, Gröna gången 1, 111 49 Stockholm\n\n"
    "Obligatorisk föranmälan senast kl 11.00 via moderaterna.se\n\nMedtag legitimation."
)


# Swedish words that Norwegian or English also write ("er", "blir", "be") are no evidence.
TERSE_SWEDISH = (
    "Tid: Klockan 10.00\n\nPlats: Rådhuset, Drottninggatan 2, Norrköping\n\n"
    "Anmäl er senast fredag. Det blir fika, be gärna om en intervju efteråt."
)


def test_a_terse_text_keeps_its_declaration_without_the_model() -> None:
    for text in (INVITATION, TERSE_SWEDISH):
        assert not confirms(text, "sv") and not contradicts(text, "sv"), text
        language._identifier.cache_clear()
        assert detect_language(text, declared="sv") == "sv"
        assert language._identifier.cache_info().currsize == 0  # never loaded


def test_words_of_another_language_still_go_to_the_model() -> None:
    # too short to confirm Swedish, but English, Norwegian or Danish words speak against it
    english = "Photos from the opening of the new sports hall in Butängen are available here."
    danish = "Kommunen har besluttet, at der skal bygges en ny skole i Hageby, og at den er klar."
    assert contradicts(english, "sv") and contradicts(danish, "sv")
    assert detect_language(english, declared="sv") == "en"
    assert detect_language(danish, declared="sv") in ("da", "no", "nb")
