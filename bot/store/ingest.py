"""Record a successful poll in one transaction: new items, their alerts, and the outbox rows.

Items, alerts and deliveries commit together with the feed's new ETag, so a crash either
keeps all of them or none, and the next poll redoes the work: nothing lost, nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.models import Alert, DeliveryMode, Feed, Item, Subscription
from bot.policy.routing import route
from bot.ports import PollRecord, Unchanged
from bot.store.db import ALERT_LOCK
from bot.store.feeds import FeedStore
from bot.store.story_window import SameStory, StoryWindow
from bot.store.subscriptions import subscription_from_row
from bot.store.tables import alert_rules, alerts, deliveries, items, mentions, subscriptions

log = logging.getLogger(__name__)

MAX_TEXT = 50_000


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
        self.stories = StoryWindow(same_story, story_window)

    async def claim_due(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        limit: int,
        due_by: datetime | None = None,
    ) -> list[Feed]:
        return await self.feeds.claim_due(
            now=now, owner=owner, lease_seconds=lease_seconds, limit=limit, due_by=due_by
        )

    async def record_failure(
        self,
        feed: Feed,
        *,
        owner: str,
        now: datetime,
        next_at: datetime,
        error: str,
        disable: bool = False,
    ) -> None:
        await self.feeds.record_failure(
            feed, owner=owner, now=now, next_at=next_at, error=error, disable=disable
        )

    async def renew_leases(
        self, feed_ids: Sequence[int], *, owner: str, until: datetime
    ) -> set[int]:
        return await self.feeds.renew_leases(feed_ids, owner=owner, until=until)

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
        described = {item.identity: item.summary for item in record.items}
        facts = dict(
            zip(
                (a.item_identity for a in record.alerts),
                self.stories.facts(
                    record.alerts,
                    record.now,
                    [described.get(a.item_identity, "") for a in record.alerts],
                ),
                strict=True,
            )
        )
        routing: dict[str, list[Subscription]] = {}
        if record.alerts:  # read before the write transaction: the writer is not held meanwhile
            async with self.engine.connect() as conn:
                found = await self._routes(conn, record.alerts)
            routing = dict(zip((a.item_identity for a in record.alerts), found, strict=True))
        async with self.engine.begin() as conn:
            # First, and fenced by the lease: a poll that lost its feed to another worker writes
            # nothing (that worker's poll stands), so no ETag or schedule goes back in time.
            held = await self.feeds.record_success(
                conn,
                record.feed,
                owner=record.owner,
                now=record.now,
                next_at=record.next_at,
                etag=record.etag,
                last_modified=record.last_modified,
                moved_to=record.moved_to,
                name=record.name,
                warning=record.warning,
                body_hash=record.body_hash,
            )
            if not held:
                log.warning(
                    "feed %d: lease taken by another worker; this poll's result is dropped",
                    record.feed.id,
                )
                return []
            inserted = await self._insert_items(conn, record.feed.id, record.items, record.now)
            new = [
                (inserted[a.item_identity], a) for a in record.alerts if a.item_identity in inserted
            ]
            if not new:
                return []
            routes = [routing[a.item_identity] for _, a in new]
            if conn.dialect.name == "postgresql":
                # Alerts and their deliveries take ids in commit order: a channel's outbox head
                # (lowest pending id) can then never be overtaken by a later-committing alert.
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ALERT_LOCK})
            stories = await self.stories.stories(
                conn, [a for _, a in new], record.now, [facts[a.item_identity] for _, a in new]
            )
            repeats = await self.stories.repeats(conn, [a for _, a in new])
            if any(repeats):
                log.info(
                    "feed %d: %d item(s) repeat an alert it sent (a new id on the same article)",
                    record.feed.id,
                    sum(repeats),
                )
                kept = [i for i, repeat in enumerate(repeats) if not repeat]
                new, routes = [new[i] for i in kept], [routes[i] for i in kept]
                stories = [stories[i] for i in kept]
                if not new:
                    return []
            return await self._insert_alerts(conn, new, stories, routes, record.now)

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
        # Rows as parameters, not in the statement: its SQL is then compiled once and cached
        # (the driver still gets one multi-row INSERT per batch: SQLAlchemy's insertmanyvalues).
        stmt = (
            dialect_insert(items)
            .on_conflict_do_nothing(index_elements=["feed_id", "identity"])
            .returning(items.c.id, items.c.identity)
        )
        inserted: dict[str, int] = {}
        for start in range(0, len(rows), 500):
            got_rows = await conn.execute(stmt, rows[start : start + 500])
            inserted.update((got.identity, got.id) for got in got_rows)
        return inserted

    async def _insert_alerts(
        self,
        conn: AsyncConnection,
        new: Sequence[tuple[int, Alert]],
        stories: Sequence[int | None],
        routes: Sequence[Sequence[Subscription]],
        now: datetime,
    ) -> list[int]:
        """Insert the alerts, their mentions, rules and deliveries: four statements in all."""
        rows = [
            {
                "item_id": item_id,
                "feed_id": alert.feed_id,
                "title": alert.title,
                "link": alert.link,
                "source": alert.source[:300],
                "published": alert.published,
                "summary": alert.summary,
                "quotes": [q.model_dump(mode="json") for q in alert.quotes],
                "matches": alert.matches.model_dump(mode="json"),
                "priority": alert.priority.value,
                "fingerprint": alert.fingerprint,
                "story_id": story,
                "created_at": now,
            }
            for (item_id, alert), story in zip(new, stories, strict=True)
        ]
        result = await conn.execute(
            insert(alerts).returning(alerts.c.id, sort_by_parameter_order=True), rows
        )
        ids = [int(i) for i in result.scalars()]
        placed = list(zip(ids, (a for _, a in new), routes, strict=True))
        mention_rows = [
            {"alert_id": i, "actor_id": m.actor_id, "at": now}
            for i, a, _ in placed
            for m in a.matches.actors
        ]
        rule_rows = [
            {"alert_id": i, "rule_id": r.rule_id, "at": now}
            for i, a, _ in placed
            for r in a.matches.rules
        ]
        delivery_rows = [_delivery_row(i, sub, now) for i, _, subs in placed for sub in subs]
        for table, table_rows in (
            (mentions, mention_rows),
            (alert_rules, rule_rows),
            (deliveries, delivery_rows),
        ):
            if table_rows:
                await conn.execute(insert(table), table_rows)
        return ids

    async def _routes(
        self, conn: AsyncConnection, new: Sequence[Alert]
    ) -> list[list[Subscription]]:
        """Each alert's subscriptions (policy.routing decides; this reads the candidates)."""
        targets = set().union(*(a.matches.targets() for a in new)) | {"*"}
        query = select(subscriptions).where(
            subscriptions.c.target.in_(sorted(targets)), subscriptions.c.paused.is_(False)
        )
        subs = [subscription_from_row(row) for row in await conn.execute(query)]
        return [route(alert, subs) for alert in new]


def _delivery_row(alert_id: int, sub: Subscription, now: datetime) -> dict[str, Any]:
    return {
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
