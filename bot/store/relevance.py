"""Votes on alerts and each rule's trained relevance models (the `RelevancePort`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import Integer, and_, cast, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from bot.models import Item
from bot.ports import StoredModel, Vote, VoteCounts, VoteOutcome
from bot.store.tables import alert_rules
from bot.store.tables import relevance_labels as labels
from bot.store.tables import relevance_models as models

_OLDEST = datetime.min.replace(tzinfo=UTC)


class RelevanceStore:
    """One vote per voter per rule and item (a second vote changes it); models by version."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def vote(self, vote: Vote) -> VoteOutcome:
        key = and_(
            labels.c.rule_id == vote.rule_id,
            labels.c.link == vote.link,
            labels.c.voter == vote.voter,
        )
        for _ in range(2):  # a concurrent first vote by the same voter: update it instead
            try:
                return await self._vote(vote, key)
            except IntegrityError:
                continue
        raise RuntimeError("vote neither inserted nor found")  # pragma: no cover

    async def _vote(self, vote: Vote, key: ColumnElement[bool]) -> VoteOutcome:
        async with self.engine.begin() as conn:
            before = (await conn.execute(select(labels.c.relevant).where(key))).first()
            if before is not None:
                if before.relevant == vote.relevant:
                    return VoteOutcome.same
                await conn.execute(
                    update(labels).where(key).values(relevant=vote.relevant, at=vote.at)
                )
                return VoteOutcome.changed
            await conn.execute(
                insert(labels).values(
                    rule_id=vote.rule_id,
                    link=vote.link,
                    voter=vote.voter[:200],
                    relevant=vote.relevant,
                    at=vote.at,
                    alert_id=vote.alert_id,
                    title=vote.title,
                    summary=vote.summary,
                    published=vote.published,
                )
            )
            return VoteOutcome.new

    async def labelled(self, rule_id: str) -> list[tuple[Item, bool]]:
        query = select(labels).where(labels.c.rule_id == rule_id).order_by(labels.c.id)
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        first: dict[str, Item] = {}
        for row in rows:
            tally[row.link][row.relevant] += 1
            first.setdefault(
                row.link,
                Item(
                    feed_id=0,
                    identity=row.link,
                    title=row.title,
                    summary=row.summary,
                    link=row.link,
                    published=row.published,
                ),
            )
        out = [(first[link], yes > no) for link, (no, yes) in tally.items() if yes != no]
        out.sort(key=lambda pair: pair[0].published or _OLDEST)
        return out

    async def label_stamps(self) -> dict[str, str]:
        query = select(
            labels.c.rule_id,
            func.count(),
            func.max(labels.c.at),
            func.sum(cast(labels.c.relevant, Integer)),
        ).group_by(labels.c.rule_id)
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        return {rid: f"{n}:{yes}:{_iso(at)}" for rid, n, at, yes in rows}

    async def counts(self, rule_id: str) -> VoteCounts:
        query = select(
            func.count(),
            func.sum(cast(labels.c.relevant, Integer)),
            func.count(func.distinct(labels.c.link)),
            func.count(func.distinct(labels.c.voter)),
        ).where(labels.c.rule_id == rule_id)
        async with self.engine.connect() as conn:
            n, yes, items, voters = (await conn.execute(query)).one()
        return VoteCounts(votes=n, relevant=int(yes or 0), items=items, voters=voters)

    async def alert_count(self, rule_id: str) -> int:
        query = select(func.count()).where(alert_rules.c.rule_id == rule_id)
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar() or 0)

    async def latest_models(self) -> dict[str, StoredModel]:
        newest = (
            select(models.c.rule_id, func.max(models.c.version).label("version"))
            .group_by(models.c.rule_id)
            .subquery()
        )
        query = select(models).join(
            newest,
            and_(models.c.rule_id == newest.c.rule_id, models.c.version == newest.c.version),
        )
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(query))
        return {
            r.rule_id: StoredModel(r.rule_id, r.version, r.trained_at, r.labels_stamp, r.body)
            for r in rows
        }

    async def models_revision(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.max(models.c.id)))).scalar() or 0)

    async def save_model(self, rule_id: str, body: str, labels_stamp: str, now: datetime) -> int:
        for _ in range(3):  # another worker saved a version meanwhile: take the next one
            try:
                return await self._save(rule_id, body, labels_stamp, now)
            except IntegrityError:
                continue
        raise RuntimeError(f"could not save a model version for {rule_id}")

    async def _save(self, rule_id: str, body: str, labels_stamp: str, now: datetime) -> int:
        async with self.engine.begin() as conn:
            newest = select(func.max(models.c.version)).where(models.c.rule_id == rule_id)
            version = int((await conn.execute(newest)).scalar() or 0) + 1
            await conn.execute(
                insert(models).values(
                    rule_id=rule_id,
                    version=version,
                    trained_at=now,
                    labels_stamp=labels_stamp[:100],
                    body=body,
                )
            )
            return version


def _iso(at: datetime | str | None) -> str:
    return at.isoformat() if isinstance(at, datetime) else str(at)
