"""The times behind the per-day charts (`ports.TimelinePort`): one column read, no counting here
(`policy.daily.per_day` counts; the store only persists and reads)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from bot.store.tables import alert_rules, alerts, deliveries, mentions

LIMIT = 200_000  # rows per chart at most: a month of a very busy bot, bounded memory


class TimelineStore:
    """`TimelinePort` over SQL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def _times(
        self, column: Column[datetime], since: datetime, *where: ColumnElement[bool]
    ) -> list[datetime]:
        query = select(column).where(column >= since, *where).limit(LIMIT)
        async with self.engine.connect() as conn:
            rows = await conn.execute(query)
            return [t if t.tzinfo else t.replace(tzinfo=UTC) for (t,) in rows if t is not None]

    async def rule_alert_times(self, rule_id: str, since: datetime) -> list[datetime]:
        return await self._times(alert_rules.c.at, since, alert_rules.c.rule_id == rule_id)

    async def mention_times(self, actor_id: str, since: datetime) -> list[datetime]:
        return await self._times(mentions.c.at, since, mentions.c.actor_id == actor_id)

    async def alert_times(self, since: datetime) -> list[datetime]:
        return await self._times(alerts.c.created_at, since)

    async def sent_times(self, since: datetime) -> list[datetime]:
        return await self._times(deliveries.c.sent_at, since)
