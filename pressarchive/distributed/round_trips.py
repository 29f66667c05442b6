"""A Redis client that counts its round trips.

A round trip costs a crawl process some 100 µs of CPU in redis-py on this
machine, more than most of what Redis then does; what a crawl's pages cost in
Redis is best read as round trips per page. One command is one round trip, and
so is one pipeline however many commands it carries (`Outbox` sends almost
everything that way). Imported only with the `redis` extra installed.
"""

from __future__ import annotations

from typing import Any

import redis
from redis.client import Pipeline


class CountingPipeline(Pipeline):
    counted_by: CountingRedis

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        if self.command_stack:
            self.counted_by.round_trips += 1
            if self.scripts:  # redis-py asks SCRIPT EXISTS first: one more
                self.counted_by.round_trips += 1
        return super().execute(raise_on_error)


class CountingRedis(redis.Redis):
    round_trips = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.round_trips += 1
        return super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> CountingPipeline:
        pipe = CountingPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipe.counted_by = self
        return pipe
