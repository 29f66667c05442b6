"""Page chrome: the short lines a press room puts around every release
("Dela", "Följ …", "Abonnera på …", "Senaste pressmeddelandena från …",
cookie and share texts) — recognised line by line, never kept as body.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pressarchive.refine.html import normalise_text

# -----------------------------------------------------------------

_CHROME_PATTERNS = [
    r"dela(?: (?:på|via) \w+)?|share|skriv ut|print",
    r"läs vidare\s*»?|läs mer\s*»?|read more\s*»?",
    r"media no image|no image",
    r"(?:hidden)?\s*a line styled icon from orion icon library\.?\s*\w*",
    r"abonnera på våra pressmeddelanden\b.*",
    r"prenumerera på (?:våra )?(?:pressmeddelanden|nyheter)\b.*",
    r"i vårt pressrum kan du läsa.*",
    r"besök vårt pressrum|till pressrummet|gå till pressrummet",
    r"kontaktpersoner \d+ kontaktpersoner?|kommande evenemang \d+ evenemang",
    r"pressmeddelanden?\s*[-–•]?\s*",
    r"(?=[a-z]*\d)[0-9a-z]{20}",  # Mynewsdesk image ids used as captions
    r"\d{3,}|[0-9a-f]{8,}",  # bare numbers / hex ids used as captions
    r"_{5,}|-{5,}|={5,}",
    r"(?:varning|viktigt meddelande)\b.*\bsmhi\b.*",
    r".*\b(?:kakor|cookies?)\b.*\b(?:godkänn|acceptera|accept|samtycke|consent|använder)\b.*",
    r"(?:godkänn|acceptera) (?:alla )?(?:kakor|cookies)|cookie-?inställningar",
    r"(?:pressmeddelanden?|pressinbjudan|nyhet(?:er)?)\s*•\s*\w{3} \d{1,2}, \d{4} \d{1,2}:\d{2}(?: \w+)?",
    r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}:\d{2}(?::\d{2})? \w+(?: \|[^|]*)+",
    r"ämnen|kategorier|regioner|taggar|relaterat|relaterade länkar|bilder|dokument|videor",
    r"foto:?\s*[^.!?]{0,60}",  # a credit alone on a line: no caption left to keep it with
]
_CHROME = re.compile("(?:" + "|".join(_CHROME_PATTERNS) + r")\s*", re.IGNORECASE)
# Cookie and alert texts run to a few sentences; release paragraphs are longer
# than that or are not matched anyway, so long blocks skip the big regex.
_LONGEST_CHROME = 600
_ORG_CHROME = ("följ {org}", "{org}", "senaste pressmeddelandena från {org}")
_LATEST = re.compile(
    r"^(?:senaste (?:pressmeddelandena|nyheterna|nytt)(?: från .*)?|fler pressmeddelanden(?: från .*)?"
    r"|läs också|relaterade pressmeddelanden)$",
    re.IGNORECASE,
)


def is_chrome(text: str, organisation: str | None = None) -> bool:
    """True when the whole block is page furniture rather than release text.
    A "Foto: …" credit is chrome only on its own: inside a caption sentence it
    stays with the caption."""
    t = normalise_text(text)
    if not t:
        return True
    if len(t) > _LONGEST_CHROME:
        return False
    if _CHROME.fullmatch(t):
        return True
    if _FOLLOW.fullmatch(t) and len(t) < 70:
        return True
    return bool(organisation) and t.casefold().rstrip(".:") in _org_chrome(organisation)


_FOLLOW = re.compile(r"följ(?: oss)?(?: på)? .{0,60}", re.IGNORECASE)


@lru_cache(maxsize=64)  # asked for every block of every release of an organisation
def _org_chrome(organisation: str) -> frozenset[str]:
    org = organisation.casefold().strip()
    return frozenset(line.format(org=org) for line in _ORG_CHROME)


def is_latest_list_start(text: str) -> bool:
    """The heading of a "latest releases" box: it and everything after it go."""
    return len(text) < 200 and bool(_LATEST.match(normalise_text(text)))


_ABOUT_HEADING = re.compile(r"Om(?:\s+(?P<what>.{2,60}))?")


def is_about_heading(text: str, organisation: str | None, following: str) -> bool:
    """ "Om", "Om <organisation>", or "Om X" where the text after it begins
    with X ("Om Norrköpings kommun" / "Norrköpings kommun har …"): the heading
    that opens the organisation's about-text. Any other "Om …" ("Om projektet")
    heads part of the release itself. The body's clean-up and the extractors'
    heading reader (extract/labels) both ask this."""
    match = _ABOUT_HEADING.fullmatch(text.strip().rstrip(":"))
    if match is None:
        return False
    what = match.group("what")
    return (
        what is None
        or (organisation is not None and what.casefold() == organisation.casefold())
        or following.casefold().startswith(what.casefold())
    )
