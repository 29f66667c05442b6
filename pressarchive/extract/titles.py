"""A release's title as the release states it: no " | Organisation" suffix, no
HTML entities.

Seen on real pages: `<title>` and og:title add the site ("… | Centerpartiet",
"… | Moderaterna" on Via TT, "… – Liberalerna" on WordPress), and a Yoast
JSON-LD headline carries `&#8211;` for a dash. A pipe is almost never part of
a release title, so a short tail after " | " is dropped whatever it says (a
long one when it is the site's name: Via TT's og:title ends in the publisher); a
dash often is ("valmanifest inför valet 2026 – För din frihet"), so a tail
after " – " or " - " is dropped only when it is the site's own name.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from pressarchive.text import squash

_PIPE_TAIL = re.compile(r"\s+\|\s+(?P<tail>[^|]+)$")
_MAX_TAIL_CHARS = 60
_DASH_TAIL = re.compile(r"\s+[-–—]\s+(?P<tail>[^-–—]{1,60})$")
_MAX_TAIL_WORDS = 5


def decode(text: str | None) -> str:
    """Entities decoded (twice-escaped `&amp;#8211;` too), whitespace squashed."""
    value = text or ""
    for _ in range(2):
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return squash(value)


def clean_title(title: str | None, site_names: Iterable[str | None] = ()) -> str:
    """`Title | Site` -> `Title`; `Title – Site` -> `Title` when Site is one of
    `site_names` (og:site_name, the JSON-LD WebSite or publisher name)."""
    text = decode(title)
    names = {decode(n).casefold() for n in site_names if n and decode(n)}
    pipe = _PIPE_TAIL.search(text)
    if pipe:
        tail = pipe.group("tail").strip()
        short = len(tail) <= _MAX_TAIL_CHARS and len(tail.split()) <= _MAX_TAIL_WORDS
        if short or tail.casefold() in names:  # the site's name, however long
            text = text[: pipe.start()].strip()
    dash = _DASH_TAIL.search(text)
    if dash and dash.group("tail").strip().casefold() in names:
        text = text[: dash.start()].strip()
    return text
