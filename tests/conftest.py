"""Shared fixtures: the demo press rooms on 127.0.0.1 and a scratch archive path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e.helpers import QUICK_RETRY_SETTINGS  # tests/ is on sys.path under pytest

from pressarchive.demo.server import DemoPressRooms

# Crawling our own fixture rooms: no politeness delays, quick retries.
FAST_CRAWL_SETTINGS: dict[str, Any] = QUICK_RETRY_SETTINGS


E2E_DIR = Path(__file__).parent / "e2e"


# The longest tests start first: `make test` runs on two workers (pytest-xdist),
# which take tests in collection order, so a 50 s crawl collected last would run
# alone at the end while the other worker sat idle.
LONG_FIRST = ("scaleout", "faults", "e2e")


def _long_first(item: pytest.Item) -> int:
    parts = Path(item.path).relative_to(Path(__file__).parent).parts
    group = parts[0] if len(parts) > 1 else ""
    return LONG_FIRST.index(group) if group in LONG_FIRST else len(LONG_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Crawls of whole rooms are `e2e`: `make unit` leaves them (and `slow`) out."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
    items.sort(key=_long_first)  # stable: the order within each group stays


@pytest.fixture
def fast_crawl_settings() -> dict[str, Any]:
    return dict(FAST_CRAWL_SETTINGS)


@pytest.fixture
def start_rooms() -> Iterator[Callable[..., DemoPressRooms]]:
    """Start demo rooms: `start_rooms("mynewsdesk", size=None)`; stopped after the test."""
    started: list[DemoPressRooms] = []

    def start(*platforms: str, size: int | None = None) -> DemoPressRooms:
        rooms = DemoPressRooms(platforms, size=size) if platforms else DemoPressRooms(size=size)
        rooms.start()
        started.append(rooms)
        return rooms

    yield start
    for rooms in started:
        rooms.stop()


@pytest.fixture
def demo_rooms(start_rooms: Callable[..., DemoPressRooms]) -> DemoPressRooms:
    """All five demo press rooms, edition 1."""
    return start_rooms()


@pytest.fixture
def tmp_archive(tmp_path: Path) -> Path:
    """Where a test's archive goes (not created: the crawl creates it)."""
    return tmp_path / "archive" / "pressarchive.db"
