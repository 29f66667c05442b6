"""What the fixture rooms have in common beyond the corpus: an edition indexed
by release path, the page that fails a few times before it answers, the
`?page=N` parameter, and how a contact's name is shown."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

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
