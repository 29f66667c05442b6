"""Copies of the real release pages of tests/real, for the cost benchmarks.

Each copy is a real page as the site served it, with two changes that make
it a page of its own: its URL (for Via TT, the release id, written into the
page's encoded application state too, where the extractor looks it up) and
a copy number written after words of its body, so that no cache keyed on a
page, a body or a URL serves a copy twice, as none would in a real crawl.
The words are taken from the page's expected.json (its first or last words
of the body) and must reach the extracted body: a page where they do not
stops the benchmark.

No real Mynewsdesk or Cision release page is held: those platforms have no
copies here.

What the copies get wrong: all copies of one page share its body but for the
copy number, so a crawl of them is a crawl of near-duplicates. The end of a
crawl clusters every copy of a page into one cluster (a cost no real crawl
pays at that scale), and the about-text learner, seeing the same paragraphs
in release after release of one source, learns them as the source's
boilerplate: after ~100 copies of the generic page most of its body is taken
for about-text (3,015 characters of body in the first copy, 1,043 in the
296th). Reading and extraction costs are a real page's; cleaning and
clustering costs are not.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo.server import Reply
from pressarchive.extract import extract_page
from pressarchive.extract.viatt_state import decode_state, find_state

REAL_PAGES = Path(__file__).resolve().parent.parent / "tests" / "real"
_VIATT_ID = re.compile(r"/pressmeddelande/(\d+)")


@dataclass(frozen=True)
class Original:
    url: str
    text: str
    platform: str
    phrase: str  # body words the copy number goes after


def _phrases(expect: dict[str, str], text: str) -> list[str]:
    """Words of the body, from its expected first and last words, that the
    page's HTML holds verbatim."""
    found = []
    starts, ends = expect["body_starts"].split(), expect["body_ends"].split()
    for n in range(min(6, len(starts)), 1, -1):
        if " ".join(starts[:n]) in text:
            found.append(" ".join(starts[:n]))
            break
    for n in range(min(6, len(ends)), 1, -1):
        if " ".join(ends[-n:]) in text:
            found.append(" ".join(ends[-n:]))
            break
    return found


def copy_page(original: Original, url: str, copy: int) -> bytes:
    """The page of `original` served at `url` (for Via TT, a release URL whose
    id the page then names), with copy number `copy` in its body."""
    text = original.text
    marked = f"{original.phrase} kopia{copy}"
    if original.platform == "viatt":
        old, new = _VIATT_ID.search(original.url), _VIATT_ID.search(url)
        assert old is not None and new is not None, (original.url, url)
        raw = find_state(text)
        assert raw is not None, original.url
        # the state is base64 of URL-encoded JSON
        state = json.dumps(decode_state(raw), ensure_ascii=False)
        state = state.replace(old[1], new[1]).replace(original.phrase, marked)
        text = text.replace(raw, base64.b64encode(quote(state).encode("ascii")).decode("ascii"))
        text = text.replace(old[1], new[1])
    return text.replace(original.phrase, marked).encode("utf-8")


def copy_url(original: Original, copy: int) -> str:
    """A URL of the original's site for copy number `copy`."""
    if original.platform == "viatt":
        found = _VIATT_ID.search(original.url)
        assert found is not None, original.url
        return original.url.replace(found[1], str(int(found[1]) + copy))
    parts = urlsplit(original.url)
    return parts._replace(path=f"{parts.path.rstrip('/')}-{copy}").geturl()


@lru_cache(maxsize=1)
def originals() -> tuple[Original, ...]:
    found: list[Original] = []
    for expected in sorted(REAL_PAGES.glob("*/*.expected.json")):
        meta = json.loads(expected.read_text(encoding="utf-8"))
        html = expected.with_name(expected.name.replace(".expected.json", ".html"))
        text = html.read_text(encoding="utf-8")
        for phrase in _phrases(meta["expect"], text):
            original = Original(meta["origin_url"], text, meta["platform"], phrase)
            url = copy_url(original, 1)
            release = extract_page(
                copy_page(original, url, 1), url, platform=original.platform, source_id="check"
            )
            if "kopia1" in (release.body_html or ""):
                found.append(original)
                break
        else:
            raise SystemExit(f"{html.name}: no words of its body take a copy number")
    return tuple(found)


def of_platform(platform: str) -> list[Original]:
    return [o for o in originals() if o.platform == platform]


def real_page_reply(platform: str, path: str, reply: Reply) -> Reply:
    """A demo room's release page replaced by a copy of a real page of the same
    platform (chosen and numbered by the path); anything else as it is."""
    if reply.status != 200 or not platform_release_id(platform, path.split("?", 1)[0]):
        return reply
    candidates = of_platform(platform)
    if not candidates:
        raise SystemExit(f"no real {platform} release page is held in tests/real")
    number = zlib.crc32(path.encode("utf-8"))
    original = candidates[number % len(candidates)]
    body = copy_page(original, f"http://copy{path}", number)
    return Reply(200, body, {"Content-Type": "text/html; charset=utf-8"})
