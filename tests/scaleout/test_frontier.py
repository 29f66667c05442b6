"""The shared frontier's rules, against a real redis-server: runs, the
seen-and-push, receipts, dead members, the end of a run."""

from __future__ import annotations

import time
from typing import Any

from pressarchive.distributed.frontier import Frontier
from pressarchive.distributed.keys import FrontierKeys


def test_the_first_process_creates_the_run_and_the_others_join_it(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    b = Frontier(server, "room", member="b")
    run_a, created_a, _ = a.join()
    run_b, created_b, _ = b.join()
    assert created_a and not created_b
    assert run_a == run_b
    assert server.smembers(FrontierKeys("room").members) == {b"a", b"b"}


def test_a_request_is_queued_once_per_run_however_many_push_it(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    b = Frontier(server, "room", member="b")
    a.join()
    b.join()
    # every process seeds the start page: only the first push is queued
    assert a.push(b"start", "fp-start")
    assert not b.push(b"start", "fp-start")
    # a retry (not filtered) is queued whatever the dupefilter says
    assert b.push(b"start-retry", None)
    assert a.pending() == 2


def test_a_popped_request_waits_in_processing_until_acknowledged(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    a.join()
    a.push(b"page-1", "fp1")
    receipt, blob = a.pop() or ("", b"")
    assert blob == b"page-1" and receipt.startswith("a|")
    assert server.hget(FrontierKeys("room").processing, receipt) == b"page-1"
    a.ack(receipt)
    assert server.hlen(FrontierKeys("room").processing) == 0
    assert a.pop() is None


def test_the_walks_next_page_goes_before_the_releases_already_queued(server: Any) -> None:
    """FIFO, except a listing's next page: popped first, so a walk of many pages
    keeps the queue fed for every process instead of waiting behind its releases."""
    a = Frontier(server, "room", member="a")
    a.join()
    for n in (1, 2, 3):
        a.push(f"release-{n}".encode(), f"fp-r{n}")
    a.push(b"listing-2", "fp-l2", first=True)
    popped = [a.pop() for _ in range(4)]
    assert [blob for _, blob in filter(None, popped)] == [
        b"listing-2",
        b"release-1",
        b"release-2",
        b"release-3",
    ]


def test_a_dead_members_requests_go_back_on_the_queue(server: Any) -> None:
    dead = Frontier(server, "room", member="dead", dead_after=0.3)
    alive = Frontier(server, "room", member="alive", dead_after=30)
    dead.join()
    alive.join()
    for n in range(3):
        dead.push(f"page-{n}".encode(), f"fp{n}")
    popped = [dead.pop() for _ in range(2)]  # then the process is SIGKILLed
    assert all(popped)
    assert not alive.idle()  # the dead member is not idle yet: the run goes on
    time.sleep(0.5)  # no heartbeat: it is dead now
    assert not alive.idle()  # noticed: its two requests are back, the run is not over
    got = {alive.pop()[1] for _ in range(3)}  # type: ignore[index]
    assert got == {b"page-0", b"page-1", b"page-2"}
    assert b"dead" not in server.smembers(FrontierKeys("room").members)


def test_a_run_ends_when_every_member_is_idle_and_the_queue_is_empty(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    b = Frontier(server, "room", member="b")
    a.join()
    b.join()
    a.push(b"page", "fp")
    receipt, _ = b.pop() or ("", b"")
    assert not a.idle()  # b is working on the page: it may yield more
    assert not a.leave(finished=True)  # so a's leaving does not end the run
    b.ack(receipt)
    assert b.idle()  # the queue is empty and b, the last member, idle
    assert b.leave(finished=True)  # the last one out ends the run
    assert not any(server.exists(k) for k in FrontierKeys("room").all())
    assert not b.leave(finished=True)  # ended once, whoever else leaves after


def test_the_next_run_starts_afresh_so_listings_are_walked_again(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    first_run, _, _ = a.join()
    assert a.push(b"listing-1", "fp-listing-1")
    receipt, _ = a.pop() or ("", b"")
    a.ack(receipt)
    assert a.idle()
    assert a.leave(finished=True)
    b = Frontier(server, "room", member="b")
    second_run, created, _ = b.join()
    assert created and second_run != first_run
    assert b.push(b"listing-1", "fp-listing-1")  # not filtered: a new run's dupefilter


def test_a_process_stopped_early_puts_back_what_it_had_not_finished(server: Any) -> None:
    a = Frontier(server, "room", member="a")
    a.join()
    a.push(b"page", "fp")
    a.pop()
    assert not a.leave(finished=False)  # SIGTERM: the run stays, with its request
    b = Frontier(server, "room", member="b")
    _, created, _ = b.join()
    assert not created
    popped = b.pop()
    assert popped is not None and popped[1] == b"page"  # the dying run's request, handed on
