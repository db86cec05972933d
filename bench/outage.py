"""Duplicates and losses when PostgreSQL goes away for 30 s while posts are in flight.

A real `newsbot run` on PostgreSQL posts a burst to slow receivers: 3 Slack incoming webhooks
and 2 channels of a fake Slack without the history scopes (so a post cannot be looked up
afterwards), each answering 0.5 s after storing the message. Once a tenth of the posts have
arrived, a TCP proxy between the bot and PostgreSQL drops every connection and resets new
ones for `--outage` seconds (the machine's server is not touched), then forwards again. The
run goes on until every delivery is recorded; the receivers count what arrived.

    .venv/bin/python -m bench.outage                 # one run, 30 s outage
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.models import Destination, Platform, Subscription
from bot.store.store import Store
from bot.text.story_match import same_story
from tests.builders import PEACE, bot_env, rss, slack_env, start_bot, stop_bot, write_config
from tests.conftest import query
from tests.fakes.feed_server import FeedServer
from tests.fakes.slack_server import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.pg import create_pg_database, drop_pg_database, pg_problem

FEEDS, ITEMS = 4, 15
WEBHOOKS = 3
SLACK_CHANNELS = ("C0ALERTS01", "C0GENERAL1")
MARKER = re.compile(r"F\d+N\d+")
PENDING = "select count(*) from deliveries where status = 'pending'"


def received(hooks: WebhookReceiver, slack: FakeSlack) -> Counter[tuple[str, str]]:
    """(channel, item marker) → how many times it arrived, over every receiver."""
    counts: Counter[tuple[str, str]] = Counter()
    for key, n in hooks.posts.items():
        path, text = key.split("|", 1)
        counts[(path, MARKER.findall(text)[0])] += n
    for message in slack.messages:
        if found := MARKER.findall(message["text"]):
            counts[(message["channel"], found[0])] += 1
    return counts


async def one_run(folder: Path, outage: float, delay: float) -> dict[str, float]:
    url = await create_pg_database("newsbot_bench")
    proxy = TcpProxy(int(url.split("@127.0.0.1:", 1)[1].split("/", 1)[0]))
    await proxy.start()
    hooks = WebhookReceiver(delay=delay)
    await hooks.start()
    try:
        async with FakeSlack() as slack, FeedServer() as feeds:
            slack.history_scopes = False
            slack.post_answer_delay = delay
            for f in range(FEEDS):
                entries = [(f"f{f}-{n}", f"F{f}N{n}: {PEACE}") for n in range(ITEMS)]
                feeds.add(f"/feed{f}.xml", rss(entries, title=f"Feed {f}"))
            subs = [
                {"destination": f"slack-webhook:{hooks.url(n)}", "targets": ["rule:peace-talks"]}
                for n in range(WEBHOOKS)
            ]
            config = write_config(
                folder / "config",
                [feeds.url(f"/feed{f}.xml") for f in range(FEEDS)],
                subscriptions=subs,
            )
            store = await Store.open(url, same_story)
            try:
                for channel in SLACK_CHANNELS:
                    dest = Destination(
                        platform=Platform.slack, address=channel, workspace=slack.team_id
                    )
                    sub = Subscription(destination=dest, target="rule:peace-talks", created_by="b")
                    await store.subscriptions.upsert(sub, datetime.now(UTC))
            finally:
                await store.close()
            env = bot_env(
                proxy.through(url),
                config,
                **slack_env(slack),
                SLACK_POST_INTERVAL="0",
                BACKFILL="1000",
                LEASE_SECONDS="10",
                LOG_LEVEL="INFO",
            )
            log = folder / "bot.log"
            total = FEEDS * ITEMS * (WEBHOOKS + len(SLACK_CHANNELS))
            proc = await start_bot(env, log)
            try:
                for _ in range(3000):  # a start under load takes 20-40 s
                    if sum(received(hooks, slack).values()) >= total // 10:
                        break
                    await asyncio.sleep(0.1)
                at_cut = sum(received(hooks, slack).values())
                proxy.cut()
                await asyncio.sleep(outage)
                proxy.restore()
                back = time.perf_counter()
                for _ in range(6000):
                    arrived = len(received(hooks, slack))
                    if arrived >= total and await query(url, PENDING) == [(0,)]:
                        break
                    await asyncio.sleep(0.1)
                caught_up = time.perf_counter() - back
                code = await stop_bot(proc, log, starts=1)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            counts = received(hooks, slack)
            text = log.read_text(errors="replace")
            return {
                "posts": total,
                "arrived at the cut": at_cut,
                "connections refused in the outage": proxy.refused,
                "lost": total - len(counts),
                "duplicates": sum(n - 1 for n in counts.values()),
                "channels with a duplicate": len({c for (c, _m), n in counts.items() if n > 1}),
                "recorded after the database came back": text.count("after the database came"),
                "seconds from the end of the outage to every post recorded": round(caught_up, 1),
                "exit code": code,
            }
    finally:
        await hooks.stop()
        await proxy.stop()
        await drop_pg_database(url)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=30.0, help="seconds PostgreSQL is cut")
    parser.add_argument("--delay", type=float, default=0.5, help="receivers' answer delay, s")
    args = parser.parse_args()
    if problem := pg_problem():
        raise SystemExit(problem)
    print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        figures = await one_run(Path(tmp), args.outage, args.delay)
    for name, value in figures.items():
        print(f"{name}: {value}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    asyncio.run(main())
