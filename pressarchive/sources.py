"""The registry of press rooms (data/sources.toml) and its validation.

A source names one press room of one organisation on one platform. Spiders
derive everything (listing URLs, feeds, release URLs) from the configured start
URL, so the same spider crawls a copy of a platform served from another host.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pressarchive.hosts import private_host_reason, url_problem
from pressarchive.paths import is_safe_id

PLATFORMS: tuple[str, ...] = ("mynewsdesk", "viatt", "sitevision", "cision", "generic")
DEFAULT_SOURCES_FILE = Path("data/sources.toml")


class SourceError(ValueError):
    """The registry is malformed; the message names the source and the field."""


@dataclass(frozen=True)
class Source:
    id: str
    organisation: str
    platform: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # Loopback and private hosts are refused unless the registry allows them
    # (the demo rooms and test rooms on 127.0.0.1 do).
    allow_private: bool = False

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def to_json_dict(self) -> dict[str, Any]:
        """The source as JSON, for the crawl child's job file and the scale-out
        writer's messages (`from_json_dict` reads it back, every field)."""
        return {
            "id": self.id,
            "organisation": self.organisation,
            "platform": self.platform,
            "start_urls": list(self.start_urls),
            "allowed_domains": list(self.allowed_domains),
            "options": dict(self.options),
            "allow_private": self.allow_private,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Source:
        return cls(
            id=data["id"],
            organisation=data["organisation"],
            platform=data["platform"],
            start_urls=tuple(data["start_urls"]),
            allowed_domains=tuple(data.get("allowed_domains") or ()),
            options=dict(data.get("options") or {}),
            allow_private=bool(data.get("allow_private", False)),
        )


def _require_str(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{where}: field '{key}' must be a non-empty string")
    return value.strip()


def _parse_source(entry: Any, index: int) -> Source:
    if not isinstance(entry, dict):
        raise SourceError(f"source #{index + 1}: must be a table")
    where = f"source #{index + 1}"
    source_id = _require_str(entry, "id", where)
    if not is_safe_id(source_id):
        raise SourceError(
            f"source {source_id!r}: field 'id' must be a slug (letters, digits, '.', '_', '-', "
            "starting with a letter or digit): it names the crawl's job directory"
        )
    where = f"source '{source_id}'"
    allow_private = entry.get("allow_private", False)
    if not isinstance(allow_private, bool):
        raise SourceError(f"{where}: field 'allow_private' must be true or false")
    organisation = _require_str(entry, "organisation", where)
    platform = _require_str(entry, "platform", where)
    if platform not in PLATFORMS:
        raise SourceError(
            f"{where}: field 'platform' is '{platform}', expected one of {', '.join(PLATFORMS)}"
        )
    start_urls = entry.get("start_urls")
    if isinstance(start_urls, str):
        start_urls = [start_urls]
    if not isinstance(start_urls, list) or not start_urls:
        raise SourceError(f"{where}: field 'start_urls' must be a non-empty list of URLs")
    for url in start_urls:
        problem = url_problem(url, allow_private=allow_private) if isinstance(url, str) else "?"
        if problem in ("not a URL", "not http(s)", "no host", "?"):
            raise SourceError(f"{where}: field 'start_urls' has an invalid URL: {url!r}")
        if problem:
            raise SourceError(
                f"{where}: field 'start_urls' has {url!r}: {problem} "
                "(set allow_private = true for a press room on your own network)"
            )
    allowed = entry.get("allowed_domains")
    if allowed is None:
        allowed = sorted({urlsplit(u).hostname or "" for u in start_urls})
    if not isinstance(allowed, list) or not all(isinstance(d, str) and d for d in allowed):
        raise SourceError(f"{where}: field 'allowed_domains' must be a list of host names")
    for domain in allowed:
        _check_domain(domain, where, allow_private)
    options = entry.get("options", {})
    if not isinstance(options, dict):
        raise SourceError(f"{where}: field 'options' must be a table")
    unknown = set(entry) - {
        "id",
        "organisation",
        "platform",
        "start_urls",
        "allowed_domains",
        "allow_private",
        "options",
    }
    if unknown:
        raise SourceError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    return Source(
        id=source_id,
        organisation=organisation,
        platform=platform,
        start_urls=tuple(start_urls),
        allowed_domains=tuple(allowed),
        options=dict(options),
        allow_private=allow_private,
    )


def _check_domain(domain: str, where: str, allow_private: bool) -> None:
    """A host name the spider may fetch from: no wildcards, no URLs, and
    public unless the source allows private hosts."""
    name = domain.strip().lower()
    if not name or (any(c in name for c in "*?/:@ ") and not name.startswith("[")):
        raise SourceError(
            f"{where}: field 'allowed_domains' has {domain!r}: a host name "
            "(no wildcard, scheme or path) is expected"
        )
    if not allow_private:
        reason = private_host_reason(name)
        if reason:
            raise SourceError(
                f"{where}: field 'allowed_domains' has {domain!r}: {reason} "
                "(set allow_private = true for a press room on your own network)"
            )


def parse_sources(text: str, *, origin: str = "sources") -> list[Source]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{origin}: not valid TOML: {exc}") from None
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourceError(f"{origin}: 'source' must be an array of tables ([[source]])")
    sources = [_parse_source(entry, i) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise SourceError(f"source '{source.id}': field 'id' is used twice")
        seen.add(source.id)
    return sources


def load_sources(path: Path | str = DEFAULT_SOURCES_FILE) -> list[Source]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: sources file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read sources file: {exc}") from None
    return parse_sources(text, origin=str(path))


def select_sources(sources: list[Source], ids: list[str] | tuple[str, ...]) -> list[Source]:
    by_id = {s.id: s for s in sources}
    missing = [i for i in ids if i not in by_id]
    if missing:
        known = ", ".join(sorted(by_id)) or "none"
        raise SourceError(f"unknown source(s): {', '.join(missing)} (known: {known})")
    return [by_id[i] for i in ids]
