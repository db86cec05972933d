"""Reading alerts and items back: for the dispatcher, chat lookups, actor profiles, rule tests."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.models import Alert, Item, MatchResult, Quote
from bot.ports import STORY_SO_FAR
from bot.store.tables import alert_rules, alerts, items, mentions


def alert_from_row(row: Row[Any]) -> Alert:
    return Alert(
        id=row.id,
        feed_id=row.feed_id,
        item_identity=str(row.item_id),
        title=row.title,
        link=row.link,
        source=row.source,
        published=row.published,
        summary=row.summary,
        quotes=tuple(Quote.model_validate(q) for q in row.quotes),
        matches=MatchResult.model_validate(row.matches),
        story_id=row.story_id,
        fingerprint=row.fingerprint,
    )


KEPT = 512
"""Alerts read lately, kept parsed: a burst's follow-ups are each compared with the same ~20
alerts of their story, and reading those back (JSON, models) was half of each send's time."""


class AlertStore:
    """Queries over stored alerts, mentions and items."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._kept: OrderedDict[int, tuple[datetime, Alert]] = OrderedDict()
        """Alert id → (created_at, alert). Alerts are never changed, but a removed feed takes
        its alerts along and SQLite reuses the highest ids: the time tells a reused id."""

    async def get_many(self, ids: Sequence[int]) -> dict[int, Alert]:
        if not ids:
            return {}
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(alerts).where(alerts.c.id.in_(list(set(ids)))))
            return {r.id: self._keep(r) for r in rows}

    def _keep(self, row: Row[Any]) -> Alert:
        alert = alert_from_row(row)
        self._kept[row.id] = (row.created_at, alert)
        self._kept.move_to_end(row.id)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)
        return alert

    def _kept_alert(self, alert_id: int, created_at: datetime) -> Alert | None:
        kept = self._kept.get(alert_id)
        return kept[1] if kept is not None and kept[0] == created_at else None

    async def story_so_far(self, story_id: int, before: int) -> list[Alert]:
        """The story's first alert and its latest STORY_SO_FAR follow-ups with ids under
        `before`, oldest first: what a new follow-up is compared with to say what it adds.
        Their ids are read, and only the alerts not kept from an earlier read are read whole."""
        latest = (
            select(alerts.c.id)
            .where((alerts.c.story_id == story_id) & (alerts.c.id < before))
            .where(alerts.c.id != story_id)
            .order_by(alerts.c.id.desc())
            .limit(STORY_SO_FAR)
        )
        query = (
            select(alerts.c.id, alerts.c.created_at)
            .where((alerts.c.id == story_id) | alerts.c.id.in_(latest.scalar_subquery()))
            .order_by(alerts.c.id)
        )
        async with self.engine.connect() as conn:
            heads = list(await conn.execute(query))
            missing = [r.id for r in heads if self._kept_alert(r.id, r.created_at) is None]
            if missing:
                read = {
                    r.id: self._keep(r)
                    for r in await conn.execute(select(alerts).where(alerts.c.id.in_(missing)))
                }
            else:
                read = {}
        out = [read.get(r.id) or self._kept_alert(r.id, r.created_at) for r in heads]
        return [a for a in out if a is not None]

    async def recent(self, *, rule_id: str | None = None, limit: int = 10) -> list[Alert]:
        query = select(alerts).order_by(alerts.c.id.desc()).limit(limit)
        if rule_id is not None:
            query = query.where(
                alerts.c.id.in_(
                    select(alert_rules.c.alert_id).where(alert_rules.c.rule_id == rule_id)
                )
            )
        async with self.engine.connect() as conn:
            return [alert_from_row(r) for r in await conn.execute(query)]

    async def mentioning(self, actor_id: str, limit: int = 10) -> list[Alert]:
        query = (
            select(alerts)
            .where(
                alerts.c.id.in_(select(mentions.c.alert_id).where(mentions.c.actor_id == actor_id))
            )
            .order_by(alerts.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [alert_from_row(r) for r in await conn.execute(query)]

    async def mention_stats(self, actor_id: str) -> tuple[int, datetime | None]:
        """How many alerts mention the actor, and when the latest did."""
        query = select(func.count(), func.max(mentions.c.at)).where(mentions.c.actor_id == actor_id)
        async with self.engine.connect() as conn:
            count, last = (await conn.execute(query)).one()
        return int(count), last

    async def iter_items(self, batch: int = 1000) -> AsyncIterator[Item]:
        """Every stored item, oldest first, for dry-running rules."""
        last_id = 0
        while True:
            async with self.engine.connect() as conn:
                rows = list(
                    await conn.execute(
                        select(items).where(items.c.id > last_id).order_by(items.c.id).limit(batch)
                    )
                )
            if not rows:
                return
            for r in rows:
                yield Item(
                    feed_id=r.feed_id,
                    identity=r.identity,
                    title=r.title,
                    link=r.link,
                    summary=r.summary,
                    content=r.content,
                    published=r.published,
                    author=r.author,
                    source=r.source,
                )
            last_id = rows[-1].id
