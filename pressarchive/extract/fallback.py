"""Layer 4: generic main-content extraction with trafilatura.

Used by the generic extractor for every page and by the platform extractors
when their own body selector comes back empty, so that a layout change still
stores the text (the field's layer then says "fallback").
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from pressarchive.extract.page import Page
from pressarchive.text import squash

# build_html_output wraps the content in a document; the record keeps inner HTML.
_DOCUMENT_WRAPPER = re.compile(r"^\s*<html>\s*<body>\s*|\s*</body>\s*</html>\s*$")


@dataclass(frozen=True)
class MainContent:
    body_html: str  # inner HTML of the main content; "" when none was found


NO_CONTENT = MainContent(body_html="")


def main_content(page: Page) -> MainContent:
    """The page's main content as trafilatura sees it (hidden text already gone).

    Without trafilatura's metadata (with_metadata=False): the body does not
    depend on it (the same body_html on all 48 pages of tests/golden and
    tests/real), and it was nearly half of the call (17.6 -> 9.6 ms a page
    over those pages, 7 interleaved rounds). The one field used from it, the
    title, is asked for separately by `fallback_title` when a page has no
    other."""
    # Imported here: a platform extractor needs trafilatura only when its own body
    # selector fails, and importing it costs every crawl process a tenth of a second
    # or more at start.
    import trafilatura
    from trafilatura.htmlprocessing import build_html_output
    from trafilatura.settings import Document

    # trafilatura prunes the tree it is given; the page's own tree must stay whole
    # for the other layers.
    tree = copy.deepcopy(page.root)
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=page.url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=True,
            with_metadata=False,
        )
    except (ValueError, TypeError):  # trafilatura gives up on degenerate trees
        return NO_CONTENT
    if not isinstance(document, Document) or document.body is None:
        return NO_CONTENT
    body_html = _DOCUMENT_WRAPPER.sub("", build_html_output(document)).strip()
    if not _has_text(body_html):
        body_html = ""
    return MainContent(body_html=body_html)


def fallback_title(page: Page) -> str | None:
    """The title trafilatura's metadata finds, for a page with neither a
    metadata title nor a heading (the metadata pass costs ~8 ms a page)."""
    from trafilatura.metadata import extract_metadata

    try:
        # as bare_extraction(with_metadata=True) calls it; on a copy, since
        # the metadata pass may prune the tree it reads
        document = extract_metadata(copy.deepcopy(page.root), page.url, None, False)
    except (ValueError, TypeError):
        return None
    return _or_none(getattr(document, "title", None))


def fallback_body_html(page: Page) -> str:
    """Only the body: a platform extractor's last resort."""
    return main_content(page).body_html


def _has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|\s+", "", html))


def _or_none(value: str | None) -> str | None:
    return squash(value) or None
