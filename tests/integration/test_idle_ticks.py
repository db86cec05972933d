"""An idle bot's ticks ask the store nothing until a feed or a delivery is due (or it is time
to look again for other processes' changes); then they poll and send as before."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import event

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.policy.wake import tick_needed
from bot.runtime.app import App
from tests.builders import PEACE, UNRELATED, Clock, rss, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
RECHECK = timedelta(seconds=10)


def test_a_tick_asks_when_work_is_due_or_the_last_look_is_old() -> None:
    assert tick_needed(T0, None, None, RECHECK)  # never looked
    assert not tick_needed(T0, None, T0, RECHECK)  # nothing waiting, looked just now
    assert not tick_needed(T0, T0 + timedelta(seconds=5), T0, RECHECK)
    assert tick_needed(T0 + timedelta(seconds=5), T0 + timedelta(seconds=5), T0, RECHECK)
    assert tick_needed(T0 + RECHECK, None, T0, RECHECK)  # other processes' changes


class Statements:
    """Counts the SQL statements the app's engine runs."""

    def __init__(self, app: App) -> None:
        self.count = 0
        event.listen(app.store.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


async def test_idle_ticks_skip_the_store_until_a_feed_is_due_or_the_look_is_old(
    tmp_path: Path,
) -> None:
    clock = Clock(T0)
    out = io.StringIO()
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("old", UNRELATED[0])]))
        config = write_config(tmp_path / "config", [server.url("/feed.xml")], interval=60)
        settings = Settings(
            database_url=app_database(tmp_path),
            fetch_allow_private=["127.0.0.1/32"],
            metrics_port=None,
            idle_recheck_seconds=10,
        )
        sink = ConsoleSink(Console(file=out, width=120, highlight=False))
        app = App(settings, clock=clock, config_dir=config, extra_sinks={Platform.console: sink})
        await app.open()
        try:
            sql = Statements(app)
            assert (await app.poll_tick()) is not None  # the first tick polls
            assert server.hits["/feed.xml"] == 1
            assert (await app.dispatch_tick()) is not None

            before = sql.count
            clock.now += timedelta(seconds=5)
            assert await app.poll_tick() is None
            assert await app.dispatch_tick() is None
            assert sql.count == before  # idle: not one statement
            assert app.last_done["poll"] == app.last_done["dispatch"] == clock.now

            clock.now += timedelta(seconds=6)  # the recheck: the store is asked, nothing is due
            assert (await app.poll_tick()) is not None
            assert sql.count > before and server.hits["/feed.xml"] == 1

            server.add("/feed.xml", rss([("old", UNRELATED[0]), ("new", PEACE)]))
            clock.now = T0 + timedelta(seconds=61)  # the feed's interval has passed
            report = await app.poll_tick()
            assert report is not None and server.hits["/feed.xml"] == 2
            assert len(report.alerts) == 1
            assert (await app.dispatch_tick()) is not None  # its last look is old: it sends
            assert PEACE in out.getvalue()
        finally:
            await app.close()
