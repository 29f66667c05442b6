"""Canonical URLs, platform ids, content hashes and near-duplicate clustering."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pressarchive.dedupe.index import ClusterInput, DuplicateIndex, cluster_all
from pressarchive.dedupe.minhash import Signature, signature, title_similarity
from pressarchive.dedupe.urls import canonical_url, platform_release_id, registered_domain
from pressarchive.storage.connection import content_hash

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
T0 = datetime(2023, 12, 1, 10, 0, tzinfo=UTC)


# ------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Via TT: publisherId and lang say nothing about which release it is
        (
            "https://via.tt.se/pressmeddelande/3923563/klockaretorpet?publisherId=1347718&lang=sv",
            "https://via.tt.se/pressmeddelande/3923563/klockaretorpet",
        ),
        # ...but on the publisher's room it is the content
        (
            "https://via.tt.se/publisher/room?publisherId=1347718&lang=sv",
            "https://via.tt.se/publisher/room?publisherId=1347718",
        ),
        (
            "http://WWW.MyNewsDesk.com:80/se/norrkopings_kommun?utm_source=nl&utm_medium=mail&page=2#top",
            "https://mynewsdesk.com/se/norrkopings_kommun?page=2",
        ),
        (
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-samverkan?fbclid=abc&gclid=x&mc_cid=1&mc_eid=2&_ga=3&ref=tw",
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-samverkan",
        ),
        # content-identifying parameters stay, sorted
        ("https://example.se/news?page=3&id=17", "https://example.se/news?id=17&page=3"),
        ("https://example.se:8443/a", "https://example.se:8443/a"),
        ("https://www.example.se/a;jsessionid=ABC123", "https://example.se/a"),
        ("http://127.0.0.1:8000/se/room/?utm_campaign=x", "https://127.0.0.1:8000/se/room/"),
        ("https://www.se/", "https://www.se/"),  # a bare www host keeps its name
        ("http://[::1]:8080/a?b=1&a=2", "https://[::1]:8080/a?a=2&b=1"),
        (
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-äventyr",
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-%C3%A4ventyr",
        ),
        ("http://host:abc/x", "http://host:abc/x"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_same_release_from_two_links_has_one_key() -> None:
    a = canonical_url(
        "https://via.tt.se/pressmeddelande/3923563/klockaretorpet?publisherId=1347718"
    )
    b = canonical_url("http://via.tt.se/pressmeddelande/3923563/klockaretorpet?lang=sv#dela")
    assert a == b


def test_canonical_link_honoured_on_the_same_site_only() -> None:
    page = "https://www.norrkoping.se/nyhetsarkiv/2023/x?sv.target=12.3"
    assert canonical_url(page, canonical_link="/nyhetsarkiv/2023/2023-12-01-x") == (
        "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-x"
    )
    assert canonical_url(page, canonical_link="https://press.norrkoping.se/r/1") == (
        "https://press.norrkoping.se/r/1"
    )
    # another site's canonical (syndication) is ignored
    assert canonical_url(page, canonical_link="https://via.tt.se/pressmeddelande/1/x") == (
        canonical_url(page)
    )
    assert canonical_url(page, canonical_link="  ") == canonical_url(page)


def test_registered_domain() -> None:
    assert registered_domain("news.cision.com") == "cision.com"
    assert registered_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("127.0.0.1") == "127.0.0.1"


@pytest.mark.parametrize(
    ("platform", "url", "expected"),
    [
        (
            "mynewsdesk",
            "https://www.mynewsdesk.com/se/pressroom/norrkopings_kommun/pressrelease/view/nu-oeppnar-biblioteket-2345678",
            "2345678",
        ),
        (
            "mynewsdesk",
            "https://www.mynewsdesk.com/se/norrkopings_kommun/pressreleases/nu-oeppnar-3214567",
            "3214567",
        ),
        (
            "mynewsdesk",
            "http://127.0.0.1:8765/se/norrkopings_kommun/news/en-nyhet-3000001",
            "3000001",
        ),
        (
            "mynewsdesk",
            "http://127.0.0.1:8765/se/norrkopings_kommun/events/pressvisning-3000002",
            "3000002",
        ),
        ("mynewsdesk", "https://www.mynewsdesk.com/se/norrkopings_kommun?page=2", None),
        (
            "viatt",
            "https://via.tt.se/pressmeddelande/3923563/klockaretorpet?publisherId=1347718",
            "3923563",
        ),
        ("viatt", "http://127.0.0.1:9000/pressmeddelande/42/x", "42"),
        ("viatt", "https://via.tt.se/publisher/1347718/norrkopings-kommun", None),
        (
            "cision",
            "https://news.cision.com/se/norrkopings-kommun/r/ny-skola-i-hageby,c3900001",
            "3900001",
        ),
        (
            "sitevision",
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-samverkan-for-ett-tryggt-norrkoping",
            "2023-12-01-samverkan-for-ett-tryggt-norrkoping",
        ),
        ("sitevision", "https://norrkoping.se/nyhetsarkiv/2023", None),
        (
            "sitevision",
            "https://norrkoping.se/nyhetsarkiv/2023/2023-12-01-%C3%A4ventyr",
            "2023-12-01-äventyr",
        ),
        ("generic", "https://example.se/news/123", None),
    ],
)
def test_platform_release_id(platform: str, url: str, expected: str | None) -> None:
    assert platform_release_id(platform, url) == expected


# ------------------------------------------------------------------ hashes


def test_content_hash_ignores_whitespace_but_not_words() -> None:
    base = content_hash("Nu öppnar", "Ingress.", "Första raden.\nAndra raden.")
    assert content_hash(" Nu  öppnar ", "Ingress.", "Första raden.  Andra\n\nraden.") == base
    assert content_hash("Nu öppnar", "Ingress.", "Första raden. Tredje raden.") != base
    # a word moved from the lead to the body is a different record
    assert content_hash("Nu öppnar", "", "Ingress. Första raden. Andra raden.") != base


def test_content_hash_matches_the_store() -> None:
    from pressarchive.storage.connection import content_hash as store_hash

    assert content_hash("Titel", "Ingress", "Brödtext") == store_hash(
        "Titel", "Ingress", "Brödtext"
    )


def test_signature_round_trips_and_ignores_wrapping() -> None:
    text = "Idag, fredag den 1 december, presenterade Polisen 2023 års lägesbild " * 5
    sig = signature(text)
    assert Signature.from_bytes(sig.to_bytes()).similarity(sig) == 1.0
    assert signature(textwrap.fill(text.upper(), 40)).similarity(sig) == 1.0
    with pytest.raises(ValueError):
        Signature.from_bytes(b"\x03" + sig.to_bytes()[1:])


def test_empty_text_matches_nothing() -> None:
    assert signature("").similarity(signature("")) == 0.0
    assert signature("  ,.  ").is_empty


def test_title_similarity_tolerates_prefixes() -> None:
    assert title_similarity("Pressinbjudan: Nu öppnar biblioteket", "Nu öppnar biblioteket") == 1.0
    assert title_similarity("Samverkan för ett tryggt Norrköping", "Nu öppnar biblioteket") == 0.0


# ------------------------------------------------------------------ clustering


def seed_body(name_prefix: str) -> str:
    """The release text of a Via TT seed: from the lead up to the contact block."""
    text = next(SEEDS.glob(f"{name_prefix}_*.txt")).read_text(encoding="utf-8")
    after_share = text.split("\nDela\n", 1)[1]
    return after_share.split("Kontakt", 1)[0].strip()


def seed_full(name_prefix: str) -> str:
    """A seed's whole text: release plus contact block, about-text and chrome."""
    return next(SEEDS.glob(f"{name_prefix}_*.txt")).read_text(encoding="utf-8")


needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds not beside the checkout")


def republished(text: str) -> str:
    """The same release on another platform: re-wrapped, a word changed, a line added."""
    edited = text.replace("Navestad", "Navestad i Norrköping", 1).replace("Idag,", "I dag,", 1)
    return textwrap.fill(edited, 72) + "\n\nLäs mer på norrkoping.se."


@needs_seeds
def test_same_release_on_three_platforms_is_one_cluster() -> None:
    body = seed_body("004")
    title = "Samverkan för ett tryggt Norrköping"
    records = [
        ClusterInput(1, title, body, T0),
        ClusterInput(2, f"Pressmeddelande: {title}", republished(body), T0 + timedelta(minutes=40)),
        ClusterInput(3, title, republished(body).replace("\n", " "), T0 + timedelta(hours=5)),
        ClusterInput(
            4, "Klockaretorpet klassas inte längre som utsatt område", seed_body("003"), T0
        ),
    ]
    clusters = cluster_all(records)
    assert clusters[1] == clusters[2] == clusters[3] == 1
    assert clusters[4] == 4


@needs_seeds
def test_releases_sharing_about_text_and_contacts_stay_apart() -> None:
    # Whole pages, about-text and "latest releases" chrome included: the
    # guards must hold even when cleaning missed something.
    a, b = seed_full("003"), seed_full("004")
    index = DuplicateIndex()
    first = index.add(
        3,
        signature(a),
        title="Klockaretorpet klassas inte längre som utsatt område",
        published_at=T0,
    )
    second = index.add(
        4, signature(b), title="Samverkan för ett tryggt Norrköping", published_at=T0
    )
    assert (first, second) == (3, 4)


def test_same_text_a_year_later_is_a_new_release() -> None:
    text = " ".join(f"ord{i} mening{i % 7} om{i % 3}" for i in range(120))
    index = DuplicateIndex()
    assert index.add(1, signature(text), title="Kulturnatten", published_at=T0) == 1
    later = T0 + timedelta(days=365)
    assert index.add(2, signature(text), title="Kulturnatten", published_at=later) == 2
    assert index.add(3, signature(text), title="Kulturnatten", published_at=None) == 1


def test_short_boilerplate_only_texts_need_agreeing_titles() -> None:
    boilerplate = (
        "Kontakt: Anna Andersson, presschef, telefon 011-15 00 00. "
        "Avsändare: Norrköpings kommun, kommunikationsavdelningen."
    )
    index = DuplicateIndex()
    assert index.add(1, signature(boilerplate), title="Ny förskola i Hageby", published_at=T0) == 1
    assert (
        index.add(2, signature(boilerplate), title="Vägarbete på Drottninggatan", published_at=T0)
        == 2
    )


def test_index_loads_from_stored_signatures() -> None:
    text = " ".join(f"ord{i} text{i % 5}" for i in range(200))
    stored = [
        (10, signature(text).to_bytes(), "Titel", T0, 7),  # clustered earlier, into 7
        (11, signature("helt annan text " * 40).to_bytes(), "Annat", T0, None),
    ]
    index = DuplicateIndex.from_rows(stored)
    assert len(index) == 2 and index.cluster_of(11) == 11
    assert index.add(12, signature(text + " tillägg"), title="Titel", published_at=T0) == 7


def test_re_adding_a_key_reindexes_it() -> None:
    index = DuplicateIndex()
    text = " ".join(f"ord{i}" for i in range(100))
    index.add(1, signature(text), title="A", published_at=T0)
    assert index.add(1, signature("helt ny text " * 30), title="A", published_at=T0) == 1
    assert index.add(2, signature(text), title="A", published_at=T0) == 2  # 1 no longer has it


def test_cluster_id_is_the_earliest_publication() -> None:
    text = " ".join(f"ord{i} text{i % 5}" for i in range(200))
    clusters = cluster_all(
        [
            ClusterInput(5, "Titel", text, T0 + timedelta(hours=2)),
            ClusterInput(9, "Titel", text, T0),
            ClusterInput(1, "Titel", text, None),
        ]
    )
    assert clusters == {5: 9, 9: 9, 1: 9}


def test_long_texts_are_hashed_in_chunks_with_the_same_result() -> None:
    import numpy as np

    from pressarchive.dedupe.minhash import _PERM_A, _PERM_B, _shingle_hashes, words

    text = " ".join(f"ord{i % 9000} text{i % 13}" for i in range(6000))  # > 4096 shingles
    shingles = _shingle_hashes(words(text))
    whole = ((shingles[:, None] * _PERM_A + _PERM_B).min(axis=0) >> np.uint64(32)).astype(np.uint32)
    assert np.array_equal(signature(text).values, whole)


def templated(place: str, n: int, quote: str) -> tuple[str, str]:
    """Two releases from one template differ in the place, a number and a quote."""
    title = f"Ny detaljplan för {place} ute på samråd"
    body = (
        f"Stadsplaneringsnämnden har skickat ut förslaget till ny detaljplan för {place} på "
        f"samråd. Planen möjliggör omkring {n} nya bostäder, en förskola och en ny park vid "
        "vattnet. Förslaget finns att läsa i stadshusets reception och på kommunens webbplats. "
        f"{quote} Synpunkter på förslaget ska lämnas senast två veckor efter att samrådet har "
        "öppnat."
    )
    return title, body


def test_an_undated_release_needs_the_same_title() -> None:
    index = DuplicateIndex()
    title, body = templated("Navestad", 24, "– Vi har lyssnat på de boende, säger Olle Vikmång.")
    assert index.add(1, signature(body), title=title, published_at=T0) == 1
    sibling_title, sibling = templated("Butängen", 40, "– Vi har lyssnat, säger Anna Thörn.")
    assert index.add(2, signature(sibling), title=sibling_title, published_at=None) == 2
    assert index.add(3, signature(body), title=title, published_at=None) == 1


def test_an_undated_release_cannot_bridge_two_dated_ones() -> None:
    """A dated release matching only an undated member must not join a cluster
    whose dated members were published years away."""
    text = " ".join(f"ord{i} mening{i % 7} om{i % 3}" for i in range(120))
    index = DuplicateIndex()
    assert index.add(1, signature(text), title="Kulturnatten", published_at=T0) == 1
    assert index.add(2, signature(text), title="Kulturnatten", published_at=None) == 1
    index.remove(1)  # only the undated member is left to match
    later = T0 + timedelta(days=365)
    assert index.add(3, signature(text), title="Kulturnatten", published_at=later) == 3


REPOST = " ".join(
    f"Kommunen bygger {w} vid skolan och invånarna får säga sitt om planen för området"
    for w in ("en park", "en lekplats", "en cykelbana", "ett torg", "en brygga")
)


def test_the_same_text_under_a_rewritten_title_is_the_same_release() -> None:
    index = DuplicateIndex()
    assert index.add(1, signature(REPOST), title="Ny park vid skolan", published_at=T0) == 1
    assert index.add(2, signature(REPOST), title="Samråd om Hagebyplanen", published_at=T0) == 1


def test_the_same_text_reposted_within_thirty_days_is_the_same_release() -> None:
    index = DuplicateIndex()
    assert index.add(1, signature(REPOST), title="Ny park", published_at=T0) == 1
    assert (
        index.add(2, signature(REPOST), title="Påminnelse", published_at=T0 + timedelta(days=10))
        == 1
    )
    assert (
        index.add(3, signature(REPOST), title="Ny park", published_at=T0 + timedelta(days=30)) == 1
    )
    assert (
        index.add(4, signature(REPOST), title="Ny park", published_at=T0 + timedelta(days=61)) == 4
    )


def test_issues_of_a_template_release_stay_apart() -> None:
    def agenda(week: int) -> str:
        return (
            f"Veckans agenda vecka {week}. Kommunstyrelsen sammanträder måndag {week + 3} mars "
            f"klockan 13.00 i stadshuset. " + REPOST
        )

    index = DuplicateIndex()
    assert index.add(1, signature(agenda(10)), title="Veckans agenda", published_at=T0) == 1
    later = T0 + timedelta(days=7)
    assert index.add(2, signature(agenda(11)), title="Veckans agenda", published_at=later) == 2
    # a copy that only adds a dateline is still the same release
    copy = "Norrköping 2023-12-01. " + agenda(10)
    assert index.add(3, signature(copy), title="Veckans agenda", published_at=T0) == 1


def test_signatures_stored_before_figures_were_kept_still_load() -> None:
    sig = signature(REPOST)
    old = b"\x01" + sig.values.astype("<u4").tobytes()
    loaded = Signature.from_bytes(old)
    assert loaded.similarity(sig) == 1.0 and loaded.figures is None
    assert not loaded.figures_replaced(sig)
