"""A request as a queue keeps it (crawl.request_dict), and the local crawl's
disk queue, which holds what Scrapy's own would without `Request.to_dict`'s
search of the spider's methods."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from queued_requests import RoomSpider, requests
from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.test import get_crawler

from pressarchive.crawl.child import project_settings
from pressarchive.crawl.disk_queue import RequestDictLifoDiskQueue
from pressarchive.crawl.request_dict import request_dict


def queue(cls: Any, path: Path) -> Any:
    crawler = get_crawler(RoomSpider)
    crawler.spider = crawler._create_spider()
    return cls.from_crawler(crawler, str(path)), crawler.spider


def popped(q: Any) -> list[dict[str, Any]]:
    out = []
    while (request := q.pop()) is not None:
        out.append(request.to_dict(spider=q.spider))
    return out


def test_the_queue_gives_back_what_scrapys_own_gives_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs, their_spider = queue(PickleLifoDiskQueue, tmp_path / "theirs")
    for request in requests(their_spider):
        theirs.push(request)
    expected = popped(theirs)

    ours, spider = queue(RequestDictLifoDiskQueue, tmp_path / "ours")

    def searched(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the spider's methods were listed")

    monkeypatch.setattr(inspect, "getmembers", searched)
    for request in requests(spider):
        ours.push(request)
    monkeypatch.undo()
    assert popped(ours) == expected
    assert len(expected) == len(requests(spider))


def test_a_callback_that_is_no_method_of_the_spider_goes_through_scrapy() -> None:
    spider = RoomSpider()
    of_another = Request("http://room.example/", callback=RoomSpider(name="other").parse_release)
    assert request_dict(of_another, spider) == of_another.to_dict(spider=spider)
    with pytest.raises(ValueError, match="not an instance method"):
        request_dict(Request("http://room.example/", callback=lambda response: None), spider)


def test_the_queue_refuses_a_callback_as_scrapys_own_does(tmp_path: Path) -> None:
    ours, _ = queue(RequestDictLifoDiskQueue, tmp_path / "ours")
    with pytest.raises(ValueError, match="not an instance method"):
        ours.push(Request("http://room.example/", callback=lambda response: None))


def test_the_crawl_queues_on_disk_with_it() -> None:
    assert project_settings().get("SCHEDULER_DISK_QUEUE") == (
        "pressarchive.crawl.disk_queue.RequestDictLifoDiskQueue"
    )
