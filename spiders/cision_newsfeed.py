"""Cision's NewsFeed service as the Cision spider's first layer (`options.feed_id`).

What is seen, in client code of several public projects (a WordPress importer,
a Drupal feed module, Python and TypeScript clients; none holds a real answer):
`GET https://publish.ne.cision.com/papi/NewsFeed/<feed id>?format=json
&detailLevel=detail&pageSize=<=100&pageIndex=<1, 2, …>` answers
`{PageIndex, PageSize, TotalFoundReleases, Releases: [...]}`, each release with
the fields pressarchive.extract.services.cision_release reads. Clients page
until a page comes back short or `TotalFoundReleases` is reached; an error is
answered as `{"Message": …}`.

Pages are taken by the shared incremental rule (PressroomSpider.service_page):
the next page only under --full or when this one held something new. A first
page without releases (wrong feed id, an error, a changed format) is a warning
and the stat `pressarchive/missing_field/newsfeed_releases`, and the spider
walks the room's feed and HTML listing instead, as the Mynewsdesk spider does
when its pressroom service answers nothing.

GUESS, what would prove it is a real saved answer: that the list with
`detailLevel=detail` carries HtmlBody, HtmlContact and HtmlCompanyInformation
itself (the Drupal module reads them from the list; one TypeScript client asks
`/papi/Release/<EncryptedId>` for each release instead), and that
`CisionWireUrl` is the release page `news.cision.com/se/<company>/r/<slug>,c<id>`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from pressarchive.spiders.base import WALK_PRIORITY, PressroomSpider, failure_reason
from scrapy.http import Response
from twisted.python.failure import Failure

from pressarchive.extract.services import (
    CISION_NEWSFEED_PAGE_SIZE,
    cision_newsfeed_releases,
    cision_newsfeed_total,
    cision_newsfeed_url,
    cision_release,
)
from pressarchive.items import Release
from pressarchive.sources import Source

NO_RELEASES_STAT = "pressarchive/missing_field/newsfeed_releases"


class NewsFeedLayer(PressroomSpider):
    """A Cision spider that can read the NewsFeed service before its listings."""

    def listing_start(self) -> Iterator[scrapy.Request]:
        """Where the walk goes when the service answers nothing (the subclass's listings)."""
        raise NotImplementedError

    def _use_source(self, source: Source) -> None:
        super()._use_source(source)
        if source.option("feed_id"):
            # the service lives on its own host, which the start URL does not name
            host = urlsplit(self.newsfeed_url(1)).hostname
            if host and host not in self.allowed_domains:
                self.allowed_domains.append(host)

    def newsfeed_url(self, page_index: int) -> str:
        return cision_newsfeed_url(
            str(self.source.option("feed_id")),
            page_index=page_index,
            base=self.source.option("feed_base"),  # tests point it at 127.0.0.1
        )

    def newsfeed_request(self, page_index: int) -> scrapy.Request:
        return scrapy.Request(
            self.newsfeed_url(page_index),
            callback=self.parse_newsfeed,
            errback=self.newsfeed_failed,
            cb_kwargs={"page_index": page_index},
            dont_filter=page_index == 1,
            priority=WALK_PRIORITY,
        )

    def parse_newsfeed(self, response: Response, page_index: int = 1) -> Iterator[Any]:
        """A page of the service: its releases, then the next page while the walk goes on."""
        try:
            data = json.loads(response.text)
        except (ValueError, AttributeError):
            data = None
        records = cision_newsfeed_releases(data)
        if not records and page_index > 1:
            return  # the end: the previous page was full and the total unsaid
        if not records:
            yield from self.nothing_answered(response.url, page_index, _message(data))
            return
        releases: list[Release] = []
        for record in records:
            release = cision_release(
                record,
                source_id=self.source.id,
                url="",
                organisation=self.source.organisation,
            )
            if release.url:
                releases.append(release)
            else:
                self.crawler.stats.inc_value("pressarchive/missing_field/newsfeed_url")
        wanted, go_on = self.service_page(releases)
        yield from wanted
        total = cision_newsfeed_total(data)
        more = len(records) >= CISION_NEWSFEED_PAGE_SIZE and (
            total is None or page_index * CISION_NEWSFEED_PAGE_SIZE < total
        )
        if more and go_on:
            yield self.newsfeed_request(page_index + 1)

    def newsfeed_failed(self, failure: Failure) -> Iterator[Any]:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        page_index = int(request.cb_kwargs.get("page_index", 1))
        if page_index > 1:
            self.errback(failure)  # a later page: the walk has a gap, say so
            return
        yield from self.nothing_answered(request.url, page_index, failure_reason(failure))

    def nothing_answered(self, url: str, page_index: int, why: str) -> Iterator[Any]:
        self.logger.warning(
            "source %s: the Cision NewsFeed service answered no releases on page %d "
            "(%s; feed id wrong, or its format changed?)%s",
            self.source.id,
            page_index,
            why or url,
            "; walking the room's feed and HTML listing instead" if page_index == 1 else "",
        )
        self.crawler.stats.inc_value(NO_RELEASES_STAT)
        if page_index == 1:
            yield from self.listing_start()


def _message(data: Any) -> str:
    """The service's own error message (`{"Message": …}`), if it sent one."""
    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        return f"the service said: {data['Message']}"
    return "no Releases in the answer"
