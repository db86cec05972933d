"""Benchmark: CPU per conditional GET answered 304, newsbot's fetcher beside a bare aiohttp client.

Both clients poll the same feeds on the same farm process (bench/feed_farm.py, its own
process), each with its ETag, `--concurrency` requests in flight, over one keep-alive
session. The figure is this process's CPU time (time.process_time) per request, so the
farm's work and the other sessions on the machine are not counted. newsbot's side is
`HttpFetcher.fetch` with its SSRF guard on (loopback allowed by CIDR, as in bench/poll.py):
what the poller pays per unchanged feed, before its store work. Target (issue 19): ≤ 1.3×
the bare client.

    .venv/bin/python -m bench.fetch304 [--feeds 2000] [--rounds 3] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence

import aiohttp

from bench.feed_farm import FarmProcess
from bot.feeds.fetch import HttpFetcher

Poll = Callable[[str, str], Awaitable[int]]


async def in_flight(poll: Poll, urls: Sequence[str], etags: dict[str, str], limit: int) -> float:
    """CPU seconds this process spent polling every URL once, `limit` at a time."""
    queue = iter(urls)

    async def lane() -> None:
        for url in queue:
            status = await poll(url, etags[url])
            assert status == 304, f"{url}: HTTP {status}, expected 304"

    start = time.process_time()
    await asyncio.gather(*(lane() for _ in range(limit)))
    return time.process_time() - start


async def bare_client(urls: Sequence[str], etags: dict[str, str], args: argparse.Namespace):
    connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def poll(url: str, etag: str) -> int:
            async with session.get(url, headers={"If-None-Match": etag}) as resp:
                await resp.read()
                return resp.status

        return [await in_flight(poll, urls, etags, args.concurrency) for _ in range(args.rounds)]


async def newsbot(urls: Sequence[str], etags: dict[str, str], args: argparse.Namespace):
    fetcher = HttpFetcher(
        per_host=args.concurrency, concurrency=args.concurrency, allow_private=["127.0.0.1/32"]
    )
    async with fetcher:

        async def poll(url: str, etag: str) -> int:
            result = await fetcher.fetch(url, etag=etag)
            return result.status or 0

        return [await in_flight(poll, urls, etags, args.concurrency) for _ in range(args.rounds)]


async def first_etags(urls: Sequence[str]) -> dict[str, str]:
    async with aiohttp.ClientSession() as session:
        out = {}
        for url in urls:
            async with session.get(url) as resp:
                await resp.read()
                out[url] = resp.headers["ETag"]
        return out


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} (1 / 5 min, {os.cpu_count()} cores)"


async def run(args: argparse.Namespace) -> None:
    with FarmProcess(args.feeds, items=args.items) as farm:
        urls = [farm.url(i) for i in range(args.feeds)]
        etags = await first_etags(urls)
        print(f"{args.feeds} feeds × {args.rounds} rounds, {args.concurrency} in flight; {load()}")
        figures = {}
        for name, client in (("bare aiohttp", bare_client), ("newsbot HttpFetcher", newsbot)):
            await client(urls[: args.concurrency * 2], etags, args)  # warm: connections, caches
            rounds = await client(urls, etags, args)
            figures[name] = statistics.median(rounds) / len(urls) * 1e6
            shown = ", ".join(f"{r / len(urls) * 1e6:.0f}" for r in rounds)
            print(f"  {name:>20}: {figures[name]:6.0f} µs CPU per 304 (rounds: {shown})")
        ratio = figures["newsbot HttpFetcher"] / figures["bare aiohttp"]
        print(f"  ratio newsbot / bare: {ratio:.2f}× (target ≤ 1.3×); {load()}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=100)
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
