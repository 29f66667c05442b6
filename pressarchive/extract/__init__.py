"""Page -> record: what a page says, read the same way in a crawl and in a re-extraction.

`extract_page` parses the page (`page.Page`: charset, hidden text removed) and
hands it to the platform's module, `pressarchive.extract.<platform>`, which
defines:

    REQUIRED_FIELDS: tuple[str, ...]        # fields the platform always has
    def extract(page: Page, release: Release) -> None   # fills the release in place

An extractor records in `release.layers` which layer served each field
("metadata", "markup", "fallback", ...). A required field that comes back empty
is flagged `missing:<field>` (and the release `partial`): the spider turns the
flags into warnings and stats, so a layout change never passes silently.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime
from types import ModuleType
from typing import Any

from pressarchive.dedupe.urls import platform_release_id
from pressarchive.extract.page import Page
from pressarchive.items import Release

__all__ = ["Page", "extract_page", "extractor_for", "flag_missing", "missing_fields"]

MISSING_PREFIX = "missing:"
log = logging.getLogger(__name__)


def extractor_for(platform: str) -> ModuleType:
    """The platform's extraction module (ImportError for an unknown platform)."""
    if not platform.isidentifier():
        raise ImportError(f"no extractor for platform {platform!r}")
    return importlib.import_module(f"pressarchive.extract.{platform}")


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not value
    return False


def missing_fields(release: Release, required: tuple[str, ...]) -> list[str]:
    """The required fields that came back empty."""
    return [name for name in required if _is_empty(getattr(release, name, None))]


def flag_missing(release: Release, required: tuple[str, ...]) -> list[str]:
    """Flag each empty required field `missing:<field>` (and the release `partial`)."""
    missing = missing_fields(release, required)
    for name in missing:
        release.flag(f"{MISSING_PREFIX}{name}")
    if missing:
        release.flag("partial")
    return missing


def extract_page(
    body: bytes | str,
    url: str,
    *,
    platform: str,
    source_id: str,
    organisation: str | None = None,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
) -> Release:
    """The release a page shows, as far as it could be read (never raises on bad markup)."""
    module = extractor_for(platform)
    page = Page(body, url, encoding)
    release = Release(
        source=source_id,
        platform=platform,
        url=url,
        organisation=organisation,
        fetched_at=fetched_at,
    )
    try:
        module.extract(page, release)
    except Exception:  # the archive loses nothing: keep what was read, say so
        log.exception("extractor %s failed on %s", platform, url)
        release.flag("extract_error")
        release.flag("partial")
    if page.charset_guessed:
        release.flag("charset_guessed")  # no charset was declared: read as page.encoding
    if release.platform_id is None:
        release.platform_id = platform_release_id(platform, url)
    if release.language is None and page.language:
        release.language = page.language
        release.layers.setdefault("language", "markup")
    flag_missing(release, tuple(getattr(module, "REQUIRED_FIELDS", ())))
    return release
