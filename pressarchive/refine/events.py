"""Press invitations -> the event they announce.

Invitations say when and where either in labelled lines ("Datum:", "Tid:",
"Plats:") or in prose ("… tisdag den 11 februari klockan 11.30 …"). The
dates module reads the date, with the release's publication date as context
for the year an invitation leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from pressarchive.items import Event

_LABELS = r"datum|dag|tid|tidpunkt|klockslag|när|plats|var|adress|lokal|samling"
# "Tid: fredag den 24 mars, klockan 14.15. Plats: Rådhuset." — labels may share a line.
_LABEL = re.compile(
    rf"(?:^|(?<=[.;,]\s)|(?<=\s\|\s))(?P<label>{_LABELS})\s*:\s*"
    rf"(?P<value>.+?)\s*(?=(?:[.;,]\s+|\s\|\s)(?:{_LABELS})\s*:|$)",
    re.IGNORECASE,
)
_MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec"
)
_WEEKDAYS = "måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag"
_CLOCK = r"\d{1,2}(?:[.:]\d{2})?"
# "tisdag den 11 februari 2025 klockan 11.30–12.30" and its shorter forms;
# prose is only trusted when the date comes with a time.
_PROSE = re.compile(
    rf"(?:(?:{_WEEKDAYS})(?:en)?\s+)?(?:den\s+)?\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?"
    rf",?\s*(?:mellan\s+)?(?:kl(?:ockan|\.)?\s*|från\s+kl\.?\s*){_CLOCK}"
    rf"(?:\s*(?:[-–—]|till|och)\s*(?:kl(?:ockan|\.)?\s*)?{_CLOCK})?",
    re.IGNORECASE,
)
# Without a time, a date in prose is trusted only when it names the weekday.
_PROSE_DAY = re.compile(
    rf"(?:{_WEEKDAYS})(?:en)?\s+(?:den\s+)?\d{{1,2}}\s+(?:{_MONTHS})\.?(?:\s+\d{{4}})?",
    re.IGNORECASE,
)
_WHEN = ("datum", "dag", "när")
_TIME = ("tid", "tidpunkt", "klockslag")
_WHERE = ("plats", "var", "adress", "lokal", "samling")


def _parse(raw: str, context: date | datetime | None) -> Event | None:
    from pressarchive.refine.dates import parse_date_range

    cleaned = re.sub(r"(?<=\d)\s*(?:–|—|till)\s*(?=\d)", "-", raw)
    parsed = parse_date_range(cleaned, context=context)
    if parsed is None:
        return None
    start, end = parsed
    return Event(starts_at=start.utc, ends_at=end.utc if end else None, raw=raw)


def _labelled(lines: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        for match in _LABEL.finditer(line.strip()):
            label = match.group("label").lower()
            group = "when" if label in _WHEN else "time" if label in _TIME else "where"
            found.setdefault(group, match.group("value").strip().rstrip("."))
    return found


def extract_events(
    lines: Sequence[str], *, context: date | datetime | None = None, labelled_only: bool = False
) -> list[Event]:
    """The event an invitation announces (at most one), from its body lines.

    `labelled_only`: only "Datum:"/"Tid:"/"Plats:" lines, for a release that is
    not an invitation, where a date in its prose is rarely the event's."""
    fields = _labelled(lines)
    place = fields.get("where")
    if "when" in fields or "time" in fields:
        when = fields.get("when", "")
        clock = re.sub(r"^(?:kl(?:ockan|\.)?)\s*", "", fields.get("time", ""), flags=re.I)
        raw = f"{when} kl. {clock}" if when and clock and re.search(r"\d", clock) else when or clock
        event = _parse(raw, context)
        if event is not None:
            event.place = place
            return [event]
    if labelled_only:
        return []
    for pattern in (_PROSE, _PROSE_DAY):
        for line in lines:
            match = pattern.search(line)
            if match:
                event = _parse(match.group(0), context)
                if event is not None:
                    event.place = place
                    return [event]
    if place:
        return [Event(place=place, raw=f"Plats: {place}")]
    return []


def is_invitation(kind: str | None, title: str) -> bool:
    return kind == "pressinbjudan" or bool(re.match(r"^\s*pressinbjudan\b", title, re.IGNORECASE))


# A release the platform calls a press release can still announce a press
# conference (Via TT, Moderaterna 2026: "Pressträff med …", lead "bjuder … in
# till pressträff", then "Tid:" and "Plats:" lines; tests/real/viatt).
_ANNOUNCEMENT = re.compile(r"\b(?:press|medie|media)(?:träff|konferens|inbjudan)", re.IGNORECASE)


def announces_event(title: str, lead: str) -> bool:
    return bool(_ANNOUNCEMENT.search(title) or _ANNOUNCEMENT.search(lead))
