"""`--role poller` and `--role dispatcher` started at the same moment on one database.

Both import the config at start; on SQLite nothing but an OS file lock makes them take turns
(PostgreSQL has an advisory lock), so without it one died on a duplicate feed URL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.builders import PEACE, bot_env, rss, start_bot, stop_bot, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer
from tests.fakes.webhook_receiver import WebhookReceiver

FEEDS = 30


async def test_poller_and_dispatcher_started_together_both_run_and_deliver(
    tmp_path: Path, app_db_url: str
):
    receiver = WebhookReceiver()
    await receiver.start()
    async with FeedServer() as server:
        for f in range(FEEDS):
            server.add(f"/feed{f}.xml", rss([(f"f{f}", f"{PEACE} (feed {f})")], title=f"F{f}"))
        config = write_config(
            tmp_path / "config",
            [server.url(f"/feed{f}.xml") for f in range(FEEDS)],
            subscriptions=[
                {"destination": f"slack-webhook:{receiver.url(0)}", "targets": ["rule:peace-talks"]}
            ],
        )
        env, log = bot_env(app_database(tmp_path), config, BACKFILL="1"), tmp_path / "bot.log"
        procs = await asyncio.gather(
            start_bot(env, log, "--role", "poller"), start_bot(env, log, "--role", "dispatcher")
        )
        for _ in range(1200):  # a start imports the whole stack: slow on a loaded machine
            if len(receiver.posts) >= FEEDS or any(p.returncode is not None for p in procs):
                break
            await asyncio.sleep(0.1)
        codes = [await stop_bot(p, log, starts=2) for p in procs]  # SIGTERM once both are up
    await receiver.stop()

    assert codes == [0, 0], log.read_text()[-3000:]
    assert len(receiver.posts) == FEEDS  # each feed's newest item, alerted on its first poll
    assert set(receiver.posts.values()) == {1}
