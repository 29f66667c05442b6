"""Fixtures of the fault suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .rooms import MAX_SIZE, FaultRoom

FAULT_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "ERROR",
    "DOWNLOAD_MAXSIZE": MAX_SIZE,
    "DOWNLOAD_WARNSIZE": MAX_SIZE // 2,
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0.05,
    "PRESSARCHIVE_PROGRESS": False,
}


@pytest.fixture
def fault_room() -> Iterator[Callable[..., FaultRoom]]:
    started: list[FaultRoom] = []

    def start(**kwargs: Any) -> FaultRoom:
        room = FaultRoom(**kwargs).__enter__()
        started.append(room)
        return room

    yield start
    for room in started:
        room.__exit__()
