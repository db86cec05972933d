"""Benchmark: from a new item being served to its alert reaching a (loopback) Slack webhook.

A real `newsbot run` process polls loopback feeds; each round gives some feeds a new matching
item. Latency is counted from the moment the feed server sent the changed document (the poll)
to the moment the webhook received the alert: p50 and p99. Run beside it, as the baseline, the
same feeds with the roles split (`--role poller` + `--role dispatcher`), where an alert waits
for the dispatcher's next tick.

    .venv/bin/python -m bench.pipeline [--feeds 200] [--rounds 5] [--per-round 20]
        [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml
from aiohttp import web

from bench.workspace import database, workspace, write_config
from tests.builders import PEACE, UNRELATED, bot_env, rss
from tests.fakes.feed_server import FeedServer

INTERVAL = 10
SEED = Path(__file__).resolve().parents[1] / "seeds" / "lavrov-no-pause-2022-04-11.txt"
# A realistic description: three paragraphs of the seed article, a quote and its speaker in them.
DESCRIPTION = "\n\n".join(SEED.read_text(encoding="utf-8").split("\n\n")[2:5])
TAG = re.compile(r"\(round (\d+) feed (\d+)\)")


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


async def until(condition: Callable[[], bool], seconds: float) -> None:
    """Wait until `condition()` holds, or `seconds` passed."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(roles: list[str], args: argparse.Namespace, folder: Path, db: str) -> list[float]:
    """Latencies (s) after the poll for every new item, with `newsbot run` in `roles`."""
    server, receiver = ServedAt(), Receiver()
    await server.start()
    await receiver.start()
    paths = [f"/feed{f}.xml" for f in range(args.feeds)]
    for f, path in enumerate(paths):
        server.add(path, rss([(f"f{f}-0", UNRELATED[f % 3])], title=f"Feed {f}"))
    config = write_config(
        folder / "config",
        yaml.safe_dump(
            {
                "subscriptions": [
                    {
                        "destination": f"slack-webhook:http://127.0.0.1:{receiver.port}"
                        "/services/T0/B0/token",
                        "targets": ["rule:peace-talks"],
                    }
                ]
            }
        ),
    )
    spec = {"interval_seconds": INTERVAL, "full_text": False}
    feeds = [{"url": server.url(p), **spec} for p in paths]
    (config / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
    env = bot_env(
        db,
        config,
        FETCH_PER_HOST="32",
        BACKFILL="0",
        DISPATCH_TICK_SECONDS="1.0",
        LOG_LEVEL="WARNING",
    )  # dispatch tick at its default: the roles differ there
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--role",
            role,
            env=env,
            stderr=(folder / f"{role}.log").open("ab"),
        )
        for role in roles
    ]
    latencies: list[float] = []
    try:
        await until(lambda: all(server.hits[p] for p in paths), 30)
        published: dict[tuple[int, int], str] = {}
        for r in range(args.rounds):
            if r == 1:  # the warm-up round's alerts are in before any measured item is served
                await until(lambda: len(receiver.arrived) >= len(published), INTERVAL + 10)
            await asyncio.sleep(INTERVAL / args.rounds)  # rounds land at different wave offsets
            for k in range(args.per_round):
                f = (r * args.per_round + k) % args.feeds
                new = (f"f{f}-r{r}", f"{PEACE} (round {r} feed {f})")
                items = [(f"f{f}-0", UNRELATED[f % 3]), new]
                text = {new[0]: DESCRIPTION}
                server.add(paths[f], rss(items, title=f"Feed {f}", descriptions=text))
                published[(r, f)] = paths[f]
        await until(lambda: len(receiver.arrived) >= len(published), INTERVAL + 10)
        for key, path in published.items():
            if key in receiver.arrived and key[0] > 0:  # round 0 warms up (models, caches)
                latencies.append(receiver.arrived[key] - server.served[path])
        missing = len(published) - len(receiver.arrived)
        if missing:
            print(f"  {missing} alert(s) did not arrive in time", file=sys.stderr)
    finally:
        for p in procs:
            if p.returncode is None:
                p.terminate()
        for p in procs:
            await p.wait()
        await server.stop()
        assert receiver.runner is not None
        await receiver.runner.cleanup()
    return latencies


def summary(name: str, latencies: list[float]) -> tuple[float, float]:
    if not latencies:
        print(f"{name}: no alert arrived in time (see the process logs)")
        return float("nan"), float("nan")
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"{name}: {len(latencies)} alerts, after the poll p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.0f} ms"
    )
    return p50, p99


async def main_async(args: argparse.Namespace) -> None:
    print(f"{args.feeds} feeds, interval {INTERVAL} s, {args.rounds} rounds × {args.per_round}")
    results: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    runs = (
        ("newsbot run --role all", ["all"]),
        ("baseline: --role poller + --role dispatcher", ["poller", "dispatcher"]),
    )
    for name, roles in runs:
        async with workspace() as folder, database(args.database, folder) as db:
            results[name] = summary(name, await measure(roles, args, folder, db))
    (a50, a99), (b50, b99) = results.values()
    print(f"ratio baseline/all: p50 × {b50 / a50:.1f}, p99 × {b99 / a99:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5, help="the first one is a warm-up")
    parser.add_argument("--per-round", type=int, default=20)
    parser.add_argument("--database", default="postgresql", choices=["postgresql", "sqlite"])
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
