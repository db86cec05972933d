"""The recent alerts' title fingerprints, held in memory and topped up by id.

Finding a new alert's story then reads only the alerts committed since the last look, not the
whole window (48 h of alerts) for every alert.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import alerts

SameStory = Callable[[int, int], bool]


@dataclass(frozen=True)
class _Recent:
    id: int
    feed_id: int
    fingerprint: int
    story_id: int
    created_at: datetime


class StoryWindow:
    """Alerts of the last `window`, oldest first, to find the story a new alert belongs to."""

    def __init__(self, same_story: SameStory, window: timedelta) -> None:
        self.same_story = same_story
        self.window = window
        self._recent: deque[_Recent] = deque()
        self._last_id = 0

    async def refresh(self, conn: AsyncConnection, now: datetime) -> None:
        """Read the alerts committed since the last call; forget those older than the window.

        Call it where alert ids follow commit order (under the alert lock on PostgreSQL, the
        single writer on SQLite), so no alert with a lower id can still appear later.
        """
        since = now - self.window
        query = (
            select(alerts.c.id, alerts.c.feed_id, alerts.c.fingerprint, alerts.c.story_id)
            .add_columns(alerts.c.created_at)
            .where(
                alerts.c.id > self._last_id,
                alerts.c.created_at >= since,
                alerts.c.fingerprint.is_not(None),
            )
            .order_by(alerts.c.id)
        )
        for row in await conn.execute(query):
            story = int(row.story_id or row.id)
            self._recent.append(
                _Recent(row.id, row.feed_id, int(row.fingerprint), story, row.created_at)
            )
            self._last_id = max(self._last_id, int(row.id))
        while self._recent and self._recent[0].created_at < since:
            self._recent.popleft()

    def forget(self, ids: set[int]) -> None:
        """Drop alerts that no longer exist (their feed was removed, taking its items along)."""
        self._recent = deque(r for r in self._recent if r.id not in ids and r.story_id not in ids)

    def story_of(self, feed_id: int, fingerprint: int | None) -> int | None:
        """The story of the first recent alert from another feed with a near-identical title."""
        if fingerprint is None:
            return None
        for recent in self._recent:
            if recent.feed_id != feed_id and self.same_story(recent.fingerprint, fingerprint):
                return recent.story_id
        return None
