"""A poll keeps its feed's lease while it runs, and a poll that lost it writes nothing.

The feed's body is held half-sent until the test releases it, so the poll outlives its lease
for as long as the test likes; the test's clock decides what "lapsed" means, so no assertion
depends on how fast this machine is.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.store.tables import feeds, items
from tests.builders import PEACE, rss
from tests.fakes.feed_server import FeedServer
from tests.integration.test_pipeline import Clock, _app

pytestmark = pytest.mark.usefixtures("app_db_url")


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _lease(app) -> tuple[str | None, object]:
    async with app.store.engine.connect() as conn:
        row = (await conn.execute(select(feeds.c.lease_owner, feeds.c.lease_until))).one()
    return row.lease_owner, row.lease_until


async def _items(app) -> int:
    async with app.store.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(items))).scalar_one()


async def _until(check, what: str, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _held_poll(tmp_path: Path, server: FeedServer, clock: Clock):
    released = asyncio.Event()
    server.gate("/feed.xml", rss([("a", PEACE), ("b", "Other news")]).encode(), released)
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"], lease_seconds=1.0)
    poll = asyncio.create_task(app.pipeline.poll_due())

    async def claimed() -> bool:
        return (await _lease(app))[0] == app.owner

    await _until(claimed, "the poll to claim the feed")
    return app, poll, released


async def test_a_poll_that_outlives_its_lease_renews_it_and_commits(tmp_path, server, clock):
    app, poll, released = await _held_poll(tmp_path, server, clock)
    try:
        clock.advance(3600)  # by the store's clock the first lease is long gone

        async def renewed() -> bool:
            owner, until = await _lease(app)
            return owner == app.owner and until is not None and until > clock.now

        await _until(renewed, "the lease to be renewed while the poll runs")
        taken = await app.store.ingest.claim_due(
            now=clock.now + timedelta(seconds=0.1), owner="other", lease_seconds=60, limit=10
        )
        assert taken == []  # nobody else polls it meanwhile
        released.set()
        report = await poll
        assert report.polled == 1 and report.failed == 0 and await _items(app) == 2
        assert (await _lease(app))[0] is None
    finally:
        released.set()
        await app.close()


async def test_a_poll_whose_feed_another_worker_took_stops_and_writes_nothing(
    tmp_path, server, clock
):
    app, poll, released = await _held_poll(tmp_path, server, clock)
    try:
        async with app.store.engine.begin() as conn:  # what a claim by another worker leaves
            await conn.execute(update(feeds).values(lease_owner="other"))
        report = await asyncio.wait_for(poll, 30)  # stops at its next renewal, not at release
        assert report.polled == 0 and await _items(app) == 0
        assert (await _lease(app))[0] == "other"
    finally:
        released.set()
        await app.close()


async def test_a_commit_after_the_lease_was_taken_is_dropped(tmp_path, server, clock):
    from bot.ports import PollRecord

    server.add("/feed.xml", rss([("a", PEACE)]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        [feed] = await app.store.ingest.claim_due(
            now=clock.now, owner="w1", lease_seconds=60, limit=1
        )
        clock.advance(120)
        [again] = await app.store.ingest.claim_due(
            now=clock.now, owner="w2", lease_seconds=60, limit=1
        )
        record = PollRecord(feed=feed, owner="w1", now=clock.now, next_at=clock.now)
        assert await app.store.ingest.commit_poll(record) == []
        taken = await app.store.ingest.renew_leases([feed.id], owner="w1", until=clock.now)
        assert taken == {feed.id}
        await app.store.ingest.record_failure(
            feed, owner="w1", now=clock.now, next_at=clock.now, error="late"
        )
        owner, _ = await _lease(app)
        async with app.store.engine.connect() as conn:
            polls, error = (await conn.execute(select(feeds.c.polls, feeds.c.last_error))).one()
        assert owner == "w2" and polls == again.polls and error is None
    finally:
        await app.close()


def test_dead_local_owners_are_this_hosts_gone_processes_only() -> None:
    from bot.runtime.app import dead_local_owners

    alive = {100, 200}.__contains__
    owners = ["h:100", "h:300", "h:abc", "other:300", "h:", "h:٣"]
    assert dead_local_owners(owners, "h:", alive) == ["h:300"]


async def test_a_restart_with_the_default_worker_id_frees_its_dead_predecessors_leases(
    tmp_path, server, clock
):
    import socket
    import sys

    server.add("/feed.xml", rss([("a", PEACE)]))
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()  # its pid now names no process (until reused, which would be unlucky)
    dead = f"{socket.gethostname()}:{gone.pid}"
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        assert await app.store.ingest.claim_due(
            now=clock.now, owner=dead, lease_seconds=600, limit=1
        )
    finally:
        await app.close()
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])  # the next start, same host
    try:
        assert (await _lease(app))[0] is None
        assert (await app.poll_once()).polled == 1
    finally:
        await app.close()
