"""What an export row is: its columns (one table, documented in the README), the
formula guard for spreadsheet cells, and one cell per person for contacts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "text"  # text | integer | datetime (UTC) | localdatetime | date | joined | json
    width: int = 14  # characters, for the XLSX column


COLUMNS: tuple[Column, ...] = (
    Column("id", "The release's id in the archive (stable across exports).", "integer", 8),
    Column("source_id", "The press room it was archived from (see `pressarchive sources`).", width=24),
    Column("organisation", "The organisation that published it.", width=24),
    Column("platform", "mynewsdesk, viatt, sitevision, cision or generic.", width=12),
    Column("kind", "pressmeddelande, pressinbjudan or nyhet.", width=16),
    Column("published_date", "Publication day in Swedish time (YYYY-MM-DD).", "date", 12),
    Column("published_at", "Publication time in UTC, ISO 8601.", "datetime", 20),
    Column("published_local", "Publication time in Europe/Stockholm, ISO 8601 with offset (XLSX: a date-time cell in Swedish time).", "localdatetime", 20),
    Column("title", "The headline.", width=50),
    Column("lead", "The introduction (ingress), when the page has one.", width=50),
    Column("body_text", "The text of the release, paragraphs separated by blank lines.", width=80),
    Column("url", "The page it was read from.", width=40),
    Column("canonical_url", "The release's canonical address.", width=40),
    Column("other_urls", "The same release on the cluster's other platforms or press rooms, separated by ' | ' (empty: only this one).", "joined", 40),
    Column("language", "Language code (sv, en).", width=8),
    Column("contacts", "Who to call, in page order: 'Name (role, title, phone, e-mail)' per person, separated by ' | '; only the parts the release gives; one person in two roles appears once with both (roles: contact, press contact, sender).", "joined", 60),
    Column("contacts_json", "The same people as JSON: a list of {name, roles, title, phone, email} (null when not given).", "json", 30),
    Column("tags", "Subjects, categories, regions and keywords, separated by ' | '.", "joined", 30),
    Column("cluster_id", "Releases with the same cluster_id are one release on several platforms.", "integer", 10),
    Column("cluster_size", "How many archived releases share that cluster (1: only this one).", "integer", 8),
    Column("first_seen_at", "When the archive first saw it (UTC, ISO 8601).", "datetime", 20),
    Column("last_seen_at", "When a crawl last saw it (UTC, ISO 8601).", "datetime", 20),
)  # fmt: skip
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)

FORMATS = ("csv", "jsonl", "xlsx")
DIALECTS = ("excel", "excel-sv")
MULTI_SEPARATOR = " | "
BATCH_SIZE = 500
# Excel refuses longer cells; the rest of such a body stays in CSV/JSONL and the archive.
XLSX_CELL_LIMIT = 32_767
XLSX_TRUNCATED = " […]"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the XLSX (XML) format cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: str) -> str:
    """Make a cell that a spreadsheet would read as a formula read as text."""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_parts(parts: Sequence[str]) -> str:
    """A joined cell whose every part is formula-safe: splitting the cell
    (text to columns) makes each part a cell of its own."""
    return MULTI_SEPARATOR.join(neutralise(part) for part in parts)


ROLE_ORDER = ("contact", "press_contact", "sender")
ROLE_LABELS = {"contact": "contact", "press_contact": "press contact", "sender": "sender"}


@dataclass
class ContactEntry:
    """One person as a release names them; `roles` in ROLE_ORDER."""

    name: str
    roles: list[str]
    title: str | None
    phone: str | None
    email: str | None

    def label(self) -> str:
        roles = ", ".join(ROLE_LABELS.get(r, r) for r in self.roles)
        details = [d for d in (roles, self.title, self.phone, self.email) if d]
        return f"{self.name} ({', '.join(details)})" if details else self.name

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "roles": self.roles,
            "title": self.title,
            "phone": self.phone,
            "email": self.email,
        }


def merge_contacts(
    mentions: Iterable[tuple[int, str, str, str | None, str | None, str | None]],
) -> list[ContactEntry]:
    """(contact_id, name, role, title, phone, email) in page order -> one entry
    per person, their roles together, in the order they first appear."""
    entries: dict[int, ContactEntry] = {}
    for contact_id, name, role, title, phone, email in mentions:
        entry = entries.get(contact_id)
        if entry is None:
            entries[contact_id] = ContactEntry(name, [role], title or None, phone, email)
            continue
        if role not in entry.roles:
            entry.roles.append(role)
            entry.roles.sort(key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
        entry.title = entry.title or title or None
    return list(entries.values())
