"""Benchmark: the CPU an idle `newsbot run` uses, beside a process that only sleeps.

A real `newsbot run --role all` (the production tick settings) polls 200 loopback feeds
whose interval is long, then has nothing to do: no feed is due, no delivery is pending.
The figure is its CPU time per 10 s of that idle spell (Linux /proc, user + system), beside
the same interpreter with the bot's modules imported sleeping for as long (the floor).

    .venv/bin/python -m bench.idle [--feeds 200] [--seconds 30] [--database sqlite|postgresql]
        [--poll-tick 5] [--dispatch-tick 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import yaml

from bench.pipeline import cpu_seconds, until
from bench.workspace import database, workspace, write_config
from tests.builders import UNRELATED, bot_env, rss, start_bot
from tests.fakes.feed_server import FeedServer

FLOOR = "import asyncio, sys, bot.runtime.runner; asyncio.run(asyncio.sleep(float(sys.argv[1])))"


async def idle_bot(args: argparse.Namespace, folder: Path, db: str) -> float:
    """CPU seconds per 10 s of `newsbot run` once its first poll of every feed is done."""
    async with FeedServer() as server:
        paths = [f"/feed{f}.xml" for f in range(args.feeds)]
        for f, path in enumerate(paths):
            server.add(path, rss([(f"f{f}-0", UNRELATED[f % 3])], title=f"Feed {f}"))
        hook = "slack-webhook:http://127.0.0.1:9/services/T0/B0/token"  # never sent to: no match
        subs = {"subscriptions": [{"destination": hook, "targets": ["rule:peace-talks"]}]}
        config = write_config(folder / "config", yaml.safe_dump(subs))
        feeds = [{"url": server.url(p), "interval_seconds": 3600} for p in paths]
        (config / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
        env = bot_env(
            db,
            config,
            POLL_TICK_SECONDS=str(args.poll_tick),
            DISPATCH_TICK_SECONDS=str(args.dispatch_tick),
            LOG_LEVEL="WARNING",
        )
        bot = await start_bot(env, folder / "bot.log")
        try:
            if not await until(lambda: all(server.hits[p] for p in paths), 60):
                log = (folder / "bot.log").read_text()
                sys.exit(f"the bot did not poll every feed; log:\n{log}")
            await asyncio.sleep(3)  # the first cycle's commits and sends settle
            before, started = cpu_seconds([bot.pid]), time.monotonic()
            await asyncio.sleep(args.seconds)
            used, spent = cpu_seconds([bot.pid]) - before, time.monotonic() - started
            polled = sum(server.hits.values())
        finally:
            bot.terminate()
            await bot.wait()
        if polled != args.feeds:
            print(f"  note: {polled} polls for {args.feeds} feeds (some were polled again)")
        return used / spent * 10


async def floor(seconds: float) -> float:
    """CPU seconds per 10 s of a process that imported the bot and sleeps."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FLOOR, "0", env={**os.environ, "PYTHONPATH": "."}
    )
    await proc.wait()  # imports warm the file cache
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", FLOOR, str(seconds + 3), env={**os.environ, "PYTHONPATH": "."}
    )
    await asyncio.sleep(3)  # the imports are done
    before, started = cpu_seconds([proc.pid]), time.monotonic()
    await asyncio.sleep(seconds)
    used, spent = cpu_seconds([proc.pid]) - before, time.monotonic() - started
    await proc.wait()
    return used / spent * 10


async def main_async(args: argparse.Namespace) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}; {args.feeds} feeds, {args.seconds:.0f} s idle")
    async with workspace() as folder, database(args.database, folder) as db:
        bot = await idle_bot(args, folder, db)
    base = await floor(args.seconds)
    ticks = f"ticks poll {args.poll_tick:g} s, dispatch {args.dispatch_tick:g} s"
    print(f"  idle newsbot run ({args.database}, {ticks}): {bot:.3f} s CPU per 10 s")
    print(f"  sleeping interpreter (floor):  {base:.3f} s CPU per 10 s")
    print(f"  ratio {bot / base:.1f}x the floor" if base else "  floor below the clock's tick")
    print(f"load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    # the production defaults, not the tests' quick 0.2 s ticks
    ap.add_argument("--poll-tick", type=float, default=5.0)
    ap.add_argument("--dispatch-tick", type=float, default=1.0)
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
