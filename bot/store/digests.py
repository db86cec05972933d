"""Daily digests in the store: which destinations are due, and their held deliveries.

Digest subscriptions route alerts as `held` deliveries; once a day, at the subscription's
time (UTC), the held deliveries of that destination go out together in one message.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.models import Delivery, DeliveryMode, DeliveryStatus, Destination, Platform
from bot.policy.digest_timing import digest_due
from bot.ports import DueDigest
from bot.store.outbox import delivery_from_row
from bot.store.tables import deliveries, subscriptions

HELD = DeliveryStatus.held.value


class DigestStore:
    """Finds due digests and claims their held deliveries."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def due(self, now: datetime) -> list[DueDigest]:
        """Destinations with a digest subscription whose time has come since its last digest."""
        query = select(subscriptions).where(
            subscriptions.c.mode == DeliveryMode.digest.value, subscriptions.c.paused.is_(False)
        )
        due: dict[tuple[str, str], tuple[Destination, list[int]]] = {}
        async with self.engine.connect() as conn:
            for row in await conn.execute(query):
                if not digest_due(row.digest_time, row.last_digest_at, row.created_at, now):
                    continue
                dest = Destination(
                    platform=Platform(row.platform), address=row.address, workspace=row.workspace
                )
                due.setdefault((row.platform, row.address), (dest, []))[1].append(row.id)
        return [DueDigest(dest, tuple(ids)) for dest, ids in due.values()]

    async def claim_held(
        self, dest: Destination, *, now: datetime, owner: str, lease_seconds: float, limit: int
    ) -> list[Delivery]:
        """Lease the destination's held deliveries, oldest first."""
        lease_free = or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now)
        mine = (
            (deliveries.c.platform == dest.platform.value)
            & (deliveries.c.address == dest.address)
            & (deliveries.c.status == HELD)
        )
        until = now + timedelta(seconds=lease_seconds)
        async with self.engine.begin() as conn:
            ids = select(deliveries.c.id).where(mine, lease_free).order_by(deliveries.c.id)
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids.limit(limit).scalar_subquery()))
                .values(lease_owner=owner, lease_until=until)
            )
            rows = await conn.execute(
                select(deliveries)
                .where(mine, deliveries.c.lease_owner == owner, deliveries.c.lease_until == until)
                .order_by(deliveries.c.id)
            )
            return [delivery_from_row(r) for r in rows]

    async def mark_served(self, subscription_ids: tuple[int, ...], now: datetime) -> None:
        """The destination got today's digest: its subscriptions wait for the next slot."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(subscriptions)
                .where(subscriptions.c.id.in_(subscription_ids))
                .values(last_digest_at=now)
            )
