"""Layer 1, the platforms' services: Mynewsdesk's pressroom service and Cision's
release JSON. The answers here are built from the field lists seen in public
client code (platforms.md), not saved from the services: no real answer is held.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pressarchive.spiders.mynewsdesk import MynewsdeskSpider
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler

from pressarchive.extract.services import (
    cision_release,
    mynewsdesk_items,
    mynewsdesk_release,
    mynewsdesk_service_url,
)
from pressarchive.items import Release
from pressarchive.refine.process import process
from pressarchive.sources import Source

ROOM = "https://www.mynewsdesk.com/se/norrkopings_kommun"


def item(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "type_of_media": "pressrelease",
        "url": f"{ROOM}/pressreleases/ny-bro-over-motala-stroem-{2035100 + number}",
        "language": "sv",
        "published_at": {"datetime": "2018-01-18 15:32:00", "text": "2018-01-18 15:32"},
        "header": "Ny bro &#8211; över Motala ström",
        "summary": "Kommunen bygger en ny bro.",
        "body": "<p>Bron byggs 2019.</p><p>Den blir 80 meter lång.</p>"
        '<div class="boilerplate"><p>Let\'s create Norrköping! Norrköpings kommun ...</p></div>',
        **fields,
    }


def test_service_url_names_key_paging_and_order() -> None:
    url = mynewsdesk_service_url("abc123", limit=50, offset=100)
    assert url.startswith("https://www.mynewsdesk.com/services/pressroom/list/abc123?")
    assert "format=json" in url and "type_of_media=pressrelease" in url
    assert "limit=50" in url and "offset=100" in url and "order=published" in url


def test_service_item_is_a_release_with_its_about_text_apart() -> None:
    release = mynewsdesk_release(item(1), source_id="nk-mnd", organisation="Norrköpings kommun")
    assert release is not None
    assert release.title == "Ny bro – över Motala ström"
    assert release.lead == "Kommunen bygger en ny bro."
    assert "Bron byggs 2019." in release.body_html and "create" not in release.body_html
    assert release.about_text.startswith("Let's create Norrköping!")
    assert release.published_at == datetime(2018, 1, 18, 15, 32, tzinfo=UTC)
    assert release.kind == "pressmeddelande" and release.platform_id == "2035101"
    assert release.layers["body_html"] == "api" and release.layers["published_at"] == "api"


def test_one_item_or_many_or_none() -> None:
    assert len(mynewsdesk_items({"items": {"item": item(1)}})) == 1
    assert len(mynewsdesk_items({"items": {"item": [item(1), item(2)]}})) == 2
    assert mynewsdesk_items({"error": "unknown key"}) == []
    assert mynewsdesk_items([]) == []
    assert mynewsdesk_release({"header": "no url"}, source_id="s") is None


def spider(**options: Any) -> MynewsdeskSpider:
    source = Source("nk-mnd", "Norrköpings kommun", "mynewsdesk", (ROOM,), (), options)
    crawler = get_crawler(MynewsdeskSpider)
    return MynewsdeskSpider.from_crawler(crawler, source=source)


def answer(url: str, data: Any) -> TextResponse:
    return TextResponse(url, body=json.dumps(data).encode(), encoding="utf-8", request=Request(url))


def test_with_a_key_the_service_is_the_first_request() -> None:
    (request,) = list(spider(unique_key="abc123").start_requests())
    assert "/services/pressroom/list/abc123" in request.url
    (plain,) = list(spider().start_requests())
    assert plain.url == ROOM + "/pressreleases.rss"  # without a key, the room's feed


def test_service_page_gives_releases_and_stops_when_short() -> None:
    s = spider(unique_key="abc123")
    url = mynewsdesk_service_url("abc123")
    out = list(s.parse_service(answer(url, {"items": {"item": [item(1), item(2)]}})))
    assert [type(o) for o in out] == [Release, Release]  # fewer than a page: no next request
    assert s.crawler.stats.get_value("pressarchive/service_pages") == 1


def test_an_empty_answer_is_loud_and_falls_back_to_the_html_walk(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = spider(unique_key="wrong")
    url = mynewsdesk_service_url("wrong")
    with caplog.at_level("WARNING"):
        out = list(s.parse_service(answer(url, {"items": {"item": []}})))
    assert [r.url for r in out] == [ROOM + "/pressreleases.rss"]  # the listing layers
    assert s.crawler.stats.get_value("pressarchive/missing_field/service_items") == 1
    assert any("nk-mnd" in r.getMessage() and "service" in r.getMessage() for r in caplog.records)


def test_cision_record_is_a_release_with_about_and_contacts() -> None:
    record = {
        "Title": "Norrköping och Linköping fördjupar samverkan",
        "HtmlIntro": "<p>Kommunerna tecknar ett nytt avtal.</p>",
        "HtmlBody": "<p>Avtalet gäller från 2023.</p>",
        "HtmlContact": "<p>Kontakt:<br>Anna Thörn, kommundirektör, 011-15 00 00</p>",
        "HtmlCompanyInformation": "<p>Norrköpings kommun har 145 000 invånare.</p>",
        "PublishDate": "2022-05-06T07:30:00Z",
        "CisionWireUrl": "https://news.cision.com/se/norrkopings-kommun/r/samverkan,c3561234",
    }
    release = cision_release(record, source_id="nk-cision", url="https://x/")
    assert release.title == record["Title"] and release.lead == "Kommunerna tecknar ett nytt avtal."
    assert release.published_at == datetime(2022, 5, 6, 7, 30, tzinfo=UTC)
    assert release.about_text == "Norrköpings kommun har 145 000 invånare."
    assert release.platform_id == "3561234"
    cleaned = process(release)
    assert "Avtalet gäller från 2023." in cleaned.body_text
    assert [c.name for c in cleaned.contacts] == ["Anna Thörn"]
    assert "Anna Thörn" not in cleaned.body_text
