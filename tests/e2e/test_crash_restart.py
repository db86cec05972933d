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

from bot.models import Destination, Platform
from tests.builders import (
    PEACE,
    START_SECONDS,
    STOP_SECONDS,
    bot_env,
    rss,
    seed_subscription,
    slack_env,
    start_bot,
    starts_logged,
    stop_bot,
    until,
    write_config,
)
from tests.conftest import PENDING, app_database, query
from tests.fakes.feed_server import FeedServer
from tests.fakes.slack_server import FakeSlack
from tests.fakes.webhook_receiver import WebhookReceiver

FEEDS = 4
ITEMS_PER_FEED = 40
KILLS = 4
STATUSES = "select status, count(*) from deliveries group by status"
SLACK_SENT = "select message_id from deliveries where platform = 'slack' order by id"


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
        targets = sorted(rng.uniform(0.05, 0.8) * expected for _ in range(KILLS))
        kills_mid_run = 0
        for target in targets:  # each run is killed once the receiver holds `target` posts
            proc = await start_bot(env, log)
            # not after a fixed time: a start under load takes tens of seconds, and a kill
            # while it still imports proves nothing
            await until(
                lambda t=target, p=proc: len(receiver.posts) >= t or p.returncode is not None,
                START_SECONDS,
            )
            kills_mid_run += target <= len(receiver.posts) < expected
            assert proc.returncode is None, f"run exited ({proc.returncode}) before its kill"
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        before = starts_logged(log)
        proc = await start_bot(env, log)
        for _ in range(3000):  # a post a killed run sent but never marked is sent again
            if len(receiver.posts) >= expected and await query(app_db_url, PENDING) == [(0,)]:
                break
            await asyncio.sleep(0.1)
        code = await stop_bot(proc, log, starts=before + 1)
    await receiver.stop()

    assert code == 0, log.read_text()[-3000:]
    assert kills_mid_run == KILLS  # every kill landed while posts were still going out
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


@pytest.mark.slow
@pytest.mark.parametrize("history", [True, False], ids=["history-scope", "no-history-scope"])
async def test_slack_post_in_flight_at_a_kill_is_found_not_posted_again(
    tmp_path: Path, app_db_url: str, history: bool
):
    """SIGKILL exactly while Slack holds the answer to a post it has stored; after the restart
    the alert is found in the channel by its metadata and not posted again. Without the history
    scopes the bot cannot look, and posts it a second time (as before: the control)."""
    async with FakeSlack() as fake, FeedServer() as server:
        items = [(f"i{i}", f"{PEACE} (item {i})") for i in range(3)]
        server.add("/feed.xml", rss(items))
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        channel = "C0ALERTS01"
        dest = Destination(platform=Platform.slack, address=channel, workspace=fake.team_id)
        await seed_subscription(app_db_url, dest)
        env = bot_env(
            app_db_url,
            config,
            BACKFILL="10",
            WORKER_ID="crashy",
            **slack_env(fake),
            SLACK_POST_INTERVAL="0.01",
            LOG_LEVEL="INFO",
        )
        log = tmp_path / "bot.log"
        fake.history_scopes = history
        fake.post_answer_delay = 30.0
        proc = await start_bot(env, log)
        try:
            await fake.wait_for(lambda: fake.channel_messages(channel), timeout=START_SECONDS)
            proc.send_signal(signal.SIGKILL)  # Slack has the first alert; the bot never heard
            await proc.wait()
            fake.post_answer_delay = 0.0
            proc = await start_bot(env, log)
            await fake.wait_for(
                lambda: len(fake.channel_messages(channel)) >= 3, timeout=START_SECONDS
            )
            for _ in range(1200):  # the last one marked sent too (a stuck one fails below)
                if await query(app_db_url, PENDING) == [(0,)]:
                    break
                await asyncio.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), STOP_SECONDS) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    posted = [m["metadata"]["event_payload"]["delivery"] for m in fake.channel_messages(channel)]
    sent = await query(app_db_url, SLACK_SENT)
    first_ts = fake.channel_messages(channel)[0]["ts"]
    if history:
        assert len(posted) == len(set(posted)) == 3, posted  # each alert once
        assert sent[0] == (first_ts,)  # recorded as the message the killed run had posted
        assert "was posted before a crash" in log.read_text()
    else:
        assert len(posted) == 4 and len(set(posted)) == 3, posted  # the one in flight, twice
        assert "cannot tell whether delivery" in log.read_text()
