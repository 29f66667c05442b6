"""Progress on a terminal, silence under cron (used by the crawl's live line and by exports).

Long exports, re-extractions and crawls show a bar (when the total is known)
or a live line (pages, items, errors) on stderr, but only when stderr is a
terminal: a cron job or a pipe into a log gets no control characters at all.

    with progress(total=n, label="export") as bar:
        for row in rows:
            ...
            bar.advance()

    with live_line("crawl") as line:
        line.update(pages=10, items=4, errors=0)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# Redrawing more often than this only costs time: a terminal cannot show it.
REDRAW_SECONDS = 0.1
BAR_WIDTH = 30


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def format_bar(label: str, done: int, total: int | None, elapsed: float) -> str:
    """One line: a bar with a percentage when the total is known, else a count and rate."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if total:
        fraction = min(done / total, 1.0)
        filled = int(fraction * BAR_WIDTH)
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        return f"{label} {bar} {fraction:4.0%} {done}/{total} ({rate:,.0f}/s)"
    return f"{label} {done} ({rate:,.0f}/s)"


def format_counts(label: str, counts: dict[str, int], elapsed: float) -> str:
    parts = ", ".join(f"{name} {value}" for name, value in counts.items())
    return f"{label}: {parts} [{elapsed:,.0f}s]"


class _Display:
    """Draws one line in place; draws nothing when not on a terminal."""

    def __init__(self, stream: TextIO | None, enabled: bool | None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._width = 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def draw(self, text: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_SECONDS:
            return
        self._last_draw = now
        # Pad over what the previous, possibly longer, line left behind.
        padding = " " * max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write("\r" + text + padding)
        self.stream.flush()

    def finish(self, text: str) -> None:
        if not self.enabled:
            return
        self.draw(text, force=True)
        self.stream.write("\n")
        self.stream.flush()


class Progress:
    """A counter towards an optional total, shown as a bar."""

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self._display = _Display(stream, enabled)

    @property
    def enabled(self) -> bool:
        return self._display.enabled

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._display.enabled:
            self._display.draw(self.render())

    def render(self) -> str:
        return format_bar(self.label, self.done, self.total, self._display.elapsed())

    def close(self) -> None:
        self._display.finish(self.render())


class LiveLine:
    """Named counters (pages, items, errors, ...) shown on one live line."""

    def __init__(
        self, label: str, *, stream: TextIO | None = None, enabled: bool | None = None
    ) -> None:
        self.label = label
        self.counts: dict[str, int] = {}
        self._display = _Display(stream, enabled)

    @property
    def enabled(self) -> bool:
        return self._display.enabled

    def update(self, **counts: int) -> None:
        """Set counters to these values."""
        self.counts.update(counts)
        if self._display.enabled:
            self._display.draw(self.render())

    def increment(self, name: str, n: int = 1) -> None:
        self.update(**{name: self.counts.get(name, 0) + n})

    def render(self) -> str:
        return format_counts(self.label, self.counts, self._display.elapsed())

    def close(self) -> None:
        self._display.finish(self.render())


@contextmanager
def progress(
    total: int | None,
    label: str,
    *,
    stream: TextIO | None = None,
    enabled: bool | None = None,
) -> Iterator[Progress]:
    """A bar on stderr while the block runs (nothing unless stderr is a TTY)."""
    bar = Progress(total, label, stream=stream, enabled=enabled)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def live_line(
    label: str, *, stream: TextIO | None = None, enabled: bool | None = None
) -> Iterator[LiveLine]:
    """A live line of counters on stderr (nothing unless stderr is a TTY)."""
    line = LiveLine(label, stream=stream, enabled=enabled)
    try:
        yield line
    finally:
        line.close()


__all__ = [
    "LiveLine",
    "Progress",
    "format_bar",
    "format_counts",
    "is_terminal",
    "live_line",
    "progress",
]
