from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scaleout.redis_server import REDIS_SERVER, SKIP_REASON, running_redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    if not REDIS_SERVER:
        pytest.skip(SKIP_REASON)
    with running_redis() as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> Iterator[str]:
    """The session's redis-server, emptied for each test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    yield redis_server
    client.flushall()
    client.close()


@pytest.fixture
def server(redis_url: str) -> Iterator[Any]:
    """A client of the emptied redis-server."""
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()
