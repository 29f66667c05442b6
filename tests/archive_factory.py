"""A realistic, populated archive for tests, built through the real store API.

The releases are modelled on Norrköpings kommun's press pages (shared/seeds):
the same release on Mynewsdesk and Via TT (one cluster), a press invitation
with a press conference, contacts with E.164 phones, tags, multi-paragraph
bodies with å ä ö, and a title that a spreadsheet would read as a formula.

    from archive_factory import build_archive  # tests/ is on sys.path under pytest
    path = build_archive(tmp_path / "archive.db")
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pressarchive.items import Contact, Event, Image, Release, Tag
from pressarchive.sources import Source
from pressarchive.storage.store import Archive

STOCKHOLM = ZoneInfo("Europe/Stockholm")

MYNEWSDESK = Source(
    "norrkoping-mynewsdesk",
    "Norrköpings kommun",
    "mynewsdesk",
    ("https://www.mynewsdesk.com/se/norrkopings_kommun",),
)
VIATT = Source(
    "norrkoping-viatt", "Norrköpings kommun", "viatt", ("https://via.tt.se/publisher/norrkoping",)
)
SITEVISION = Source(
    "norrkoping-sitevision",
    "Norrköpings kommun",
    "sitevision",
    ("https://www.norrkoping.se/press",),
)
SOURCES = (MYNEWSDESK, VIATT, SITEVISION)

ABOUT = (
    "Norrköpings kommun är en av Sveriges största kommuner med drygt 140 000 invånare. "
    "Här hittar du pressmeddelanden från kommunen."
)
FORMULA_TITLE = '=HYPERLINK("http://example.invalid";"Klicka här")'

BRO_BODY = (
    "Under tekniska nämndens sammanträde idag fattades enhälligt beslutet att "
    "Femöresbron kommer att ersättas med en ny bro.\n\n"
    "Nämnden beslutade också att den nya bron ska utformas så nära den gamla "
    "Femöresbrons utseende och utformning som möjligt.\n\n"
    "– Det är glädjande att vi nu kan gå vidare, säger Åsa Öberg, ordförande."
)
FLYG_BODY = (
    "2017 blev ett framgångsrikt år för Norrköpings flygplats. Trots oroligheter i "
    "världen ökade antalet passagerare med över 5 000 till nästan 105 000.\n\n"
    "Flygplatsen räknar med att 2018 blir ännu bättre."
)
SPARVAGN_BODY = (
    "Nu kan Norrköpings spårvagnsresenärer ta del av framtidsplanerna för staden "
    "ombord på en av spårvagnarna i linjetrafiken.\n\n"
    "Syftet är att skapa insyn och engagemang kring Norrköpings utveckling."
)
STIPENDIER_BODY = (
    "Den 16 januari delar kultur- och fritidsnämnden ut årets stipendier.\n\n"
    "Media är välkomna till Louis De Geer konsert & kongress."
)
TRYGG_BODY = (
    "Norrköping är fullt av goda människor som älskar sin stad.\n\n"
    "Norrköpings trygghetsskapande arbete sker i nära samverkan mellan kommunens "
    "olika verksamheter, civilsamhället och polis.\n\n"
    "Vi gör det tillsammans under temat Älska Norrköping."
)

CONTACT_ASA = Contact(
    name="Åsa Öberg",
    title="ordförande tekniska nämnden",
    phone="+46706871538",
    email="asa.oberg@norrkoping.se",
)
CONTACT_PRESS = Contact(
    name="Kommunikationsavdelningen",
    role="press_contact",
    phone="+4611150000",
    email="press@norrkoping.se",
)
# The same person as CONTACT_ASA, also named as the sender: one person, two roles.
SENDER_ASA = Contact(
    name="Åsa Öberg",
    role="sender",
    title="ordförande tekniska nämnden",
    phone="+46706871538",
    email="asa.oberg@norrkoping.se",
)
# A contact whose name a spreadsheet would run as a formula.
FORMULA_CONTACT = '=HYPERLINK("http://example.invalid";"Ring")'
CONTACT_FORMULA = Contact(name=FORMULA_CONTACT, phone="+4611150001")


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def _release(
    source: Source,
    number: int,
    title: str,
    body: str,
    published: datetime,
    **fields: object,
) -> Release:
    base = {
        "mynewsdesk": "https://www.mynewsdesk.com/se/norrkopings_kommun/pressreleases/",
        "viatt": "https://via.tt.se/pressmeddelande/",
        "sitevision": "https://www.norrkoping.se/press/",
    }[source.platform]
    release = Release(
        source=source.id,
        platform=source.platform,
        url=f"{base}{number}",
        platform_id=str(number),
        title=title,
        organisation=source.organisation,
        body_text=body,
        body_html="".join(f"<p>{p}</p>" for p in body.split("\n\n")),
        about_text=ABOUT,
        language="sv",
        published_raw=published.strftime("%d %B %Y %H:%M"),
        published_at=published.astimezone(UTC),
        published_local=published,
        fetched_at=published.astimezone(UTC) + timedelta(days=1),
    )
    for name, value in fields.items():
        setattr(release, name, value)
    return release


def sample_releases(now: datetime | None = None) -> list[Release]:
    """The fixture crawl's releases. `now` places the press conference in the future."""
    now = now or datetime.now(UTC)
    conference = (
        (now + timedelta(days=10))
        .astimezone(STOCKHOLM)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    bro_tags = [Tag("Trafik", "subject"), Tag("Norrköping", "region")]
    return [
        _release(
            MYNEWSDESK,
            1001,
            "Det blir en ny bro över Motala ström",
            BRO_BODY,
            _local(2018, 1, 18, 16, 32),
            lead="Femöresbron ersätts med en ny bro.",
            contacts=[CONTACT_ASA, CONTACT_PRESS, SENDER_ASA],
            tags=bro_tags,
            images=[Image("https://example.invalid/femoresbron.jpg", "Femöresbron")],
        ),
        # The same release on Via TT: one cluster with the Mynewsdesk copy.
        _release(
            VIATT,
            2001,
            "Det blir en ny bro över Motala ström",
            BRO_BODY,
            _local(2018, 1, 18, 16, 35),
            lead="Femöresbron ersätts med en ny bro.",
            contacts=[CONTACT_ASA],
            tags=bro_tags,
        ),
        _release(
            MYNEWSDESK,
            1002,
            "2018 väntas bli fantastiskt för Norrköpings flygplats",
            FLYG_BODY,
            _local(2018, 1, 18, 9, 20),
            contacts=[CONTACT_PRESS],
            tags=[Tag("Flyg", "subject")],
        ),
        _release(
            MYNEWSDESK,
            1003,
            "Ta spårvagnen till framtidens Norrköping",
            SPARVAGN_BODY,
            _local(2018, 1, 17, 10, 52),
            kind="nyhet",
        ),
        _release(
            VIATT,
            2002,
            "Pressinbjudan: Utdelning av kultur- och fritidskontorets stipendier",
            STIPENDIER_BODY,
            _local(2018, 1, 11, 9, 0),
            kind="pressinbjudan",
            contacts=[CONTACT_PRESS],
            events=[
                Event(
                    starts_at=conference.astimezone(UTC),
                    ends_at=(conference + timedelta(hours=1)).astimezone(UTC),
                    place="Louis De Geer konsert & kongress",
                    raw="Tid: 10.00 Plats: Louis De Geer",
                )
            ],
        ),
        _release(
            SITEVISION,
            3001,
            "Gemensam kraftsamling för ett tryggare Norrköping",
            TRYGG_BODY,
            _local(2019, 3, 4, 13, 15),
            tags=[Tag("Trygghet", "subject")],
            contacts=[CONTACT_ASA],
        ),
        _release(
            SITEVISION,
            3002,
            FORMULA_TITLE,
            "-1 är inget svar. @kommunen svarar på frågor.",
            _local(2019, 6, 1, 8, 0),
            kind="nyhet",
            contacts=[CONTACT_PRESS, CONTACT_FORMULA],
        ),
    ]


def build_archive(path: Path, *, now: datetime | None = None) -> Path:
    """Create `path` as a populated archive and return it."""
    with Archive(path) as archive:
        for source in SOURCES:
            archive.ensure_source(source)
        archive.store(sample_releases(now), seen_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
        head = archive.find_release_id(platform="mynewsdesk", platform_id="1001", canonical_url="")
        copy = archive.find_release_id(platform="viatt", platform_id="2001", canonical_url="")
        assert head is not None and copy is not None
        with archive.conn:
            archive.set_cluster(copy, head)
    return path


_WORDS = (
    "kommunen bron skolan trygghet nämnden beslut förskola äldreomsorg vatten "
    "cykelväg spårvagn bibliotek kultur fritid idrott stadsbyggnad miljö klimat "
    "näringsliv arbete ungdomar sommar vinter snöröjning budget"
).split()


def synthetic_releases(count: int, *, source: Source = MYNEWSDESK) -> Iterator[Release]:
    """`count` generated releases (for size and speed tests), deterministic."""
    start = datetime(2015, 1, 1, 8, tzinfo=UTC)
    for n in range(count):
        words = [_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(60)]
        yield Release(
            source=source.id,
            platform=source.platform,
            url=f"https://www.mynewsdesk.com/se/synthetic/pressreleases/{n}",
            platform_id=f"s{n}",
            title=f"Nyhet {n}: {words[0]} och {words[1]} i Norrköping",
            organisation=source.organisation,
            body_text=" ".join(words[:30]) + ".\n\n" + " ".join(words[30:]) + ".",
            language="sv",
            published_at=start + timedelta(hours=7 * n),
            contacts=[CONTACT_PRESS] if n % 3 == 0 else [],
            tags=[Tag(words[2].capitalize(), "subject")] if n % 2 == 0 else [],
        )


def build_large_archive(path: Path, count: int, *, batch: int = 2000) -> Path:
    with Archive(path) as archive:
        archive.ensure_source(MYNEWSDESK)
        pending: list[Release] = []
        for release in synthetic_releases(count):
            pending.append(release)
            if len(pending) >= batch:
                archive.store(pending)
                pending = []
        if pending:
            archive.store(pending)
    return path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_archive(db: Path, *, timeout: float = 30.0) -> Iterator[str]:
    """Run `pressarchive serve` on the archive in a subprocess on 127.0.0.1;
    yields the base URL and stops the server afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from pressarchive.cli.serve import serve_command; serve_command()",
        "--db",
        str(db),
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"serve exited with {process.returncode}: {output}")
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"serve did not answer on {base}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
