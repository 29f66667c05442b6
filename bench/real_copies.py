"""Copies of the real release pages of tests/real, for the cost benchmarks.

Each copy is a real page as the site served it, made a release of its own:
its URL (for Via TT, the release id, written into the page's encoded
application state too, where the extractor looks it up), a copy number
written after words of its body, and the words of its body shuffled, seeded
by the number (Via TT: the state's body; other platforms: the block around
those words). Without the shuffle the copies were near-duplicates: the end of
a crawl clustered them all, and the about-text learner, seeing the same
paragraphs release after release, took most of the generic copies' bodies
for the source's boilerplate (3,015 characters of body in the first copy,
1,043 in the 296th; with the shuffle 3,101 and 3,111). The markup, the chrome
and the about-text stay the real page's, so the learner still sees a real
source's repeated about-text.

What the copies still get wrong: shuffled words are not prose (a date or an
e-mail address in a body's text no longer reads as one), and on a page whose
body spans several blocks only the block around the marked words is shuffled.
The words are taken from the page's expected.json (its first or last words of
the body) and must reach the extracted body, and two copies' bodies must
differ, or the benchmark stops.

No real Mynewsdesk or Cision release page is held: those platforms have no
copies here.
"""

from __future__ import annotations

import base64
import json
import random
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html

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


_WORD = re.compile(r"(\w+)")
_CONTAINERS = frozenset({"div", "section", "article", "main"})


def _shuffled(texts: list[str], rng: random.Random) -> list[str]:
    """The texts with their words shuffled among them (punctuation, spaces and
    each text's word count kept): the same words, other shingles."""
    pieces = [_WORD.split(t) for t in texts]
    words = [w for p in pieces for w in p[1::2]]
    rng.shuffle(words)
    out, at = [], 0
    for p in pieces:
        n = len(p[1::2])
        p[1::2] = words[at : at + n]
        at += n
        out.append("".join(p))
    return out


def _shuffle_html_text(fragment: str, rng: random.Random) -> str:
    parts = re.split(r"(<[^>]+>)", fragment)
    parts[0::2] = _shuffled(parts[0::2], rng)
    return "".join(parts)


def _shuffle_body_container(text: str, phrase: str, rng: random.Random) -> str:
    """The page with the words of the block that holds `phrase` (the nearest
    div, section, article or main around it) shuffled."""
    root = lxml.html.document_fromstring(text)
    holder = next(
        (el for el in root.iter() if isinstance(el.tag, str) and phrase in (el.text or "")),
        None,
    )
    if holder is None:
        raise SystemExit(f"the body words {phrase!r} are not an element's own text")
    container = next((a for a in holder.iterancestors() if a.tag in _CONTAINERS), None)
    if container is None:
        raise SystemExit(f"no block around {phrase!r}")
    slots: list[tuple[lxml.html.HtmlElement, str]] = []
    for el in container.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if el.text:
            slots.append((el, "text"))
        if el is not container and el.tail:
            slots.append((el, "tail"))
    shuffled = _shuffled([getattr(el, kind) for el, kind in slots], rng)
    for (el, kind), value in zip(slots, shuffled, strict=True):
        setattr(el, kind, value)
    doctype = root.getroottree().docinfo.doctype
    return (doctype + "\n" if doctype else "") + lxml.html.tostring(root, encoding="unicode")


def copy_page(original: Original, url: str, copy: int) -> bytes:
    """The page of `original` served at `url` (for Via TT, a release URL whose
    id the page then names), with copy number `copy` in its body and the
    body's words shuffled (seeded by the number): a release of its own to the
    near-duplicate clustering and the about-text learner, while the page's
    markup, chrome and about-text stay the real page's."""
    rng = random.Random(copy)
    marked = f"{original.phrase} kopia{copy}"
    text = original.text.replace(original.phrase, marked)
    if original.platform == "viatt":
        old, new = _VIATT_ID.search(original.url), _VIATT_ID.search(url)
        assert old is not None and new is not None, (original.url, url)
        raw = find_state(text)
        assert raw is not None, original.url
        # the state is base64 of URL-encoded JSON; the body is each version's body.complete
        state = decode_state(raw)
        for release in (state.get("release") or {}).values():
            for version in (release.get("versions") or {}).values():
                body = version.get("body") if isinstance(version, dict) else None
                if isinstance(body, dict) and isinstance(body.get("complete"), str):
                    complete = body["complete"].replace(original.phrase, marked)
                    body["complete"] = _shuffle_html_text(complete, rng)
        encoded = json.dumps(state, ensure_ascii=False).replace(old[1], new[1])
        text = text.replace(raw, base64.b64encode(quote(encoded).encode("ascii")).decode("ascii"))
        text = text.replace(old[1], new[1])
    else:
        text = _shuffle_body_container(text, marked, rng)
    return text.encode("utf-8")


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
            bodies = []
            for copy in (1, 2):
                url = copy_url(original, copy)
                release = extract_page(
                    copy_page(original, url, copy), url, platform=original.platform, source_id="c"
                )
                bodies.append(release.body_html or "")
            if "kopia1" in bodies[0] and bodies[0].replace("kopia1", "") != bodies[1].replace(
                "kopia2", ""
            ):
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
