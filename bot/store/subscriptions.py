"""Subscriptions in the store: which destination wants which rule or actor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.models import DeliveryMode, Destination, Platform, Priority, Subscription
from bot.store.tables import subscriptions


def subscription_from_row(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        destination=Destination(
            platform=Platform(row.platform), address=row.address, workspace=row.workspace
        ),
        target=row.target,
        min_priority=Priority(row.min_priority),
        mention_role=row.mention_role,
        mode=DeliveryMode(row.mode),
        digest_time=row.digest_time,
        paused=row.paused,
        created_by=row.created_by,
    )


class SubscriptionStore:
    """Create, list, remove and pause subscriptions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def upsert(
        self, sub: Subscription, now: datetime, *, resume: bool = True
    ) -> tuple[Subscription, bool]:
        """Save `sub`; return it and whether it is new (an existing one is updated in place).

        `resume` (a subscribe command) also lifts a pause; the config import keeps it, so a
        restart does not post again to a channel that refused the bot.
        """
        dest = sub.destination
        values: dict[str, Any] = {
            "workspace": dest.workspace,
            "min_priority": sub.min_priority.value,
            "mention_role": sub.mention_role,
            "mode": sub.mode.value,
            "digest_time": sub.digest_time,
        }
        if resume:
            values |= {"paused": False, "paused_reason": None}
        key = (
            (subscriptions.c.platform == dest.platform.value)
            & (subscriptions.c.address == dest.address)
            & (subscriptions.c.target == sub.target)
        )
        async with self.engine.begin() as conn:
            existing = (await conn.execute(select(subscriptions.c.id).where(key))).first()
            if existing is None:
                await conn.execute(
                    insert(subscriptions).values(
                        {"paused": False, "paused_reason": None}
                        | values
                        | {
                            "platform": dest.platform.value,
                            "address": dest.address,
                            "target": sub.target,
                            "created_by": sub.created_by,
                            "created_at": now,
                        }
                    )
                )
            else:
                await conn.execute(update(subscriptions).where(key).values(**values))
            row = (await conn.execute(select(subscriptions).where(key))).one()
        return subscription_from_row(row), existing is None

    async def remove_from_config_except(self, keep: set[tuple[str, str, str]]) -> int:
        """Remove subscriptions the config files made that they no longer list; `keep` holds
        (platform, address, target) of those they do. Chat's subscriptions are left alone."""
        async with self.engine.begin() as conn:
            rows = await conn.execute(
                select(
                    subscriptions.c.id,
                    subscriptions.c.platform,
                    subscriptions.c.address,
                    subscriptions.c.target,
                ).where(subscriptions.c.created_by == "config")
            )
            gone = [r.id for r in rows if (r.platform, r.address, r.target) not in keep]
            if gone:
                await conn.execute(delete(subscriptions).where(subscriptions.c.id.in_(gone)))
            return len(gone)

    async def remove(self, dest: Destination, target: str) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(subscriptions).where(
                    subscriptions.c.platform == dest.platform.value,
                    subscriptions.c.address == dest.address,
                    subscriptions.c.target == target,
                )
            )
            return bool(result.rowcount)

    async def for_destination(self, dest: Destination) -> list[Subscription]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(subscriptions)
                .where(
                    subscriptions.c.platform == dest.platform.value,
                    subscriptions.c.address == dest.address,
                )
                .order_by(subscriptions.c.target)
            )
            return [subscription_from_row(r) for r in rows]

    async def all(self) -> list[Subscription]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(subscriptions).order_by(subscriptions.c.id))
            return [subscription_from_row(r) for r in rows]

    async def pause_destination(self, dest: Destination, reason: str) -> int:
        """Pause every subscription of a destination that can no longer be posted to."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(subscriptions)
                .where(
                    subscriptions.c.platform == dest.platform.value,
                    subscriptions.c.address == dest.address,
                    subscriptions.c.paused.is_(False),
                )
                .values(paused=True, paused_reason=reason[:2000])
            )
            return int(result.rowcount)
