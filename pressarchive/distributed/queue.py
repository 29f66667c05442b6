"""The writer's reliable queue: crawlers LPUSH, the writer LMOVEs a batch to a
processing list, commits it to the archive, then acknowledges (drops the list).

A writer killed anywhere in between finds its batch in the processing list
when it starts again and puts it back at the head of the queue: messages are
delivered at least once, and the writer's upserts make twice the same as once.
"""

from __future__ import annotations

import time
from typing import Any

from pressarchive.distributed.keys import INGEST_PROCESSING, INGEST_QUEUE

# Move up to ARGV[1] messages from the queue's tail to the processing list.
_CLAIM = """
local moved = {}
for i = 1, tonumber(ARGV[1]) do
  local m = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not m then break end
  moved[#moved + 1] = m
end
return moved
"""

# The processing list back to the tail of the queue, oldest message popped first again.
_RECOVER = """
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[1], 'LEFT', 'RIGHT') do n = n + 1 end
return n
"""


class ReliableQueue:
    def __init__(
        self, server: Any, queue: str = INGEST_QUEUE, processing: str = INGEST_PROCESSING
    ) -> None:
        self.server = server
        self.queue = queue
        self.processing = processing
        self._claim = server.register_script(_CLAIM)
        self._recover = server.register_script(_RECOVER)

    def push(self, message: bytes) -> None:
        self.server.lpush(self.queue, message)

    def recover(self) -> int:
        """Put an unacknowledged batch (of a writer that died) back; how many messages."""
        return int(self._recover(keys=[self.queue, self.processing]))

    def claim(self, size: int, *, wait: float = 1.0, linger: float = 0.0) -> list[bytes]:
        """Up to `size` messages, oldest first; waits up to `wait` seconds for the
        first, then, when fewer than `size` are queued, `linger` seconds for more."""
        if self.server.llen(self.processing):
            raise RuntimeError("claim with an unacknowledged batch: ack() or recover() first")
        if wait > 0:
            first = self.server.blmove(self.queue, self.processing, wait, "RIGHT", "LEFT")
        else:  # BLMOVE's 0 would wait for ever
            first = self.server.lmove(self.queue, self.processing, "RIGHT", "LEFT")
        if first is None:
            return []
        if linger > 0 and size > 1 and self.server.llen(self.queue) < size - 1:
            # A writer that keeps up would otherwise take its messages one or two
            # at a time, paying a batch's round trips and commit for each.
            time.sleep(linger)
        rest = self._claim(keys=[self.queue, self.processing], args=[size - 1]) if size > 1 else []
        return [first, *rest]

    def ack(self) -> None:
        """The claimed batch is committed."""
        self.server.delete(self.processing)

    def __len__(self) -> int:
        return int(self.server.llen(self.queue))
