"""When the bot last polled a feed and last posted an alert, for `newsbot status`."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.policy.status_report import Activity
from bot.store.tables import deliveries, feeds


async def last_activity(engine: AsyncEngine) -> Activity:
    """The newest feed poll and the newest sent delivery (None when never)."""
    async with engine.connect() as conn:
        polled = await conn.scalar(select(func.max(feeds.c.last_polled_at)))
        sent = await conn.scalar(select(func.max(deliveries.c.sent_at)))
    return Activity(last_poll=_aware(polled), last_dispatch=_aware(sent))


def _aware(value: object) -> datetime | None:
    """max() keeps the column's UTC type; still, never hand out a naive or textual time."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
