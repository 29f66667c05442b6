"""The crawl's outbox against a real redis-server: messages go with the next
acknowledgement, in order, and the acknowledgement never before them."""

from __future__ import annotations

from typing import Any

import pytest

from pressarchive.distributed.keys import INGEST_QUEUE
from pressarchive.distributed.outbox import MAX_PENDING, Outbox
from pressarchive.distributed.queue import ReliableQueue


def test_messages_wait_for_the_acknowledgement_and_go_before_it(server: Any) -> None:
    outbox = Outbox(server)
    server.hset("processing", "member|1", b"request")
    outbox.send(b"warc row")
    outbox.send(b"release")
    assert server.llen(INGEST_QUEUE) == 0  # nothing sent yet: the request is not done
    outbox.flush(lambda pipe: pipe.hdel("processing", "member|1"))
    assert server.hlen("processing") == 0
    # the writer takes them oldest first, as if each had been pushed on its own
    assert ReliableQueue(server).claim(10, wait=0) == [b"warc row", b"release"]
    assert outbox.pending == []


def test_a_flush_that_fails_keeps_its_messages_to_send_again(server: Any) -> None:
    outbox = Outbox(server)
    server.hset("processing", "member|1", b"request")
    outbox.send(b"release")

    def ack_then_fail(pipe: Any) -> None:
        pipe.hdel("processing", "member|1")
        pipe.execute_command("NO-SUCH-COMMAND")  # the pipeline raises on execute

    import redis

    with pytest.raises(redis.ResponseError):
        outbox.flush(ack_then_fail)
    # the messages are kept to be sent again (the writer's upserts make twice harmless)
    assert outbox.pending == [b"release"]


def test_messages_without_an_acknowledgement_do_not_pile_up(server: Any) -> None:
    outbox = Outbox(server)
    for n in range(MAX_PENDING):
        outbox.send(f"m{n}".encode())
    assert server.llen(INGEST_QUEUE) == MAX_PENDING and outbox.pending == []


def test_a_pages_new_requests_are_queued_before_its_acknowledgement(server: Any) -> None:
    """The frontier's pushes ride the same pipeline; the dupefilter's answer comes back."""
    from pressarchive.distributed.frontier import Frontier
    from pressarchive.distributed.keys import FrontierKeys

    frontier = Frontier(server, "room", member="a")
    frontier.join()
    frontier.push(b"listing", "fp-listing")
    receipt, _ = frontier.pop() or ("", b"")
    outbox = Outbox(server)
    replies: list[Any] = []
    for blob, fingerprint in ((b"release-1", "fp-1"), (b"release-1 again", "fp-1")):
        outbox.defer(
            lambda pipe, b=blob, f=fingerprint: frontier.push(b, f, pipe=pipe), replies.append
        )
    assert frontier.pending() == 0  # nothing sent before the acknowledgement
    outbox.flush(lambda pipe: frontier.ack(receipt, pipe))
    assert replies == [1, 0]  # queued, then seen already
    assert frontier.pending() == 1
    assert server.hlen(FrontierKeys("room").processing) == 0
