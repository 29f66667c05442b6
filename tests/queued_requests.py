"""Requests of the kinds the spiders queue, for the tests of how a queue keeps
them (crawl.request_dict, the local disk queue, the Redis frontier's codec)."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.http import FormRequest


class RoomSpider(Spider):
    name = "room"

    def parse_release(self, response: Any) -> None:
        pass

    def failed(self, failure: Any) -> None:
        pass


def requests(spider: RoomSpider) -> list[Request]:
    """A release page with everything a request carries, a plain one, a form."""
    return [
        Request(
            "http://room.example/release-1",
            callback=spider.parse_release,
            errback=spider.failed,
            meta={"listing": 2},
            headers={"Accept-Language": "sv"},
            priority=10,
            cb_kwargs={"page": 3},
            dont_filter=True,
        ),
        Request("http://room.example/"),
        FormRequest("http://room.example/search", formdata={"q": "x"}, callback=spider.parse),
    ]
