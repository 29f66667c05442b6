"""The source registry's validation and the retry backoff."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressarchive.crawl.middlewares import retry_delay
from pressarchive.sources import Source, SourceError, load_sources, parse_sources, select_sources

GOOD = """
[[source]]
id = "a"
organisation = "Norrköpings kommun"
platform = "viatt"
start_urls = ["https://via.tt.se/publisher/1347718/norrkopings-kommun"]
[source.options]
publisher_id = "1347718"
"""


def test_a_source_survives_its_json_round_trip_with_every_field() -> None:
    source = Source(
        "room-a",
        "Norrköpings kommun",
        "sitevision",
        ("http://127.0.0.1:8000/nyheter", "http://127.0.0.1:8000/press"),
        allowed_domains=("127.0.0.1", "norrkoping.se"),
        options={"listing_path": "/nyheter", "max_pages": 3},
        allow_private=True,
    )
    # every field differs from its default, so a field the JSON forgets is caught
    blank = Source("x", "x", "generic", ("http://x/",))
    for f in dataclasses.fields(Source):
        assert getattr(source, f.name) != getattr(blank, f.name), f.name
    again = Source.from_json_dict(json.loads(json.dumps(source.to_json_dict())))
    for f in dataclasses.fields(Source):
        assert getattr(again, f.name) == getattr(source, f.name), f.name


def test_the_bundled_registry_is_valid() -> None:
    sources = load_sources(Path(__file__).parents[1] / "data" / "sources.toml")
    assert {s.platform for s in sources} == {"mynewsdesk", "viatt", "sitevision"}
    assert all(s.organisation == "Norrköpings kommun" for s in sources)


def test_allowed_domains_default_to_start_hosts() -> None:
    (source,) = parse_sources(GOOD)
    assert source.allowed_domains == ("via.tt.se",)
    assert source.option("publisher_id") == "1347718"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[source]]\norganisation='O'\nplatform='viatt'\nstart_urls=['https://x/']", "'id'"),
        (
            GOOD.replace('platform = "viatt"', 'platform = "facebook"'),
            "source 'a': field 'platform'",
        ),
        (
            GOOD.replace(
                '["https://via.tt.se/publisher/1347718/norrkopings-kommun"]', '["ftp://x"]'
            ),
            "source 'a': field 'start_urls'",
        ),
        (
            GOOD.replace(
                'start_urls = ["https://via.tt.se/publisher/1347718/norrkopings-kommun"]',
                "start_urls = []",
            ),
            "'start_urls'",
        ),
        (GOOD + GOOD, "used twice"),
        (GOOD.replace("[source.options]", 'colour = "red"\n[source.options]'), "unknown field"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_registry_errors_name_source_and_field(text: str, message: str) -> None:
    with pytest.raises(SourceError, match=message.replace("(", r"\(")):
        parse_sources(text)


def test_missing_registry_and_unknown_source() -> None:
    with pytest.raises(SourceError, match="not found"):
        load_sources("/nonexistent/sources.toml")
    with pytest.raises(SourceError, match="unknown source"):
        select_sources(parse_sources(GOOD), ["b"])


def test_retry_after_seconds_and_http_date_are_honoured() -> None:
    now = datetime(2025, 2, 10, 12, 0, 0, tzinfo=UTC)
    assert retry_delay("7", attempt=1, base=1, cap=120) == 7
    assert retry_delay("600", attempt=1, base=1, cap=120) == 120
    assert retry_delay("Mon, 10 Feb 2025 12:00:30 GMT", attempt=1, base=1, cap=120, now=now) == 30
    assert retry_delay("Mon, 10 Feb 2025 11:00:00 GMT", attempt=1, base=1, cap=120, now=now) == 0


def test_backoff_grows_exponentially_without_retry_after() -> None:
    delays = [retry_delay(None, attempt=n, base=1, cap=120) for n in range(1, 9)]
    assert delays == [1, 2, 4, 8, 16, 32, 64, 120]
    assert retry_delay("garbage", attempt=2, base=0.5, cap=120) == 1
    assert retry_delay(None, attempt=3, base=0, cap=120) == 0
