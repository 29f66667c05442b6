"""Text helpers every stage shares."""

from __future__ import annotations


def squash(text: str | None) -> str:
    """Whitespace (no-break spaces and line breaks included) folded to single
    spaces, ends trimmed; None is the empty string."""
    return " ".join(text.split()) if text else ""
