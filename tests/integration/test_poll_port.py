"""One suite for every PollStore: the memory poll store and the SQL store on SQLite and PostgreSQL.

Each test adds feeds and subscriptions the way its backend does, then speaks only the ports
(PollStore to poll, OutboxPort and AlertReader to see what a commit routed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Alert, DeliveryMode, Destination, Feed, Item, Platform, Subscription
from bot.ports import AlertReader, OutboxPort, PollRecord, PollStore, Unchanged
from bot.store.memory import MemorySubscriptions
from bot.store.memory_poll import MemoryPollStore
from bot.store.store import Store
from bot.text.story_match import StoryFacts
from tests.pg import create_pg_database, drop_pg_database, pg_problem

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)
A = Destination(platform=Platform.discord, address="111", workspace="g1")
B = Destination(platform=Platform.slack, address="C222", workspace="T1")


def same_title(a: StoryFacts, b: StoryFacts) -> bool:
    """Two reports are one story when their titles weigh the same words."""
    return a.title == b.title


@dataclass
class Backend:
    """A poll store under test, its outbox and alerts, and how to add feeds and subscribers."""

    poll: PollStore
    outbox: OutboxPort
    alerts: AlertReader
    memory: MemoryPollStore | None = None
    store: Store | None = None

    async def feed(self, url: str) -> Feed:
        if self.memory is not None:
            return self.memory.add_feed(url, now=T0)
        assert self.store is not None
        return await self.store.feeds.add(url, now=T0)

    async def subscribe(self, sub: Subscription) -> None:
        if self.memory is not None:
            self.memory.subscriptions.items.append(sub)
            return
        assert self.store is not None
        await self.store.subscriptions.upsert(sub, T0)

    async def state(self, feed_id: int) -> Feed:
        if self.memory is not None:
            return self.memory.feed(feed_id)
        assert self.store is not None
        found = await self.store.feeds.get(feed_id)
        assert found is not None
        return found


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    if request.param == "memory":
        memory = MemoryPollStore(same_title, subscriptions=MemorySubscriptions())
        yield Backend(memory, memory.outbox, memory.alerts, memory=memory)
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'poll.db'}"
    if request.param == "postgresql":
        if problem := pg_problem():
            pytest.skip(problem)
        url = await create_pg_database()
    store = await Store.open(url, same_title)
    try:
        yield Backend(store.ingest, store.outbox, store.alerts, store=store)
    finally:
        await store.close()
        if request.param == "postgresql":
            await drop_pg_database(url)


def item(feed: Feed, n: int, title: str | None = None) -> Item:
    return Item(feed_id=feed.id, identity=f"g{n}", title=title or f"Report {n}", link=f"/{n}")


def alert(feed: Feed, n: int, title: str | None = None, fingerprint: int | None = None) -> Alert:
    return Alert(
        feed_id=feed.id,
        item_identity=f"g{n}",
        title=title or f"Report {n}",
        link=f"https://a.example/{n}",
        fingerprint=fingerprint,
    )


def record(feed: Feed, owner: str, ns: list[int], **extra: object) -> PollRecord:
    return PollRecord(
        feed=feed,
        owner=owner,
        now=T0,
        next_at=LATER,
        items=tuple(item(feed, n) for n in ns),
        alerts=tuple(alert(feed, n) for n in ns),
        **extra,  # type: ignore[arg-type]
    )


async def claim(backend: Backend, owner: str, now: datetime = T0) -> list[int]:
    feeds = await backend.poll.claim_due(now=now, owner=owner, lease_seconds=60, limit=10)
    return [f.id for f in feeds]


async def pending(backend: Backend) -> dict[str, list[int]]:
    batches = await backend.outbox.claim(now=LATER, owner="d", lease_seconds=60)
    return {b[0].destination.key: [d.alert_id for d in b] for b in batches}


async def test_a_due_feed_is_leased_to_one_worker_until_its_lease_lapses(backend: Backend):
    feed = await backend.feed("https://a.example/rss")
    assert await claim(backend, "w1") == [feed.id]
    assert await claim(backend, "w2") == []
    assert await backend.poll.renew_leases([feed.id], owner="w2", until=LATER) == {feed.id}
    assert await backend.poll.renew_leases([feed.id], owner="w1", until=T0) == set()
    assert await claim(backend, "w2", T0 + timedelta(seconds=1)) == [feed.id]  # lapsed


async def test_a_commit_stores_each_item_once_and_routes_its_alerts(backend: Backend):
    feed = await backend.feed("https://a.example/rss")
    await backend.subscribe(Subscription(destination=A, target="*"))
    await backend.subscribe(Subscription(destination=B, target="*", mode=DeliveryMode.digest))
    await claim(backend, "w1")
    ids = await backend.poll.commit_poll(record(feed, "w1", [1, 2], etag='"v1"', body_hash="b1"))
    assert len(ids) == 2
    assert await backend.poll.unseen(feed.id, ["g1", "g2", "g3"]) == {"g3"}
    assert await pending(backend) == {A.key: ids}  # B waits for its digest
    stored = await backend.alerts.get_many(ids)
    assert [stored[i].title for i in ids] == ["Report 1", "Report 2"]
    state = await backend.state(feed.id)
    assert (state.etag, state.polls, state.next_poll_at) == ('"v1"', 1, LATER)
    assert state.body_hash == "b1"  # the body whose items are stored, as the next claim sees it
    [claimed] = await backend.poll.claim_due(now=LATER, owner="w1", lease_seconds=60, limit=10)
    assert claimed.body_hash == "b1"
    again = await backend.poll.commit_poll(record(feed, "w1", [2, 3]))
    assert len(again) == 1 and (await backend.alerts.get_many(again))[again[0]].title == "Report 3"


async def test_a_worker_that_lost_the_lease_writes_nothing(backend: Backend):
    feed = await backend.feed("https://a.example/rss")
    await backend.subscribe(Subscription(destination=A, target="*"))
    await claim(backend, "w1")
    assert await backend.poll.commit_poll(record(feed, "w2", [1], etag='"late"')) == []
    await backend.poll.record_failure(feed, owner="w2", now=T0, next_at=LATER, error="x")
    await backend.poll.record_unchanged([Unchanged(feed.id, T0, LATER)], owner="w2")
    state = await backend.state(feed.id)
    assert (state.etag, state.failures, state.polls, state.body_hash) == (None, 0, 0, None)
    assert await backend.poll.unseen(feed.id, ["g1"]) == {"g1"}
    assert await pending(backend) == {}


async def test_failures_and_304s_are_recorded_by_the_lease_holder(backend: Backend):
    feed = await backend.feed("https://a.example/rss")
    await claim(backend, "w1")
    await backend.poll.record_failure(
        feed, owner="w1", now=T0, next_at=LATER, error="HTTP 500", disable=True
    )
    state = await backend.state(feed.id)
    assert (state.failures, state.last_error, state.disabled) == (1, "HTTP 500", True)
    assert await claim(backend, "w1", LATER) == []  # disabled: never due
    other = await backend.feed("https://b.example/rss")
    await claim(backend, "w1")
    await backend.poll.record_unchanged([Unchanged(other.id, T0, LATER)], owner="w1")
    assert (await backend.state(other.id)).next_poll_at == LATER
    assert await claim(backend, "w2") == []  # released, and not due before LATER


async def test_a_second_outlet_joins_the_story_and_a_restamped_article_is_dropped(
    backend: Backend,
):
    first = await backend.feed("https://a.example/rss")
    second = await backend.feed("https://b.example/rss")
    await backend.subscribe(Subscription(destination=A, target="*"))
    await claim(backend, "w1")
    title = "Talks resume in Geneva"
    [root] = await backend.poll.commit_poll(
        PollRecord(
            feed=first,
            owner="w1",
            now=T0,
            next_at=LATER,
            items=(item(first, 1, title),),
            alerts=(alert(first, 1, title, fingerprint=7),),
        )
    )
    [follow] = await backend.poll.commit_poll(
        PollRecord(
            feed=second,
            owner="w1",
            now=T0,
            next_at=LATER,
            items=(item(second, 1, title),),
            alerts=(alert(second, 1, title, fingerprint=7),),
        )
    )
    stored = await backend.alerts.get_many([root, follow])
    assert stored[root].story_id is None and stored[follow].story_id == root
    await claim(backend, "w1", LATER)
    restamped = PollRecord(  # the first feed again: a new guid on the article it sent
        feed=first,
        owner="w1",
        now=LATER,
        next_at=LATER + timedelta(minutes=5),
        items=(item(first, 2, title),),
        alerts=(alert(first, 1, title, fingerprint=7).model_copy(update={"item_identity": "g2"}),),
    )
    assert await backend.poll.commit_poll(restamped) == []
    assert await backend.poll.unseen(first.id, ["g2"]) == set()  # the item is kept as seen
    assert await pending(backend) == {A.key: [root, follow]}
