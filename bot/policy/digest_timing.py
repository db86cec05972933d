"""When a daily digest is due: at its time of day (UTC), once a day, never before subscribing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

DEFAULT_TIME = "08:00"


def last_slot(digest_time: str | None, now: datetime) -> datetime:
    """The most recent moment, at or before `now`, when a digest at `digest_time` was due."""
    hour, minute = (int(x) for x in (digest_time or DEFAULT_TIME).split(":"))
    slot = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo)
    return slot if slot <= now else slot - timedelta(days=1)


def digest_due(
    digest_time: str | None, last_digest_at: datetime | None, created_at: datetime, now: datetime
) -> bool:
    """Whether a digest subscription's time has come since its last digest.

    A subscription made after today's slot gets its first digest at tomorrow's.
    """
    slot = last_slot(digest_time, now)
    if last_digest_at is not None:
        return last_digest_at < slot
    return created_at <= slot
