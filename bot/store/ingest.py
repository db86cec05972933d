"""Record a successful poll in one transaction: new items, their alerts, and the outbox rows.

Items, alerts and deliveries commit together with the feed's new ETag, so a crash either
keeps all of them or none, and the next poll redoes the work: nothing lost, nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.models import Alert, DeliveryMode, Feed, Item, Subscription
from bot.ports import PollRecord, Unchanged
from bot.store.db import ALERT_LOCK
from bot.store.feeds import FeedStore
from bot.store.subscriptions import subscription_from_row
from bot.store.tables import alert_rules, alerts, deliveries, items, mentions, subscriptions

MAX_TEXT = 50_000
SameStory = Callable[[int, int], bool]


class IngestStore:
    """The pipeline's view of the store: claim feeds, check what is seen, commit polls."""

    def __init__(
        self,
        engine: AsyncEngine,
        feeds: FeedStore,
        same_story: SameStory,
        story_window: timedelta = timedelta(hours=48),
    ) -> None:
        self.engine = engine
        self.feeds = feeds
        self.same_story = same_story
        self.story_window = story_window

    async def claim_due(
        self, *, now: datetime, owner: str, lease_seconds: float, limit: int
    ) -> list[Feed]:
        return await self.feeds.claim_due(
            now=now, owner=owner, lease_seconds=lease_seconds, limit=limit
        )

    async def record_failure(
        self, feed: Feed, *, now: datetime, next_at: datetime, error: str, disable: bool = False
    ) -> None:
        await self.feeds.record_failure(
            feed, now=now, next_at=next_at, error=error, disable=disable
        )

    async def record_unchanged(self, entries: Sequence[Unchanged], *, owner: str) -> None:
        await self.feeds.record_unchanged(entries, owner=owner)

    async def unseen(self, feed_id: int, identities: Sequence[str]) -> set[str]:
        """The identities among `identities` that this feed has not stored yet."""
        wanted = set(identities)
        seen: set[str] = set()
        async with self.engine.connect() as conn:
            chunk = list(wanted)
            for start in range(0, len(chunk), 500):
                part = chunk[start : start + 500]
                query = select(items.c.identity).where(
                    items.c.feed_id == feed_id, items.c.identity.in_(part)
                )
                seen.update(r.identity for r in await conn.execute(query))
        return wanted - seen

    async def commit_poll(self, record: PollRecord) -> list[int]:
        """Store new items, alert on the matched ones, route them; return new alert ids."""
        async with self.engine.begin() as conn:
            inserted = await self._insert_items(conn, record.feed.id, record.items, record.now)
            await self.feeds.record_success(
                conn,
                record.feed,
                now=record.now,
                next_at=record.next_at,
                etag=record.etag,
                last_modified=record.last_modified,
                moved_to=record.moved_to,
                name=record.name,
            )
            alerts = [
                (inserted[a.item_identity], a) for a in record.alerts if a.item_identity in inserted
            ]
            if alerts and conn.dialect.name == "postgresql":
                # Alerts and their deliveries take ids in commit order: a channel's outbox head
                # (lowest pending id) can then never be overtaken by a later-committing alert.
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALERT_LOCK})
            created = [
                await self._insert_alert(conn, item_id, a, record.now) for item_id, a in alerts
            ]
        return created

    async def _insert_items(
        self, conn: AsyncConnection, feed_id: int, new: Sequence[Item], now: datetime
    ) -> dict[str, int]:
        if not new:
            return {}
        rows = [
            {
                "feed_id": feed_id,
                "identity": item.identity[:1000],
                "title": item.title,
                "link": (item.link or "")[:2000] or None,
                "summary": item.summary[:MAX_TEXT],
                "content": item.content[:MAX_TEXT],
                "published": item.published,
                "author": (item.author or "")[:300] or None,
                "source": item.source[:300],
                "seen_at": now,
            }
            for item in new
        ]
        dialect_insert: Any = (
            postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        )
        inserted: dict[str, int] = {}
        for start in range(0, len(rows), 500):  # one multi-row INSERT per 500 items
            stmt = (
                dialect_insert(items)
                .values(rows[start : start + 500])
                .on_conflict_do_nothing(index_elements=["feed_id", "identity"])
                .returning(items.c.id, items.c.identity)
            )
            inserted.update((got.identity, got.id) for got in await conn.execute(stmt))
        return inserted

    async def _insert_alert(
        self, conn: AsyncConnection, item_id: int, alert: Alert, now: datetime
    ) -> int:
        story_id = await self._find_story(conn, alert, now)
        result = await conn.execute(
            insert(alerts)
            .values(
                item_id=item_id,
                feed_id=alert.feed_id,
                title=alert.title,
                link=alert.link,
                source=alert.source[:300],
                published=alert.published,
                summary=alert.summary,
                quotes=[q.model_dump(mode="json") for q in alert.quotes],
                matches=alert.matches.model_dump(mode="json"),
                priority=alert.priority.value,
                fingerprint=alert.fingerprint,
                story_id=story_id,
                created_at=now,
            )
            .returning(alerts.c.id)
        )
        alert_id = int(result.scalar_one())
        if alert.matches.actors:
            await conn.execute(
                insert(mentions),
                [
                    {"alert_id": alert_id, "actor_id": a.actor_id, "at": now}
                    for a in alert.matches.actors
                ],
            )
        if alert.matches.rules:
            await conn.execute(
                insert(alert_rules),
                [
                    {"alert_id": alert_id, "rule_id": r.rule_id, "at": now}
                    for r in alert.matches.rules
                ],
            )
        await self._route(conn, alert_id, alert, now)
        return alert_id

    async def _find_story(self, conn: AsyncConnection, alert: Alert, now: datetime) -> int | None:
        """The first alert of the same story from another feed within the window, if any."""
        if alert.fingerprint is None:
            return None
        query = (
            select(alerts.c.id, alerts.c.fingerprint, alerts.c.story_id)
            .where(
                alerts.c.created_at >= now - self.story_window,
                alerts.c.fingerprint.is_not(None),
                alerts.c.feed_id != alert.feed_id,
            )
            .order_by(alerts.c.id)
        )
        for row in await conn.execute(query):
            if self.same_story(int(row.fingerprint), alert.fingerprint):
                return int(row.story_id or row.id)
        return None

    async def _route(
        self, conn: AsyncConnection, alert_id: int, alert: Alert, now: datetime
    ) -> None:
        targets = alert.matches.targets() | {"*"}
        query = select(subscriptions).where(
            subscriptions.c.target.in_(sorted(targets)), subscriptions.c.paused.is_(False)
        )
        chosen: dict[tuple[str, str], Subscription] = {}
        for row in await conn.execute(query):
            sub = subscription_from_row(row)
            key = (sub.destination.platform.value, sub.destination.address)
            if sub.wants(alert.priority) and (
                key not in chosen or chosen[key].mode is DeliveryMode.digest  # instant wins
            ):
                chosen[key] = sub
        if not chosen:
            return
        await conn.execute(
            insert(deliveries),
            [
                {
                    "alert_id": alert_id,
                    "platform": sub.destination.platform.value,
                    "address": sub.destination.address,
                    "workspace": sub.destination.workspace,
                    "status": "held" if sub.mode is DeliveryMode.digest else "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "mention_role": sub.mention_role,
                    "created_at": now,
                }
                for sub in chosen.values()
            ],
        )
