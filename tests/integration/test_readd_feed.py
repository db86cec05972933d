"""A feed removed and added again does not alert what it already alerted."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from tests.builders import DONBAS, PEACE, Clock, rss, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def test_re_adding_a_removed_feed_does_not_alert_its_items_again(tmp_path):
    clock = Clock(START)
    items = [("a1", PEACE), ("a2", DONBAS)]
    async with FeedServer() as server:
        url = server.url("/feed.xml")
        server.add("/feed.xml", rss(items))
        settings = Settings(
            database_url=app_database(tmp_path),
            fetch_allow_private=["127.0.0.1/32"],
            backfill=5,
            metrics_port=None,
        )
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        config = write_config(tmp_path / "config", [url])
        app = await App(
            settings, clock=clock, config_dir=config, extra_sinks={Platform.console: sink}
        ).open()
        try:
            first = await app.poll_once()
            assert len(first.alerts) == 2
            [feed] = await app.store.feeds.all()
            assert await app.store.feeds.remove(feed.id, now=clock(), by="admin")
            await app.store.feeds.add(url, now=clock(), added_by="admin")
            clock.now += timedelta(minutes=10)
            again = await app.poll_once()
            assert again.polled == 1 and again.alerts == []
            server.add("/feed.xml", rss([*items, ("a3", f"{PEACE} again")]))
            clock.now += timedelta(minutes=10)
            newer = await app.poll_once()
            assert len(newer.alerts) == 1  # what is new since still alerts
        finally:
            await app.close()
