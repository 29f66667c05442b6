"""refine(): the seeds' article containers, as the extractors hand them over,
come out with no chrome, no about-text in the body and exact contacts."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from pressarchive.items import Contact, Event, Release
from pressarchive.refine.about_model import AboutModel, learn_about
from pressarchive.refine.cleaning import refine
from pressarchive.refine.html import html_blocks

ORG = "Norrköpings kommun"

# --- seed 003, Via TT: the article container from the organisation line down ----

VIATT_LEAD = (
    "Stadsdelen Klockaretorpet i Norrköping har funnits med på polisens nationella lista över "
    "utsatta områden. Området tas nu bort från listan och det betyder att det enda området i "
    "staden som är kvar på listan är Navestad."
)
VIATT_BODY = [
    "Ett utsatt område är enligt polisen ett område som är geografiskt avgränsat och där den "
    "socioekonomiska statusen är låg. Samtidigt har kriminella en inverkan på lokalsamhället.",
    "– Klockaretorpet, och sedan tidigare även Hageby, är nu borttagna områden vilket självklart "
    "är glädjande. Ett av våra mål är att inte ha några områden alls med på listan, säger Olle "
    "Vikmång (S), kommunstyrelsens ordförande.",
    "– Vi kommer att fortsätta vårt arbete och göra fler insatser inom den kommunala "
    "verksamheten för en ännu bättre utveckling i dessa områden, säger Anna Thörn.",
]
ABOUT_2018 = (
    "Norrköpings kommun har omkring 143 500 invånare, varav cirka 68 000 är förvärvsarbetande. "
    "I kommunen finns drygt 9 000 företag i starka branscher som pappersindustri, transport och "
    "logistik, energi, visualisering, medieteknik samt besöksnäring. Dessutom finns många "
    "företag inom de gröna näringarna. Med drygt 11 000 anställda är Norrköpings kommun den "
    "största arbetsgivaren i Norrköping. Under mandatperioden 2018-2022 styrs Norrköpings "
    "kommun av en kvartett, som består av S, L, C och KD."
)
VIATT_HTML = f"""
<div class="publisher">Norrköpings kommun</div>
<h1>Klockaretorpet klassas inte längre som utsatt område på nationell lista</h1>
<div class="meta">25.11.2022 14:00:06 CET | Norrköpings kommun | Pressmeddelande</div>
<button class="share">Dela</button>
<p class="lead"><strong>{VIATT_LEAD}</strong></p>
<div class="body">
  {"".join(f"<p>{p}</p>" for p in VIATT_BODY)}
  <p>Kontakt:</p>
  <p>Olle Vikmång (S)<br>Titel: ordförande kommunstyrelsen<br>Telefon: 070-687 15 38</p>
  <p>Anna Thörn<br>Titel: kommundirektör<br>Telefon: 073-020 20 36</p>
  <p>_____________________________________________</p>
  <p>Avsändare: Helena Jalkner, presskommunikatör<br>Telefon: 072-597 09 00</p>
  <p>&nbsp;</p>
</div>
<div class="about">
  <h2>Om</h2>
  <p>Norrköpings kommun</p>
  <address>Norrköpings kommun<br>Rådhuset<br>604 81 Norrköping</address>
  <p><a href="http://norrkoping.se">http://norrkoping.se</a></p>
  <p>{ABOUT_2018}</p>
</div>
<div class="follow"><h3>Följ Norrköpings kommun</h3>
  <p>Abonnera på våra pressmeddelanden. Endast mejladress behövs och den används bara här.
  Du kan avanmäla dig när som helst.</p></div>
<h3>Senaste pressmeddelandena från Norrköpings kommun</h3>
<ul><li><a href="/pressmeddelande/1">Norrköpings kommun välkomnar JO:s granskning</a>
  25.11.2022 14:00:06 CET | Pressmeddelande</li></ul>
<p>I vårt pressrum kan du läsa de senaste pressmeddelandena, få tillgång till pressmaterial och
hitta kontaktinformation.</p>
<p><a href="/publisher/1347718">Besök vårt pressrum</a></p>
<span>Hidden<img alt="A line styled icon from Orion Icon Library">.Eye</span>
"""

# --- seed 004, Via TT: no "Om" heading, the about paragraph after the sender ---

ABOUT_2022 = (
    "Norrköpings kommun har omkring 145 000 invånare, varav cirka 68 000 är förvärvsarbetande. "
    "I kommunen finns drygt 13 000 företag i starka branscher som pappersindustri, transport och "
    "logistik, energi, visualisering och medieteknik samt besöksnäring. Med drygt 11 000 "
    "anställda är Norrköpings kommun den största arbetsgivaren i Norrköping. Under "
    "mandatperioden 2022-2026 styrs Norrköpings kommun av borgerlig samverkan, som består av M, "
    "KD och L."
)
SEED_004_HTML = f"""
<p>Idag, fredag den 1 december, presenterade Polisen 2023 års lägesbild för kriminell påverkan
på lokalsamhället.</p>
<p>I medborgarlöftet som gäller 2023-2024 lovar parterna att i samverkan bland annat:</p>
<ul><li>EST - effektiv samordning för trygghet.</li><li>SSPF – här samverkar polis, skola,
socialtjänst och fritidsektor.</li></ul>
<p>Kontakt:<br>Anna Selander<br>Titel: kommundirektör<br>Telefon: 0724-65 20 54</p>
<p>Sophia Jarl (M)<br>Titel: kommunstyrelsen ordförande<br>Telefon: 0725-83 69 66</p>
<p>__________________________________________________<br>
Avsändare: Helena Jalkner, pressansvarig<br>Telefon: 0725-97 09 00</p>
<p>{ABOUT_2022}</p>
<p>Följ Norrköpings kommun</p>
"""

# --- seed 000, Mynewsdesk release page ------------------------------------------

LETS_CREATE = (
    "Norrköping är en stad i förvandling. En redan stark tillväxt får extra energi av den nya "
    "höghastighetsjärnvägen Ostlänken. Nya stadsdelar som Inre Hamnen skapar tusentals "
    "attraktiva bostäder i vattennära läge. Kommunen växer varje vecka med nya invånare och nya "
    "företag."
)
MND_BODY = [
    "Arbetsmarknads- och vuxenutbildningskontoret har under året jobbat för att få ut fler "
    "personer i en extratjänst och resultatet är mycket positivt.",
    "– Det är mycket glädjande, säger Matilda Johansson (S), ordförande i arbetsmarknads- och "
    "vuxenutbildningsnämnden.",
]
MND_LEAD = (
    "Under 2017 har Norrköpings kommun gjort ett mycket gott resultat genom att få ut 200 "
    "personer i en extratjänst."
)
MYNEWSDESK_HTML = f"""
<div class="image"><img src="x.jpg"><p class="caption">Cumciqx59jecg3pe7irn</p></div>
<p>Pressmeddelande -</p>
<h1>Lyckat resultat på extratjänster i Norrköpings kommun</h1>
<p>{MND_LEAD}</p>
{"".join(f"<p>{p}</p>" for p in MND_BODY)}
<p><strong>Kontaktperson:</strong><br>Pernilla Thott-Ljung<br>
Titel: kontorschef på arbetsmarknads- och vuxenutbildningskontoret<br>Telefon: 011-15 10 88</p>
<p>Lars Stjernkvist (S)<br>Titel: kommunstyrelsens ordförande<br>Telefon: 070-527 26 27</p>
<p>______________________________________________________________________<br>
Avsändare: Iréne Lidén, presskommunikatör<br>Telefon: 011-15 11 24</p>
<h3>Ämnen</h3><ul><li>Arbetsmarknad</li><li>Politik</li></ul>
<p><strong>Let's create Norrköping!</strong><br>{LETS_CREATE}</p>
<p><a href="/more">Läs vidare »</a></p>
<p>Media no image</p>
"""

# --- seed 002, Sitevision with the site-wide alert banner ----------------------

SITEVISION_HTML = """
<div class="alert" role="alert"><p>Varning för högt vattenflöde i Motala ström SMHI har skickat
ut en orange varning som gäller högt vattenflöde i Motala ström. Här hittar du mer information
om varningen</p></div>
<h1>Integration</h1>
<p class="lead">Information om hur kommunen arbetar med integration.</p>
<p>Alla människor ska oberoende av bakgrund och kultur ha möjlighet att uppleva att de är en del
av det svenska samhället och av Norrköpings kommun.</p>
<p><a href="/integration.pdf">Inriktningsdokument Integration Pdf, 66.6 kB.</a></p>
<div class="share"><a href="#">Dela</a></div>
<h2>Kontakt</h2><p>Utrednings- och utvecklingsenheten</p>
<div class="cookie">Vi använder kakor (cookies) för att webbplatsen ska fungera på ett bra sätt.
Godkänn kakor</div>
"""


def viatt_release() -> Release:
    return Release(
        source="norrkoping-viatt",
        platform="viatt",
        url="https://via.tt.se/pressmeddelande/3303125/klockaretorpet?publisherId=1347718",
        title="Klockaretorpet klassas inte längre som utsatt område på nationell lista",
        organisation=ORG,
        lead=VIATT_LEAD,
        body_html=VIATT_HTML,
        published_at=datetime(2022, 11, 25, 13, 0, 6, tzinfo=UTC),
    )


def test_viatt_release_is_clean() -> None:
    release = refine(viatt_release())
    assert release.body_text == "\n\n".join(VIATT_BODY)
    assert release.contacts == [
        Contact(
            name="Olle Vikmång", party="S", title="ordförande kommunstyrelsen", phone="+46706871538"
        ),
        Contact(name="Anna Thörn", title="kommundirektör", phone="+46730202036"),
        Contact(
            name="Helena Jalkner", role="sender", title="presskommunikatör", phone="+46725970900"
        ),
    ]
    assert release.about_text == "\n\n".join(
        [ORG, "Rådhuset", "604 81 Norrköping", "http://norrkoping.se", ABOUT_2018]
    )
    assert release.language == "sv"
    assert {
        "chrome_removed",
        "latest_list_removed",
        "about_by_heading",
        "title_repeated",
        "lead_repeated",
    } <= set(release.flags)
    assert release.body_html.startswith("<p>Ett utsatt område")
    for chrome in ("Dela", "Följ", "Abonnera", "pressrum", "Orion", "CET", "_____", "Avsändare"):
        assert chrome not in release.body_html


def test_mynewsdesk_release_with_cards_and_garbled_email() -> None:
    cards = [
        Contact(
            name="Iréne Lidén",
            role="press_contact",
            title="Presskommunikatör",
            email="irene.liden@norrkoping.se",
            phone="011-15 11 24",
        ),
        Contact(
            name="Malin Björkhammar",
            role="press_contact",
            email="malfria.bjorkhummelgzzarynrejfn@norrkopiamng.se",
        ),
    ]
    release = Release(
        source="norrkoping-mynewsdesk",
        platform="mynewsdesk",
        url="https://www.mynewsdesk.com/se/norrkopings_kommun/pressreleases/lyckat-resultat-2374741",
        title="Lyckat resultat på extratjänster i Norrköpings kommun",
        organisation=ORG,
        lead=MND_LEAD,
        body_html=MYNEWSDESK_HTML,
        contacts=cards,
    )
    refine(release)
    assert release.body_text == "\n\n".join(MND_BODY)
    assert release.about_text == "Let's create Norrköping!\n\n" + LETS_CREATE
    assert [(c.name, c.role) for c in release.contacts] == [
        ("Iréne Lidén", "press_contact"),
        ("Malin Björkhammar", "press_contact"),
        ("Pernilla Thott-Ljung", "contact"),
        ("Lars Stjernkvist", "contact"),
        ("Iréne Lidén", "sender"),
    ]
    card, garbled, *_, sender = release.contacts
    assert (card.email, card.phone) == ("irene.liden@norrkoping.se", "+4611151124")
    assert (sender.title, sender.phone, sender.email) == ("presskommunikatör", "+4611151124", None)
    assert garbled.email is None
    assert "email_invalid" in release.flags


def test_sitevision_alert_cookie_and_unit_contact() -> None:
    release = Release(
        source="norrkoping-sitevision",
        platform="sitevision",
        url="https://norrkoping.se/nyhetsarkiv/2024/2024-01-02-integration",
        title="Integration",
        organisation=ORG,
        lead="Information om hur kommunen arbetar med integration.",
        body_html=SITEVISION_HTML,
    )
    refine(release)
    assert html_blocks(release.body_html) == [
        "Alla människor ska oberoende av bakgrund och kultur ha möjlighet att uppleva att de är "
        "en del av det svenska samhället och av Norrköpings kommun.",
        "Inriktningsdokument Integration Pdf, 66.6 kB.",
    ]
    assert '<a href="/integration.pdf">' in release.body_html
    assert [c.name for c in release.contacts] == ["Utrednings- och utvecklingsenheten"]


def test_about_after_the_sender_and_list_items() -> None:
    release = Release(
        source="s",
        platform="viatt",
        url="https://via.tt.se/x",
        organisation=ORG,
        body_html=SEED_004_HTML,
    )
    refine(release)
    assert release.about_text == ABOUT_2022
    assert release.body_text.endswith(
        "• EST - effektiv samordning för trygghet.\n• SSPF – här samverkar polis, skola, "
        "socialtjänst och fritidsektor."
    )
    assert [(c.name, c.party, c.phone) for c in release.contacts] == [
        ("Anna Selander", None, "+46724652054"),
        ("Sophia Jarl", "M", "+46725836966"),
        ("Helena Jalkner", None, "+46725970900"),
    ]


def drifting_about(i: int) -> str:
    return ABOUT_2022.replace("145 000", f"{139 + i // 5} {i * 37 % 1000:03d}").replace(
        "borgerlig samverkan, som består av M, KD och L" if i < 15 else "§",
        "en kvartett, som består av S, L, C och KD",
    )


@pytest.fixture(scope="module")
def model() -> AboutModel:
    docs = []
    for i in range(30):
        body = [f"Release {i} handlar om ämne nummer {i * 7} och {w}." for w in ("bro", "skola")]
        docs.append([*body, "Dela", drifting_about(i)])
    return learn_about(docs)


def test_learned_about_text_without_heading_or_sender(model: AboutModel) -> None:
    body = "<p>Nämnden fattade beslut om en ny bro över Motala ström.</p>"
    release = Release(
        source="s", platform="generic", url="https://example.org/1", organisation=ORG,
        body_html=body + f"<p>{drifting_about(41)}</p><p>Dela</p>",
    )  # fmt: skip
    refine(release, about=model)
    assert release.body_text == "Nämnden fattade beslut om en ny bro över Motala ström."
    assert release.about_text == drifting_about(41)
    assert "about_learned" in release.flags


def test_press_invitation_becomes_an_event() -> None:
    release = Release(
        source="s",
        platform="viatt",
        url="https://via.tt.se/pressmeddelande/2/x",
        title="Pressinbjudan: Möjliga alternativ för Femöresbron",
        organisation=ORG,
        body_html="<p>Media är välkomna på pressträff där alternativen presenteras.</p>"
        "<p>Datum: torsdag 18 januari<br>Tid: 10.00–11.00<br>Plats: Rådhuset, Norrköping</p>",
        published_at=datetime(2018, 1, 10, 7, 0, tzinfo=UTC),
    )
    refine(release)
    assert release.kind == "pressinbjudan"
    assert release.events == [
        Event(
            starts_at=datetime(2018, 1, 18, 9, 0, tzinfo=UTC),
            ends_at=datetime(2018, 1, 18, 10, 0, tzinfo=UTC),
            place="Rådhuset, Norrköping",
            raw="torsdag 18 januari kl. 10.00–11.00",
        )
    ]


def test_plain_text_body_and_short_text_language() -> None:
    release = Release(
        source="s", platform="generic", url="https://example.org/2", body_text="Kort.\n\n• a\n• b"
    )
    refine(release)
    assert release.body_html == "<p>Kort.</p>\n<ul><li>a</li><li>b</li></ul>"
    assert release.body_text == "Kort.\n\n• a\n• b"
    assert release.language is None


@pytest.mark.parametrize("html", [VIATT_HTML, SEED_004_HTML, MYNEWSDESK_HTML, SITEVISION_HTML])
def test_refine_is_idempotent(html: str, model: AboutModel) -> None:
    for about in (None, model):
        release = viatt_release()
        release.body_html = html
        release.contacts = [
            Contact(
                name="Louise Flygt",
                role="press_contact",
                email="louivelzse.flygt@nweorrkoping.pqse",
            )
        ]
        once = refine(release, about=about)
        twice = refine(copy.deepcopy(once), about=about)
        assert twice == once
        assert twice.flags == once.flags


def test_a_lead_that_is_the_first_paragraph_cut_short_is_dropped() -> None:
    first = "Under en pressträff presenterades reformerna. Valmanifestet har titeln För din frihet."
    release = Release(
        source="s",
        platform="generic",
        url="https://example.org/x",
        lead="Under en pressträff presenterades reformerna. Valmanifestet har titeln…",
        body_html=f"<p>{first}</p><p>Andra stycket.</p>",
    )
    refine(release)
    assert release.lead == ""
    assert release.body_text.startswith(first)
    assert "lead_was_cut_body" in release.flags


def test_a_real_lead_is_kept() -> None:
    release = Release(
        source="s",
        platform="generic",
        url="https://example.org/x",
        lead="Kommunen bygger en ny bro.",
        body_html="<p>Kommunen bygger en ny bro över ån, klar 2027.</p>",
    )
    refine(release)
    assert release.lead == "Kommunen bygger en ny bro."


def test_cleaning_a_stored_extraction_again_leaves_the_extraction_as_it_was() -> None:
    """reprocess() once shared the flags list and the layers with the stored
    extraction, so a re-cleaning wrote its flags into "the record as extracted"."""
    from pressarchive.refine.process import reprocess

    extracted = viatt_release().to_json_dict()
    before = copy.deepcopy(extracted)
    release = reprocess(extracted, about=None)
    release.flag("chrome_removed")
    release.layers["body_text"] = "cleaned"
    assert extracted == before
    assert release.extracted == before
