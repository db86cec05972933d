"""The figures /healthz judges, read now from the database in one cheap round trip each."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat_ports import HealthFigures
from bot.store.tables import deliveries, feeds

PENDING = "pending"

__all__ = ["HealthFigures", "HealthStore"]


class HealthStore:
    """Reads the health figures; any database error propagates, as it is the finding."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def figures(self, now: datetime, overdue_after: timedelta) -> HealthFigures:
        late = now - overdue_after
        async with self.engine.connect() as conn:
            enabled, failing = (
                await conn.execute(
                    select(func.count(), func.count().filter(feeds.c.failures > 0)).where(
                        feeds.c.disabled.is_(False)
                    )
                )
            ).one()
            pending, overdue, oldest = (
                await conn.execute(
                    select(
                        func.count(),
                        func.count().filter(deliveries.c.next_attempt_at < late),
                        func.min(deliveries.c.next_attempt_at),
                    ).where(deliveries.c.status == PENDING)
                )
            ).one()
        return HealthFigures(
            feeds_enabled=int(enabled),
            feeds_failing=int(failing),
            pending=int(pending),
            overdue=int(overdue),
            oldest_overdue=oldest if overdue else None,
        )
