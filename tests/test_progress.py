"""The crawl's live line: drawn on a terminal, not a character under cron, and
left standing as the summary when the crawl closes."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

# A crawler's life as the progress extension sees it, in a process of its own
# (the extension's timer needs Twisted's reactor, which a test process must not install).
CRAWL = """
from scrapy import Spider, signals
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from pressarchive.crawl.progress import CrawlProgress
from pressarchive.settings import TWISTED_REACTOR

install_reactor(TWISTED_REACTOR)
crawler = get_crawler(Spider)
extension = CrawlProgress.from_crawler(crawler)
spider = Spider(name="demo-room")
crawler.stats.set_value("response_received_count", 12)
crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
crawler.stats.set_value("response_received_count", 141)
crawler.stats.set_value("item_scraped_count", 120)
crawler.stats.set_value("pressarchive/errors", 1)
crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
"""


def _crawl(stderr: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", CRAWL],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )


def test_the_crawl_line_is_silent_off_a_terminal() -> None:
    crawl = _crawl(subprocess.PIPE)
    _, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 0
    assert stderr == b""


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_the_crawl_line_counts_on_a_terminal_and_stays_as_the_summary() -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    try:
        crawl = _crawl(follower)
        os.close(follower)
        shown = _read_all(leader).decode("utf-8")
        assert crawl.wait(timeout=60) == 0
    finally:
        os.close(leader)
    draws = [d.strip() for d in shown.replace("\r\n", "\n").split("\r") if d.strip()]
    assert any(d.startswith("crawl: 12 pages") for d in draws)  # drawn as the crawl opens
    summary = draws[-1]
    assert summary.startswith("crawl: 141 pages")
    assert "sources=1, items=120, errors=1" in summary
    assert shown.endswith("\n")  # the summary line stays
