"""/healthz tells the truth now: database, feeds, backlog and ticks, each a named check."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from bot.runtime.ops import OpsServer
from tests.builders import PEACE, Clock, rss, write_config
from tests.fakes.feed_server import FeedServer
from tests.fakes.tcp_proxy import TcpProxy
from tests.pg import create_pg_database, drop_pg_database, pg_problem

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def running(tmp_path: Path):
    clock = Clock(START)
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("a1", PEACE)]))
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/bot.db",
            fetch_allow_private=["127.0.0.1/32"],
            metrics_port=None,
        )
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        app = await App(
            settings, clock=clock, config_dir=config, extra_sinks={Platform.console: sink}
        ).open()
        app.watch_health("all")
        ops = OpsServer(app.metrics, app.health, "127.0.0.1", 0)
        await ops.start()
        try:
            yield app, ops, server, clock, tmp_path / "bot.db"
        finally:
            await ops.stop()
            await app.close()


async def _health(ops: OpsServer) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{ops.port}/healthz") as resp,
    ):
        return resp.status, await resp.json()


async def test_ok_only_while_everything_works(running):
    app, ops, _server, _clock, _db = running
    await app.poll_once()
    await app.dispatch_once()
    status, body = await _health(ops)
    assert (status, body["status"], body["failing"]) == (200, "ok", [])
    names = [c["name"] for c in body["checks"]]
    assert names == ["database", "feeds", "backlog", "poll", "dispatch"]
    assert body["role"] == "all"


async def test_every_feed_failing_is_not_ok(running):
    app, ops, server, _clock, _db = running
    server.fail("/feed.xml", 500)
    await app.poll_once()
    await app.dispatch_once()
    status, body = await _health(ops)
    assert status == 503 and body["failing"] == ["feeds"]


async def test_a_backlog_and_stale_ticks_show_now(running):
    app, ops, _server, clock, _db = running
    report = await app.poll_once()  # alerts queued for the console, never dispatched
    assert report.alerts
    clock.now += timedelta(minutes=15)
    status, body = await _health(ops)
    assert status == 503 and set(body["failing"]) == {"backlog", "poll", "dispatch"}
    backlog = next(c for c in body["checks"] if c["name"] == "backlog")
    assert backlog["pending"] == backlog["overdue"] == len(report.alerts)


async def test_a_corrupted_database_is_not_ok(running):
    app, ops, _server, _clock, db = running
    await app.poll_once()
    await app.dispatch_once()
    await app.store.engine.dispose()  # pooled connections would still hold the old pages
    with db.open("r+b") as f:
        f.write(b"\x00" * 4096 * 4)
    status, body = await _health(ops)
    assert status == 503 and "database" in body["failing"]
    database = next(c for c in body["checks"] if c["name"] == "database")
    assert "database" in database["detail"].lower() or "malformed" in database["detail"]


async def test_postgresql_down_is_not_ok(tmp_path):
    if problem := pg_problem():
        pytest.skip(problem)
    url = await create_pg_database()
    proxy = TcpProxy(int(url.split("@127.0.0.1:", 1)[1].split("/", 1)[0]))
    await proxy.start()
    through = proxy.through(url)
    config = write_config(tmp_path / "config", [])
    settings = Settings(database_url=through, metrics_port=None)
    app = await App(settings, config_dir=config).open()
    app.watch_health("all")
    ops = OpsServer(app.metrics, app.health, "127.0.0.1", 0)
    await ops.start()
    try:
        await app.poll_once()
        await app.dispatch_once()
        assert (await _health(ops))[0] == 200
        await proxy.stop()
        status, body = await _health(ops)
        assert status == 503 and "database" in body["failing"]
    finally:
        await ops.stop()
        with contextlib.suppress(Exception):
            await app.close()
        await drop_pg_database(url)
