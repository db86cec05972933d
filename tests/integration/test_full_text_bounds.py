"""Article (full-text) fetches are bounded per poll: pages that never finish cannot hold it."""

from __future__ import annotations

import asyncio
import io

import pytest
from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from tests.builders import PEACE, rss, teaser_feed, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")
ARTICLES = 12


async def test_hanging_article_pages_do_not_hold_the_poll(tmp_path):
    released = asyncio.Event()
    async with FeedServer() as server:
        server.add("/hostile.xml", teaser_feed(server.url(f"/page{n}") for n in range(ARTICLES)))
        server.add("/other.xml", rss([("o1", PEACE)], title="Other"))
        for n in range(ARTICLES):  # never complete unless released: only a deadline ends them
            server.gate(f"/page{n}", b"<html><body>" + b"x" * 4000 + b"</body></html>", released)
        settings = Settings(
            database_url=app_database(tmp_path),
            fetch_allow_private=["127.0.0.1/32"],
            fetch_timeout_seconds=3600,
            fetch_per_host=4,
            backfill=ARTICLES,
            metrics_port=None,
            full_text_seconds=0.5,
            full_text_per_poll=10,
            full_text_concurrency=3,
        )
        config = write_config(
            tmp_path / "config",
            [server.url("/hostile.xml"), server.url("/other.xml")],
            full_text=True,
        )
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        app = await App(settings, config_dir=config, extra_sinks={Platform.console: sink}).open()
        try:
            async with asyncio.timeout(120):  # a guard against hanging forever, not a speed check
                report = await app.poll_once()
            assert not released.is_set()
            assert len(report.alerts) == ARTICLES + 1  # every item alerted, from the feed's text
            pages = [server.hits[f"/page{n}"] for n in range(ARTICLES)]
            assert sum(pages) == 3  # three at once; the rest never started before the deadline
        finally:
            released.set()
            await app.close()


async def test_a_cancelled_poll_leaves_no_article_fetch_running(tmp_path):
    async with FeedServer() as server:
        server.hang("/page")
        item = (
            f"<item><title>{PEACE}</title><link>{server.url('/page')}</link><guid>h</guid>"
            "<description>teaser</description></item>"
        )
        server.add(
            "/feed.xml", f"<rss version='2.0'><channel><title>H</title>{item}</channel></rss>"
        )
        settings = Settings(
            database_url=app_database(tmp_path),
            fetch_allow_private=["127.0.0.1/32"],
            metrics_port=None,
            full_text_seconds=3600,
        )
        config = write_config(tmp_path / "config", [server.url("/feed.xml")], full_text=True)
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        app = await App(settings, config_dir=config, extra_sinks={Platform.console: sink}).open()
        try:
            poll = asyncio.create_task(app.poll_once())
            for _ in range(12_000):  # until the article fetch hangs (at most ~2 min)
                if server.hits["/page"]:
                    break
                await asyncio.sleep(0.01)
            assert server.hits["/page"]
            poll.cancel()
            with pytest.raises(asyncio.CancelledError):
                await poll
            fetching = [
                t
                for t in asyncio.all_tasks()
                if "_full_texts" in t.get_coro().__qualname__ and not t.done()
            ]
            assert fetching == []
        finally:
            await app.close()
