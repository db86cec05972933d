"""What a follow-up is compared with: the story's first alert and its latest follow-ups only,
the same on the memory store and on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.models import Alert, Item
from bot.ports import STORY_SO_FAR, PollRecord
from bot.store.memory import MemoryAlerts
from bot.store.store import Store
from bot.store.tables import alerts

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
N = STORY_SO_FAR + 15  # the first alert and more follow-ups than are compared


def expected(before: int) -> list[str]:
    later = [f"T{i}" for i in range(2, before)]
    return ["T1", *later[-STORY_SO_FAR:]]


async def test_memory_store_keeps_the_first_and_the_latest() -> None:
    store = MemoryAlerts()
    for i in range(1, N + 1):
        store.add(
            Alert(feed_id=1, item_identity=f"g{i}", title=f"T{i}", story_id=None if i == 1 else 1)
        )
    assert [a.title for a in await store.story_so_far(1, N)] == expected(N)
    assert [a.title for a in await store.story_so_far(1, 5)] == expected(5)


async def test_sql_store_keeps_the_first_and_the_latest(db_url: str) -> None:
    store = await Store.open(db_url, lambda a, b: False)
    try:
        feed = await store.feeds.add("https://a.example/rss", now=T0)
        items = tuple(
            Item(feed_id=feed.id, identity=f"g{i}", title=f"T{i}") for i in range(1, N + 1)
        )
        await store.ingest.commit_poll(
            PollRecord(
                feed=feed,
                owner="w1",
                now=T0,
                next_at=T0 + timedelta(minutes=5),
                items=items,
                alerts=tuple(
                    Alert(feed_id=feed.id, item_identity=i.identity, title=i.title) for i in items
                ),
            )
        )
        async with store.engine.begin() as conn:  # one story: alert 1 and its follow-ups
            await conn.execute(update(alerts).where(alerts.c.id > 1).values(story_id=1))
        assert [a.title for a in await store.alerts.story_so_far(1, N)] == expected(N)
        assert [a.title for a in await store.alerts.story_so_far(1, 5)] == expected(5)
    finally:
        await store.close()
