"""The releases the demo press rooms publish: one deterministic corpus for all platforms.

Every fixture room renders its listing and release pages from `releases_for`, so the
end-to-end tests know exactly what a crawl must store. The text is Swedish municipal
prose: a few releases are taken from the seeds (real Norrköping releases), the rest
are built from topic templates so that titles, leads and bodies vary.

Specials (see the e2e tests): EDITED_KEY changes between edition 1 and 2 (Via TT),
MISSING_KEY is listed but always 404 (Via TT), FLAKY_KEY returns 500 twice before
200 (Mynewsdesk), NO_DATE_KEY shows no date (Sitevision), LATIN1_KEY is served in
ISO-8859-1 declared only in a meta tag (Sitevision). Releases published on two
platforms carry the same key and text, a few minutes apart. UPCOMING_KEY
(generic) is the one release dated relative to today: a press invitation
published three days ago for a press conference a week from today, so that
the demo's list of upcoming press conferences is never empty.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ORGANISATION = "Norrköpings kommun"
PLATFORMS: tuple[str, ...] = ("mynewsdesk", "viatt", "sitevision", "cision", "generic")


@dataclass(frozen=True)
class DemoContact:
    name: str
    title: str
    phone: str  # as displayed, "070-687 15 38"
    email: str | None
    party: str | None = None
    phone_e164: str = ""


@dataclass(frozen=True)
class DemoEvent:
    date_text: str  # "tisdag den 11 februari"
    time_text: str  # "klockan 11.30"
    place: str
    starts_at: datetime  # aware UTC


@dataclass(frozen=True)
class DemoRelease:
    key: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    kind: str  # pressmeddelande | pressinbjudan | nyhet
    published: datetime  # aware UTC
    contacts: tuple[DemoContact, ...]
    sender: DemoContact | None
    tags: tuple[tuple[str, str], ...]  # (kind, name)
    event: DemoEvent | None
    image_caption: str | None
    platforms: frozenset[str]

    @property
    def published_local(self) -> datetime:
        return self.published.astimezone(STOCKHOLM)


def _e164(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return "+46" + digits[1:]


def _contact(
    name: str, title: str, phone: str, email: str | None, party: str | None = None
) -> DemoContact:
    return DemoContact(name, title, phone, email, party, _e164(phone))


# Politicians and officials quoted in releases (names as in the seeds).
CONTACTS: tuple[DemoContact, ...] = (
    _contact(
        "Lars Stjernkvist",
        "kommunstyrelsens ordförande",
        "070-527 26 27",
        "lars.stjernkvist@norrkoping.se",
        "S",
    ),
    _contact(
        "Olle Vikmång",
        "ordförande kommunstyrelsen",
        "070-687 15 38",
        "olle.vikmang@norrkoping.se",
        "S",
    ),
    _contact(
        "Sophia Jarl",
        "kommunstyrelsens ordförande",
        "0725-83 69 66",
        "sophia.jarl@norrkoping.se",
        "M",
    ),
    _contact("Anna Thörn", "kommundirektör", "073-020 20 36", "anna.thorn@norrkoping.se"),
    _contact("Anna Selander", "kommundirektör", "0724-65 20 54", "anna.selander@norrkoping.se"),
    _contact(
        "Matilda Jonsson",
        "ordförande i arbetsmarknads- och vuxenutbildningsnämnden",
        "070-404 97 81",
        None,
        "S",
    ),
    _contact(
        "Pernilla Thott-Ljung",
        "kontorschef på arbetsmarknads- och vuxenutbildningskontoret",
        "011-15 10 88",
        "pernilla.thott-ljung@norrkoping.se",
    ),
    _contact(
        "Ann Henriksson",
        "verksamhetschef barn och ungdom",
        "011-15 20 55",
        "ann.henriksson@norrkoping.se",
    ),
    _contact(
        "Karin Jonsson",
        "ordförande i stadsplaneringsnämnden",
        "070-166 51 24",
        "karin.jonsson@norrkoping.se",
        "C",
    ),
    _contact("Johan Kronander", "trafikplanerare", "011-15 36 40", "johan.kronander@norrkoping.se"),
    _contact("Eva Andersson", "rektor", "011-15 71 02", "eva.andersson@norrkoping.se"),
    _contact("Mikael Sandström", "ordförande i utbildningsnämnden", "070-292 18 44", None, "KD"),
    _contact(
        "Sara Lindqvist",
        "projektledare, samhällsbyggnadskontoret",
        "011-15 49 77",
        "sara.lindqvist@norrkoping.se",
    ),
    _contact(
        "Hanna Öberg",
        "ordförande i kultur- och fritidsnämnden",
        "072-231 88 10",
        "hanna.oberg@norrkoping.se",
        "L",
    ),
)
SENDERS: tuple[DemoContact, ...] = (
    _contact("Iréne Lidén", "presskommunikatör", "011-15 11 24", "irene.liden@norrkoping.se"),
    _contact(
        "Caroline Amnéus", "presskommunikatör", "0730-20 17 18", "caroline.amneus@norrkoping.se"
    ),
    _contact("Helena Jalkner", "pressansvarig", "0725-97 09 00", "helena.jalkner@norrkoping.se"),
    _contact(
        "Louise Flygt", "kommunikationsdirektör", "076-128 11 94", "louise.flygt@norrkoping.se"
    ),
)

PLACES = (
    "Hageby", "Navestad", "Klockaretorpet", "Ringdansen", "Inre Hamnen", "Kneippen",
    "Skarptorp", "Vilbergen", "Borg", "Smedby", "Lindö", "Eneby", "Skärblacka", "Krokek",
    "Åby", "Kolmården", "Arkösund", "Östra Husby", "Vikbolandet", "Svärtinge", "Ljura",
    "Marielund", "Butängen", "Ektorp", "Djäkneparken", "Haga", "Vrinnevi",
)  # fmt: skip

# (title, lead, paragraphs, kind, subject, category); slots {place}, {n}, {m}, {year}
TOPICS: tuple[tuple[str, str, tuple[str, ...], str, str, str], ...] = (
    (
        "Ny förskola byggs i {place}",
        "Barn- och ungdomsnämnden har beslutat att bygga en ny förskola i {place} med plats för {n} barn.",
        (
            "Förskolan får åtta avdelningar, ett tillagningskök och en gård som planeras tillsammans med barnen. Byggstarten är planerad till hösten och de första barnen väntas börja {year}.",
            "Behovet av förskoleplatser i {place} har ökat i takt med att nya bostäder byggts i området. Den nya förskolan ersätter två tillfälliga paviljonger.",
        ),
        "pressmeddelande",
        "Förskola",
        "Utbildning",
    ),
    (
        "Trygghetsvandring i {place} samlade {n} deltagare",
        "I tisdags kväll genomfördes en trygghetsvandring i {place} tillsammans med boende, polis och Hyresbostäder.",
        (
            "Deltagarna pekade ut platser där belysningen behöver förbättras och buskage som skymmer gångvägar. Kommunen återkommer med en åtgärdsplan inom {m} veckor.",
            "Trygghetsvandringen är en del av arbetet med EST, effektiv samordning för trygghet, som är en strukturerad samarbetsform mellan kommun, polis, räddningstjänst och civilsamhället.",
        ),
        "pressmeddelande",
        "Trygghet",
        "Samhälle",
    ),
    (
        "Pressinbjudan: Spadtag för nya bostäder i {place}",
        "Nu tas det första spadtaget för {n} nya bostäder i {place}. Media är välkomna att närvara.",
        (
            "Bostäderna blir en blandning av hyresrätter och bostadsrätter och de första inflyttningarna beräknas ske {year}.",
            "Området ansluts till det befintliga gång- och cykelvägnätet och får en ny busshållplats.",
        ),
        "pressinbjudan",
        "Bostäder",
        "Samhällsbyggnad",
    ),
    (
        "{place} får en ny lekplats med tema från Motala ström",
        "Den nya lekplatsen i {place} invigs i maj och har vattenlek, klätterställning och en tillgänglighetsanpassad gunga.",
        (
            "Temat är hämtat från Motala ström och industrilandskapet, med kvarnhjul och slussar i barnens skala. Barn från två skolor i närheten har varit med och tagit fram idéerna.",
            "Lekplatsen kostar {m} miljoner kronor och ingår i kommunens plan för att rusta upp lekplatser i alla stadsdelar.",
        ),
        "nyhet",
        "Lekplatser",
        "Fritid",
    ),
    (
        "Kommunen rustar upp gång- och cykelvägar i {place}",
        "Under sommaren byter kommunen beläggning och belysning på {n} meter gång- och cykelväg i {place}.",
        (
            "Arbetet sker etappvis för att störa trafiken så lite som möjligt. Cyklister leds om via skyltade omvägar under den tid arbetet pågår.",
            "Satsningen är en del av kommunens cykelplan, som har som mål att fler ska välja cykeln till skola och arbete.",
        ),
        "pressmeddelande",
        "Cykel",
        "Trafik",
    ),
    (
        "Sommarlovsaktiviteter för unga i {place}",
        "I sommar erbjuder kultur- och fritidskontoret gratis aktiviteter för barn och unga i {place} under {m} veckor.",
        (
            "Det blir fotboll, dans, skapande verkstad och utflykter till Kolmårdens skärgård. Aktiviteterna är öppna för alla mellan 10 och 17 år och ingen föranmälan behövs.",
            "Förra sommaren deltog {n} unga i aktiviteterna, och flera av dem har sedan börjat i en förening.",
        ),
        "nyhet",
        "Sommarlov",
        "Fritid",
    ),
    (
        "Biblioteket i {place} utökar sina öppettider",
        "Från och med nästa månad har biblioteket i {place} öppet även på kvällar och söndagar.",
        (
            "Under de nya meröppna timmarna kan besökare låna och lämna böcker, studera och använda datorerna med sitt lånekort. Personal finns på plats under de ordinarie öppettiderna.",
            "Biblioteken driver ett långsiktigt arbete för läsning och Bokstart är ett exempel, ett språkstöd till familjer med barn 0–3 år.",
        ),
        "pressmeddelande",
        "Bibliotek",
        "Kultur",
    ),
    (
        "Pressinbjudan: Invigning av nya idrottshallen i {place}",
        "Den nya idrottshallen i {place} invigs med uppvisningar av föreningar och skolor. Media är välkomna.",
        (
            "Hallen har plats för {n} åskådare och är byggd för handboll, innebandy och basket. Dagtid används den av skolorna i området.",
            "Som idrottsstad står Norrköping starkt med flera elitlag, och efterfrågan på halltider har länge varit större än utbudet.",
        ),
        "pressinbjudan",
        "Idrott",
        "Fritid",
    ),
    (
        "Vattenledningsarbete påverkar trafiken i {place}",
        "Nodra byter vattenledningar i {place} och under {m} veckor leds trafiken om.",
        (
            "Busslinjerna genom området får tillfälliga hållplatser. Boende kan få kortare avbrott i vattenförsörjningen och informeras i förväg med lapp i brevlådan.",
            "Ledningarna är från 1960-talet och byts för att minska risken för läckor.",
        ),
        "nyhet",
        "Vatten och avlopp",
        "Trafik",
    ),
    (
        "Nya laddplatser för elbilar i {place}",
        "Kommunen bygger {n} nya laddplatser för elbilar vid parkeringen i {place}.",
        (
            "Laddplatserna är öppna för alla och betalas med app eller kort. De första tas i bruk redan i vår.",
            "Utbyggnaden ingår i kommunens klimatprogram, där målet är att Norrköping ska vara en klimatneutral kommun.",
        ),
        "pressmeddelande",
        "Klimat",
        "Miljö",
    ),
    (
        "Äldreboendet i {place} först ut med digital tillsyn",
        "Från och med i höst kan boende på äldreboendet i {place} välja digital tillsyn nattetid.",
        (
            "Med digital tillsyn kan personalen se till den boende via en kamera i stället för att öppna dörren, så att nattsömnen inte störs. Det är frivilligt och kan avslutas när som helst.",
            "Försöket utvärderas efter {m} månader innan det införs på fler boenden.",
        ),
        "pressmeddelande",
        "Äldreomsorg",
        "Vård och omsorg",
    ),
    (
        "Pressinbjudan: Medborgardialog om framtidens {place}",
        "Kommunen bjuder in till medborgardialog om hur {place} ska utvecklas de kommande tio åren.",
        (
            "Under kvällen presenteras förslag på nya bostäder, mötesplatser och grönområden, och alla som bor eller verkar i området kan lämna synpunkter.",
            "Synpunkterna tas med i arbetet med den fördjupade översiktsplanen som ska antas {year}.",
        ),
        "pressinbjudan",
        "Stadsplanering",
        "Samhällsbyggnad",
    ),
    (
        "Skolorna i {place} ökar kunskapsresultaten",
        "Andelen elever i {place} som når kunskapskraven i alla ämnen har ökat för tredje året i rad.",
        (
            "Det beror på skickliga, kunniga och engagerade rektorer och medarbetare som tillsammans och medvetet har arbetat för att skapa goda förutsättningar för varje barn att lyckas.",
            "Det handlar om studiehandledning, språkutveckling, elevnärvaro, utökad föräldrasamverkan och brobyggare.",
        ),
        "pressmeddelande",
        "Skola",
        "Utbildning",
    ),
    (
        "Fler träd planteras i {place} för ett svalare stadsklimat",
        "Under hösten planteras {n} nya träd längs gator och i parker i {place}.",
        (
            "Träden ger skugga under varma sommardagar, tar hand om dagvatten vid skyfall och gynnar fåglar och insekter.",
            "Trädarterna är valda för att klara ett förändrat klimat, bland annat lind, avenbok och körsbär.",
        ),
        "nyhet",
        "Parker",
        "Miljö",
    ),
    (
        "Ny detaljplan för {place} ute på samråd",
        "Stadsplaneringsnämnden har skickat ut förslaget till ny detaljplan för {place} på samråd.",
        (
            "Planen möjliggör omkring {n} nya bostäder, en förskola och en ny park vid vattnet. Förslaget finns att läsa i stadshusets reception och på kommunens webbplats.",
            "Synpunkter på förslaget ska lämnas senast {m} veckor efter att samrådet har öppnat.",
        ),
        "pressmeddelande",
        "Detaljplaner",
        "Samhällsbyggnad",
    ),
    (
        "Fritidsgården i {place} håller öppet hela sommaren",
        "För första gången håller fritidsgården i {place} öppet under hela sommarlovet.",
        (
            "Fritidsledarna ordnar grillkvällar, turneringar och utflykter, och gården är öppen mellan klockan 11 och 18 på vardagar.",
            "Socialkontorets uppsökande verksamhet samarbetar med fritidsgården för att nå barn, ungdomar och deras familjer.",
        ),
        "nyhet",
        "Ungdom",
        "Fritid",
    ),
)

CLOSINGS = (
    "Arbetet sker i samverkan med Hyresbostäder, polisen och föreningslivet i området.",
    "Mer information finns på kommunens webbplats norrkoping.se.",
    "Beslutet fattades enhälligt vid nämndens sammanträde.",
    "Norrköpings kommun växer varje vecka med nya invånare och nya företag, och behovet av service ökar i alla delar av kommunen.",
    "Satsningen finansieras inom nämndens befintliga budget.",
    "Uppföljningen redovisas för kommunstyrelsen i början av nästa år.",
)
QUOTES = (
    "– Det här är en viktig satsning för alla som bor i {place}, och vi ser fram emot att följa arbetet, säger {who}.",
    "– Vi har lyssnat på de boende och gör nu det som efterfrågats länge, säger {who}.",
    "– Tillsammans kan vi göra mycket för ett tryggare och mer välkomnande Norrköping, säger {who}.",
    "– Det är glädjande att se hur engagemanget i {place} växer, säger {who}.",
    "– Vi kommer inte att slå oss till ro, utan fortsätter arbetet i nära samverkan, säger {who}.",
)
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni", "juli",
    "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
EVENT_PLACES = (
    "Rådhuset, Drottninggatan 4",
    "Stadsbiblioteket, Södra Promenaden 105",
    "Louis De Geer konsert & kongress",
    "Arbetets museum, Laxholmen",
    "Visualiseringscenter C, Kungsgatan 54",
)


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=STOCKHOLM).astimezone(UTC)


def _seed(
    key: str,
    title: str,
    lead: str,
    paragraphs: tuple[str, ...],
    local: datetime,
    contacts: tuple[DemoContact, ...],
    sender: DemoContact,
    subject: str,
    category: str,
    platforms: frozenset[str],
    kind: str = "pressmeddelande",
) -> DemoRelease:
    return DemoRelease(
        key=key,
        title=title,
        lead=lead,
        paragraphs=paragraphs,
        kind=kind,
        published=_utc(local),
        contacts=contacts,
        sender=sender,
        tags=(("subject", subject), ("category", category), ("region", "Norrköping")),
        event=None,
        image_caption=None,
        platforms=platforms,
    )


def _by_name(name: str) -> DemoContact:
    return next(c for c in (*CONTACTS, *SENDERS) if c.name == name)


def _seed_releases() -> list[DemoRelease]:
    """Releases whose text is taken from the seeds (public Norrköping releases)."""
    mnd = frozenset({"mynewsdesk"})
    return [
        _seed(
            "s01",
            "Det blir en ny bro över Motala ström",
            "Under tekniska nämndens sammanträde idag fattades enhälligt beslutet att Femöresbron kommer att ersättas med en ny bro.",
            (
                "Nämnden beslutade också att den nya bron ska utformas så nära den gamla Femöresbrons utseende och utformning som möjligt.",
                "Femöresbron har varit avstängd för trafik sedan besiktningen visade allvarliga skador på bärverket. En ny bro bedöms vara billigare på sikt än att renovera den gamla.",
            ),
            datetime(2018, 1, 18, 16, 32),
            (_by_name("Johan Kronander"),),
            _by_name("Iréne Lidén"),
            "Broar",
            "Trafik",
            mnd,
        ),
        _seed(
            "s02",
            "2018 väntas bli fantastiskt för Norrköpings flygplats",
            "2017 blev ett framgångsrikt år för Norrköpings flygplats. Trots oroligheter i världen och därmed minskat flyg till Turkiet så ökade antalet passagerare på flygplatsen med över 5 000 passagerare till nästan 105 000.",
            (
                "Inför 2018 har flera nya charterdestinationer tillkommit och flygplatsen räknar med att passera 110 000 resenärer.",
                "Flygplatsen är viktig för näringslivet i hela regionen och för Norrköpings roll som en av landets viktigaste logistiska platser.",
            ),
            datetime(2018, 1, 18, 9, 20),
            (_by_name("Lars Stjernkvist"),),
            _by_name("Caroline Amnéus"),
            "Flyg",
            "Näringsliv",
            mnd,
        ),
        _seed(
            "s03",
            "Ta spårvagnen till framtidens Norrköping",
            "Nu kan Norrköpings spårvagnsresenärer ta del av framtidsplanerna för staden ombord på en av spårvagnarna i linjetrafiken.",
            (
                "Syftet är att skapa insyn och engagemang kring Norrköpings utveckling. Spårvagnen är dekorerad med bilder av Inre Hamnen, Ostlänken och den nya resecentrumsplatsen.",
                "Resenärerna kan lämna synpunkter via en enkät som nås från skärmar i vagnen.",
            ),
            datetime(2018, 1, 17, 10, 52),
            (_by_name("Karin Jonsson"),),
            _by_name("Iréne Lidén"),
            "Stadsutveckling",
            "Samhällsbyggnad",
            mnd,
        ),
        _seed(
            "s04",
            "Dagar med fokus på civilkurage",
            "Den 21 januari startar årets Demokrati- och människovärdedagar. I år har dessa dagar fokus på civilkurage - att stå upp för människors lika värde och demokratiska rättigheter.",
            (
                "Under två veckor arrangeras föreläsningar, filmvisningar och samtal på bibliotek, skolor och fritidsgårdar i hela kommunen.",
                "Programmet har tagits fram tillsammans med studieförbund, trossamfund och föreningar.",
            ),
            datetime(2018, 1, 17, 8, 0),
            (_by_name("Hanna Öberg"),),
            _by_name("Caroline Amnéus"),
            "Demokrati",
            "Kultur",
            mnd,
        ),
        _seed(
            "s05",
            "Lyckat resultat på extratjänster i Norrköpings kommun",
            "Under 2017 har Norrköpings kommun gjort ett mycket gott resultat genom att få ut 200 personer i en extratjänst. Av de totalt 530 extratjänsterna i hela regionen står Norrköpings kommun för närmare 40 % av dessa.",
            (
                "Under 2017 fick arbetsmarknads- och vuxenutbildningskontoret i uppdrag att göra det möjligt för fler personer att få en extratjänst inom kommunen. En extratjänst är en möjlighet för de som står längst bort ifrån arbetsmarknaden, det vill säga långtidsarbetslösa och nyanlända.",
                "– Det är mycket glädjande att arbetsmarknads- och vuxenutbildningskontoret, tillsammans med övriga kontor i kommunen, har lyckats ge 200 av de personer som står längst bort från arbetsmarknaden en möjlighet att närma sig egen försörjning genom en extratjänst, säger Matilda Jonsson (S), ordförande i arbetsmarknads- och vuxenutbildningsnämnden.",
                "Många olika verksamheter inom kommunen har tagit emot en person i en extratjänst. Det innebär att Norrköpings kommun får en bra spridning på arbetsplatser, både inom de så kallade mjuka och hårda sektorerna.",
            ),
            datetime(2018, 1, 9, 8, 0),
            (
                _by_name("Pernilla Thott-Ljung"),
                _by_name("Lars Stjernkvist"),
                _by_name("Matilda Jonsson"),
            ),
            _by_name("Iréne Lidén"),
            "Arbetsmarknad",
            "Arbete",
            mnd,
        ),
        _seed(
            "s06",
            "Samverkansteam vid separation blir ordinarie verksamhet i Norrköping",
            "Norrköpings kommun har under tre år bedrivit ett utvecklingsarbete med Samverkansteam för separerade föräldrar i konflikt, och deras barn. Nu blir verksamheten permanent.",
            (
                "Utvecklingsarbetet har hittills bedrivits i projektform med stöd av Stiftelsen Allmänna Barnhuset samt medel från regeringen, och har även utförts i Nacka, Västerås, Malmö och Helsingborg.",
                "Samverkansteamet ska kunna ge ett anpassat, lättillgängligt stöd och även samordna de insatser som behövs. En mycket viktig del av arbetet är att uppmärksamma barnen och låta dem komma till tals.",
            ),
            datetime(2017, 12, 29, 10, 24),
            (_by_name("Ann Henriksson"),),
            _by_name("Caroline Amnéus"),
            "Familj",
            "Socialtjänst",
            mnd,
        ),
        _seed(
            "s07",
            "Klockaretorpet klassas inte längre som utsatt område på nationell lista",
            "Stadsdelen Klockaretorpet i Norrköping har funnits med på polisens nationella lista över utsatta områden. Området tas nu bort från listan och det betyder att det enda området i staden som är kvar på listan är Navestad.",
            (
                "Ett utsatt område är enligt polisen ett område som är geografiskt avgränsat och där den socioekonomiska statusen är låg. Samtidigt har kriminella en inverkan på lokalsamhället.",
                "Klockaretorpet var det första området i Norrköping där arbetet med EST-effektiv samordning för trygghet påbörjades år 2017.",
                "– Skolan är central i det förebyggande arbetet för att förhindra rekrytering till kriminella gäng. Alla barn har samma höga förväntningar på sig i skolan, säger Olle Vikmång.",
            ),
            datetime(2021, 12, 6, 10, 0),
            (_by_name("Olle Vikmång"), _by_name("Anna Thörn")),
            _by_name("Helena Jalkner"),
            "Trygghet",
            "Samhälle",
            frozenset({"viatt", "sitevision"}),
        ),
        _seed(
            "s08",
            "Samverkan för ett tryggt Norrköping",
            "Idag, fredag den 1 december, presenterade Polisen 2023 års lägesbild för kriminell påverkan på lokalsamhället. Rapporten visar att två områden i Norrköping bedöms vara utsatta, och det är Navestad och Hageby.",
            (
                "I januari i år undertecknade Norrköpings kommun och Polisen en ny samverkansöverenskommelse som resulterade i en handlingsplan och medborgarlöften.",
                "Lägesbilden för kriminell påverkan i samhället är ett verktyg för polisen för att delge sin bild och skapa förutsättningar för Polismyndigheten och andra aktörer att förbättra situationen.",
            ),
            datetime(2023, 12, 1, 15, 10),
            (_by_name("Anna Selander"), _by_name("Sophia Jarl")),
            _by_name("Helena Jalkner"),
            "Trygghet",
            "Samhälle",
            frozenset({"viatt"}),
        ),
    ]


# Per platform: the bundled set's own releases and their date span (local time).
_PLAN: dict[str, tuple[int, datetime, datetime]] = {
    "mynewsdesk": (38, datetime(2016, 3, 1), datetime(2017, 12, 20)),
    "viatt": (38, datetime(2019, 1, 10), datetime(2026, 2, 20)),
    "sitevision": (38, datetime(2017, 2, 1), datetime(2026, 3, 1)),
    "cision": (42, datetime(2019, 2, 1), datetime(2022, 6, 1)),
    "generic": (42, datetime(2020, 1, 15), datetime(2025, 11, 1)),
}
# Releases published on two platforms (first platform, second, local time on the first).
_SHARED: tuple[tuple[str, str, datetime], ...] = (
    ("mynewsdesk", "viatt", datetime(2018, 3, 14, 9, 0)),
    ("mynewsdesk", "viatt", datetime(2018, 4, 25, 13, 30)),
    ("mynewsdesk", "viatt", datetime(2018, 6, 5, 8, 15)),
    ("viatt", "sitevision", datetime(2023, 5, 10, 10, 0)),
    ("viatt", "sitevision", datetime(2024, 9, 17, 14, 20)),
    ("viatt", "sitevision", datetime(2025, 3, 4, 8, 45)),
)
# How many minutes after the first platform the second one publishes a shared release.
_SECOND_PLATFORM_DELAY = (4, 7, 3, 9, 5, 6)

# Chosen among the bundled keys (tests check each is on its platform): the edited
# release near the top of Via TT's first listing page, the 404 on its last page
# (so that a re-crawl's listing walk is not prolonged by it).
EDITED_KEY = "r199"  # viatt
MISSING_KEY = "r051"  # viatt
FLAKY_KEY = "r030"  # mynewsdesk
NO_DATE_KEY = "r174"  # sitevision
LATIN1_KEY = "r090"  # sitevision
UPCOMING_KEY = "r600"  # generic
UPCOMING_PLATFORM = "generic"
_LATIN1_TITLE = "Öppet hus på Åbyskolan – välkommen att träffa förskoleklassens pedagoger"


def _swedish_day(local: datetime) -> str:
    return f"{WEEKDAYS[local.weekday()]} den {local.day} {MONTHS[local.month - 1]}"


def _event_for(rng: random.Random, published_local: datetime) -> DemoEvent:
    day = (published_local + timedelta(days=rng.randint(3, 12))).replace(second=0, microsecond=0)
    hour, minute = rng.choice(((9, 0), (10, 0), (11, 30), (13, 0), (14, 15)))
    start = day.replace(hour=hour, minute=minute)
    if rng.random() < 0.5:
        time_text = f"klockan {hour:02d}.{minute:02d}"
    else:
        time_text = f"{hour:02d}.{minute:02d}–{hour + 1:02d}.{minute:02d}"
    return DemoEvent(
        date_text=_swedish_day(start),
        time_text=time_text,
        place=rng.choice(EVENT_PLACES),
        starts_at=_utc(start),
    )


# Who held office when: a release quotes the chair and director of its day.
_TENURE: dict[str, tuple[datetime, datetime]] = {
    "Lars Stjernkvist": (datetime(2000, 1, 1), datetime(2021, 9, 1)),
    "Olle Vikmång": (datetime(2021, 9, 1), datetime(2022, 10, 17)),
    "Sophia Jarl": (datetime(2022, 10, 17), datetime(2100, 1, 1)),
    "Anna Thörn": (datetime(2000, 1, 1), datetime(2023, 1, 1)),
    "Anna Selander": (datetime(2023, 1, 1), datetime(2100, 1, 1)),
}


def _in_office(local: datetime) -> list[DemoContact]:
    return [
        c
        for c in CONTACTS
        if c.name not in _TENURE or _TENURE[c.name][0] <= local < _TENURE[c.name][1]
    ]


def _generated(
    index: int, key: str, local: datetime, platforms: frozenset[str], variant: int = 0
) -> DemoRelease:
    """Release number `index` of the template space: a topic in a place, with
    quotes, contacts and closing sentences chosen deterministically."""
    rng = random.Random(index * 7919 + 17)
    topic = TOPICS[index % len(TOPICS)]
    place = PLACES[(index // len(TOPICS) + index) % len(PLACES)]
    title_t, lead_t, paras_t, kind, subject, category = topic
    slots = {
        "place": place,
        "n": rng.choice((24, 40, 60, 85, 120, 150, 220, 300, 450)),
        "m": rng.randint(2, 9),
        "year": local.year + 1,
    }
    title = title_t.format(**slots)
    if variant:
        title = f"{title} – etapp {variant + 1}"
    in_office = _in_office(local)
    contacts = tuple(rng.sample(in_office, rng.randint(1, 3)))
    speaker = contacts[0]
    who = (
        f"{speaker.name} ({speaker.party}), {speaker.title}"
        if speaker.party
        else f"{speaker.name}, {speaker.title}"
    )
    paragraphs = [p.format(**slots) for p in paras_t]
    paragraphs.insert(1, rng.choice(QUOTES).format(place=place, who=who))
    paragraphs.append(rng.choice(CLOSINGS))
    event = _event_for(rng, local) if kind == "pressinbjudan" else None
    if event is not None:
        paragraphs.append(
            f"Tid: {event.date_text.capitalize()}, {event.time_text}. Plats: {event.place}."
        )
    tags = [("subject", subject), ("category", category), ("region", "Norrköping")]
    if rng.random() < 0.4:
        tags.append(("region", "Östergötland"))
    caption = None
    if rng.random() < 0.6:
        caption = f"{place}. Foto: Norrköpings kommun"
    return DemoRelease(
        key=key,
        title=title,
        lead=lead_t.format(**slots),
        paragraphs=tuple(paragraphs),
        kind=kind,
        published=_utc(local),
        contacts=contacts,
        sender=rng.choice(SENDERS),
        tags=tuple(tags),
        event=event,
        image_caption=caption,
        platforms=platforms,
    )


def _spread(count: int, start: datetime, end: datetime, rng: random.Random) -> list[datetime]:
    """`count` publication times between start and end at office hours, oldest first."""
    step = (end - start) / count
    times = []
    for i in range(count):
        day = start + step * i + timedelta(days=rng.uniform(0, step.days * 0.5))
        hour = rng.choice((8, 8, 9, 10, 11, 13, 14, 15, 16))
        times.append(
            day.replace(
                hour=hour,
                minute=rng.choice((0, 0, 5, 15, 20, 30, 32, 45, 52)),
                second=0,
                microsecond=0,
            )
        )
    return times


@dataclass(frozen=True)
class _Slot:
    local: datetime
    platforms: frozenset[str]
    primary: str


@lru_cache(maxsize=1)
def _bundled() -> tuple[DemoRelease, ...]:
    """The whole bundled corpus (edition 1), all platforms, keys in creation order."""
    rng = random.Random(2026)
    slots: list[_Slot] = []
    for platform, (count, start, end) in _PLAN.items():
        slots.extend(
            _Slot(t, frozenset({platform}), platform) for t in _spread(count, start, end, rng)
        )
    slots.extend(_Slot(t, frozenset({a, b}), a) for a, b, t in _SHARED)
    slots.sort(key=lambda s: s.local)
    releases: list[DemoRelease] = []
    for number, slot in enumerate(slots, start=1):
        key = f"r{number:03d}"
        release = _generated(number, key, slot.local, slot.platforms)
        if key == LATIN1_KEY:
            release = replace(
                release,
                title=_LATIN1_TITLE,
                lead="Åbyskolan öppnar dörrarna för blivande förskoleklassbarn och deras vårdnadshavare.",
                paragraphs=(
                    "Under eftermiddagen får barnen träffa pedagogerna, se klassrummen och äta mellanmål i matsalen. Föräldrar kan ställa frågor om fritidshem, skolskjuts och modersmålsundervisning.",
                    "– Övergången från förskola till skola är ett stort steg, och vi vill att alla ska känna sig välkomna redan från början, säger rektor Eva Andersson.",
                    "Skolan har i år fått 14 nya elever från grannförskolorna i Åby och Jursla.",
                ),
                kind="nyhet",
                platforms=frozenset({"sitevision"}),
            )
        releases.append(release)
    releases.extend(_seed_releases())
    return tuple(releases)


def _at_minutes(release: DemoRelease, minutes: int) -> DemoRelease:
    return replace(release, published=release.published + timedelta(minutes=minutes))


def _as_published_on(release: DemoRelease, platform: str) -> DemoRelease:
    """A shared release as the second platform shows it: a few minutes later."""
    shared = [r for r in _bundled() if len(r.platforms) > 1]
    if len(release.platforms) < 2 or _primary(release) == platform:
        return release
    position = [r.key for r in shared].index(release.key)
    return _at_minutes(release, _SECOND_PLATFORM_DELAY[position % len(_SECOND_PLATFORM_DELAY)])


def _primary(release: DemoRelease) -> str:
    # The older platform publishes first (Mynewsdesk before Via TT before Sitevision).
    return min(release.platforms, key=PLATFORMS.index)


def _edited(release: DemoRelease) -> DemoRelease:
    paragraphs = list(release.paragraphs)
    paragraphs[0] = (
        paragraphs[0]
        + " Uppdatering: tidplanen har ändrats efter beslut i nämnden och arbetet startar en månad senare än planerat."
    )
    # The kind of edit communicators make after publishing: a new time, said in the title.
    return replace(release, title=f"{release.title} – ny tid", paragraphs=tuple(paragraphs))


def _upcoming(today: date) -> DemoRelease:
    """A press invitation published three days before `today` for a press
    conference seven days after it (10.00 Swedish time)."""
    index = next(i for i in range(600, 700) if TOPICS[i % len(TOPICS)][3] == "pressinbjudan")
    published = datetime.combine(today - timedelta(days=3), time(9, 15))
    release = _generated(index, UPCOMING_KEY, published, frozenset({UPCOMING_PLATFORM}))
    start = datetime.combine(today + timedelta(days=7), time(10, 0))
    event = DemoEvent(
        date_text=_swedish_day(start),
        time_text="klockan 10.00",
        place=EVENT_PLACES[0],
        starts_at=_utc(start),
    )
    # The generated invitation ends with its "Tid: ... Plats: ..." line: the new one replaces it.
    when = f"Tid: {event.date_text.capitalize()}, {event.time_text}. Plats: {event.place}."
    return replace(release, event=event, paragraphs=(*release.paragraphs[:-1], when))


def _today() -> date:
    return datetime.now(STOCKHOLM).date()


def _newest_for(platform: str, after: datetime) -> DemoRelease:
    index = 500 + PLATFORMS.index(platform)
    local = (after.astimezone(STOCKHOLM) + timedelta(days=2)).replace(
        tzinfo=None, hour=9, minute=30, second=0, microsecond=0
    )
    return _generated(index, f"r{index}", local, frozenset({platform}), variant=1)


def releases_for(platform: str, *, size: int | None = None, edition: int = 1) -> list[DemoRelease]:
    """The releases `platform`'s demo room publishes, newest first.

    size=None: the bundled set (>= 40 per platform, shared releases included).
    size=N: N generated releases (benchmarks), no specials. edition=2: the state
    after time passes (the edited release changed, one new release on top).
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    if size is not None:
        return list(_sized(platform, size))
    releases = [_as_published_on(r, platform) for r in _bundled() if platform in r.platforms]
    if platform == UPCOMING_PLATFORM:
        releases.append(_upcoming(_today()))
    if edition >= 2:
        releases = [_edited(r) if r.key == EDITED_KEY else r for r in releases]
        newest = max(r.published for r in releases)
        releases.append(_newest_for(platform, newest))
    releases.sort(key=lambda r: r.published, reverse=True)
    return releases


def _sized(platform: str, size: int) -> Iterator[DemoRelease]:
    """`size` releases, newest first, one every ~16 hours back from 2026-03-01."""
    newest = datetime(2026, 3, 1, 9, 0)
    combos = len(TOPICS) * len(PLACES)
    for i in range(size):
        local = newest - timedelta(hours=16 * i + (i % 5))
        index = PLATFORMS.index(platform) * 100_000 + i
        yield _generated(
            i % combos + 1, f"b{index:06d}", local, frozenset({platform}), variant=i // combos
        )


def release_by_key(platform: str, key: str, *, edition: int = 1) -> DemoRelease | None:
    return next((r for r in releases_for(platform, edition=edition) if r.key == key), None)


def _population(published: datetime) -> int:
    """Inhabitants as the about-text states them: 139 000 in 2017 rising to 145 000 in 2025."""
    years = (published.year + published.month / 12) - 2017
    value = 139_000 + max(0.0, min(years, 8.0)) * 750
    return int(round(value / 500) * 500)


def _governing(published: datetime) -> str:
    local = published.astimezone(STOCKHOLM)
    if local < datetime(2018, 10, 15, tzinfo=STOCKHOLM):
        return "Under mandatperioden 2014-2018 styrs Norrköpings kommun av en kvartett, som består av S, L, C och KD."
    if local < datetime(2022, 10, 17, tzinfo=STOCKHOLM):
        return "Under mandatperioden 2018-2022 styrs Norrköpings kommun av S, M och C."
    return "Under mandatperioden 2022-2026 styrs Norrköpings kommun av M, KD, L och C."


LETS_CREATE = (
    "Let's create Norrköping!\n"
    "Norrköping är en stad i förvandling. En redan stark tillväxt får extra energi av den nya "
    "höghastighetsjärnvägen Ostlänken. Nya stadsdelar som Inre Hamnen skapar tusentals attraktiva "
    "bostäder i vattennära läge. Kommunen växer varje vecka med nya invånare och nya företag. "
    "Att fortsätta utveckla Norrköping är något som alla är en del av och det som kallas Let's create Norrköping!"
)


def about_text(platform: str, published: datetime) -> str:
    """The organisation's standing paragraph as `platform` shows it at `published`."""
    if platform == "mynewsdesk":
        return LETS_CREATE
    population = f"{_population(published):,}".replace(",", " ")
    verb = "omkring" if platform == "viatt" else "cirka"
    return (
        f"Norrköpings kommun har {verb} {population} invånare, varav cirka 68 000 är förvärvsarbetande. "
        "I kommunen finns drygt 9 000 företag i starka branscher som pappersindustri, transport och "
        "logistik, energi, visualisering och medieteknik samt besöksnäring. Med drygt 11 000 anställda "
        f"är Norrköpings kommun den största arbetsgivaren i Norrköping. {_governing(published)}"
    )
