"""Contact blocks -> contacts (pressarchive.refine.contacts), on the seeds' blocks."""

from __future__ import annotations

import pytest

from pressarchive.items import Contact
from pressarchive.refine.contacts import (
    Card,
    clean_email,
    email_is_valid,
    extract_contacts,
    looks_like_name,
    merge_contacts,
    normalise_phone,
    read_card,
)

KNOWN = ["Norrköpings kommun", "norrkoping.se"]

# seed 000 (Mynewsdesk), one line per block as the extractor's <br>s give them
SEED_000 = """Kontaktperson:
Pernilla Thott-Ljung
Titel: kontorschef på arbetsmarknads- och vuxenutbildningskontoret
Telefon: 011-15 10 88
Lars Stjernkvist (S)
Titel: kommunstyrelsens ordförande
Telefon: 070-527 26 27
Matilda Jonsson (S)
Titel: ordförande i arbetsmarknads- och vuxenutbildningsnämnden
Telefon: 070-404 97 81
______________________________________________________________________
Avsändare: Iréne Lidén, presskommunikatör
Telefon: 011-15 11 24
Let's create Norrköping!""".split("\n")

# seed 003 (Via TT)
SEED_003 = """Det är många kommunala verksamheter som är engagerade i områdesutvecklingen i dessa områden.
Kontakt:
Olle Vikmång (S)
Titel: ordförande kommunstyrelsen
Telefon: 070-687 15 38
Anna Thörn
Titel: kommundirektör
Telefon: 073-020 20 36
_____________________________________________
Avsändare: Helena Jalkner, presskommunikatör
Telefon: 072-597 09 00
Om""".split("\n")


def test_seed_000_contacts() -> None:
    found = extract_contacts(SEED_000, known_domains=KNOWN)
    assert found.contacts == [
        Contact(
            name="Pernilla Thott-Ljung",
            title="kontorschef på arbetsmarknads- och vuxenutbildningskontoret",
            phone="+4611151088",
        ),
        Contact(
            name="Lars Stjernkvist",
            party="S",
            title="kommunstyrelsens ordförande",
            phone="+46705272627",
        ),
        Contact(
            name="Matilda Jonsson",
            party="S",
            title="ordförande i arbetsmarknads- och vuxenutbildningsnämnden",
            phone="+46704049781",
        ),
        Contact(name="Iréne Lidén", role="sender", title="presskommunikatör", phone="+4611151124"),
    ]
    assert found.used == set(range(13))  # "Let's create Norrköping!" stays


def test_seed_003_contacts() -> None:
    found = extract_contacts(SEED_003, known_domains=KNOWN)
    assert found.contacts == [
        Contact(
            name="Olle Vikmång", party="S", title="ordförande kommunstyrelsen", phone="+46706871538"
        ),
        Contact(name="Anna Thörn", title="kommundirektör", phone="+46730202036"),
        Contact(
            name="Helena Jalkner", role="sender", title="presskommunikatör", phone="+46725970900"
        ),
    ]
    assert found.used == set(range(1, 11))


def test_one_line_contacts_and_other_openers() -> None:
    lines = [
        "För mer information, kontakta:",
        "Anna Selander, kommundirektör, 0724-65 20 54, anna.selander@norrkoping.se",
        "Mer information: Sophia Jarl (M), kommunstyrelsens ordförande",
        "Mobil: 0725-83 69 66",
        "E-post: sophia.jarl@norrkoping.se",
        "Mer om arbetet med samverkansteam",
    ]
    found = extract_contacts(lines, known_domains=KNOWN)
    assert found.contacts == [
        Contact(
            name="Anna Selander",
            title="kommundirektör",
            phone="+46724652054",
            email="anna.selander@norrkoping.se",
        ),
        Contact(
            name="Sophia Jarl",
            party="M",
            title="kommunstyrelsens ordförande",
            phone="+46725836966",
            email="sophia.jarl@norrkoping.se",
        ),
    ]
    assert 5 not in found.used  # a link title is not a person


def test_unit_contact_on_sitevision() -> None:
    found = extract_contacts(["Kontakt", "Utrednings- och utvecklingsenheten"])
    assert found.contacts == [
        Contact(
            name="Utrednings- och utvecklingsenheten",
            organisation="Utrednings- och utvecklingsenheten",
        )
    ]


def test_garbled_email_is_dropped_with_flag() -> None:
    lines = [
        "Kontakt:",
        "Malin Björkhammar",
        "E-post: malfria.bjorkhummelgzzarynrejfn@norrkopiamng.se",
    ]
    found = extract_contacts(lines, known_domains=KNOWN)
    assert found.contacts == [Contact(name="Malin Björkhammar")]
    assert found.flags == ["email_invalid"]


def test_prose_after_mer_information_is_not_a_contact() -> None:
    found = extract_contacts(["Mer information: finns på kommunens webbplats."])
    assert found.contacts == [] and found.used == set()


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("070-687 15 38", "+46706871538"),
        ("0724-65 20 54", "+46724652054"),
        ("011-15 10 88", "+4611151088"),
        ("+46 (0)11 15 11 24", "+4611151124"),
        ("08-123 456 78", "+46812345678"),
    ],
)
def test_normalise_phone(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


def test_normalise_phone_rejects_non_numbers() -> None:
    assert normalise_phone("12") is None
    assert normalise_phone("tel") is None
    assert normalise_phone("0") is None


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("louise.flygt@norrkoping.se", True),
        ("caroline.amneus@norrkoping.se", True),
        ("info@norrkopingskommun.se", True),
        ("louivelzse.flygt@nweorrkoping.pqse", False),
        ("fhirruykbbene.liubden@norbdeuwrrblkopiffngwlfxbmmqjroshc.snoe", False),
        ("malfria.bjorkhummelgzzarynrejfn@norrkopiamng.se", False),
        ("not-an-address", False),
        ("press@example.com", True),
    ],
)
def test_email_is_valid(email: str, valid: bool) -> None:
    assert email_is_valid(email, KNOWN) is valid


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        # as Via TT's and Mynewsdesk's contact cards give them, and the refine stage
        ("mailto:Helena.Jalkner@norrkoping.se?subject=Fr%C3%A5ga", "helena.jalkner@norrkoping.se"),
        ("anna.thorn @ norrkoping.se", "anna.thorn@norrkoping.se"),
        (" press@sd.se ", "press@sd.se"),
        ("malfria.bjorkhummelgzzarynrejfn@norrkopiamng.se", None),
        ("mailto:", None),
        (None, None),
    ],
)
def test_clean_email(raw: str | None, email: str | None) -> None:
    assert clean_email(raw, KNOWN) == email


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Anna Thörn", True),
        ("Pernilla Thott-Ljung", True),
        ("Ebba von Sydow", True),
        ("Mer om arbetet med samverkansteam", False),
        ("Let's create Norrköping!", False),
        ("Norrköping", False),
    ],
)
def test_looks_like_name(text: str, ok: bool) -> None:
    assert looks_like_name(text) is ok


def test_merge_keeps_each_person_once_per_role_with_the_richer_fields() -> None:
    cards = [
        Contact(
            name="Iréne Lidén",
            role="press_contact",
            title="Presskommunikatör",
            email="irene.liden@norrkoping.se",
        ),
    ]
    found = [
        Contact(name="Irene  Liden", role="press_contact", phone="+4611151124"),
        Contact(name="Iréne Lidén", role="sender", title="presskommunikatör", phone="+4611151124"),
        Contact(name="Anna Thörn", title="kommundirektör"),
        Contact(name="Anna Thörn", title="kommundirektör och ansvarig för chefssamrådet"),
    ]
    merged = merge_contacts(cards, found)
    assert [(c.name, c.role) for c in merged] == [
        ("Iréne Lidén", "press_contact"),
        ("Iréne Lidén", "sender"),
        ("Anna Thörn", "contact"),
    ]
    card = merged[0]
    assert (card.email, card.phone, card.title) == (
        "irene.liden@norrkoping.se",
        "+4611151124",
        "Presskommunikatör",
    )
    assert merged[2].title == "kommundirektör och ansvarig för chefssamrådet"
    assert merge_contacts(merged, found) == merged


@pytest.mark.parametrize(
    ("lines", "card"),
    [
        (
            ["Anna Thörn", "kommundirektör", "Telefon: 073-020 20 36", "anna.thorn@norrkoping.se"],
            Card("Anna Thörn", "kommundirektör", "073-020 20 36", "anna.thorn@norrkoping.se"),
        ),
        (
            ["Olle Vikmång (S)", "Tel 070-687 15 38", "E-post: olle.vikmang@norrkoping.se"],
            Card("Olle Vikmång (S)", "", "070-687 15 38", "olle.vikmang@norrkoping.se"),
        ),
        (
            ["Helena Jalkner", "presskommunikatör", "Mobil: 072-597 09 00", "Skriv till oss"],
            Card("Helena Jalkner", "presskommunikatör", "072-597 09 00", ""),
        ),
        ([" ", ""], None),
    ],
)
def test_read_card(lines: list[str], card: Card | None) -> None:
    assert read_card(lines) == card


CARD_HTML = (
    "<p>Anna Thörn<br>kommundirektör<br>Telefon: 073-020 20 36<br>anna.thorn@norrkoping.se</p>"
)


def test_the_heading_reader_and_sitevision_read_a_card_alike() -> None:
    import lxml.html

    from pressarchive.extract import labels, sitevision

    element = lxml.html.fragment_fromstring(CARD_HTML)
    by_label = labels._card(element, "contact")
    by_sitevision = sitevision._card(element, unit_allowed=False)
    assert by_label == by_sitevision
    assert by_label is not None and by_label.phone == "+46730202036"
