"""Crawling with 1, 2 and 4 processes on one Redis, and the writer's ceiling.

    .venv/bin/python bench/bench_distributed.py [--count 800] [--rounds 2] [--processes 1 2 4]

Generated copies of the Mynewsdesk and Via TT press rooms (`--count` releases
each) are served on 127.0.0.1, politeness off (as bench_crawl.py), except the
shared per-site lease, which stays on with a limit of 16. Each round crawls
them `--full` into a fresh archive:

- **local**: `pressarchive crawl --full` as a single-machine user runs it (no
  Redis): the baseline for the CPU a page costs;
- **redis xN**: N `pressarchive crawl --redis --full` processes and one
  `pressarchive ingest`, started together; the time runs until the writer has
  stored every release and finished the runs' end-of-crawl work.

CPU is user+system of every process the bench started (crawlers with their
Scrapy children and page workers, the writer, redis-server), divided by the
pages fetched. Rounds are interleaved (local, x1, x2, x4, local, ...) and the
table gives the median with the spread. The load average is printed beside,
since the machine is shared.

Then the writer alone: crawlers fill the queue with no writer running, and a
writer drains it; its releases per second (including the end-of-run work for
each source) is the ceiling a deployment's crawlers share.

The press rooms are served by this process: its CPU is shown apart ("press-room
server", per page) and counted in "cores busy" (all the CPU of the run over its
seconds), not in the CPU per page. On 2 cores it competes with the crawlers.

"Redis commands per page" counts what redis-server ran (INFO commandstats; a
Lua script's own commands count, a pipeline's commands each count). "Round
trips per page" counts the crawl processes' own calls to Redis (a pipeline is
one; the crawls' stats, as the writer stored them): each costs a crawl
process about 100 µs of CPU in redis-py, more than Redis spends on it.
"x1 / local" is each round's x1 CPU per page over the same round's local one.

Page weight (`--page-weight`, default real, as bench_crawl.py): every
release page is padded with the chrome of a real page to the weight of the
real ones (page_weight.py, ~80-100 KB); `--page-weight demo` serves the light
generated pages (~7 KB Mynewsdesk, ~26 KB Via TT), on which a local crawl
costs least, so the part Redis adds to a page weighs most: the harder case
for the "+10%" goal, and the one the figures before the sixth stop of issue
15 were measured on.

`--latency S` makes each answer wait S seconds, as a remote press room does;
`--concurrent-requests` sets each source's downloads at once per process. With
answers that slow, a source's crawl is bound by its listing walk (one listing
page after another), not by the processes.

Left out: press rooms' own rate limits (which on the internet, not the
machine, set the pace), several machines (here all processes share 2 cores,
so x2 can never exceed the cores over what x1's rate costs: the table prints
that bound), Redis on another host (a round trip per request and per page).
Goals (issue 15): x2 >= 1.7 x the pages/s of x1; CPU per page of xN within
10% of local; the writer's ceiling (releases/s, end-of-run work included) at
least 4 x the releases/s one crawler produces (x1): it keeps up with 4 crawlers.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from page_weight import pad_release_page  # noqa: E402
from scaleout.redis_server import REDIS_SERVER, SKIP_REASON, running_redis  # noqa: E402

from pressarchive.demo.server import DemoPressRooms  # noqa: E402
from pressarchive.distributed.keys import INGEST_PROCESSING, INGEST_QUEUE  # noqa: E402

PLATFORMS = ["mynewsdesk", "viatt"]
FAST: dict[str, object] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "PRESSARCHIVE_SITE_CONCURRENCY": 16,
    "LOG_LEVEL": "ERROR",
    "PRESSARCHIVE_RETRY_BACKOFF_BASE": 0,
    "PRESSARCHIVE_PROGRESS": False,
    "PRESSARCHIVE_REDIS_HEARTBEAT": 1,
    "PRESSARCHIVE_REDIS_DEAD_AFTER": 10,
}
PAGES = re.compile(r": (\w+); (\d+) pages, (\d+) releases sent")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    """This process's CPU: the press rooms it serves, almost all of it. Not a
    cost of the crawl, but on a 2-core machine it competes with the crawlers."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """user+system seconds of a running process (redis-server), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_commands(server: Any) -> int:
    """Commands redis-server has run (each in a pipeline counts; an EVALSHA counts once)."""
    return sum(int(stat["calls"]) for stat in server.info("commandstats").values())


def round_trips(db: Path) -> int:
    """The crawl processes' round trips to Redis, from their crawls' stats in the archive."""
    import json
    import sqlite3

    from pressarchive.distributed.push import ROUND_TRIPS_STAT

    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT stats FROM crawls").fetchall()
    finally:
        conn.close()
    return sum(int(json.loads(stats or "{}").get(ROUND_TRIPS_STAT, 0)) for (stats,) in rows)


def redis_pid(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).info("server")["process_id"])


# What the bench's pressarchive commands are started under: bench_alone.py sets
# `taskset -c 0` to give each process a core of its own.
LAUNCH_PREFIX: list[str] = []


def cli(*args: str) -> list[str]:
    return [*LAUNCH_PREFIX, sys.executable, "-m", "pressarchive", *args]


def settings_args() -> list[str]:
    return [arg for name, value in FAST.items() for arg in ("--set", f"{name}={value}")]


def run_local(sources: Path, ids: list[str], work: Path) -> dict[str, float]:
    before = children_cpu()
    served_before = own_cpu()
    started = time.perf_counter()
    proc = subprocess.run(
        cli(
            "crawl",
            "--full",
            "--sources",
            str(sources),
            "--db",
            str(work / "local.db"),
            *settings_args(),
            *ids,
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    pages = 0
    import sqlite3

    conn = sqlite3.connect(work / "local.db")
    for (stats,) in conn.execute("SELECT stats FROM crawls"):
        import json

        pages += int(json.loads(stats or "{}").get("response_received_count", 0))
    releases = conn.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
    conn.close()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"local crawl failed: {proc.stderr[-2000:]}")
    return {
        "seconds": seconds,
        "pages": pages,
        "cpu": children_cpu() - before,
        "releases": releases,
        "server_cpu": own_cpu() - served_before,
    }


def drained(server: Any) -> bool:
    return (
        server.llen(INGEST_QUEUE) == 0
        and server.llen(INGEST_PROCESSING) == 0
        and not server.keys("pressarchive:{*}:run")
    )


def run_redis(
    url: str, n: int, sources: Path, ids: list[str], work: Path, *, writer_on: bool = True
) -> dict[str, float]:
    import redis

    server = redis.Redis.from_url(url)
    server.flushall()
    server.config_resetstat()
    rpid = redis_pid(url)
    redis_before = process_cpu(rpid)
    before = children_cpu()
    served_before = own_cpu()
    started = time.perf_counter()
    writer = None
    db = work / f"redis-x{n}.db"
    if writer_on:
        writer = subprocess.Popen(
            cli("ingest", "--redis", url, "--db", str(db), "-q"),
            stdout=subprocess.DEVNULL,
            # a file, not a pipe nobody reads: a process that fills a pipe blocks
            stderr=(work / "writer.err").open("w"),
            text=True,
        )
    crawlers = [
        subprocess.Popen(
            cli(
                "crawl",
                "--redis",
                url,
                "--full",
                "--sources",
                str(sources),
                "--db",
                str(work / f"crawler-{k}" / "x.db"),
                *settings_args(),
                *ids,
            ),
            stdout=subprocess.PIPE,
            # read after its stdout: a pipe would block a crawler that logs much
            stderr=(work / f"crawler-{k}.err").open("w"),
            text=True,
        )
        for k in range(n)
    ]
    pages = 0
    crawler_cpu = 0.0
    for k, crawler in enumerate(crawlers):
        out = crawler.stdout.read() if crawler.stdout else ""
        # wait4, not wait: the CPU of this crawler and what it waited for (its Scrapy child)
        _, status, usage = os.wait4(crawler.pid, 0)
        crawler.returncode = os.waitstatus_to_exitcode(status)
        crawler_cpu += usage.ru_utime + usage.ru_stime
        if crawler.returncode not in (0, 3):
            err = (work / f"crawler-{k}.err").read_text(errors="replace")
            raise SystemExit(f"crawler failed ({crawler.returncode}): {err[-2000:]}")
        pages += sum(int(m.group(2)) for m in PAGES.finditer(out))
    crawled = time.perf_counter() - started
    if writer is not None:
        while not drained(server):
            time.sleep(0.1)
    seconds = time.perf_counter() - started
    queued = server.llen(INGEST_QUEUE)
    writer_cpu = 0.0
    if writer is not None:
        writer.terminate()
        _, _, usage = os.wait4(writer.pid, 0)
        writer.returncode = 0
        writer_cpu = usage.ru_utime + usage.ru_stime
    return {
        "crawler_cpu": crawler_cpu,
        "writer_cpu": writer_cpu,
        "seconds": seconds,
        "crawl_seconds": crawled,
        "pages": pages,
        "cpu": children_cpu() - before + process_cpu(rpid) - redis_before,
        "redis_cpu": process_cpu(rpid) - redis_before,
        "redis_commands": redis_commands(server),
        "round_trips": round_trips(db) if writer_on else 0,
        "server_cpu": own_cpu() - served_before,
        "queued": queued,
    }


def writer_ceiling(url: str, sources: Path, ids: list[str], work: Path) -> dict[str, float]:
    """Fill the queue with 2 crawlers and no writer, then time one writer draining it."""
    filled = run_redis(url, 2, sources, ids, work, writer_on=False)
    import redis

    server = redis.Redis.from_url(url)
    messages = server.llen(INGEST_QUEUE)
    from pressarchive.distributed.ingest import Writer

    writer = Writer(server, work / "ceiling.db")
    writer.start()
    end_of_run = [0.0]
    run_end = writer._run_end

    def timed_run_end(message: dict[str, Any]) -> None:
        started = time.perf_counter()
        run_end(message)
        end_of_run[0] += time.perf_counter() - started

    writer._run_end = timed_run_end
    cpu_before = time.process_time()
    started = time.perf_counter()
    stats = writer.run(idle_exit=0)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    writer.close()
    from pressarchive.distributed.keys import SEEN

    seen_bytes = int(server.memory_usage(SEEN, samples=0) or 0)
    return {
        "seen_bytes_per_release": seen_bytes / max(1, stats.releases),
        "end_of_run": end_of_run[0],
        "messages": messages,
        "releases": stats.releases,
        "warc": stats.warc_records,
        "seconds": seconds,
        "cpu": cpu,
        "runs": stats.runs_finished,
        "crawl_pages": filled["pages"],
        "crawl_seconds": filled["crawl_seconds"],
    }


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return fmt.format(med)
    return f"{fmt.format(med)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=800, help="releases per press room")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the press rooms wait before each answer, as a remote server does "
        "(0: answers at once, so the crawl is bound by CPU)",
    )
    parser.add_argument(
        "--concurrent-requests",
        type=int,
        default=16,
        help="CONCURRENT_REQUESTS of each crawl process (the project's default is 16)",
    )
    parser.add_argument(
        "--site-concurrency",
        type=int,
        default=16,
        help="PRESSARCHIVE_SITE_CONCURRENCY: the shared lease's downloads at once per site, "
        "over all processes (both rooms are one site, 127.0.0.1)",
    )
    parser.add_argument(
        "--page-weight",
        choices=("real", "demo"),
        default="real",
        help="real: release pages padded with a real page's chrome (page_weight.py); "
        "demo: the generated pages as they are",
    )
    args = parser.parse_args()
    FAST["PRESSARCHIVE_SITE_CONCURRENCY"] = args.site_concurrency
    FAST["CONCURRENT_REQUESTS"] = args.concurrent_requests
    if not REDIS_SERVER:
        print(f"## Crawling on one Redis\n\nnot run: {SKIP_REASON}")
        return 0
    results: dict[str, list[dict[str, float]]] = {}
    loads: list[float] = []
    with (
        running_redis() as url,
        DemoPressRooms(
            PLATFORMS,
            size=args.count,
            delay=args.latency,
            reply_filter=pad_release_page if args.page_weight == "real" else None,
        ) as rooms,
        tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp,
    ):
        sources = Path(tmp) / "sources.toml"
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        ids = [rooms.source_id(p) for p in PLATFORMS]
        for round_ in range(args.rounds):
            for label in ["local", *(f"x{n}" for n in args.processes)]:
                work = Path(tmp) / f"{label}-{round_}"
                work.mkdir()
                loads.append(os.getloadavg()[0])
                if label == "local":
                    result = run_local(sources, ids, work)
                else:
                    result = run_redis(url, int(label[1:]), sources, ids, work)
                results.setdefault(label, []).append(result)
                print(
                    f"# {label} round {round_}: {result['pages']:.0f} pages in "
                    f"{result['seconds']:.1f} s, {result['cpu']:.1f} CPU s "
                    f"(load {os.getloadavg()[0]:.1f})",
                    file=sys.stderr,
                )
                shutil.rmtree(work, ignore_errors=True)
        work = Path(tmp) / "ceiling"
        work.mkdir()
        ceiling = writer_ceiling(url, sources, ids, work)

    def rate(r: dict[str, float]) -> float:
        return r["pages"] / r["seconds"]

    def cpu_page(r: dict[str, float]) -> float:
        return 1000 * r["cpu"] / max(1, r["pages"])

    print(
        f"## Crawling on one Redis ({', '.join(PLATFORMS)}, {args.count:,} releases each, "
        f"127.0.0.1, {args.page_weight} page weight, politeness off; {args.rounds} interleaved rounds, median (min–max))\n"
    )
    print(
        f"Each answer waits {args.latency:g} s; {args.concurrent_requests} requests at once per "
        f"process, {args.site_concurrency} per site over all processes.\n"
    )
    print(
        f"Load average (1 min) at the start of each run: {spread(loads)}; {os.cpu_count()} cores.\n"
    )
    print(
        "| run | pages | seconds to archived | pages/s | CPU ms per page (all processes) "
        "| crawlers | writer | redis-server | press-room server | cores busy "
        "| Redis commands per page | round trips per page (crawlers) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, runs in results.items():

        def commands(runs: list[dict[str, float]] = runs) -> str:
            if "redis_commands" not in runs[0]:
                return "–"
            return spread([r["redis_commands"] / max(1, r["pages"]) for r in runs])

        def per_page(key: str, scale: float = 1.0, runs: list[dict[str, float]] = runs) -> str:
            if key not in runs[0]:
                return "–"
            return spread([1000 * scale * r[key] / max(1, r["pages"]) for r in runs])

        print(
            f"| {label} | {spread([r['pages'] for r in runs], '{:.0f}')} | "
            f"{spread([r['seconds'] for r in runs])} | {spread([rate(r) for r in runs])} | "
            f"{spread([cpu_page(r) for r in runs])} | {per_page('crawler_cpu')} | "
            f"{per_page('writer_cpu')} | {per_page('redis_cpu')} | {per_page('server_cpu')} | "
            f"{spread([(r['cpu'] + r['server_cpu']) / r['seconds'] for r in runs], '{:.2f}')} | "
            f"{commands(runs)} | {per_page('round_trips', 0.001)} |"
        )
    base_rate = statistics.median(rate(r) for r in results["x1"]) if "x1" in results else 0
    local_cpu = statistics.median(cpu_page(r) for r in results["local"])
    print()
    writer_rate = ceiling["releases"] / ceiling["seconds"]
    store_rate = ceiling["releases"] / max(0.001, ceiling["seconds"] - ceiling["end_of_run"])
    produce_rate = ceiling["crawl_pages"] / ceiling["crawl_seconds"]
    print(
        f"Writer alone: {ceiling['messages']:.0f} messages ({ceiling['releases']:.0f} releases, "
        f"{ceiling['warc']:.0f} WARC rows, {ceiling['runs']:.0f} runs' end-of-crawl work) in "
        f"{ceiling['seconds']:.1f} s, {ceiling['cpu']:.1f} CPU s: **{writer_rate:.0f} releases/s** "
        f"sustained ({store_rate:.0f} releases/s without the {ceiling['end_of_run']:.1f} s of "
        f"end-of-crawl work); the 2 crawlers that filled the queue fetched {produce_rate:.0f} "
        f"pages/s. The Redis seen index holds {ceiling['seen_bytes_per_release']:.0f} bytes "
        "per release.\n"
    )
    print("| measure | value | goal | ok |")
    print("|---|---|---|---|")
    ok = True
    if "x2" in results and base_rate:
        ratio = statistics.median(rate(r) for r in results["x2"]) / base_rate
        good = ratio >= 1.7
        ok &= good
        print(f"| x2 / x1 pages per second | {ratio:.2f} | >= 1.7 | {'yes' if good else 'NO'} |")
        # What the machine allows whatever the software does: its cores over the
        # CPU x1's rate costs at x2's CPU per page (the press-room server included,
        # since it runs on the same cores).
        x2_ms = statistics.median(
            1000 * (r["cpu"] + r["server_cpu"]) / max(1, r["pages"]) for r in results["x2"]
        )
        ceiling_ratio = (os.cpu_count() or 1) * 1000 / (base_rate * x2_ms)
        print(
            f"| x2 / x1 this machine allows at most ({os.cpu_count()} cores / "
            f"(x1's pages/s x x2's {x2_ms:.1f} CPU ms per page)) | {ceiling_ratio:.2f} | | |"
        )
    if "x4" in results and base_rate:
        ratio4 = statistics.median(rate(r) for r in results["x4"]) / base_rate
        print(f"| x4 / x1 pages per second | {ratio4:.2f} | (2 cores) | |")
    for label in (f"x{n}" for n in args.processes):
        over = statistics.median(cpu_page(r) for r in results[label]) / local_cpu - 1
        good = over <= 0.10
        ok &= good
        print(
            f"| CPU per page, {label} over local | {100 * over:+.0f}% | <= +10% | {'yes' if good else 'NO'} |"
        )
        # paired by round: the machine's speed drifts less within a round than across rounds
        paired = [
            cpu_page(r) / cpu_page(base)
            for r, base in zip(results[label], results["local"], strict=True)
        ]
        print(
            f"| CPU per page, {label} / local, paired by round | {spread(paired, '{:.2f}')} | | |"
        )
    # "Keeps up with 4 crawlers": on 4 machines each crawler produces what one
    # produces alone (x1, releases of both rooms over its seconds), so the
    # writer must store 4 x that. Releases against releases: the writer's
    # ceiling is in releases/s, and about half of the pages are listings.
    releases = statistics.median(r["releases"] for r in results["local"])
    if "x1" in results:
        one_crawler = releases / statistics.median(r["seconds"] for r in results["x1"])
        good = writer_rate >= 4 * one_crawler
        ok &= good
        print(
            f"| writer's ceiling / releases per second of 4 crawlers (4 x x1's "
            f"{one_crawler:.1f}) | {writer_rate / (4 * one_crawler):.2f} | >= 1 | "
            f"{'yes' if good else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
