"""Rule matching (RE2 regexes over up to 200 KB per item) never runs on the event loop."""

from __future__ import annotations

import io
import threading

import pytest
from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Item, MatchResult, Platform
from bot.runtime.app import App
from tests.builders import PEACE, rss, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")


class NotingThreads:
    """The live catalog, noting which thread each real match runs on."""

    def __init__(self, live) -> None:
        self.live = live
        self.threads: list[threading.Thread] = []

    @property
    def matcher(self) -> NotingThreads:
        return self

    @property
    def actors(self):
        return self.live.actors

    def match(self, item: Item) -> MatchResult:
        self.threads.append(threading.current_thread())
        return self.live.matcher.match(item)


async def test_poll_matches_items_off_the_event_loop(tmp_path):
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("a1", PEACE), ("a2", "Unrelated sports news")]))
        settings = Settings(
            database_url=app_database(tmp_path),
            fetch_allow_private=["127.0.0.1/32"],
            backfill=5,
            metrics_port=None,
        )
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        app = await App(settings, config_dir=config, extra_sinks={Platform.console: sink}).open()
        try:
            noting = NotingThreads(app.catalog)
            app.pipeline.catalog = noting
            report = await app.poll_once()
            assert len(report.alerts) == 1  # the real rules matched the one relevant item
            assert len(noting.threads) == 2
            assert threading.main_thread() not in noting.threads
        finally:
            await app.close()
