"""Benchmark: from a new item being served to its alert reaching a (loopback) Slack webhook.

A real `newsbot run` process polls 200 loopback feeds every 10 s. Between two poll waves, a
burst of feeds gets a new matching item each (a distinct real headline, so a distinct story,
with three paragraphs of the seed article as its description, a quote and its speaker in them),
so the next wave finds all of them at once: the worst case for one channel. Latency runs from
the feed server sending the changed document (the poll) to the webhook receiving the alert: p50
and p99 per burst size, and the bot's CPU time for that wave (all its processes; 200 polls, the
alerts and their sends). Beside it, the baseline: the same with the roles split
(`--role poller` + `--role dispatcher`), where an alert waits for the dispatcher's tick (1 s).

    .venv/bin/python -m bench.pipeline [--feeds 200] [--bursts 10 20 40 80] [--repeats 3]
        [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml
from aiohttp import web

from bench.feed_farm import headlines
from bench.workspace import ROOT, database, workspace, write_config
from bot.config import load_config
from bot.models import Item
from bot.rules.compile import compile_rules
from tests.builders import UNRELATED, bot_env, rss, start_bot
from tests.fakes.feed_server import FeedServer

INTERVAL = 10  # the shortest interval a feed may have
WARM_UP = 5
SEED = ROOT / "seeds" / "lavrov-no-pause-2022-04-11.txt"
DESCRIPTION = "\n\n".join(SEED.read_text(encoding="utf-8").split("\n\n")[2:5])


def matching_titles() -> list[str]:
    """Real headlines that, with DESCRIPTION, match rule peace-talks: distinct stories."""
    bundle = load_config(ROOT / "config")
    matcher = compile_rules(bundle.rules.rules, bundle.actors.actors)
    return [
        title
        for title in headlines()
        if any(
            r.rule_id == "peace-talks"
            for r in matcher.match(
                Item(feed_id=0, identity="", title=title, summary=DESCRIPTION)
            ).rules
        )
    ]


TAG = re.compile(r"\(burst (\d+) feed (\d+)\)")


class ServedAt(FeedServer):
    """The feed server, noting when each path last sent a full (200) document."""

    def __init__(self) -> None:
        super().__init__()
        self.served: dict[str, float] = {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        resp = await super()._handle(request)
        if resp.status == 200:
            self.served[request.path] = time.time()
        return resp


class Receiver:
    """A Slack incoming webhook look-alike noting when each alert (by its tag) arrived."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[int, int], float] = {}
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/services/T0/B0/token", self._post)
        self.runner = web.AppRunner(app, handle_signals=False)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]

    async def _post(self, request: web.Request) -> web.Response:
        at = time.time()
        text = (await request.json())["text"]
        if m := TAG.search(text):
            self.arrived.setdefault((int(m[1]), int(m[2])), at)
        return web.Response(text="ok")


async def until(condition: Callable[[], bool], seconds: float) -> bool:
    """Wait until `condition()` holds (True), or `seconds` passed (False)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists():  # gone: the logs say why
            fields = stat.read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Results = dict[int, tuple[list[float], float]]  # burst size → (latencies, bot CPU s per wave)


async def measure(roles: list[str], args: argparse.Namespace, folder: Path, db: str) -> Results:
    """Latencies (s) after the poll, per burst size, with `newsbot run` in `roles`."""
    server, receiver = ServedAt(), Receiver()
    await server.start()
    await receiver.start()
    paths = [f"/feed{f}.xml" for f in range(args.feeds)]
    for f, path in enumerate(paths):
        server.add(path, rss([(f"f{f}-0", UNRELATED[f % 3])], title=f"Feed {f}"))
    webhook = f"slack-webhook:http://127.0.0.1:{receiver.port}/services/T0/B0/token"
    subscriptions = {"subscriptions": [{"destination": webhook, "targets": ["rule:peace-talks"]}]}
    config = write_config(folder / "config", yaml.safe_dump(subscriptions))
    spec = {"interval_seconds": INTERVAL, "full_text": False}
    feeds = [{"url": server.url(p), **spec} for p in paths]
    (config / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    env = bot_env(  # the dispatch tick at its default: the roles differ there
        db,
        config,
        FETCH_PER_HOST="32",
        BACKFILL="0",
        DISPATCH_TICK_SECONDS="1.0",
        LOG_LEVEL="WARNING",
    )
    procs = [await start_bot(env, folder / f"{role}.log", "--role", role) for role in roles]
    results: Results = {}
    counter = 0
    titles = matching_titles()

    async def next_wave() -> None:
        """Return once every feed has been polled again: a burst then lands in one wave."""
        hits = {p: server.hits[p] for p in paths}
        await until(lambda: all(server.hits[p] > hits[p] for p in paths), INTERVAL * 3)

    async def burst(size: int, tag: int) -> tuple[list[float], float]:
        """Publish `size` new items between waves; their latencies and the wave's bot CPU time."""
        nonlocal counter
        cpu = cpu_seconds([p.pid for p in procs])
        published = {}
        for _ in range(size):
            f = counter % args.feeds
            counter += 1
            new = (f"f{f}-b{tag}", f"{titles[counter % len(titles)]} (burst {tag} feed {f})")
            items = [(f"f{f}-0", UNRELATED[f % 3]), new]
            doc = rss(items, title=f"Feed {f}", descriptions={new[0]: DESCRIPTION})
            server.add(paths[f], doc)
            published[(tag, f)] = paths[f]
        done = await until(lambda: all(k in receiver.arrived for k in published), INTERVAL * 4)
        if not done:
            print(f"  burst {tag}: some alerts did not arrive in time", file=sys.stderr)
        latencies = [
            receiver.arrived[k] - server.served[path]
            for k, path in published.items()
            if k in receiver.arrived
        ]
        await next_wave()  # the wave that found the burst is over
        return latencies, cpu_seconds([p.pid for p in procs]) - cpu

    try:
        await until(lambda: all(server.hits[p] for p in paths), 30)
        await next_wave()
        await burst(WARM_UP, 0)  # models, caches and prepared statements warm up
        tag = 1
        for size in args.bursts:
            latencies: list[float] = []
            cpu: list[float] = []
            for _ in range(args.repeats):
                got, cpu_seconds_used = await burst(size, tag)
                tag += 1
                latencies += got
                cpu.append(cpu_seconds_used)
            results[size] = latencies, statistics.median(cpu)
    finally:
        for p, role in zip(procs, roles, strict=True):
            if p.returncode is None:
                p.terminate()
            else:
                log = (folder / f"{role}.log").read_text(encoding="utf-8", errors="replace")
                print(f"newsbot run --role {role} exited {p.returncode}:\n{log[-3000:]}")
        for p in procs:
            await p.wait()
        await server.stop()
        assert receiver.runner is not None
        await receiver.runner.cleanup()
    return results


def row(name: str, size: int, latencies: list[float], cpu: float) -> tuple[float, float]:
    if not latencies:
        print(f"{name:<12} {size:>5}   no alert arrived in time (see the process logs)")
        return float("nan"), float("nan")
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"{name:<12} {size:>5} {len(latencies):>7} {p50 * 1000:>8.0f} {p99 * 1000:>8.0f} "
        f"{max(latencies) * 1000:>8.0f} {cpu * 1000:>14.0f}"
    )
    return p50, p99


async def main_async(args: argparse.Namespace) -> None:
    print(
        f"{args.feeds} feeds polled every {INTERVAL} s, one channel; bursts of "
        f"{', '.join(map(str, args.bursts))} new matching items per poll wave, "
        f"{args.repeats} each; {args.database}"
    )
    runs = {"all": ["all"], "baseline": ["poller", "dispatcher"]}
    measured: dict[str, Results] = {}
    for name, roles in runs.items():
        async with workspace() as folder, database(args.database, folder) as db:
            measured[name] = await measure(roles, args, folder, db)
    print(
        f"{'run':<12} {'burst':>5} {'alerts':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'bot CPU ms/wave':>14}"
    )
    ratios = []
    for size in args.bursts:
        a = row("--role all", size, *measured["all"][size])
        b = row("baseline", size, *measured["baseline"][size])
        ratios.append(f"{size}: p99 × {b[1] / a[1]:.1f}")
    print("baseline / all: " + ", ".join(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--bursts", type=int, nargs="+", default=[10, 20, 40, 80])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
