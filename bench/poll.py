"""Benchmark: conditional polls per second over 10,000 loopback feeds, one process and three.

Beside newsbot, against the same farm process and the same cycles (`changed` feeds with a new
item, the rest 304): a bare aiohttp client (conditional GETs, 100 in flight, no parse, no
store) and feedparser + ThreadPoolExecutor(32) with ETags (parses the 200s, no store). Each
prints polls/s and this process's CPU per poll (time.process_time; PostgreSQL's own work is
in its server process and not counted), with newsbot's ratios to them (issue 19: ≥ 2× the
threaded loop, CPU per poll compared with the bare client's), and the load average.

The feed farm (bench/feed_farm.py) runs in its own process and serves corpus files grown to a
news feed's size (30 real headlines with teasers, ~15 KB; `--items 0` keeps the ~300-byte
fixtures); each cycle a slice of feeds gets a new item (200 + parse + match + store) and the
rest answer 304. Every poll updates the
store. Baseline: a sequential `feedparser.parse(url)` loop over a sample of the same feeds,
extrapolated to all of them. Then 1 vs 3 worker processes on PostgreSQL, same cycle.

    .venv/bin/python -m bench.poll [--feeds 10000] [--changed 200] [--cycles 3] [--items 30]
        [--backends sqlite postgresql] [--workers 3] [--profile FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import feedparser
from sqlalchemy import update

from bench.feed_farm import FarmProcess
from bench.workspace import database, seed_feeds, settings, workspace, write_config
from bot.runtime.app import App
from bot.runtime.logs import setup_logging
from bot.store.db import create_engine, migrate
from bot.store.tables import feeds


async def seeded(db_url: str, farm: FarmProcess, count: int) -> None:
    engine = create_engine(db_url)
    try:
        await migrate(engine)
        await seed_feeds(engine, [farm.url(i) for i in range(count)])
    finally:
        await engine.dispose()


Rate = tuple[float, float]
"""(polls per second, CPU µs per poll)"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f}"


async def cycle(app: App, farm: FarmProcess, changed: int) -> tuple[int, float, int, float]:
    """Publish `changed` items, make every feed due, poll them all:
    (polled, seconds, 304s, CPU seconds of this process)."""
    farm.publish(changed)
    await app.store.feeds.make_due(datetime.now(UTC))
    start, cpu = time.perf_counter(), time.process_time()
    report = await app.poll_once()
    spent = time.process_time() - cpu
    return report.polled, time.perf_counter() - start, report.not_modified, spent


async def bare_aiohttp(farm: FarmProcess, args: argparse.Namespace) -> Rate:
    """Conditional GETs of every feed, 100 in flight, bodies read and dropped: the floor."""
    urls = [farm.url(i) for i in range(args.feeds)]
    etags: dict[str, str] = {}
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=100)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one_pass() -> None:
            queue = iter(urls)

            async def lane() -> None:
                for url in queue:
                    headers = {"If-None-Match": etags[url]} if url in etags else {}
                    async with session.get(url, headers=headers) as resp:
                        await resp.read()
                        if resp.status == 200:
                            etags[url] = resp.headers["ETag"]

            await asyncio.gather(*(lane() for _ in range(100)))

        await one_pass()  # first pass: every ETag
        return await _timed_cycles(farm, args, one_pass)


def threaded_feedparser(farm: FarmProcess, args: argparse.Namespace) -> Rate:
    """feedparser.parse(url, etag=…) on ThreadPoolExecutor(32): the usual Python poller."""
    urls = [farm.url(i) for i in range(args.feeds)]
    etags: dict[str, str | None] = dict.fromkeys(urls)

    def poll(url: str) -> None:
        parsed = feedparser.parse(url, etag=etags[url])
        if parsed.get("status") == 200:
            etags[url] = parsed.get("etag")

    with concurrent.futures.ThreadPoolExecutor(32) as pool:

        async def one_pass() -> None:
            list(pool.map(poll, urls))

        asyncio.run(one_pass())
        return asyncio.run(_timed_cycles(farm, args, one_pass))


async def _timed_cycles(
    farm: FarmProcess, args: argparse.Namespace, one_pass: Callable[[], Awaitable[None]]
) -> Rate:
    rates, cpus = [], []
    for _ in range(args.cycles):
        farm.publish(args.changed)
        start, cpu = time.perf_counter(), time.process_time()
        await one_pass()
        cpus.append((time.process_time() - cpu) / args.feeds * 1e6)
        rates.append(args.feeds / (time.perf_counter() - start))
    return statistics.median(rates), statistics.median(cpus)


async def one_process(kind: str, farm: FarmProcess, args: argparse.Namespace) -> Rate:
    """Warm up (first poll: every feed 200) then time `cycles` conditional cycles."""
    async with workspace() as folder, database(kind, folder) as url:
        await seeded(url, farm, args.feeds)
        app = await App(settings(url, write_config(folder / "config"))).open()
        try:
            polled, first, _, _ = await cycle(app, farm, 0)
            print(f"  {kind}: first cycle (all 200, parse all): {polled} feeds in {first:.1f} s")
            rates, cpus = [], []
            for n in range(args.cycles):
                profile = cProfile.Profile() if args.profile and n == args.cycles - 1 else None
                if profile:
                    profile.enable()
                polled, secs, unchanged, spent = await cycle(app, farm, args.changed)
                if profile:
                    profile.disable()
                    profile.dump_stats(args.profile)
                rates.append(polled / secs)
                cpus.append(spent / polled * 1e6)
                print(
                    f"  {kind}: cycle {n + 1}: {polled} polls ({unchanged} × 304, "
                    f"{polled - unchanged} changed/failed) in {secs:.2f} s = {polled / secs:,.0f}/s"
                    f", {cpus[-1]:.0f} µs CPU per poll; {load()}"
                )
        finally:
            await app.close()
    return statistics.median(rates), statistics.median(cpus)


def sequential_baseline(farm: FarmProcess, sample: int, total: int) -> float:
    """`feedparser.parse(url)` one feed after another over a sample; polls per second."""
    start = time.perf_counter()
    for i in range(sample):
        parsed = feedparser.parse(farm.url(i * (total // sample)))
        assert parsed.entries, "the farm served an empty feed"
    return sample / (time.perf_counter() - start)


async def worker(db_url: str, config: Path, owner: str) -> None:
    """A poller process for the multi-process run: poll on each 'go' line, report as JSON."""
    app = await App(settings(db_url, config, worker_id=owner)).open()
    loop = asyncio.get_running_loop()
    print("ready", flush=True)
    try:
        while (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "go":
            report = await app.poll_once()
            print(json.dumps({"polled": report.polled}), flush=True)
    finally:
        await app.close()


async def processes(url: str, config: Path, farm: FarmProcess, n: int, args) -> float:
    """Start `n` worker processes, run cycles, return the median total polls per second."""
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.poll",
            "--worker",
            url,
            str(config),
            f"bench-{n}-{k}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for k in range(n)
    ]
    engine = create_engine(url)
    try:
        for p in procs:
            assert p.stdout is not None
            assert (await p.stdout.readline()).strip() == b"ready"
        rates = []
        for c in range(args.cycles):
            farm.publish(args.changed)
            async with engine.begin() as conn:
                await conn.execute(update(feeds).values(next_poll_at=datetime.now(UTC)))
            start = time.perf_counter()
            for p in procs:
                assert p.stdin is not None
                p.stdin.write(b"go\n")
            parts = []
            for p in procs:
                assert p.stdout is not None
                parts.append(json.loads(await p.stdout.readline())["polled"])
            secs = time.perf_counter() - start
            rates.append(sum(parts) / secs)
            print(
                f"  {n} process(es): cycle {c + 1}: {sum(parts)} polls {parts} in {secs:.2f} s"
                f" = {sum(parts) / secs:,.0f}/s"
            )
    finally:
        for p in procs:
            assert p.stdin is not None
            p.stdin.close()
        for p in procs:
            await p.wait()
        await engine.dispose()
    return statistics.median(rates)


async def multi(farm: FarmProcess, args: argparse.Namespace) -> tuple[float, float]:
    """1 then `workers` poller processes on one PostgreSQL database, same feeds, same cycles."""
    async with workspace() as folder, database("postgresql", folder) as url:
        await seeded(url, farm, args.feeds)
        config = write_config(folder / "config")
        app = await App(settings(url, config)).open()
        try:
            await cycle(app, farm, 0)  # warm-up: every feed downloaded, parsed, ETag stored
        finally:
            await app.close()
        single = await processes(url, config, farm, 1, args)
        many = await processes(url, config, farm, args.workers, args)
    return single, many


def report_profile(path: str) -> None:
    stats = pstats.Stats(path)
    stats.sort_stats("tottime").print_stats(20)


async def main_async(args: argparse.Namespace) -> None:
    setup_logging("WARNING")
    print(
        f"cores: {len(os.sched_getaffinity(0))}; feeds: {args.feeds}; "
        f"changed per cycle: {args.changed}; cycles: {args.cycles}"
    )
    with FarmProcess(args.feeds, args.items) as farm:
        print(
            f"feed farm: separate process, port {farm.port}, {farm.templates} corpus files "
            f"with {args.items} real headlines added to each"
        )
        seq = sequential_baseline(farm, args.sample, args.feeds)
        print(
            f"baseline: sequential feedparser.parse(url), {args.sample} feeds sampled: "
            f"{seq:,.0f}/s → {args.feeds / seq:.1f} s for {args.feeds} (extrapolated)"
        )
        bare = await bare_aiohttp(farm, args)
        print(
            f"bare aiohttp client: {bare[0]:,.0f} polls/s, {bare[1]:.0f} µs CPU per poll; {load()}"
        )
        threaded = await asyncio.to_thread(threaded_feedparser, farm, args)
        print(
            f"feedparser + 32 threads: {threaded[0]:,.0f} polls/s, {threaded[1]:.0f} µs CPU per "
            f"poll; {load()}"
        )
        for kind in args.backends:
            rate, cpu = await one_process(kind, farm, args)
            print(
                f"{kind}, 1 process: {rate:,.0f} polls/s (median), cycle "
                f"{args.feeds / rate:.1f} s; × {rate / seq:.1f} the sequential loop, "
                f"× {rate / threaded[0]:.2f} the threaded loop; {cpu:.0f} µs CPU per poll = "
                f"× {cpu / bare[1]:.2f} the bare client's; {load()}"
            )
        if args.profile:
            report_profile(args.profile)
        if args.workers:
            single, many = await multi(farm, args)
            print(
                f"postgresql: 1 process {single:,.0f}/s, {args.workers} processes "
                f"{many:,.0f}/s → × {many / single:.2f}"
            )


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        setup_logging("WARNING")
        asyncio.run(worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=200, help="feeds with a new item per cycle")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--sample", type=int, default=500, help="feeds in the baseline sample")
    parser.add_argument(
        "--items", type=int, default=30, help="headlines per feed (30: ~15 KB, a news feed's size)"
    )
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=int, default=3, help="0 skips the multi-process run")
    parser.add_argument("--profile", help="cProfile the last one-process cycle into this file")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
