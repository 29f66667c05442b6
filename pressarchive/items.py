"""The release record and its parts.

Plain dataclasses: Scrapy passes them through its pipelines (itemadapter
understands dataclasses), and everything outside Scrapy (the store, the
re-extraction, the tests) uses them without Scrapy at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

Kind = Literal["pressmeddelande", "pressinbjudan", "nyhet"]
KINDS: tuple[str, ...] = ("pressmeddelande", "pressinbjudan", "nyhet")

ContactRole = Literal["contact", "sender", "press_contact"]
TagKind = Literal["subject", "category", "region", "keyword"]

# Where a field's value came from (DESIGN.md, "Extraction, in layers").
Layer = Literal["api", "feed", "metadata", "markup", "fallback", "derived"]


@dataclass
class Contact:
    name: str
    role: str = "contact"  # ContactRole
    title: str | None = None
    party: str | None = None  # "Olle Vikmång (S)" -> "S"
    phone: str | None = None  # E.164, e.g. +46706871538
    email: str | None = None
    organisation: str | None = None


@dataclass
class Tag:
    name: str
    kind: str = "keyword"  # TagKind


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class Attachment:
    url: str
    title: str | None = None


@dataclass
class Event:
    """A press conference or other appointment announced by a press invitation."""

    starts_at: datetime | None = None  # UTC
    ends_at: datetime | None = None  # UTC
    place: str | None = None
    raw: str | None = None  # the text the event was read from


@dataclass
class Release:
    """One press release as read from one page (or feed entry / API record)."""

    source: str  # the registry id, e.g. "norrkoping-mynewsdesk"
    platform: str  # mynewsdesk | viatt | sitevision | cision | generic
    url: str  # the URL fetched
    title: str = ""
    canonical_url: str | None = None
    platform_id: str | None = None  # the platform's own release id
    kind: str = "pressmeddelande"  # Kind
    organisation: str | None = None
    lead: str = ""
    body_text: str = ""
    body_html: str = ""  # sanitised
    about_text: str = ""  # the organisation's boilerplate, kept apart from the body
    language: str | None = None
    published_raw: str | None = None
    published_at: datetime | None = None  # UTC
    published_local: datetime | None = None  # Europe/Stockholm
    updated_raw: str | None = None
    updated_at: datetime | None = None  # UTC, when the source says it was updated
    fetched_at: datetime | None = None  # UTC, when the page was fetched
    contacts: list[Contact] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # field name -> layer that served it, e.g. {"title": "metadata", "body_text": "markup"}
    layers: dict[str, str] = field(default_factory=dict)
    # problems noticed while reading the page: "no_date", "partial", "email_invalid", ...
    flags: list[str] = field(default_factory=list)
    # The record as the extractor produced it, before cleaning (set by the refine
    # pipeline). The store keeps it so that cleaning can be re-run when the
    # source's learned about-text changes, without fetching the page again.
    extracted: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # The JSON text the archive keeps of `extracted`, made once for the
    # release (storage.rows.extraction_text): the cleaning log, the message to a
    # scaled-out writer and the store each need it. Whoever replaces
    # `extracted`, or changes a key of it that the archive keeps, sets it to None.
    extracted_text: str | None = field(default=None, repr=False, compare=False)
    # True once the refine stages have run on it (pressarchive.refine.process):
    # a page read in a worker process reaches the crawl's pipelines refined, a
    # record the spider yields itself (a platform's API) does not.
    refined: bool = field(default=False, repr=False, compare=False)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def to_dict(self) -> dict[str, Any]:
        """The record as plain dicts and lists (a copy), without `extracted`
        (nor `refined`, which is the pipeline's, not the record's).

        Not `dataclasses.asdict`: that deep-copies `extracted` (the whole
        extraction) only to drop it, and costs a tenth of refining a page."""
        return {name: _plain(getattr(self, name)) for name in _RECORD_FIELDS}

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings. One walk, not
        to_dict's and then another for the datetimes: it runs for every page."""
        return {name: _json_plain(getattr(self, name)) for name in _RECORD_FIELDS}

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Release:
        values = dict(data)
        for name in _DATETIME_FIELDS:
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        values["contacts"] = [Contact(**c) for c in values.get("contacts", [])]
        values["tags"] = [Tag(**t) for t in values.get("tags", [])]
        values["images"] = [Image(**i) for i in values.get("images", [])]
        values["attachments"] = [Attachment(**a) for a in values.get("attachments", [])]
        events = []
        for e in values.get("events", []):
            e = dict(e)
            for name in ("starts_at", "ends_at"):
                if e.get(name):
                    e[name] = datetime.fromisoformat(e[name])
            events.append(Event(**e))
        values["events"] = events
        values.pop("extracted", None)
        values.pop("extracted_text", None)
        values.pop("refined", None)
        return cls(**values)


_RECORD_FIELDS = tuple(
    f.name for f in fields(Release) if f.name not in ("extracted", "extracted_text", "refined")
)
_PART_FIELDS: dict[type, tuple[str, ...]] = {
    part: tuple(f.name for f in fields(part)) for part in (Contact, Tag, Image, Attachment, Event)
}


def _plain(value: Any) -> Any:
    """What `dataclasses.asdict` gives for a field of the record (its parts are
    flat dataclasses of scalars)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    names = _PART_FIELDS.get(type(value))
    if names is not None:
        return {name: getattr(value, name) for name in names}
    return value


_DATETIME_FIELDS = ("published_at", "published_local", "updated_at", "fetched_at")


_JSON_SCALARS = frozenset({str, int, float, bool})


def _json_plain(value: Any) -> Any:
    """`_plain` with datetimes as ISO 8601 strings and tuples as lists."""
    if value is None or type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_plain(v) for k, v in value.items()}
    names = _PART_FIELDS.get(type(value))
    if names is not None:
        return {name: _json_plain(getattr(value, name)) for name in names}
    return value
