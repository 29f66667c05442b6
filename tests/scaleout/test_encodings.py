"""What a Redis crawl encodes for each page, the same as before but cheaper: a
queued request (scrapy-redis's dict, pickled) and a release for the writer."""

from __future__ import annotations

import inspect
import json
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import FormRequest

from pressarchive.distributed import messages
from pressarchive.distributed.request_codec import RequestCodec, request_dict
from pressarchive.items import Contact, Event, Release


class RoomSpider(Spider):
    name = "room"

    def parse_release(self, response: Any) -> None:
        pass

    def failed(self, failure: Any) -> None:
        pass


def requests(spider: RoomSpider) -> list[Request]:
    return [
        Request(
            "http://room.example/release-1",
            callback=spider.parse_release,
            errback=spider.failed,
            meta={"listing": 2},
            priority=10,
            cb_kwargs={"page": 3},
        ),
        Request("http://room.example/"),
        FormRequest("http://room.example/search", formdata={"q": "x"}, callback=spider.parse),
    ]


def test_a_queued_request_is_scrapys_dict_found_without_listing_the_spiders_methods(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spider = RoomSpider()
    expected = [r.to_dict(spider=spider) for r in requests(spider)]

    def no_search(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("inspect.getmembers: the spider's methods listed for one request")

    monkeypatch.setattr(inspect, "getmembers", no_search)
    codec = RequestCodec()
    codec.spider, codec.serializer = spider, pickle
    assert [pickle.loads(codec._encode_request(r)) for r in requests(spider)] == expected


def test_a_callback_that_is_no_method_of_the_spider_goes_through_scrapy() -> None:
    spider = RoomSpider()
    of_another = Request("http://room.example/", callback=RoomSpider(name="other").parse_release)
    assert request_dict(of_another, spider) == of_another.to_dict(spider=spider)
    with pytest.raises(ValueError, match="not an instance method"):
        request_dict(Request("http://room.example/", callback=lambda response: None), spider)


def release() -> Release:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    r = Release(
        source="room",
        platform="viatt",
        url="http://room.example/release-1",
        title="Ny förskola i Åby",
        published_at=moment,
        fetched_at=moment,
        contacts=[Contact("Anna Ö", phone="+46701234567")],
        events=[Event(starts_at=moment, place="Rådhuset")],
        flags=["partial"],
    )
    r.extracted = {"title": "Ny förskola i Åby", "_about_model": "m1"}
    return r


def test_a_release_message_is_the_json_it_was_made_without_to_json_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = release()
    expected = {
        "kind": "release",
        "crawl": "t1",
        "run": "run-1",
        "record": r.to_json_dict(),
        "extracted": r.extracted,
        "cleaning": None,
    }

    def walked(self: Release) -> Any:
        raise AssertionError("the record walked once more before json.dumps")

    monkeypatch.setattr(Release, "to_json_dict", walked)
    raw = messages.release_message(r, crawl="t1", run="run-1")
    assert json.loads(raw) == expected
    assert raw == json.dumps(expected, ensure_ascii=False).encode("utf-8")
    back = messages.release_from(messages.decode(raw))
    assert back == r and back.extracted == r.extracted
