"""The Redis URL of a scaled-out crawl, from settings or the environment."""

from __future__ import annotations

import os
from typing import Any

REDIS_URL_SETTING = "PRESSARCHIVE_REDIS_URL"
REDIS_URL_ENV = "PRESSARCHIVE_REDIS_URL"


class RedisUnavailable(Exception):
    """The Redis server cannot be reached or the URL is not one."""


def redis_url(settings: Any = None) -> str | None:
    """The configured URL: the Scrapy setting, else the environment; None for a local crawl."""
    value = settings.get(REDIS_URL_SETTING) if settings is not None else None
    return str(value or os.environ.get(REDIS_URL_ENV) or "").strip() or None


def connect(url: str) -> Any:
    """A client for `url` (redis://HOST:PORT/N), checked with a PING.

    Bytes in and out (no decoding): requests are pickled by scrapy-redis. It
    counts its round trips (`round_trips`), which a crawl reports in its stats."""
    import redis

    from pressarchive.distributed.round_trips import CountingRedis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise RedisUnavailable(f"{url}: not a Redis URL (redis://HOST:PORT/N)")
    try:
        client = CountingRedis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise RedisUnavailable(f"{url}: cannot reach Redis ({exc})") from None
    return client
