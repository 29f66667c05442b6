"""Scrapy contracts against the bundled demo rooms: `scrapy check` runs every
spider callback's contract offline.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from typing import Any

from scrapy.contracts import Contract

DEMO_ROOMS_ENV = "PRESSARCHIVE_DEMO_ROOMS"
# Per process, not per crawl: `scrapy check` runs each contract in a crawl of
# its own, and they all share the demo room this process started (its server
# lives until the process exits), so the rooms are the process's.
_rooms_lock = threading.Lock()
_started_rooms: dict[str, str] = {}


def demo_room_base_url(platform: str) -> str:
    """The base URL of `platform`'s demo room: from $PRESSARCHIVE_DEMO_ROOMS (a JSON
    object platform -> base URL, set by whoever already serves the rooms), else a
    room started here, in this process, for as long as it lives."""
    served = json.loads(os.environ.get(DEMO_ROOMS_ENV) or "{}")
    if platform in served:
        return str(served[platform]).rstrip("/")
    with _rooms_lock:
        if platform not in _started_rooms:
            from pressarchive.demo.server import DemoPressRooms

            rooms = DemoPressRooms([platform])
            rooms.start()
            atexit.register(rooms.stop)
            _started_rooms[platform] = rooms.base_url(platform)
        return _started_rooms[platform]


class RoomContract(Contract):
    """`@room <platform> [path]`: check the callback against the bundled demo room
    (its start URL, or `path` on it), so `scrapy check` needs no internet.

    Enable with SPIDER_CONTRACTS = {"pressarchive.spiders.contracts.RoomContract": 10}."""

    name = "room"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        platform = self.args[0]
        base = demo_room_base_url(platform)
        if len(self.args) > 1:
            args["url"] = base + self.args[1]
        else:
            from pressarchive.demo.server import room_module, room_start_path

            module = room_module(platform)
            args["url"] = base + room_start_path(module, module.make_room())
        args["dont_filter"] = True  # the room is not the configured source's host
        return args
