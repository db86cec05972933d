"""PostgreSQL goes away while posts are in flight to a slow receiver: nothing lost, none twice.

The receiver has stored each channel's first post and holds its answer; the database is cut
(a TCP proxy in front of PostgreSQL, the machine's server untouched) and the answers come
back: the posts succeeded but cannot be recorded. Before, their leases lapsed and they were
claimed and posted again once the database was back: one duplicate per channel.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.runtime.app import App
from tests.builders import PEACE, Clock, rss, write_config
from tests.conftest import PENDING, query
from tests.fakes.feed_server import FeedServer
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.pg import create_pg_database, drop_pg_database, pg_problem

CHANNELS = 3
ITEMS = 2


async def test_posts_answered_while_postgresql_is_down_are_recorded_not_sent_again(
    tmp_path: Path,
):
    if problem := pg_problem():
        pytest.skip(problem)
    url = await create_pg_database()
    proxy = TcpProxy(int(url.split("@127.0.0.1:", 1)[1].split("/", 1)[0]))
    await proxy.start()
    receiver = WebhookReceiver()
    await receiver.start()
    clock = Clock()
    app: App | None = None
    try:
        async with FeedServer() as server:
            server.add("/feed.xml", rss([(f"i{n}", f"{PEACE} ({n})") for n in range(ITEMS)]))
            subs = [
                {"destination": f"slack-webhook:{receiver.url(c)}", "targets": ["rule:peace-talks"]}
                for c in range(CHANNELS)
            ]
            config = write_config(
                tmp_path / "config", [server.url("/feed.xml")], subscriptions=subs
            )
            settings = Settings(
                database_url=proxy.through(url),
                fetch_allow_private=["127.0.0.1/32"],
                metrics_port=None,
                backfill=ITEMS,
                lease_seconds=30,
            )
            app = await App(settings, clock=clock, config_dir=config).open()
            assert len((await app.poll_once()).alerts) == ITEMS

            receiver.hold = asyncio.Event()
            sending = asyncio.create_task(app.dispatch_once())
            for _ in range(1200):  # every channel's first post stored, its answer held
                if len(receiver.posts) >= CHANNELS or sending.done():
                    break
                await asyncio.sleep(0.05)
            assert len(receiver.posts) == CHANNELS, receiver.posts

            proxy.cut()  # the outage: the answers arrive, the database is gone
            receiver.hold.set()
            with contextlib.suppress(Exception):
                await sending
            with pytest.raises(Exception):  # noqa: B017 - whichever error the driver raises
                await app.dispatch_once()
            assert proxy.refused  # the bot really tried the database during the outage

            proxy.restore()
            clock.now += timedelta(seconds=settings.lease_seconds + 1)  # every lease lapsed
            for _ in range(20):  # the first statement on a dropped pooled connection fails
                with contextlib.suppress(Exception):
                    await app.dispatch_once()
                    if await query(url, PENDING) == [(0,)]:
                        break
                clock.now += timedelta(seconds=60)
        assert await query(url, PENDING) == [(0,)]
        assert len(receiver.posts) == CHANNELS * ITEMS  # nothing lost
        assert max(receiver.posts.values()) == 1, receiver.posts  # nothing twice
    finally:
        if app is not None:
            with contextlib.suppress(Exception):
                await app.close()
        await receiver.stop()
        await proxy.stop()
        await drop_pg_database(url)
