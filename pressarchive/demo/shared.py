"""What the fixture rooms have in common beyond the corpus: an edition indexed
by release path, the page that fails a few times before it answers, the
`?page=N` parameter, how a contact's name is shown, and the RSS a room serves."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email.utils import format_datetime
from html import escape

from pressarchive.demo.corpus import DemoContact, DemoRelease


@dataclass
class PathIndex:
    """One edition of a room: its releases, newest first, and each by its page path."""

    releases: list[DemoRelease]
    by_path: dict[str, DemoRelease]

    @classmethod
    def build(cls, releases: list[DemoRelease], path_of: Callable[[DemoRelease], str]) -> PathIndex:
        return cls(releases, {path_of(release): release for release in releases})


@dataclass
class Flaky:
    """Counts requests per key (a path or a release) and says which must fail:
    the first `failures` of each, so that a crawler's retries are exercised."""

    failures: int = 2
    _hits: dict[Hashable, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fails_now(self, key: Hashable) -> bool:
        with self._lock:
            count = self._hits.get(key, 0)
            self._hits[key] = count + 1
            return count < self.failures


def page_number(query: dict[str, list[str]], name: str = "page") -> int:
    """The listing page asked for (1 when none is); 0, a page no room has, when
    the value is not a number."""
    try:
        return int((query.get(name) or ["1"])[0])
    except ValueError:
        return 0


def display_name(contact: DemoContact) -> str:
    """The name as press pages print it: a politician's party in brackets."""
    return contact.name + (f" ({contact.party})" if contact.party else "")


@dataclass
class FeedItem:
    """One item of a room's RSS feed."""

    title: str
    link: str
    guid: str
    published: datetime
    description: str
    creator: str | None = None  # dc:creator, the sender


def _pub_date(moment: datetime, zone: tzinfo | None) -> str:
    if zone is None:
        return format_datetime(moment.astimezone(UTC), usegmt=True)
    return format_datetime(moment.astimezone(zone))  # "Tue, 08 Sep 2026 07:00:00 +0200"


def render_rss(
    title: str, link: str, items: list[FeedItem], *, zone: tzinfo | None = None
) -> bytes:
    """An RSS 2.0 channel as working client code of the platforms reads it:
    items with title, link, guid, pubDate (RFC 822: in GMT, or with the offset
    of `zone`), an HTML-escaped description and an optional dc:creator. Links
    are paths: a room does not know the host it is served on (the real feeds
    give absolute URLs; a reader resolves both the same way)."""
    entries = "".join(
        f"<item><title>{escape(item.title)}</title><link>{escape(item.link)}</link>"
        f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
        f"<pubDate>{_pub_date(item.published, zone)}</pubDate>"
        f"<description>{escape(item.description)}</description>"
        + (f"<dc:creator>{escape(item.creator)}</dc:creator>" if item.creator else "")
        + "</item>"
        for item in items
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)}</description><language>sv</language>"
        f"{entries}</channel></rss>"
    )
    return xml.encode("utf-8")
