"""The learned about-text model (pressarchive.refine.about_model) on ~30 synthetic
releases of one source whose about paragraph drifts over the years."""

from __future__ import annotations

import random

import pytest

from pressarchive.refine.about_model import AboutModel, learn_about

SUBJECTS = [
    "Tekniska nämnden",
    "Kultur- och fritidskontoret",
    "Stadsplaneringsnämnden",
    "Utbildningskontoret",
    "Socialkontoret",
    "Kommunstyrelsen",
]
VERBS = ["beslutade idag", "presenterar", "inleder", "utreder", "bjuder in till", "avslutar"]
OBJECTS = [
    "en ny bro över Motala ström",
    "arbetet med trygghet i Navestad",
    "planerna för Inre Hamnen",
    "stipendier inom kultur och idrott",
    "en ny skola i Ljura",
    "satsningen på extratjänster",
    "ombyggnaden av Rådhuset",
    "en spårvagnslinje till Vrinnevi",
]
EXTRAS = [
    "Arbetet beräknas vara klart under hösten.",
    "Beslutet fattades enhälligt.",
    "Allmänheten kan lämna synpunkter fram till sommaren.",
    "Kostnaden beräknas till flera miljoner kronor.",
    "Projektet drivs tillsammans med Region Östergötland.",
]

QUOTE_IN_TWO = (
    "– Det här är en mycket viktig dag för hela Norrköping och för alla som bor och verkar "
    "här, säger Olle Vikmång (S), kommunstyrelsens ordförande."
)

ABOUT_2014 = (
    "Norrköpings kommun har cirka {pop} invånare, varav cirka 60 000 är förvärvsarbetande. "
    "I kommunen finns drygt {firms} företag i starka branscher som pappersindustri, transport "
    "och logistik, energi, visualisering och medieteknik samt besöksnäring. Med drygt 11 000 "
    "anställda är Norrköpings kommun den största arbetsgivaren i Norrköping. Under "
    "mandatperioden {term} styrs Norrköpings kommun av {rule}."
)
KVARTETT = "en kvartett, som består av S, L, C och KD"
BORGERLIG = "borgerlig samverkan, som består av M, KD och L"


def about(i: int) -> str:
    """Release i's about paragraph: the population grows, the rule changes."""
    pop = 139_000 + i * 200
    return ABOUT_2014.format(
        pop=f"{pop // 1000} {pop % 1000:03d}",
        firms="9 000" if i < 18 else "13 000",
        term="2014-2018" if i < 10 else "2018-2022" if i < 20 else "2022-2026",
        rule=KVARTETT if i < 20 else BORGERLIG,
    )


VOCABULARY = " ".join([*SUBJECTS, *VERBS, *OBJECTS, *EXTRAS]).replace(".", "").split() + [
    f"ord{i}" for i in range(300)
]


def prose(rng: random.Random) -> str:
    """A release paragraph: its own words, with the source's usual phrases."""
    opening = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} i Norrköping."
    words = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(20, 40)))
    return f"{opening} {words.capitalize()}. {rng.choice(EXTRAS)}"


def releases(n: int = 30, seed: int = 5) -> list[list[str]]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        doc = ["Dela", prose(rng), prose(rng), prose(rng), "Kontakt:", "Titel: kommundirektör"]
        if i in (4, 21):
            doc.insert(2, QUOTE_IN_TWO)
        doc += [f"Telefon: 070-{i:03d} 15 38", "Let's create Norrköping!", about(i)]
        docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def model() -> AboutModel:
    return learn_about(releases())


def test_every_variant_of_the_drifting_about_paragraph_is_caught(model: AboutModel) -> None:
    assert all(model.kind(about(i)) == "about" for i in range(30))
    # and the variants to come: later populations, a new term
    assert model.kind(about(45)) == "about"
    assert model.kind(about(29).replace("13 000", "14 500")) == "about"


def test_a_sentence_in_only_two_releases_is_not_caught(model: AboutModel) -> None:
    assert model.kind(QUOTE_IN_TWO) == "body"


def test_release_prose_is_body(model: AboutModel) -> None:
    rng = random.Random(99)
    assert all(model.kind(prose(rng)) == "body" for _ in range(20))


def test_recurring_short_lines_are_chrome_not_about(model: AboutModel) -> None:
    for line in ("Dela", "Kontakt:", "Titel: kommundirektör", "Telefon: 070-999 15 38"):
        assert model.kind(line) == "chrome"


def test_split_puts_the_heading_with_the_about_text(model: AboutModel) -> None:
    doc = releases(1, seed=11)[0]
    body, about_paragraphs = model.split(doc)
    assert about_paragraphs == ["Let's create Norrköping!", about(0)]
    assert body == doc[1:4]


def test_json_round_trip(model: AboutModel) -> None:
    again = AboutModel.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    doc = releases(1, seed=3)[0]
    assert again.split(doc) == model.split(doc)


def test_thresholds_scale_with_the_number_of_releases() -> None:
    docs = releases(30)
    # the about paragraph in 5 of 30 releases is below a 20 % share
    for doc in docs[5:]:
        doc.pop()
    assert learn_about(docs).kind(about(0)) == "body"
    assert learn_about(docs, min_share=0.1).kind(about(0)) == "about"


def test_too_few_releases_learn_nothing() -> None:
    model = learn_about(releases(2))
    assert model.about == [] and model.chrome == set()


def test_a_quote_recurring_inside_many_releases_stays_body() -> None:
    docs = releases(30)
    for i, doc in enumerate(docs):
        if i % 2:
            doc.insert(2, QUOTE_IN_TWO)  # in half the releases, between their own paragraphs
    model = learn_about(docs)
    assert model.kind(QUOTE_IN_TWO) == "body"
    assert model.kind(about(7)) == "about"


def test_a_recurring_closing_sentence_stays_body_and_is_not_the_about_heading() -> None:
    closing = "Beslutet fattades enhälligt vid nämndens sammanträde."
    docs = releases(30)
    for doc in docs[::2]:
        doc.insert(-2, closing)
    model = learn_about(docs)
    assert model.kind(closing) == "body"
    doc = ["Nämnden beslutade om en ny bro.", closing, about(3)]
    assert model.classify(doc) == ["body", "body", "about"]
