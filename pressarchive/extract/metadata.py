"""Layer 2: the structured metadata a page carries about itself.

JSON-LD (NewsArticle and kin, also inside @graph), OpenGraph, `article:*`
and Dublin Core meta tags, `itemprop`, `<time datetime>` and
`<link rel=canonical>`. What a page says about itself in machine form is more
stable than its visible markup, so extractors ask here first.

Dates are returned raw (as written); the normalise pipeline parses them.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pressarchive.extract.page import Page
from pressarchive.text import squash

ARTICLE_TYPES = frozenset(
    (
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "blogposting",
        "pressrelease",
        "analysisnewsarticle",
        "webpage",
        "event",
    )
)
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "dcterms.date",
    "dcterms.created",
    "DC.date",
    "dc.date",
    "DC.date.issued",
    "pubdate",
    "publish-date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "dateModified", "dcterms.modified")


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    description: str | None = None
    published_raw: str | None = None
    modified_raw: str | None = None
    image: str | None = None
    canonical: str | None = None
    keywords: tuple[str, ...] = ()
    language: str | None = None
    author: str | None = None
    section: str | None = None
    site_name: str | None = None  # og:site_name, or the JSON-LD WebSite's name
    # where each field came from: "json-ld", "opengraph", "meta", "time", "link"
    origins: dict[str, str] = field(default_factory=dict, compare=False)


def json_ld_objects(page: Page) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members flattened; bad JSON skipped."""
    objects: list[dict[str, Any]] = []
    for text in page.json_ld:
        try:
            data = json.loads(text)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            objects.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(graph)
    return objects


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return {str(n).lower() for n in names if n}


def article_object(page: Page) -> dict[str, Any] | None:
    """The JSON-LD object describing the page's article, preferring news types."""
    candidates = [o for o in json_ld_objects(page) if _types(o) & ARTICLE_TYPES]
    candidates.sort(key=lambda o: "webpage" in _types(o))  # a page wrapper is the last resort
    return candidates[0] if candidates else None


def _text(value: Any) -> str | None:
    """A JSON-LD value as text: strings, {"name"/"url"/"@value": ...}, first of a list."""
    if isinstance(value, list):
        for item in value:
            text = _text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("url") or value.get("@value"))
    if isinstance(value, str | int | float):
        # Yoast and others write HTML entities into JSON-LD ("&#8211;").
        return squash(html.unescape(str(value))) or None
    return None


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list):
        parts = [_text(v) or "" for v in value]
    else:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def read_metadata(page: Page) -> Metadata:
    """What the page's metadata says, first source that has each field winning
    (JSON-LD, then OpenGraph/article meta, then other meta tags and markup hints)."""
    found: dict[str, Any] = {}
    origins: dict[str, str] = {}

    def offer(name: str, value: Any, origin: str) -> None:
        if name not in found and value:
            found[name] = value
            origins[name] = origin

    article = article_object(page)
    if article is not None:
        offer("title", _text(article.get("headline") or article.get("name")), "json-ld")
        offer("description", _text(article.get("description")), "json-ld")
        offer("published_raw", _text(article.get("datePublished")), "json-ld")
        offer("modified_raw", _text(article.get("dateModified")), "json-ld")
        offer("image", _text(article.get("image")), "json-ld")
        offer("canonical", _text(article.get("url") or article.get("mainEntityOfPage")), "json-ld")
        offer("keywords", _keywords(article.get("keywords")), "json-ld")
        offer("language", _text(article.get("inLanguage")), "json-ld")
        offer("author", _text(article.get("author")), "json-ld")
        offer("section", _text(article.get("articleSection")), "json-ld")

    offer("title", page.meta("og:title", "twitter:title"), "opengraph")
    offer("site_name", page.meta("og:site_name"), "opengraph")
    if "site_name" not in found:  # the first source wins: a later one is not read at all
        offer("site_name", _website_name(page), "json-ld")
    offer("description", page.meta("og:description", "twitter:description"), "opengraph")
    offer("image", page.meta("og:image", "og:image:url", "twitter:image"), "opengraph")
    offer("published_raw", page.meta(*_PUBLISHED_META), "meta")
    offer("modified_raw", page.meta(*_MODIFIED_META), "meta")
    if "canonical" not in found:
        offer("canonical", page.link_href("canonical"), "link")
    offer("canonical", page.meta("og:url"), "opengraph")
    offer("section", page.meta("article:section"), "meta")
    offer("description", page.meta("description", "dcterms.description"), "meta")
    offer("author", page.meta("author", "article:author", "dcterms.creator"), "meta")
    if "keywords" not in found:
        tags = tuple(t.strip() for t in page.meta_contents("property", "article:tag"))
        offer("keywords", tuple(dict.fromkeys(t for t in tags if t)), "opengraph")
    offer("keywords", _keywords(page.meta("keywords", "news_keywords")), "meta")
    if "published_raw" not in found:
        offer("published_raw", _time_datetime(page), "time")
    language = page.root.get("lang") or page.meta("og:locale", "dcterms.language")
    offer("language", language, "markup")

    if "canonical" in found:
        found["canonical"] = page.absolute(found["canonical"])
    if "image" in found:
        found["image"] = page.absolute(found["image"])
    if "language" in found:
        found["language"] = str(found["language"]).replace("_", "-").split("-")[0].lower()
    return Metadata(**found, origins=origins)


def _website_name(page: Page) -> str | None:
    for obj in json_ld_objects(page):
        if "website" in _types(obj):
            return _text(obj.get("name"))
    return None


def _time_datetime(page: Page) -> str:
    """The machine date of the article's publication `<time>`: one marked as such
    (itemprop, pubdate, class), else the first `<time datetime>` inside an article.
    Each rule takes its first match in document order and passes to the next
    rule when that match's value is blank (as the XPath `(rule)[1]` would); the
    candidates are found in one pass over the page rather than one per rule."""
    candidates = page.find('//time | //*[@itemprop="datePublished"]')
    for rule, attribute in _PUBLISHED_TIME_RULES:
        for element in candidates:
            value = element.get(attribute)
            if value is not None and rule(element):
                if value.strip():
                    return str(value).strip()
                break
    return ""


def _is_time(element: Any) -> bool:
    return element.tag == "time"


_PUBLISHED_TIME_RULES: tuple[tuple[Callable[[Any], bool], str], ...] = (
    (lambda el: _is_time(el) and el.get("itemprop") == "datePublished", "datetime"),
    (lambda el: el.get("itemprop") == "datePublished", "content"),
    (lambda el: _is_time(el) and el.get("pubdate") is not None, "datetime"),
    (lambda el: _is_time(el) and "publish" in (el.get("class") or ""), "datetime"),
    (lambda el: _is_time(el) and next(el.iterancestors("article"), None) is not None, "datetime"),
    (lambda el: _is_time(el) and next(el.iterancestors("main"), None) is not None, "datetime"),
)
