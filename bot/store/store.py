"""One handle on the database: the engine and every table group's queries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.alerts import AlertStore
from bot.store.audit import AuditStore
from bot.store.catalog import CatalogStore
from bot.store.db import create_engine, migrate
from bot.store.digests import DigestStore
from bot.store.feeds import FeedStore
from bot.store.health import HealthStore
from bot.store.ingest import IngestStore
from bot.store.outbox import OutboxStore
from bot.store.relevance import RelevanceStore
from bot.store.story_window import SameStory
from bot.store.subscriptions import SubscriptionStore
from bot.store.tables import deliveries, feeds
from bot.store.timeline import TimelineStore


class Store:
    """Opens the database (migrating it to head) and groups the queries by concept."""

    def __init__(
        self,
        engine: AsyncEngine,
        same_story: SameStory,
        story_window: timedelta = timedelta(hours=48),
    ) -> None:
        self.engine = engine
        self.feeds = FeedStore(engine)
        self.ingest = IngestStore(engine, self.feeds, same_story, story_window)
        self.outbox = OutboxStore(engine)
        self.subscriptions = SubscriptionStore(engine)
        self.catalog = CatalogStore(engine)
        self.alerts = AlertStore(engine)
        self.audit = AuditStore(engine)
        self.digests = DigestStore(engine)
        self.health = HealthStore(engine)
        self.relevance = RelevanceStore(engine)
        self.timeline = TimelineStore(engine)

    @classmethod
    async def open(cls, url: str, same_story: SameStory) -> Store:
        engine = create_engine(url)
        await migrate(engine)
        return cls(engine, same_story)

    async def release_leases(self, owner: str) -> None:
        """Free what a previous run of this worker had claimed when it died."""
        async with self.engine.begin() as conn:
            for table in (feeds, deliveries):
                await conn.execute(
                    update(table)
                    .where(table.c.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None)
                )

    async def lease_owners(self, prefix: str) -> set[str]:
        """Every worker id starting with `prefix` that holds a feed or delivery lease."""
        owners: set[str] = set()
        async with self.engine.connect() as conn:
            for table in (feeds, deliveries):
                query = select(table.c.lease_owner).where(table.c.lease_owner.startswith(prefix))
                owners.update(r.lease_owner for r in await conn.execute(query.distinct()))
        return owners

    async def close(self) -> None:
        await self.engine.dispose()
