"""One suite for every OutboxPort: the memory outbox and the SQL store on SQLite and PostgreSQL.

Each test enqueues alerts 1..n for some destinations the way its backend does it (routing a
committed poll for SQL, `enqueue` for memory) and then speaks only the port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Alert, Destination, Item, Platform, Subscription
from bot.ports import OutboxPort, PollRecord
from bot.store.memory import MemoryOutbox
from bot.store.store import Store
from tests.pg import create_pg_database, drop_pg_database, pg_problem

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
A = Destination(platform=Platform.discord, address="111", workspace="g1")
B = Destination(platform=Platform.slack, address="C222", workspace="T1")


@dataclass
class Backend:
    """An outbox under test and how to fill it."""

    outbox: OutboxPort
    store: Store | None = None

    async def enqueue(self, n: int, dests: Sequence[Destination]) -> None:
        """Alerts 1..n, each bound for every destination in `dests`."""
        if isinstance(self.outbox, MemoryOutbox):
            for alert_id in range(1, n + 1):
                for dest in dests:
                    self.outbox.enqueue(alert_id, dest, now=T0)
            return
        assert self.store is not None
        feed = await self.store.feeds.add("https://a.example/rss", now=T0)
        for dest in dests:
            await self.store.subscriptions.upsert(Subscription(destination=dest, target="*"), T0)
        await self.store.ingest.commit_poll(
            PollRecord(
                feed=feed,
                owner="w1",
                now=T0,
                next_at=T0 + timedelta(minutes=5),
                items=tuple(
                    Item(feed_id=feed.id, identity=f"g{i}", title=f"T{i}") for i in range(1, n + 1)
                ),
                alerts=tuple(
                    Alert(feed_id=feed.id, item_identity=f"g{i}", title=f"T{i}")
                    for i in range(1, n + 1)
                ),
            )
        )


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        yield Backend(MemoryOutbox())
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'outbox.db'}"
    if request.param == "postgresql":
        if problem := pg_problem():
            pytest.skip(problem)
        url = await create_pg_database()
    store = await Store.open(url, lambda a, b: a == b)
    try:
        yield Backend(store.outbox, store)
    finally:
        await store.close()
        if request.param == "postgresql":
            await drop_pg_database(url)


def _ids(batches: list[list]) -> dict[str, list[int]]:
    return {b[0].destination.key: [d.alert_id for d in b] for b in batches}


async def test_order_per_destination_holds_through_retries_and_releases(backend: Backend):
    await backend.enqueue(3, [A, B])
    out = backend.outbox
    batches = await out.claim(now=T0, owner="d1", lease_seconds=30)
    assert _ids(batches) == {A.key: [1, 2, 3], B.key: [1, 2, 3]}
    assert await out.claim(now=T0, owner="d2", lease_seconds=30) == []  # all leased
    a = next(b for b in batches if b[0].destination == A)
    await out.mark_sent([a[0].id], "m1", T0)
    await out.retry_later(a[1].id, "429", T0 + timedelta(seconds=60))
    await out.release([a[2].id])
    # the failed head holds the destination's later delivery back until its retry time
    blocked = await out.claim(now=T0 + timedelta(seconds=31), owner="d2", lease_seconds=30)
    assert A.key not in _ids(blocked) and _ids(blocked)[B.key] == [1, 2, 3]
    ready = await out.claim(now=T0 + timedelta(seconds=62), owner="d2", lease_seconds=30)
    again = next(b for b in ready if b[0].destination == A)
    assert [d.alert_id for d in again] == [2, 3] and again[0].attempts == 1
    assert not any(d.maybe_sent for d in again)  # a result or a release ended each claim


async def test_a_lapsed_lease_marks_its_deliveries_maybe_sent(backend: Backend):
    await backend.enqueue(2, [A])
    out = backend.outbox
    await out.claim(now=T0, owner="died", lease_seconds=30)
    [taken] = await out.claim(now=T0 + timedelta(seconds=31), owner="d2", lease_seconds=30)
    assert [d.alert_id for d in taken] == [1, 2] and all(d.maybe_sent for d in taken)
    assert all(d.claims == 2 and d.attempts == 0 for d in taken)


async def test_claim_filters_and_limits(backend: Backend):
    await backend.enqueue(3, [A, B])
    out = backend.outbox
    only_slack = await out.claim(
        now=T0, owner="d", lease_seconds=30, platforms={Platform.slack}, per_destination=2
    )
    assert _ids(only_slack) == {B.key: [1, 2]}
    just_a = await out.claim(now=T0, owner="d", lease_seconds=30, destination=A)
    assert _ids(just_a) == {A.key: [1, 2, 3]}
    # B's head is leased: its third delivery waits for B's sender, not for another one
    assert await out.claim(now=T0, owner="d", lease_seconds=30) == []


async def test_failures_of_a_destination_and_of_one_delivery(backend: Backend):
    await backend.enqueue(2, [A, B])
    out = backend.outbox
    assert await out.fail(A, "Unknown Channel", T0) == 2
    [b] = await out.claim(now=T0, owner="d", lease_seconds=30)
    await out.fail_these([b[0].id], "refused", T0)  # only this one; the next still goes
    await out.release([b[1].id])
    [rest] = await out.claim(now=T0, owner="d", lease_seconds=30)
    assert [d.alert_id for d in rest] == [2] and rest[0].destination == B
    counts = await backend_counts(backend)
    assert counts == {"failed": 3, "pending": 1}


async def test_thread_root_is_known_only_once_sent(backend: Backend):
    await backend.enqueue(1, [A])
    out = backend.outbox
    assert await out.thread_for(1, A) is None
    [[first]] = await out.claim(now=T0, owner="d", lease_seconds=30)
    assert await out.thread_for(1, A) is None
    await out.mark_sent([first.id], "msg-1", T0)
    assert await out.thread_for(1, A) == "msg-1"
    assert await out.thread_for(1, B) is None


async def backend_counts(backend: Backend) -> dict[str, int]:
    if isinstance(backend.outbox, MemoryOutbox):
        return await backend.outbox.counts()
    assert backend.store is not None
    return await backend.store.outbox.counts()
