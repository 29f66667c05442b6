"""The CPU a crawl on Redis costs per page when each of its processes has a
core to itself, as on separate machines, against a local crawl.

    .venv/bin/python bench/bench_alone.py [--count 1000] [--rounds 3]

bench_distributed.py runs a Redis crawl's processes together on the two
cores, with the press-room server among them; there a process can wait for a
core while it counts as busy, and the ratio to a local crawl moves between
runs (1.19 and 1.26 on consecutive days) by more than most changes to the
code. Here, in each round (the same generated press rooms, real page weight,
politeness off, as bench_distributed.py):

- **local**: `pressarchive crawl --full` on CPU 0;
- **crawl process**: `pressarchive crawl --redis --full` alone on CPU 0, no
  writer running: its releases wait in Redis;
- **writer**: then `pressarchive ingest` alone on CPU 0, until it has stored
  them and finished the end-of-crawl work.

redis-server and the press-room server (this process) run on the other CPU.
CPU is user+system of each process tree (with its Scrapy child), per page
fetched; "x1" is crawl process + writer + redis-server, as on machines of
their own. Left out: what sharing costs on one machine (bench_distributed.py
measures that), the writer kept running between crawls (here it starts for
each: ~0.3 s of imports), Redis on another host (a network round trip per
call instead of loopback).
Goal (issue 15): x1 within 10% of local.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_distributed as bd  # bench/ is on sys.path when run as a script


def writer_alone(url: str, db: Path) -> float:
    """CPU seconds of one writer, pinned like the crawls, draining what waits."""
    import redis

    server = redis.Redis.from_url(url)
    writer = subprocess.Popen(
        bd.cli("ingest", "--redis", url, "--db", str(db), "-q"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not bd.drained(server):
        time.sleep(0.1)
    writer.terminate()
    _, _, usage = os.wait4(writer.pid, 0)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="releases per press room")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not bd.REDIS_SERVER:
        why = "needs two CPUs" if len(cpus) < 2 else bd.SKIP_REASON
        print(f"## Each process alone on a core\n\nnot run: {why}")
        return 0
    # the press-room server's threads and redis-server (started below) on one CPU,
    # every pressarchive process on another
    os.sched_setaffinity(0, {cpus[-1]})
    bd.LAUNCH_PREFIX[:] = ["taskset", "-c", str(cpus[0])]
    rows: dict[str, list[float]] = {k: [] for k in ("local", "crawl", "writer", "redis")}
    with (
        bd.running_redis() as url,
        bd.DemoPressRooms(bd.PLATFORMS, size=args.count, reply_filter=bd.pad_release_page) as rooms,
        tempfile.TemporaryDirectory(prefix="bench-alone-") as tmp,
    ):
        sources = Path(tmp) / "sources.toml"
        sources.write_text(rooms.sources_toml(), encoding="utf-8")
        ids = [rooms.source_id(p) for p in bd.PLATFORMS]
        for round_ in range(args.rounds):
            work = Path(tmp) / f"{round_}"
            work.mkdir()
            local = bd.run_local(sources, ids, work)
            rows["local"].append(1000 * local["cpu"] / local["pages"])
            crawl = bd.run_redis(url, 1, sources, ids, work, writer_on=False)
            pages = crawl["pages"]
            redis_before = bd.process_cpu(bd.redis_pid(url))
            writer = writer_alone(url, work / "writer.db")
            redis_cpu = crawl["redis_cpu"] + bd.process_cpu(bd.redis_pid(url)) - redis_before
            rows["crawl"].append(1000 * crawl["crawler_cpu"] / pages)
            rows["writer"].append(1000 * writer / pages)
            rows["redis"].append(1000 * redis_cpu / pages)
            print(
                f"# round {round_}: local {rows['local'][-1]:.2f}, crawl process "
                f"{rows['crawl'][-1]:.2f}, writer {rows['writer'][-1]:.2f}, redis-server "
                f"{rows['redis'][-1]:.2f} ms a page",
                file=sys.stderr,
            )
    x1 = [c + w + r for c, w, r in zip(rows["crawl"], rows["writer"], rows["redis"], strict=True)]
    paired = [x / local for x, local in zip(x1, rows["local"], strict=True)]
    crawl_only = [c / local for c, local in zip(rows["crawl"], rows["local"], strict=True)]
    print(
        f"## Each process alone on a core ({', '.join(bd.PLATFORMS)}, {args.count:,} releases "
        f"each, real page weight, politeness off; {args.rounds} rounds, median (min–max))\n"
    )
    print("| run | CPU ms per page |\n|---|---:|")
    for label, key in (
        ("local crawl", "local"),
        ("Redis crawl process", "crawl"),
        ("writer", "writer"),
        ("redis-server", "redis"),
    ):
        print(f"| {label} | {bd.spread(rows[key], '{:.2f}')} |")
    print(f"| x1 (crawl process + writer + redis-server) | {bd.spread(x1, '{:.2f}')} |\n")
    print("| measure | value | goal | ok |\n|---|---|---|---|")
    ok = "yes" if statistics.median(paired) <= 1.10 else "NO"
    print(f"| x1 / local, paired by round | {bd.spread(paired, '{:.3f}')} | <= 1.10 | {ok} |")
    print(f"| Redis crawl process / local crawl | {bd.spread(crawl_only, '{:.3f}')} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
