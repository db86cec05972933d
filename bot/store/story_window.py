"""The recent alerts' story facts (title and description words, time), held in memory and
topped up by id.

Finding a new alert's story then reads only the alerts committed since the last look, not the
whole window (48 h of alerts) for every alert. Alerts can vanish (removing a feed takes its
items and alerts along) and SQLite then reuses the highest ids, so every story found is checked
against the table, and a mismatch reloads the window.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.models import Alert
from bot.policy.repeats import article_key, repeats
from bot.store.tables import alerts, items
from bot.text.story_match import DESCRIPTION_CHARS, StoryFacts, story_facts

SameStory = Callable[[StoryFacts, StoryFacts], bool]
MADE = 1000  # facts kept for alerts not yet read back; past this, they were rolled back


@dataclass(frozen=True)
class _Recent:
    id: int
    feed_id: int
    fingerprint: int
    story_id: int
    created_at: datetime
    facts: StoryFacts


class StoryWindow:
    """Alerts of the last `window`, oldest first, to find the story a new alert belongs to."""

    def __init__(self, same_story: SameStory, window: timedelta) -> None:
        self.same_story = same_story
        self.window = window
        self._recent: deque[_Recent] = deque()
        self._last_id = 0
        self._made: dict[tuple[str, str, datetime], StoryFacts] = {}
        """Facts worked out for new alerts by `facts`, taken again when they are read back."""

    def facts(
        self, new: Sequence[Alert], now: datetime, descriptions: Sequence[str]
    ) -> list[StoryFacts]:
        """The new alerts' story facts (`descriptions`: their items' feed descriptions), for
        `stories`. Worked out before the transaction, so the writer is not held meanwhile,
        and kept until the window reads the alerts back, so they are worked out once."""
        if len(self._made) > MADE:  # rolled back or dropped as repeats: never read back
            self._made.clear()
        out = []
        for alert, description in zip(new, descriptions, strict=True):
            key = (alert.title, description[:DESCRIPTION_CHARS], alert.published or now)
            made = self._made[key] = story_facts(*key)
            out.append(made)
        return out

    async def stories(
        self,
        conn: AsyncConnection,
        new: Sequence[Alert],
        now: datetime,
        facts: Sequence[StoryFacts],
    ) -> list[int | None]:
        """Each alert's story: the first recent alert from another feed that `same_story` says
        reports the same event (its story id), or None. `facts` are the new alerts' own, from
        `facts`.

        Call it where alert ids follow commit order (under the alert lock on PostgreSQL, the
        single writer on SQLite), so no alert with a lower id can still appear later.
        """
        await self._refresh(conn, now)
        found = [self._match(a, f) for a, f in zip(new, facts, strict=True)]
        if not await self._still_there(conn, [r for r in found if r is not None]):
            await self._refresh(conn, now, reload=True)  # an alert went, or its id was reused
            found = [self._match(a, f) for a, f in zip(new, facts, strict=True)]
        return [r.story_id if r is not None else None for r in found]

    async def _refresh(self, conn: AsyncConnection, now: datetime, *, reload: bool = False) -> None:
        """Read the alerts committed since the last call; forget those older than the window."""
        if self._last_id and not reload:
            top = (await conn.execute(select(func.max(alerts.c.id)))).scalar()
            reload = top is None or top < self._last_id  # the newest went: their ids repeat
        if reload:
            self._recent.clear()
            self._last_id = 0
        since = now - self.window
        query = (
            select(
                alerts.c.id,
                alerts.c.feed_id,
                alerts.c.fingerprint,
                alerts.c.story_id,
                alerts.c.created_at,
                alerts.c.title,
                alerts.c.published,
                items.c.summary,
            )
            .join(items, items.c.id == alerts.c.item_id)
            .where(
                alerts.c.id > self._last_id,
                alerts.c.created_at >= since,
                alerts.c.fingerprint.is_not(None),
            )
            .order_by(alerts.c.id)
        )
        for row in await conn.execute(query):
            story = int(row.story_id or row.id)
            key = (row.title, row.summary[:DESCRIPTION_CHARS], row.published or row.created_at)
            facts = self._made.pop(key, None) or story_facts(*key)
            self._recent.append(
                _Recent(row.id, row.feed_id, int(row.fingerprint), story, row.created_at, facts)
            )
            self._last_id = max(self._last_id, int(row.id))
        while self._recent and self._recent[0].created_at < since:
            self._recent.popleft()

    async def repeats(self, conn: AsyncConnection, new: Sequence[Alert]) -> list[bool]:
        """Whether each alert repeats one its own feed sent within the window (or earlier in
        `new`): the same title, summary and link (tracking parameters aside). Feeds that stamp
        a new guid or tracker on the same article at every fetch look like that.

        Call it right after `stories` for the same alerts, which brought the window up to date.
        """
        candidates = [
            [
                r.id
                for r in self._recent
                if r.feed_id == a.feed_id and r.fingerprint == a.fingerprint
            ]
            if a.fingerprint is not None
            else []
            for a in new
        ]
        wanted = sorted({i for ids in candidates for i in ids})
        rows = {}
        if wanted:
            query = select(
                alerts.c.id, alerts.c.feed_id, alerts.c.title, alerts.c.link, alerts.c.summary
            ).where(alerts.c.id.in_(wanted))
            rows = {row.id: row for row in await conn.execute(query)}
        sent = [
            {
                article_key(row.feed_id, row.title, row.link, row.summary)
                for i in ids
                if (row := rows.get(i)) is not None
            }
            for ids in candidates
        ]
        keys = [
            None if a.fingerprint is None else article_key(a.feed_id, a.title, a.link, a.summary)
            for a in new
        ]
        return repeats(keys, sent)

    def _match(self, alert: Alert, facts: StoryFacts) -> _Recent | None:
        if alert.fingerprint is None:
            return None
        for recent in self._recent:
            if recent.feed_id != alert.feed_id and self.same_story(recent.facts, facts):
                return recent
        return None

    async def _still_there(self, conn: AsyncConnection, found: Sequence[_Recent]) -> bool:
        """Whether every alert found, and its story's first alert, is still in the table."""
        if not found:
            return True
        ids = {r.id for r in found} | {r.story_id for r in found}
        query = select(alerts.c.id, alerts.c.feed_id, alerts.c.fingerprint).where(
            alerts.c.id.in_(sorted(ids))
        )
        rows = {row.id: row for row in await conn.execute(query)}
        return all(
            r.story_id in rows
            and (row := rows.get(r.id)) is not None
            and (row.feed_id, row.fingerprint) == (r.feed_id, r.fingerprint)
            for r in found
        )
