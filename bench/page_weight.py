"""Release pages at the weight of a real one, for the crawl-cost benchmarks.

The generated press rooms serve light pages: a demo Mynewsdesk release is
~7 KB and ~140 elements, a demo Via TT one ~26 KB. The real pages we hold
(tests/real) weigh 39-106 KB, median ~80 KB, with 270-680 elements: style
sheets, inline application state, scripts, navigation and footers that a
crawl must decode, parse, search for hiding rules, hash and compress into its
WARC files, while a bare spider only parses them. A benchmark on the light
pages leaves out the part of a crawl's cost that grows with the page.

`pad_release_page` adds to every release page the chrome of the real Via TT
release page tests/real/viatt/moderaterna_4316145_presstraff.html (the
heaviest real press-room page we hold, 103 KB): its <style> blocks (~50 KB
of generated CSS, display:none rules included) into <head>; its application
state (~20 KB of base64, in a JSON script that no extractor reads), its
navigation and its footer at the end of <body>. A padded demo Mynewsdesk
release is ~80 KB, like the real median.

What it leaves out: a real page's element count (the padding adds ~80
elements; real pages hold 2-5x the demo's), so the per-element work of
hidden-text removal and class indexing is still under-weighted.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import lxml.html

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.demo.server import Reply

REAL_PAGE = (
    Path(__file__).resolve().parent.parent / "tests/real/viatt/moderaterna_4316145_presstraff.html"
)
_STATE_PREFIX = "window.__INITIAL_STATE__ = '"


@lru_cache(maxsize=1)
def ballast() -> tuple[bytes, bytes]:
    """(what goes into <head>, what goes at the end of <body>), as UTF-8."""
    root = lxml.html.fromstring(REAL_PAGE.read_bytes())
    head = "".join(lxml.html.tostring(s, encoding="unicode") for s in root.iter("style"))
    body = []
    for script in root.iter("script"):
        text = script.text or ""
        if text.strip().startswith(_STATE_PREFIX):
            state = text.strip()[len(_STATE_PREFIX) :].rstrip("';")
            body.append(f'<script type="application/json" data-ballast="state">"{state}"</script>')
    body += [lxml.html.tostring(e, encoding="unicode") for e in root.iter("nav", "footer")]
    return head.encode(), "".join(body).encode()


def pad_release_page(platform: str, path: str, reply: Reply) -> Reply:
    """A release page with the real page's chrome added; anything else as it is."""
    if reply.status != 200 or not platform_release_id(platform, path.split("?", 1)[0]):
        return reply
    head, body = ballast()
    padded = reply.body.replace(b"</head>", head + b"</head>", 1).replace(
        b"</body>", body + b"</body>", 1
    )
    return Reply(reply.status, padded, reply.headers)
