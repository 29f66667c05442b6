"""Via TT's embedded page state: `window.__INITIAL_STATE__`, decoded.

A real release page (tests/real/viatt/, platforms.md "Via TT") ends with

    <script>window.__INITIAL_STATE__ = '<base64>'</script>

whose text is base64 of a URL-encoded (encodeURIComponent) JSON document: the
Redux store the server rendered the page from. `release.<id>` holds the
release itself (`date` in UTC, `versions.<lang>.{title, leadtext,
body.complete, boilerplates, contacts.cards, documents, images,
localizedlabel}`, `publisher`, `latestReleases`). It is the most exact source
of every field, so the extractor reads it first.

Pure functions: text in, dicts out. A state that is absent is None; a state
that is present but cannot be decoded raises `StateError` with the reason, so
the caller can warn and flag rather than crash.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

# The assignment as served; double quotes and missing spaces are tolerated.
_STATE = re.compile(r"window\.__INITIAL_STATE__\s*=\s*(['\"])(?P<data>[^'\"]*)\1")
_BASE64_JUNK = re.compile(r"[^A-Za-z0-9+/=_-]")


class StateError(ValueError):
    """The page carries a state that cannot be read."""


@dataclass(frozen=True)
class ReleaseState:
    """One release as the state holds it: the release entry, the chosen language
    version, and that version's language code."""

    release: dict[str, Any]
    version: dict[str, Any]
    language: str | None

    def text(self, *path: str) -> str:
        """A string at `path` inside the version (then the release), "" when absent."""
        for root in (self.version, self.release):
            value: Any = root
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str | int | float) and str(value).strip():
                return str(value)
        return ""

    def items(self, *path: str) -> list[dict[str, Any]]:
        """The dicts of a list at `path` inside the version (then the release)."""
        for root in (self.version, self.release):
            value: Any = root
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, list):
                return [item for item in value if isinstance(item, dict)]
        return []


def find_state(html_text: str) -> str | None:
    """The raw (still encoded) state string of the page, or None if it has none."""
    match = _STATE.search(html_text)
    return match.group("data") if match else None


_NOT_AN_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def percent_decode(text: str) -> str:
    """`urllib.parse.unquote(text, errors="strict")`, in C where it can be.

    A release's state is some 100 kB of %XX escapes, and unquote's
    Python loop over them cost more than parsing the page. When every "%"
    starts an escape and no backslash is there to be misread, the escapes are
    rewritten as `\\xXX` and decoded by the unicode_escape codec."""
    if not text.isascii() or "\\" in text or _NOT_AN_ESCAPE.search(text):
        return unquote(text, errors="strict")
    raw_bytes = text.replace("%", "\\x").encode("ascii").decode("unicode_escape")
    return raw_bytes.encode("latin-1").decode("utf-8")


def decode_state(raw: str) -> dict[str, Any]:
    """base64 -> URL-encoded JSON -> dict. StateError says why it failed."""
    cleaned = _BASE64_JUNK.sub("", raw)
    if not cleaned:
        raise StateError("the state is empty")
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        encoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise StateError(f"not base64: {exc}") from exc
    try:
        text = percent_decode(encoded.decode("ascii"))
    except (UnicodeDecodeError, UnicodeError) as exc:
        raise StateError(f"not URL-encoded text: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StateError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StateError("not a JSON object")
    return data


def release_state(
    state: dict[str, Any], release_id: str | None, language: str | None
) -> ReleaseState | None:
    """The release the page shows: `release.<id>` for the URL's id (None if the
    state lacks it), else (no id known) the only release the state holds; its version in `language`, else Swedish, else the first."""
    releases = state.get("release")
    if not isinstance(releases, dict):
        return None
    entries = {str(k): v for k, v in releases.items() if isinstance(v, dict)}
    if release_id:
        # The URL names the release: a state about another one is not this page's.
        entry = entries.get(release_id)
    else:
        with_versions = [v for v in entries.values() if isinstance(v.get("versions"), dict)]
        entry = with_versions[0] if len(with_versions) == 1 else None
    if entry is None:
        return None
    versions = entry.get("versions")
    if not isinstance(versions, dict) or not versions:
        return ReleaseState(entry, {}, None)
    for code in (language, "sv", *versions):
        if code and isinstance(versions.get(code), dict):
            return ReleaseState(entry, versions[code], code)
    return ReleaseState(entry, {}, None)


def label_kind(localized_label: str) -> str:
    """The Swedish label of `sv__label__Pressmeddelande__lang__en__label__Press Release`
    ("Pressmeddelande"), else the first label; "" when there is none."""
    labels = re.findall(r"(?:^|__lang__)?([a-z]{2})__label__(.+?)(?=__lang__|$)", localized_label)
    for code, label in labels:
        if code == "sv":
            return label.strip()
    return labels[0][1].strip() if labels else ""
