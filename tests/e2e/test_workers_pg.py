"""Three `newsbot run` workers share 1,000 loopback feeds on PostgreSQL; one is SIGKILLed.

Counted at the loopback servers: every feed is fetched once per interval (never twice in one,
never an interval skipped), except the feeds the killed worker held, which another worker
takes over once their lease expires; every alert is posted exactly once per destination.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import asyncpg
import pytest
from aiohttp import web

from tests.builders import (
    PEACE,
    START_SECONDS,
    STOP_SECONDS,
    UNRELATED,
    bot_env,
    rss,
    start_bot,
    until,
    write_config,
)
from tests.fakes.feed_server import FeedServer
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.pg import create_pg_database, drop_pg_database, pg_problem

FEEDS = 1000
INTERVAL = 10.0
LEASE = 10.0  # production: 120 s; 5 s let a worker stalled by a loaded CI machine lose a feed
WORKERS = ("w1", "w2", "w3")
DESTINATIONS = 3


class TimedFeedServer(FeedServer):
    """The feed server, also noting when each path was fetched; it never answers a request
    whose User-Agent names `stall_agent`, so that worker keeps the leases of those feeds."""

    def __init__(self) -> None:
        super().__init__()
        self.times: defaultdict[str, list[float]] = defaultdict(list)
        self.stall_agent: str | None = None
        self.stalled = 0

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.times[request.path].append(time.time())
        if self.stall_agent and self.stall_agent in request.headers.get("User-Agent", ""):
            self.stalled += 1
            await asyncio.Event().wait()
        return await super()._handle(request)


def _env(db_url: str, config: Path, worker: str) -> dict[str, str]:
    return bot_env(
        db_url,
        config,
        WORKER_ID=worker,
        USER_AGENT=f"newsbot-test ({worker})",
        FETCH_PER_HOST="32",
        BACKFILL="0",
        DISPATCH_TICK_SECONDS="0.1",
        LEASE_SECONDS=str(LEASE),
        LOG_LEVEL="WARNING",
    )


def _publish(server: FeedServer, feeds: range, tag: str) -> set[str]:
    """Give each feed in `feeds` a new, matching item; return the alert titles expected."""
    titles = set()
    for f in feeds:
        title = f"{PEACE} ({tag} feed {f})"
        items = [(f"f{f}-0", UNRELATED[f % 3]), (f"f{f}-{tag}", title)]
        server.add(f"/feed{f}.xml", rss(items, title=f"Feed {f}"))
        titles.add(title)
    return titles


def _titles(post: str, expected: set[str]) -> list[str]:
    """The expected alert titles a posted text carries."""
    return [t for t in expected if t in post]


@pytest.fixture
async def pg_url():
    if problem := pg_problem():
        pytest.skip(f"needs PostgreSQL for several processes: {problem}")
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.mark.slow
@pytest.mark.postgres
async def test_three_workers_poll_once_per_interval_and_post_once(tmp_path: Path, pg_url: str):
    receiver = WebhookReceiver()
    await receiver.start()
    server = TimedFeedServer()
    await server.start()
    procs: dict[str, asyncio.subprocess.Process] = {}
    db = await asyncpg.connect(pg_url)
    try:
        for f in range(FEEDS):
            server.add(f"/feed{f}.xml", rss([(f"f{f}-0", UNRELATED[f % 3])], title=f"Feed {f}"))
        subs = [
            {"destination": f"slack-webhook:{receiver.url(n)}", "targets": ["rule:peace-talks"]}
            for n in range(DESTINATIONS)
        ]
        urls = [server.url(f"/feed{f}.xml") for f in range(FEEDS)]
        config = write_config(tmp_path / "config", urls, subscriptions=subs, interval=int(INTERVAL))
        log = tmp_path / "workers.log"
        for w in WORKERS:
            procs[w] = await start_bot(_env(pg_url, config, w), log, "--role", "all")

        every = [f"/feed{f}.xml" for f in range(FEEDS)]
        # three starts at once under load: each imports the whole stack first
        started = await until(lambda: all(server.times[p] for p in every), START_SECONDS)
        assert started, log.read_text()[-3000:]
        expected = _publish(server, range(0, 100), "a")  # picked up by the second wave

        # Once the first alerts are posted (no post in flight then), kill w1 while it holds leases.
        first = len(expected) * DESTINATIONS
        assert await until(lambda: len(receiver.posts) >= first, 120), log.read_text()[-3000:]
        # w1's fetches from now on are never answered: at its next poll it holds leases it
        # cannot give back, and is killed then.
        server.stall_agent = "(w1)"
        assert await until(lambda: server.stalled > 0, 12 * INTERVAL), log.read_text()[-3000:]
        procs["w1"].send_signal(signal.SIGKILL)
        await procs["w1"].wait()
        killed_at = time.time()
        held = await db.fetch("SELECT url FROM feeds WHERE lease_owner = 'w1'")
        taken = {"/" + r["url"].rsplit("/", 1)[1] for r in held}
        assert taken, "w1 held no lease when it was killed"

        expected |= _publish(server, range(100, 200), "b")  # after the takeover
        want = len(expected) * DESTINATIONS
        assert await until(lambda: len(receiver.posts) >= want, 120), log.read_text()[-3000:]
        await asyncio.sleep(max(0.0, killed_at + INTERVAL + LEASE + 1 - time.time()))
        owners = await db.fetch("SELECT DISTINCT lease_owner FROM feeds")
        for w in ("w2", "w3"):
            procs[w].send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(procs[w].wait(), STOP_SECONDS) for w in ("w2", "w3")]
        end = time.time()
    finally:
        for p in procs.values():
            if p.returncode is None:
                p.kill()
                await p.wait()
        await db.close()
        await server.stop()
        await receiver.stop()

    assert codes == [0, 0], log.read_text()[-3000:]
    assert "w1" not in {r["lease_owner"] for r in owners}  # its leases were taken over

    texts = Counter(key.split("|", 1)[1] for key in receiver.posts)
    per_alert = Counter(
        (key.split("|", 1)[0], title) for key in receiver.posts for title in _titles(key, expected)
    )
    again = sorted(k for k, n in per_alert.items() if n > 1)
    assert not again, [k for k in receiver.posts if any(t in k for _, t in again[:2])][:6]
    assert sum(receiver.posts.values()) == want  # every alert to every destination, once
    assert set(receiver.posts.values()) == {1}
    assert all(any(t in text for t in expected) for text in texts)

    twice_in_an_interval, skipped = [], []
    for path in every:
        times = server.times[path]
        for a, b in pairwise(times):
            gap = b - a
            if gap < INTERVAL * 0.9 and not (path in taken and a <= killed_at <= b):
                twice_in_an_interval.append((path, round(gap, 2)))
            if gap > INTERVAL + LEASE + 3:
                skipped.append((path, round(gap, 2)))
        if end - times[-1] > INTERVAL + LEASE + 3:
            skipped.append((path, round(end - times[-1], 2)))
    assert not twice_in_an_interval, twice_in_an_interval[:10]
    assert not skipped, skipped[:10]
    retaken = {p for p in taken if server.times[p][-1] > killed_at}
    assert retaken == taken  # the killed worker's feeds were polled again by the others
    print(
        f"\nworkers: {FEEDS} feeds, {sum(len(t) for t in server.times.values())} fetches, "
        f"{len(taken)} leases taken over from the killed worker, "
        f"{sum(receiver.posts.values())} posts, 0 duplicates"
    )
