"""A request as the shared frontier queues it: scrapy-redis's encoding (the
dict of `Request.to_dict`, pickled), the dict made by `crawl.request_dict`
without Scrapy's search for the callback's name (1% of a Redis crawl's
py-spy samples, 2 x 2,000-release crawl)."""

from __future__ import annotations

from typing import Any

from scrapy import Request

from pressarchive.crawl.request_dict import request_dict


class RequestCodec:
    """scrapy-redis's queue `_encode_request`, through `request_dict`."""

    spider: Any
    serializer: Any

    def _encode_request(self, request: Request) -> Any:
        return self.serializer.dumps(request_dict(request, self.spider))
