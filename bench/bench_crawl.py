"""Crawl cost: the full pipeline against a bare spider on the same press room.

    .venv/bin/python bench/bench_crawl.py [--platform mynewsdesk] [--count 5000] [--rounds 3]

A generated copy of one platform's press room (`--count` releases) is served on
127.0.0.1 by this process. Politeness is off for both runs. The bare spider
follows the same listing and release links and yields only the title; the full
run is `pressarchive crawl --full` (`run_crawl`: extraction, cleaning, dates,
language, clustering, WARC recording and the store, in its child processes).

What a user pays, measured per run on the whole process tree of the crawl (the
run's own process and every process it starts, the worker included):

- **CPU seconds per page**: user + sys of the tree, from `os.wait4` on the run's
  process (the kernel adds every waited-for descendant). CPU time barely
  depends on how busy the machine is, unlike wall time.
- **sum of peak RSS**: each process's high-water mark (`VmHWM` in
  /proc/<pid>/status, polled every 50 ms), summed over the processes of the
  tree. Processes that run at once are all counted, which is what the machine
  has to hold.
- wall pages per second, for what it is worth on a shared machine, and the
  cores it kept busy (CPU seconds per wall second). A pinned run whose cores
  busy are well below 1 was not paced by its CPU (the listing walk, the
  press-room server or other load were), and its pages/s ratio says less
  than the CPU ratio.

Bare and full alternate for `--rounds` rounds (median and spread are
reported), then as many rounds of each (`--pinned-rounds`) run pinned to one
core (`taskset -c 0`), where the full run's extra processes cannot hide on an
idle second core; their ratio is paired by round too. The
machine's load average is printed beside every run.

Two bare spiders: `bare` runs with the Scrapy engine knobs the project sets
and that have nothing to do with what a crawl keeps (`ENGINE_KNOBS`: Scrapy
2.19 starts `CONCURRENT_ITEMS` asyncio tasks for every response's output, 100
by default, 16 in the project; the telnet console and the remote-control
extension are off). It is the baseline the goals are checked against, so that
a knob anyone can set on a bare spider does not count as the pipeline being
cheap. `bare-defaults` runs with Scrapy's defaults (only its unpinned rounds),
the baseline of the figures before this was split: with them the bare spider
pays ~0.5 ms a page more, which flattered the ratio by about a fifth.

Page weight (`--page-weight`, default real): the generated release pages are
~7 KB, real ones ~80 KB; by default each release page is padded with the
chrome of a real page (page_weight.py), since a crawl's WARC compression,
hashing, parsing and style-sheet search grow with the page and a bare
spider's work much less. `--page-weight demo` serves the light pages (the
figures before issue 12's third round were measured so). `--page-weight real-pages` serves
in place of every release page a copy of a real page of the platform
(real_copies.py: Via TT and Sitevision only), so that the crawl runs the
extraction paths of real pages, which the padded pages never reach (each copy
a release of its own: its body's words shuffled; see real_copies.py for what
that still gets wrong). On the Sitevision room the bare spider walks only 8
pages (its link rules do not follow that room's listings; not investigated),
so there only the full run's figures mean anything.

Left out: the press-room server's own CPU (it runs in this process and serves
both runs alike), the first import of Python modules is in both figures.

`--baseline-python PY` also runs the full crawl of another install of
pressarchive (an older commit's venv) in every unpinned round, and reports this
one's CPU per page over it, paired by round.

Goals (issue 12): full CPU per page <= 1.5 x bare; pinned, full pages/s >= 0.65
x bare; sum of peak RSS of the full run < 250 MB at 5,000 releases.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from page_weight import pad_release_page
from real_copies import of_platform, real_page_reply

from pressarchive import settings as project_settings
from pressarchive.demo.server import DemoPressRooms

FAST: dict[str, object] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0,
    "PRESSARCHIVE_PROGRESS": False,
}
# Engine knobs of the project's settings with no bearing on what is fetched or kept;
# the bare spider gets them too (see the module's docstring).
ENGINE_KNOBS: dict[str, object] = {
    "CONCURRENT_ITEMS": project_settings.CONCURRENT_ITEMS,
    "TELNETCONSOLE_ENABLED": project_settings.TELNETCONSOLE_ENABLED,
    "REMOTE_CONTROL_ENABLED": project_settings.REMOTE_CONTROL_ENABLED,
    "EXTENSIONS_BASE": project_settings.EXTENSIONS_BASE,
}
GOAL_CPU_RATIO = 1.5
GOAL_PINNED_RATE = 0.65
GOAL_RSS_MB = 250

BARE_SPIDER = textwrap.dedent(
    """
    import json, sys, time
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from pressarchive.dedupe.urls import platform_release_id

    START, PLATFORM, SETTINGS = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [START]

        def parse(self, response):
            if platform_release_id(PLATFORM, response.url):
                yield {"title": response.css("h1 ::text").get() or response.css("title::text").get()}
                return
            for href in response.css("a::attr(href), link[rel=next]::attr(href)").getall():
                url = response.urljoin(href)
                if not url.startswith(START.split("/", 3)[0] + "//" + START.split("/", 3)[2]):
                    continue
                if platform_release_id(PLATFORM, url) or "page" in url or "offset" in url:
                    yield response.follow(url, self.parse)

    process = CrawlerProcess(dict(SETTINGS, TWISTED_REACTOR="twisted.internet.asyncioreactor.AsyncioSelectorReactor"))
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"pages": stats.get("response_received_count", 0),
                      "items": stats.get("item_scraped_count", 0)}))
    """
)

FULL_CRAWL = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from pressarchive.crawl.runner import run_crawl
    from pressarchive.sources import parse_sources

    SOURCES_TOML, PLATFORM, DB, SETTINGS = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    (source,) = [s for s in parse_sources(SOURCES_TOML) if s.platform == PLATFORM]
    (result,) = run_crawl([source], db=Path(DB), full=True, settings_overrides=SETTINGS, quiet=True)
    print(json.dumps({"pages": result.stats.get("response_received_count", 0),
                      "items": result.stored + result.updated + result.unchanged,
                      "status": result.status}))
    """
)


@dataclass
class Run:
    kind: str  # "bare", "bare-defaults", "full" or "baseline"
    pinned: bool
    pages: int
    items: int
    wall: float
    cpu: float  # user + sys of the whole process tree
    rss_sum_mb: float  # sum over the tree's processes of their peak RSS
    rss_by_process: list[float] = field(default_factory=list)
    load: float = 0.0  # 1-minute load average when the run started

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall

    @property
    def cores_busy(self) -> float:
        """CPU seconds per wall second: near 1.0 pinned, a run is CPU-bound;
        well below, something else (the press-room server, other load) set its pace."""
        return self.cpu / self.wall


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(_children(current))
    return found


def _peak_rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class TreeMemory:
    """Peak RSS of every process of a tree, polled until stopped."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            for pid in _tree(self.root):
                peak = _peak_rss_kb(pid)
                if peak is not None:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
            self._stop.wait(0.05)

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        # a process polled only as a zombie has no memory left to report
        return sorted((kb / 1024 for kb in self.peaks.values() if kb), reverse=True)


def run_measured(kind: str, argv: list[str], *, pinned: bool, cwd: Path | None = None) -> Run:
    if pinned:
        argv = ["taskset", "-c", "0", *argv]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd
    )
    memory = TreeMemory(proc.pid)
    assert proc.stdout is not None and proc.stderr is not None
    chunks: dict[str, str] = {}

    # One reader per pipe: a run that fills its stderr pipe (a crawl logging errors)
    # while stdout is still open would otherwise block forever.
    def read(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=read, args=(name, stream), daemon=True)
        for name, stream in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    # Wait for the exit without reaping (WNOWAIT), so that the run's pid cannot be
    # given to another process while its memory is still being polled.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    rss = memory.stop()
    # wait4, not proc.wait(): its rusage covers the child and all it waited for
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    out, err = chunks.get("out", ""), chunks.get("err", "")
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed ({proc.returncode}): {err.strip()[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return Run(
        kind=kind,
        pinned=pinned,
        pages=int(result["pages"]),
        items=int(result["items"]),
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_sum_mb=sum(rss),
        rss_by_process=rss,
        load=load,
    )


def median_spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return format(values[0], fmt)
    return (
        f"{format(statistics.median(values), fmt)} "
        f"({format(min(values), fmt)}–{format(max(values), fmt)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="mynewsdesk")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="PRESSARCHIVE_WORKERS")
    parser.add_argument("--no-pinned", action="store_true", help="skip the one-core rounds")
    parser.add_argument(
        "--pinned-rounds",
        type=int,
        default=None,
        help="rounds pinned to one core, after the others (default: as many as --rounds)",
    )
    parser.add_argument("--json", type=Path, help="also write every run here")
    parser.add_argument(
        "--page-weight",
        choices=("real", "demo", "real-pages"),
        default="real",
        help="real: release pages padded with a real page's chrome to ~80 KB (page_weight.py); "
        "demo: the generated pages as they are (~7 KB for Mynewsdesk); real-pages: every "
        "release page a copy of a real page of the platform from tests/real (real_copies.py; "
        "viatt and sitevision)",
    )
    parser.add_argument(
        "--baseline-python",
        help="the python of another install of pressarchive (e.g. an older commit's venv): "
        "its full crawl runs in every unpinned round too, and is compared with this one's",
    )
    args = parser.parse_args()
    filters = {"real": pad_release_page, "demo": None, "real-pages": real_page_reply}
    if args.page_weight == "real-pages" and not of_platform(args.platform):
        parser.error(f"--page-weight real-pages: no real {args.platform} release page is held")
    full_settings = dict(FAST)
    if args.workers is not None:
        full_settings["PRESSARCHIVE_WORKERS"] = args.workers
    runs: list[Run] = []
    with (
        DemoPressRooms(
            [args.platform],
            size=args.count,
            reply_filter=filters[args.page_weight],
        ) as rooms,
        tempfile.TemporaryDirectory() as tmp,
    ):
        workdir = Path(tmp)
        (workdir / "bare_spider.py").write_text(BARE_SPIDER, encoding="utf-8")
        (workdir / "full_crawl.py").write_text(FULL_CRAWL, encoding="utf-8")
        start = rooms.url(args.platform)

        def bare_argv(settings: dict[str, object]) -> list[str]:
            return [
                sys.executable,
                str(workdir / "bare_spider.py"),
                start,
                args.platform,
                json.dumps(settings),
            ]

        def full_argv(n: int, python: str = sys.executable) -> list[str]:
            # a fresh archive each time: every run stores all releases
            folder = workdir / f"full{n}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            return [
                python,
                str(workdir / "full_crawl.py"),
                rooms.sources_toml(),
                args.platform,
                str(folder / "bench.db"),
                json.dumps(full_settings),
            ]

        schedule = [(n, False) for n in range(args.rounds)]
        if not args.no_pinned:
            pinned_rounds = args.rounds if args.pinned_rounds is None else args.pinned_rounds
            schedule += [(args.rounds + k, True) for k in range(pinned_rounds)]
        for n, pinned in schedule:
            # alternate which goes first, so a drift in load favours neither
            order = ["bare", "full"] if n % 2 == 0 else ["full", "bare"]
            if not pinned:
                order.insert(1, "bare-defaults")
            if args.baseline_python and not pinned:
                order.insert(1, "baseline")
            for kind in order:
                if kind == "baseline":
                    # Run outside any checkout: the crawl child is `python -m
                    # pressarchive.crawl.child`, which would import a checkout in its cwd.
                    argv = full_argv(n, args.baseline_python)
                    run = run_measured(kind, argv, pinned=False, cwd=workdir)
                elif kind == "bare":
                    run = run_measured(kind, bare_argv(dict(FAST, **ENGINE_KNOBS)), pinned=pinned)
                elif kind == "bare-defaults":
                    run = run_measured(kind, bare_argv(FAST), pinned=pinned)
                else:
                    run = run_measured(kind, full_argv(n), pinned=pinned)
                runs.append(run)
                print(
                    f"round {n}{' pinned' if pinned else ''} {kind}: {run.pages} pages, "
                    f"{run.cpu_ms_per_page:.2f} ms CPU/page, {run.pages_per_s:.0f} pages/s, "
                    f"RSS sum {run.rss_sum_mb:.0f} MB "
                    f"({' + '.join(f'{m:.0f}' for m in run.rss_by_process)}), load {run.load:.1f}",
                    file=sys.stderr,
                    flush=True,
                )
                if kind in ("full", "baseline"):
                    shutil.rmtree(workdir / f"full{n}", ignore_errors=True)
    free = [r for r in runs if not r.pinned]
    pinned_runs = [r for r in runs if r.pinned]

    def of(kind: str, chosen: list[Run]) -> list[Run]:
        return [r for r in chosen if r.kind == kind]

    bare, full = of("bare", free), of("full", free)
    # ratios per round (paired), then their median
    cpu_ratios = [f.cpu_ms_per_page / b.cpu_ms_per_page for b, f in zip(bare, full, strict=True)]
    rate_ratios = [f.pages_per_s / b.pages_per_s for b, f in zip(bare, full, strict=True)]
    cpu_ratio = statistics.median(cpu_ratios)
    rss = statistics.median(r.rss_sum_mb for r in full)
    print(
        f"## Crawl cost ({args.platform}, {args.count:,} releases on 127.0.0.1, "
        f"{args.page_weight} page weight, politeness off, "
        f"{args.rounds} interleaved rounds; median (min–max))\n"
    )
    workers = "project default" if args.workers is None else str(args.workers)
    print(f"PRESSARCHIVE_WORKERS: {workers}; {os.cpu_count()} cores\n")
    print(
        "| run | pages | CPU ms per page (all processes) | pages/s (wall) | cores busy "
        "| sum of peak RSS | processes | load (1 min) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    baseline = of("baseline", free)
    bare_defaults = of("bare-defaults", free)
    labelled = [
        ("bare spider, the crawl's engine knobs", bare),
        ("bare spider, Scrapy's defaults", bare_defaults),
        ("pressarchive crawl --full", full),
    ]
    if baseline:
        labelled.append((f"--full, baseline ({args.baseline_python})", baseline))
    pinned_ratios: list[float] = []
    if pinned_runs:
        pinned_bare, pinned_full = of("bare", pinned_runs), of("full", pinned_runs)
        pinned_ratios = [
            f.pages_per_s / b.pages_per_s for b, f in zip(pinned_bare, pinned_full, strict=True)
        ]
        labelled += [("bare, one core", pinned_bare), ("full, one core", pinned_full)]
    for label, chosen in labelled:
        print(
            f"| {label} | {chosen[0].pages} "
            f"| {median_spread([r.cpu_ms_per_page for r in chosen], '.2f')} "
            f"| {median_spread([r.pages_per_s for r in chosen], '.0f')} "
            f"| {median_spread([r.cores_busy for r in chosen], '.2f')} "
            f"| {median_spread([r.rss_sum_mb for r in chosen], '.0f')} MB "
            f"| {' + '.join(f'{m:.0f}' for m in chosen[-1].rss_by_process)} MB "
            f"| {median_spread([r.load for r in chosen], '.1f')} |"
        )
    print()
    checks = [
        (
            "full / bare CPU per page",
            median_spread(cpu_ratios, ".2f"),
            f"<= {GOAL_CPU_RATIO}",
            cpu_ratio <= GOAL_CPU_RATIO,
        ),
        (
            "full / bare with Scrapy's defaults, CPU per page (the earlier baseline)",
            median_spread(
                [
                    f.cpu_ms_per_page / b.cpu_ms_per_page
                    for b, f in zip(bare_defaults, full, strict=True)
                ],
                ".2f",
            ),
            "",
            True,
        ),
        ("full / bare pages/s, both cores", median_spread(rate_ratios, ".2f"), "", True),
        (
            "sum of peak RSS, full",
            f"{rss:.0f} MB",
            f"< {GOAL_RSS_MB} MB",
            rss < GOAL_RSS_MB,
        ),
    ]
    if baseline:
        paired = [
            f.cpu_ms_per_page / b.cpu_ms_per_page for b, f in zip(baseline, full, strict=True)
        ]
        checks.append(("full / baseline CPU per page", median_spread(paired, ".3f"), "", True))
    if pinned_ratios:
        checks.append(
            (
                "full / bare pages/s, one core",
                median_spread(pinned_ratios, ".2f"),
                f">= {GOAL_PINNED_RATE}",
                statistics.median(pinned_ratios) >= GOAL_PINNED_RATE,
            )
        )
    print("| measure | value | goal | ok |")
    print("|---|---|---|---|")
    for name, value, goal, ok in checks:
        print(f"| {name} | {value} | {goal} | {'yes' if ok or not goal else 'NO'} |")
    if args.json:
        args.json.write_text(
            json.dumps([dict(vars(r), cpu_ms_per_page=r.cpu_ms_per_page) for r in runs], indent=1)
        )
    return 0 if all(ok for _, _, _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
