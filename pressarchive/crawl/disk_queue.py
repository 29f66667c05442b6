"""The local crawl's queue on disk (JOBDIR): Scrapy's default
`PickleLifoDiskQueue`, with each request's dict made by `request_dict`
instead of `Request.to_dict` and its search of the spider's methods. The
files hold the same pickled dicts, so a crawl paused before reads back."""

from __future__ import annotations

from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue

from pressarchive.crawl.request_dict import request_dict


class RequestDictLifoDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    def push(self, request: Request) -> None:
        # past PickleLifoDiskQueue's own push, which would call to_dict
        super(PickleLifoDiskQueue, self).push(request_dict(request, self.spider))  # type: ignore[misc]
