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
    title: str | None
    body_html: str  # inner HTML of the main content; "" when none was found
    date: str | None  # trafilatura's guess (ISO day): a hint, never a stored date
    author: str | None


NO_CONTENT = MainContent(title=None, body_html="", date=None, author=None)


def main_content(page: Page) -> MainContent:
    """The page's main content as trafilatura sees it (hidden text already gone)."""
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
            with_metadata=True,
        )
    except (ValueError, TypeError):  # trafilatura gives up on degenerate trees
        return NO_CONTENT
    if not isinstance(document, Document) or document.body is None:
        return NO_CONTENT
    body_html = _DOCUMENT_WRAPPER.sub("", build_html_output(document)).strip()
    if not _has_text(body_html):
        body_html = ""
    return MainContent(
        title=_or_none(getattr(document, "title", None)),
        body_html=body_html,
        date=_or_none(getattr(document, "date", None)),
        author=_or_none(getattr(document, "author", None)),
    )


def fallback_body_html(page: Page) -> str:
    """Only the body: a platform extractor's last resort."""
    return main_content(page).body_html


def _has_text(html: str) -> bool:
    return bool(re.sub(r"<[^>]+>|\s+", "", html))


def _or_none(value: str | None) -> str | None:
    return squash(value) or None
