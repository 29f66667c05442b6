"""Layer 1: the platforms' own services, read into releases without any page.

Both formats below are seen in working client code of public projects, never
served to us (no real response is stored here): each field read is named in
platforms.md. A real response saved under tests/real would prove the shapes;
until then every reader tolerates a missing field, and a response with no
items is a loud warning, not an empty success.

- Mynewsdesk's pressroom service
  `https://www.mynewsdesk.com/services/pressroom/list/<unique_key>?format=json
  &type_of_media=pressrelease&limit=&offset=&locale=sv&order=published`: JSON
  `items.item[]`, each with `type_of_media, url, language, published_at` (UTC),
  `header, summary, body`; the body is followed by the about-text in a
  separate `div.boilerplate`. `unique_key` is the newsroom's key: configuration
  (`options.unique_key` in sources.toml), never guessed.
- Cision's release JSON (its feed service): `Title, HtmlTitle, HtmlIntro,
  HtmlBody, HtmlCompanyInformation` (the about-text), `HtmlContact`,
  `PublishDate` (`2022-05-06T07:30:00Z`, UTC), `CisionWireUrl` (the release
  page on Cision News), `LanguageCode`. Clients of several public projects
  list them from `https://publish.ne.cision.com/papi/NewsFeed/<feed id>
  ?format=json&detailLevel=detail&pageSize=<= 100>&pageIndex=<1, 2, …>`, an
  answer `{PageIndex, PageSize, TotalFoundReleases, Releases: [...]}`; the
  feed id is the newsroom's (configuration, `options.feed_id`, never guessed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import lxml.html

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract.page import element_text
from pressarchive.extract.titles import decode
from pressarchive.items import Release
from pressarchive.text import squash

MYNEWSDESK_SERVICE = "https://www.mynewsdesk.com/services/pressroom/list/{key}"
CISION_NEWSFEED = "https://publish.ne.cision.com/papi/NewsFeed/{feed_id}"
# The largest page the NewsFeed service gives (its clients: "default 50, max 100").
CISION_NEWSFEED_PAGE_SIZE = 100
_MYNEWSDESK_KINDS = {
    "pressrelease": "pressmeddelande",
    "news": "nyhet",
    "event": "pressinbjudan",
    "blog_post": "nyhet",
}


def mynewsdesk_service_url(
    unique_key: str, *, limit: int = 100, offset: int = 0, base: str | None = None
) -> str:
    query = urlencode(
        {
            "format": "json",
            "type_of_media": "pressrelease",
            "limit": limit,
            "offset": offset,
            "locale": "sv",
            "order": "published",
        }
    )
    root = (base.rstrip("/") + "/services/pressroom/list/{key}") if base else MYNEWSDESK_SERVICE
    return root.format(key=unique_key) + "?" + query


def cision_newsfeed_url(
    feed_id: str,
    *,
    page_index: int = 1,
    page_size: int = CISION_NEWSFEED_PAGE_SIZE,
    base: str | None = None,
) -> str:
    """A page of Cision's NewsFeed service (`page_index` counts from 1)."""
    query = urlencode(
        {
            "format": "json",
            "detailLevel": "detail",
            "pageSize": page_size,
            "pageIndex": page_index,
        }
    )
    root = (base.rstrip("/") + "/papi/NewsFeed/{feed_id}") if base else CISION_NEWSFEED
    return root.format(feed_id=quote(feed_id, safe="")) + "?" + query


def cision_newsfeed_releases(data: Any) -> list[dict[str, Any]]:
    """The release records of a NewsFeed answer (`Releases`), none for anything else."""
    releases = data.get("Releases") if isinstance(data, dict) else None
    return [r for r in releases if isinstance(r, dict)] if isinstance(releases, list) else []


def cision_newsfeed_total(data: Any) -> int | None:
    """How many releases the feed holds in all (`TotalFoundReleases`), if it says."""
    total = data.get("TotalFoundReleases") if isinstance(data, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _text(value: Any) -> str:
    """A service value as text: strings, or `{"text": …}`/`{"datetime": …}` objects."""
    if isinstance(value, dict):
        for name in ("datetime", "text", "value", "#text"):
            if isinstance(value.get(name), str):
                return str(value[name])
        return ""
    return value if isinstance(value, str) else ""


def _utc(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _split_boilerplate(body_html: str) -> tuple[str, str]:
    """(body without the about block, the about-text) of a service body."""
    if not body_html.strip():
        return "", ""
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    about = ""
    for block in root.xpath(".//div[contains(concat(' ', @class, ' '), ' boilerplate ')]"):
        about = (about + "\n" + squash(element_text(block))).strip()
        block.drop_tree()
    parts = [root.text or ""]
    parts.extend(lxml.html.tostring(child, encoding="unicode") for child in root)
    return "".join(parts).strip(), about


def mynewsdesk_items(data: Any) -> list[dict[str, Any]]:
    """The items of a pressroom service answer (`items.item`, one or a list)."""
    items = data.get("items") if isinstance(data, dict) else None
    item = items.get("item") if isinstance(items, dict) else items
    if isinstance(item, dict):
        return [item]
    return [i for i in item if isinstance(i, dict)] if isinstance(item, list) else []


def mynewsdesk_release(
    item: dict[str, Any], *, source_id: str, organisation: str | None = None
) -> Release | None:
    """One service item as a release (layer "api"); None without a URL."""
    url = _text(item.get("url")).strip()
    if not url:
        return None
    body_html, about = _split_boilerplate(_text(item.get("body")))
    release = Release(
        source=source_id,
        platform="mynewsdesk",
        url=url,
        organisation=organisation,
        title=decode(_text(item.get("header"))),
        lead=decode(_text(item.get("summary"))),
        body_html=body_html,
        about_text=about,
        language=_text(item.get("language")) or None,
        fetched_at=datetime.now(UTC),
    )
    published = _text(item.get("published_at"))
    release.published_raw = published or None
    release.published_at = _utc(published)
    release.kind = _MYNEWSDESK_KINDS.get(_text(item.get("type_of_media")), "pressmeddelande")
    release.platform_id = platform_release_id("mynewsdesk", url)
    for name in ("title", "lead", "body_html", "about_text", "published_raw", "kind"):
        if getattr(release, name):
            release.layers[name] = "api"
    if release.published_at is not None:
        release.layers["published_at"] = "api"
    return release


def cision_release(
    data: dict[str, Any], *, source_id: str, url: str, organisation: str | None = None
) -> Release:
    """A Cision release JSON record as a release (layer "api"). The contact block
    (`HtmlContact`) is appended to the body so that the refine stage's contact
    reader structures it, as it does for every platform."""
    body = _text(data.get("HtmlBody"))
    contact = _text(data.get("HtmlContact"))
    about_html = _text(data.get("HtmlCompanyInformation"))
    about = ""
    if about_html.strip():
        about = squash(element_text(lxml.html.fragment_fromstring(about_html, create_parent="div")))
    intro = _text(data.get("HtmlIntro"))
    lead = ""
    if intro.strip():
        lead = squash(element_text(lxml.html.fragment_fromstring(intro, create_parent="div")))
    release = Release(
        source=source_id,
        platform="cision",
        url=_text(data.get("CisionWireUrl")) or url,
        organisation=organisation,
        title=decode(_text(data.get("Title")) or _text(data.get("HtmlTitle"))),
        lead=lead,
        body_html=(body + ("\n" + contact if contact.strip() else "")).strip(),
        about_text=about,
        language=_text(data.get("LanguageCode")) or None,
        fetched_at=datetime.now(UTC),
    )
    published = _text(data.get("PublishDate"))
    release.published_raw = published or None
    release.published_at = _utc(published)
    release.platform_id = platform_release_id("cision", release.url)
    for name in ("title", "lead", "body_html", "about_text", "published_raw"):
        if getattr(release, name):
            release.layers[name] = "api"
    if release.published_at is not None:
        release.layers["published_at"] = "api"
    return release
