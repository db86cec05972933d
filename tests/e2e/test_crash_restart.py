"""Kill `newsbot run` with SIGKILL mid-run, restart it, and count: nothing lost, nothing twice.

The bot posts to loopback incoming webhooks. Alerts are unique by constraint; a post can only
repeat if the kill lands between the webhook's answer and our commit (Slack webhooks offer no
idempotency key), so duplicates are counted and bounded by the number of kills.
"""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path

import pytest

from tests.builders import PEACE, bot_env, rss, start_bot, write_config
from tests.conftest import app_database, query
from tests.fakes.feed_server import FeedServer
from tests.fakes.webhook_receiver import WebhookReceiver

FEEDS = 4
ITEMS_PER_FEED = 40
KILLS = 4
STATUSES = "select status, count(*) from deliveries group by status"
PENDING = "select count(*) from deliveries where status = 'pending'"


def _env(tmp_path: Path, config: Path) -> dict[str, str]:
    return bot_env(
        app_database(tmp_path),
        config,
        BACKFILL="1000",
        DISPATCH_TICK_SECONDS="0.05",
        LOG_LEVEL="INFO",
        LEASE_SECONDS="3",
    )


@pytest.mark.slow
async def test_sigkill_mid_run_loses_nothing_and_posts_nothing_twice(
    tmp_path: Path, app_db_url: str
):
    receiver = WebhookReceiver(delay=0.005)
    await receiver.start()
    async with FeedServer() as server:
        for f in range(FEEDS):
            items = [(f"f{f}-i{i}", f"{PEACE} (feed {f} item {i})") for i in range(ITEMS_PER_FEED)]
            server.add(f"/feed{f}.xml", rss(items, title=f"Feed {f}"))
        subs = [
            {"destination": f"slack-webhook:{receiver.url(n)}", "targets": ["rule:peace-talks"]}
            for n in range(3)
        ]
        config = write_config(
            tmp_path / "config",
            [server.url(f"/feed{f}.xml") for f in range(FEEDS)],
            subscriptions=subs,
        )
        env, log = _env(tmp_path, config), tmp_path / "bot.log"
        expected = FEEDS * ITEMS_PER_FEED * 3
        rng = random.Random(7)
        for _ in range(KILLS):
            proc = await start_bot(env, log)
            await asyncio.sleep(rng.uniform(0.8, 2.5))
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        proc = await start_bot(env, log)
        for _ in range(600):  # a post a killed run sent but never marked is sent again
            if len(receiver.posts) >= expected and await query(app_db_url, PENDING) == [(0,)]:
                break
            await asyncio.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
    await receiver.stop()

    assert code == 0, log.read_text()[-3000:]
    duplicates = sum(n - 1 for n in receiver.posts.values())
    print(
        f"\ncrash test: {KILLS} SIGKILLs, {expected} posts expected, "
        f"{len(receiver.posts)} distinct received, {duplicates} duplicate(s)"
    )
    assert len(receiver.posts) == expected  # nothing lost
    assert duplicates <= KILLS * 3  # at most the send in flight per destination at each kill
    [alerts] = await query(app_db_url, "select count(*), count(distinct item_id) from alerts")
    statuses = dict(await query(app_db_url, STATUSES))
    assert alerts == (FEEDS * ITEMS_PER_FEED, FEEDS * ITEMS_PER_FEED)  # nothing alerted twice
    assert statuses == {"sent": expected}
