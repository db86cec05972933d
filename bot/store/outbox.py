"""The outbox: claim pending deliveries in per-destination order, record sends and failures.

A destination's oldest pending delivery is its head; nothing later is sent before it, so
alerts arrive in order per channel even through retries. Claims carry a lease that expires,
so a crashed dispatcher's work is taken over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat_ports import DeliveryLogEntry
from bot.models import Delivery, DeliveryStatus, Destination, Platform
from bot.store.tables import deliveries

PENDING = DeliveryStatus.pending.value


def delivery_from_row(row: Row[Any], thread_id: str | None = None) -> Delivery:
    return Delivery(
        id=row.id,
        alert_id=row.alert_id,
        destination=Destination(
            platform=Platform(row.platform), address=row.address, workspace=row.workspace
        ),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        message_id=row.message_id,
        thread_id=thread_id,
        mention_role=row.mention_role,
        created_at=row.created_at,
        claims=row.claims,
    )


class OutboxStore:
    """Delivery rows: claims, results, and the per-channel log."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def claim(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        destinations: int = 50,
        per_destination: int = 20,
        platforms: set[Platform] | None = None,
        destination: Destination | None = None,
    ) -> list[list[Delivery]]:
        """Lease, per ready destination (or just `destination`), its next pending deliveries."""
        lease_free = or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < now)
        heads_q = (
            select(func.min(deliveries.c.id).label("id"))
            .where(deliveries.c.status == PENDING)
            .group_by(deliveries.c.platform, deliveries.c.address)
        )
        if platforms is not None:
            heads_q = heads_q.where(deliveries.c.platform.in_([p.value for p in platforms]))
        if destination is not None:
            heads_q = heads_q.where(
                deliveries.c.platform == destination.platform.value,
                deliveries.c.address == destination.address,
            )
        until = now + timedelta(seconds=lease_seconds)
        batches: list[list[Delivery]] = []
        async with self.engine.begin() as conn:
            ready_q = (
                select(deliveries.c.id, deliveries.c.platform, deliveries.c.address)
                .where(
                    deliveries.c.id.in_(heads_q.scalar_subquery()),
                    deliveries.c.next_attempt_at <= now,
                    lease_free,
                )
                .order_by(deliveries.c.id)
                .limit(destinations)
            )
            if conn.dialect.name == "postgresql":
                ready_q = ready_q.with_for_update(skip_locked=True)
            heads = list(await conn.execute(ready_q))
            for head in heads:
                got = await conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id == head.id, lease_free)
                    .values(lease_owner=owner, lease_until=until, claims=deliveries.c.claims + 1)
                )
                if not got.rowcount:
                    continue
                rest_ids = (
                    select(deliveries.c.id)
                    .where(
                        deliveries.c.platform == head.platform,
                        deliveries.c.address == head.address,
                        deliveries.c.status == PENDING,
                        deliveries.c.id > head.id,
                        deliveries.c.next_attempt_at <= now,
                        lease_free,
                    )
                    .order_by(deliveries.c.id)
                    .limit(per_destination - 1)
                )
                await conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id.in_(rest_ids.scalar_subquery()))
                    .values(lease_owner=owner, lease_until=until, claims=deliveries.c.claims + 1)
                )
                rows = await conn.execute(
                    select(deliveries)
                    .where(
                        deliveries.c.platform == head.platform,
                        deliveries.c.address == head.address,
                        deliveries.c.status == PENDING,
                        deliveries.c.lease_owner == owner,
                        deliveries.c.lease_until == until,
                    )
                    .order_by(deliveries.c.id)
                )
                batches.append([delivery_from_row(r) for r in rows])
        return batches

    async def thread_for(self, alert_id: int, dest: Destination) -> str | None:
        """The platform message id of an alert already sent to `dest` (a story's thread root)."""
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(deliveries.c.message_id, deliveries.c.status).where(
                        deliveries.c.alert_id == alert_id,
                        deliveries.c.platform == dest.platform.value,
                        deliveries.c.address == dest.address,
                    )
                )
            ).first()
        return row.message_id if row is not None and row.status == "sent" else None

    async def mark_sent(self, delivery_ids: Sequence[int], message_id: str, now: datetime) -> None:
        """Record the platform message that carried these deliveries (one, or a digest's)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(list(delivery_ids)))
                .values(
                    status=DeliveryStatus.sent.value,
                    message_id=message_id[:200],
                    sent_at=now,
                    attempts=deliveries.c.attempts + 1,
                    lease_owner=None,
                    lease_until=None,
                    last_error=None,
                )
            )

    async def retry_later(self, delivery_id: int, error: str, at: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    attempts=deliveries.c.attempts + 1,
                    next_attempt_at=at,
                    last_error=error[:2000],
                    lease_owner=None,
                    lease_until=None,
                )
            )

    async def fail(self, dest: Destination, error: str, now: datetime) -> int:
        """Give up on every pending delivery of a destination that can't be posted to."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.platform == dest.platform.value,
                    deliveries.c.address == dest.address,
                    deliveries.c.status == PENDING,
                )
                .values(
                    status=DeliveryStatus.failed.value,
                    last_error=error[:2000],
                    lease_owner=None,
                    lease_until=None,
                    sent_at=now,
                )
            )
            return int(result.rowcount)

    async def fail_these(self, delivery_ids: Sequence[int], error: str, now: datetime) -> None:
        """Give up on these deliveries alone (refused, or their alert is gone); the channel's
        later ones still go."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(list(delivery_ids)))
                .values(
                    status=DeliveryStatus.failed.value,
                    attempts=deliveries.c.attempts + 1,
                    last_error=error[:2000],
                    lease_owner=None,
                    lease_until=None,
                    sent_at=now,
                )
            )

    async def release(self, delivery_ids: list[int]) -> None:
        """Give back claimed deliveries that were not tried: the claim does not count."""
        if not delivery_ids:
            return
        async with self.engine.begin() as conn:
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(delivery_ids))
                .values(
                    lease_owner=None,
                    lease_until=None,
                    claims=case((deliveries.c.claims > 0, deliveries.c.claims - 1), else_=0),
                )
            )

    async def next_ready(self) -> datetime | None:
        """When the earliest pending delivery can be claimed (its next attempt, or its lease's
        end); None when nothing is pending. An idle dispatcher's ticks ask nothing until then."""
        ready = case(
            (deliveries.c.lease_until > deliveries.c.next_attempt_at, deliveries.c.lease_until),
            else_=deliveries.c.next_attempt_at,
        )
        async with self.engine.connect() as conn:
            earliest = select(func.min(ready)).where(deliveries.c.status == PENDING)
            due: datetime | None = await conn.scalar(earliest)
            return due

    async def counts(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
            )
            return {r[0]: int(r[1]) for r in rows}

    async def log(self, dest: Destination, limit: int = 20) -> list[DeliveryLogEntry]:
        """Recent deliveries to a destination, newest first, for the admins' delivery log."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(deliveries)
                .where(
                    and_(
                        deliveries.c.platform == dest.platform.value,
                        deliveries.c.address == dest.address,
                    )
                )
                .order_by(deliveries.c.id.desc())
                .limit(limit)
            )
            return [
                DeliveryLogEntry(
                    id=r.id,
                    alert_id=r.alert_id,
                    status=DeliveryStatus(r.status),
                    attempts=r.attempts,
                    created_at=r.created_at,
                    message_id=r.message_id,
                    last_error=r.last_error,
                    sent_at=r.sent_at,
                )
                for r in rows
            ]
