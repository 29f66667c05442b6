"""Every Redis key pressarchive uses, named in one place.

A source's frontier keys share the hash tag `{source id}`, so that on a Redis
Cluster they live in one slot and the Lua scripts that touch several of them
stay legal there (see the README's plan beyond one Redis).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "pressarchive"


@dataclass(frozen=True)
class FrontierKeys:
    """The keys of one source's shared frontier (one crawl run at a time)."""

    source_id: str

    def _key(self, name: str) -> str:
        return f"{PREFIX}:{{{self.source_id}}}:{name}"

    @property
    def run(self) -> str:  # the current run's id; absent between runs
        return self._key("run")

    @property
    def requests(self) -> str:  # list of encoded requests, pushed left, popped right
        return self._key("requests")

    @property
    def dupefilter(self) -> str:  # set of request fingerprints of the current run
        return self._key("dupefilter")

    @property
    def processing(self) -> str:  # hash "member|n" -> encoded request popped, not yet done
        return self._key("processing")

    @property
    def members(self) -> str:  # set of crawl processes working on the run
        return self._key("members")

    @property
    def idle(self) -> str:  # set of members whose engine has nothing to do
        return self._key("idle")

    @property
    def alive(self) -> str:  # zset member -> heartbeat deadline (Redis time, seconds)
        return self._key("alive")

    @property
    def serial(self) -> str:  # counter for processing field names
        return self._key("serial")

    def all(self) -> list[str]:
        return [
            self.run,
            self.requests,
            self.dupefilter,
            self.processing,
            self.members,
            self.idle,
            self.alive,
            self.serial,
        ]


# The writer's queue: crawlers LPUSH messages, the writer LMOVEs them to processing.
INGEST_QUEUE = f"{PREFIX}:ingest:queue"
INGEST_PROCESSING = f"{PREFIX}:ingest:processing"
INGEST_WRITER = f"{PREFIX}:ingest:writer"  # the one writer's lease

# "Already archived?": field "p|platform|platform id" or "u|canonical url" -> "run|title digest"
SEEN = f"{PREFIX}:seen"
SOURCE_PLATFORMS = f"{PREFIX}:source-platforms"  # source id -> platform
# WARC payload digest -> "row id|url|fetched_at" of the archived original (for revisits)
WARC_DIGESTS = f"{PREFIX}:warc-digests"


def site_leases(site: str) -> str:
    """zset lease token -> expiry: downloads in flight to one site, all processes."""
    return f"{PREFIX}:site:{{{site}}}:leases"


def site_next_start(site: str) -> str:
    """Redis time (ms) before which no process may start a download from the site."""
    return f"{PREFIX}:site:{{{site}}}:next"
