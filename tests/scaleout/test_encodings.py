"""What a Redis crawl encodes for each page, the same as before but cheaper: a
queued request (scrapy-redis's dict, pickled) and a release for the writer,
whose extraction's text is made once on its way to the archive."""

from __future__ import annotations

import inspect
import json
import pickle
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from queued_requests import RoomSpider, requests

from pressarchive.crawl.pool import LearningCleaning
from pressarchive.distributed import messages
from pressarchive.distributed.request_codec import RequestCodec
from pressarchive.items import Contact, Event, Release
from pressarchive.refine.about_learning import CleaningLog, OnlineAboutLearner
from pressarchive.refine.process import keep_extraction_stage, process
from pressarchive.sources import Source
from pressarchive.storage import rows
from pressarchive.storage.store import Archive


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
    r.extracted = {"title": "Ny förskola i Åby", "_about_model": "m1", "body_text": "Rad 1\nRad 2"}
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
        "extracted_apart": {"_about_model": "m1"},
        "cleaning": None,
    }

    def walked(self: Release) -> Any:
        raise AssertionError("the record walked once more before json.dumps")

    monkeypatch.setattr(Release, "to_json_dict", walked)
    raw = messages.release_message(r, crawl="t1", run="run-1")
    head, extraction = raw.split(b"\n")
    assert json.loads(head) == expected
    assert "Åby".encode() in head  # written as UTF-8, not escaped
    # the archive's text of the extraction, as it is: without the keys kept apart
    assert (
        extraction.decode("utf-8") == '{"title": "Ny förskola i Åby", "body_text": "Rad 1\\nRad 2"}'
    )
    back = messages.release_from(messages.decode(raw))
    assert back == r and back.extracted == r.extracted
    assert back.extracted_text == r.extracted_text == extraction.decode("utf-8")


@dataclass
class Place:
    name: str


def test_a_message_reads_back_as_json_dumps_wrote_it() -> None:
    """orjson writes the messages; what the writer reads is what json.dumps
    with the same `default` gave: datetimes and dates through `default`,
    dataclasses too, keys that are not strings as strings, tuples as lists."""
    fields: dict[str, Any] = {
        "aware": datetime(2026, 3, 1, 9, 30, 5, 120, tzinfo=UTC),
        "naive": datetime(2026, 3, 1, 9, 30),
        "day": date(2026, 3, 1),
        "place": Place("Rådhuset"),
        "counts": {1: "ett", "två": 2},
        "pair": (1, "b"),
        "none": None,
        "line": "rad 1\nrad 2",
    }
    raw = messages.encode("crawl_end", default=messages._iso, **fields)
    stdlib = json.dumps({"kind": "crawl_end", **fields}, ensure_ascii=False, default=messages._iso)
    assert b"\n" not in raw
    assert messages.decode(raw) == json.loads(stdlib)


def test_the_text_of_an_extraction_is_made_once_from_crawl_to_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refined with a cleaning log, its decisions asked for, sent, taken up by
    the writer's log and stored: one json.dumps of the extraction in all (five
    before: the log's, the decisions', the message's, the writer's log's, the
    store's)."""
    made: list[str] = []
    make = rows.extraction_record_text

    def counted(extracted: dict[str, Any]) -> str:
        made.append(make(extracted))
        return made[-1]

    monkeypatch.setattr(rows, "extraction_record_text", counted)
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    fresh = Release(
        source="room",
        platform="viatt",
        url="http://room.example/release-1",
        title="Ny förskola i Åby",
        body_text="Förskolan öppnar i augusti.",
        body_html="<p>Förskolan öppnar i augusti.</p>",
        published_raw="1 mars 2026 09:30",
        fetched_at=moment,
    )
    log = CleaningLog()
    crawled = process(fresh, cleaning=LearningCleaning(OnlineAboutLearner([]), log))
    raw = messages.release_message(
        crawled, crawl="t1", run="run-1", cleaning=log.decisions_json(crawled)
    )
    message = messages.decode(raw)
    received = messages.release_from(message)
    CleaningLog().remember(received, message["cleaning"])
    with Archive(tmp_path / "a.db") as archive:
        archive.ensure_source(
            Source("room", "Norrköpings kommun", "viatt", ("http://room.example/",))
        )
        archive.store([received])
        (stored,) = archive.conn.execute("SELECT record FROM extractions").fetchone()
    assert len(made) == 1
    assert stored == made[0] == make(crawled.extracted or {})
    assert json.loads(stored)["title"] == "Ny förskola i Åby"


def test_an_extraction_made_again_is_not_stored_with_the_text_of_the_one_before() -> None:
    r = release()
    r.extracted_text = '{"title": "en äldre extraktion"}'
    r.title = "Ny rubrik"
    again = keep_extraction_stage(r, None)  # type: ignore[arg-type]
    assert rows.extraction_text(again) == make_text(again)
    assert json.loads(rows.extraction_text(again))["title"] == "Ny rubrik"


def make_text(r: Release) -> str:
    return rows.extraction_record_text(r.extracted or {})


def test_a_release_message_of_one_line_from_before_is_still_read() -> None:
    r = release()
    raw = messages.encode(
        "release", default=str, crawl="t1", run="run-1", record=r.to_dict(), extracted=r.extracted
    )
    back = messages.release_from(messages.decode(raw))
    assert back == r and back.extracted == r.extracted
    assert rows.extraction_text(back) == make_text(r)


@pytest.mark.parametrize("extraction", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_release_message_with_a_broken_extraction_is_a_bad_message(extraction: bytes) -> None:
    head = messages.release_message(release(), crawl="t1", run="run-1").split(b"\n")[0]
    with pytest.raises(messages.BadMessage):
        messages.release_from(messages.decode(head + b"\n" + extraction))
