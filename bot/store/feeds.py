"""Feeds in the store: adding, listing, claiming due feeds with a lease, and recording polls."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.models import Feed
from bot.ports import Unchanged
from bot.store.tables import UTCDateTime, feeds, items
from bot.store.tombstones import buried_idents, bury, recall_seen, remember_seen, unbury

log = logging.getLogger(__name__)


class FeedExistsError(ValueError):
    """A feed with this URL is already stored."""


def feed_from_row(row: Row[Any]) -> Feed:
    return Feed(
        id=row.id,
        url=row.url,
        name=row.name,
        interval_seconds=row.interval_seconds,
        full_text=row.full_text,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        polls=row.polls,
        disabled=row.disabled,
        last_error=row.last_error,
        next_poll_at=row.next_poll_at,
        added_by=row.added_by,
        warning=row.warning,
        body_hash=row.body_hash,
    )


def new_feed(
    url: str, name: str | None, interval: int, full_text: bool, now: datetime, by: str | None
) -> dict[str, Any]:
    """The row of a feed that has never been polled: due now, no failures."""
    return {
        "url": url,
        "name": name,
        "interval_seconds": interval,
        "full_text": full_text,
        "next_poll_at": now,
        "failures": 0,
        "polls": 0,
        "disabled": False,
        "added_by": by,
        "created_at": now,
    }


class FeedStore:
    """Feed rows and their fetch state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self,
        url: str,
        *,
        now: datetime,
        name: str | None = None,
        interval_seconds: int = 300,
        full_text: bool = True,
        added_by: str | None = None,
    ) -> Feed:
        async with self.engine.begin() as conn:
            existing = (await conn.execute(select(feeds).where(feeds.c.url == url))).first()
            if existing is not None:
                raise FeedExistsError(f"feed {url} is already added (id {existing.id})")
            await unbury(conn, "feed", url)
            await conn.execute(
                insert(feeds).values(
                    new_feed(url, name, interval_seconds, full_text, now, added_by)
                )
            )
            row = (await conn.execute(select(feeds).where(feeds.c.url == url))).one()
            if seen := await recall_seen(conn, url):  # added again: what it alerted stays seen
                await conn.execute(
                    insert(items),
                    [
                        {"feed_id": row.id, "identity": i, "title": "", "summary": "",
                         "content": "", "source": "", "seen_at": now}
                        for i in seen
                    ],
                )  # fmt: skip
        return feed_from_row(row)

    async def sync(self, specs: Sequence[tuple[str, str | None, int, bool]], now: datetime) -> int:
        """Add feeds from config that the store lacks, except those an admin removed; update
        name/interval of those it has."""
        added = 0
        async with self.engine.begin() as conn:
            have = {r.url: r for r in await conn.execute(select(feeds))}
            removed = await buried_idents(conn, "feed")
            for url, name, interval, full_text in specs:
                row = have.get(url)
                if row is None and url in removed:
                    log.info("feed %s stays removed (an admin removed it); config lists it", url)
                elif row is None:
                    await conn.execute(
                        insert(feeds).values(
                            new_feed(url, name, interval, full_text, now, "config")
                        )
                    )
                    added += 1
                elif (row.name, row.interval_seconds, row.full_text) != (name, interval, full_text):
                    await conn.execute(
                        update(feeds)
                        .where(feeds.c.id == row.id)
                        .values(name=name, interval_seconds=interval, full_text=full_text)
                    )
        return added

    async def all(self) -> list[Feed]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(feeds).order_by(feeds.c.id))
            return [feed_from_row(r) for r in rows]

    async def get(self, feed_id: int) -> Feed | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
            return feed_from_row(row) if row else None

    async def find(self, id_or_url: str) -> Feed | None:
        cond = feeds.c.url == id_or_url
        if id_or_url.isascii() and id_or_url.isdigit() and len(id_or_url) <= 18:
            cond = or_(cond, feeds.c.id == int(id_or_url))
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(cond))).first()
            return feed_from_row(row) if row else None

    async def remove(self, feed_id: int, *, now: datetime, by: str) -> bool:
        """Remove a feed with its items and alerts; a tombstone keeps the config import from
        adding it back."""
        async with self.engine.begin() as conn:
            url = (await conn.execute(select(feeds.c.url).where(feeds.c.id == feed_id))).scalar()
            seen = select(items.c.identity).where(items.c.feed_id == feed_id)
            identities = [r.identity for r in await conn.execute(seen)]
            result = await conn.execute(delete(feeds).where(feeds.c.id == feed_id))
            if result.rowcount and url is not None:
                await bury(conn, "feed", url, now, by)
                await remember_seen(conn, url, identities, now, by)
            return bool(result.rowcount)

    async def claim_due(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        limit: int,
        due_by: datetime | None = None,
    ) -> list[Feed]:
        """Lease up to `limit` due feeds to `owner` so no other process polls them meanwhile.

        One statement: an UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select on PostgreSQL, so
        concurrent claimers skip each other's rows instead of waiting or claiming them twice.
        `due_by` (default `now`) is the time a feed must have been due by: a poll pass gives its
        start, so a feed it polled early is not due again before the pass ends.
        """
        lease_free = or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now)
        due_at = now if due_by is None else min(due_by, now)
        due = and_(feeds.c.disabled.is_(False), feeds.c.next_poll_at <= due_at, lease_free)
        async with self.engine.begin() as conn:
            pick = select(feeds.c.id).where(due).order_by(feeds.c.next_poll_at).limit(limit)
            if conn.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            until = now + timedelta(seconds=lease_seconds)
            rows = await conn.execute(
                update(feeds)
                .where(feeds.c.id.in_(pick.scalar_subquery()), lease_free)
                .values(lease_owner=owner, lease_until=until)
                .returning(*feeds.c)
            )
            return sorted((feed_from_row(r) for r in rows), key=lambda f: f.next_poll_at or now)

    async def record_unchanged(self, entries: Sequence[Unchanged], *, owner: str) -> None:
        """Record many 304s in one executemany; a feed whose lease `owner` lost is left alone."""
        if not entries:
            return
        stmt = (
            update(feeds)
            .where(feeds.c.id == bindparam("b_id"), feeds.c.lease_owner == bindparam("b_owner"))
            .values(
                next_poll_at=bindparam("b_next", type_=UTCDateTime),
                last_polled_at=bindparam("b_now", type_=UTCDateTime),
                failures=0,
                last_error=None,
                lease_owner=None,
                lease_until=None,
            )
        )
        params = [
            {"b_id": e.feed_id, "b_owner": owner, "b_next": e.next_at, "b_now": e.now}
            for e in entries
        ]
        async with self.engine.begin() as conn:
            await conn.execute(stmt, params)

    async def record_success(
        self,
        conn: AsyncConnection,
        feed: Feed,
        *,
        owner: str,
        now: datetime,
        next_at: datetime,
        etag: str | None,
        last_modified: str | None,
        moved_to: str | None,
        name: str | None,
        warning: str | None = None,
        body_hash: str | None = None,
    ) -> bool:
        """Record a successful poll if `owner` still holds the feed (or nobody does)."""
        values: dict[str, Any] = {
            "next_poll_at": next_at,
            "failures": 0,
            "last_error": None,
            "warning": warning[:2000] if warning else None,
            "last_polled_at": now,
            "etag": etag,
            "last_modified": last_modified,
            "body_hash": body_hash,
            "polls": feeds.c.polls + 1,
            "lease_owner": None,
            "lease_until": None,
        }
        if moved_to and moved_to != feed.url:
            taken = await conn.execute(select(feeds.c.id).where(feeds.c.url == moved_to))
            if taken.first() is None:
                values["url"] = moved_to
        if name and not feed.name:
            values["name"] = name[:200]
        done = await conn.execute(
            update(feeds).where(feeds.c.id == feed.id, _held_by(owner)).values(**values)
        )
        return bool(done.rowcount)

    async def record_failure(
        self,
        feed: Feed,
        *,
        owner: str,
        now: datetime,
        next_at: datetime,
        error: str,
        disable: bool = False,
    ) -> None:
        """Record a failed poll, unless another worker took the feed meanwhile."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(feeds)
                .where(feeds.c.id == feed.id, _held_by(owner))
                .values(
                    failures=feeds.c.failures + 1,
                    last_error=error[:2000],
                    last_polled_at=now,
                    next_poll_at=next_at,
                    disabled=disable,
                    lease_owner=None,
                    lease_until=None,
                )
            )

    async def renew_leases(
        self, feed_ids: Sequence[int], *, owner: str, until: datetime
    ) -> set[int]:
        """Extend `owner`'s leases while its polls run; the ids another worker holds now.

        A lease that is free is neither renewed nor taken: its poll just committed.
        """
        if not feed_ids:
            return set()
        ids = list(feed_ids)
        async with self.engine.begin() as conn:
            await conn.execute(
                update(feeds)
                .where(feeds.c.id.in_(ids), feeds.c.lease_owner == owner)
                .values(lease_until=until)
            )
            taken = select(feeds.c.id).where(
                feeds.c.id.in_(ids), feeds.c.lease_owner.is_not(None), feeds.c.lease_owner != owner
            )
            return {r.id for r in await conn.execute(taken)}

    async def make_due(self, now: datetime) -> None:
        """Make every enabled feed due now (`newsbot poll --once --all`, the demo)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(feeds).where(feeds.c.disabled.is_(False)).values(next_poll_at=now)
            )

    async def next_due(self) -> datetime | None:
        """When the earliest enabled feed is due (None: no feeds); an idle poller's ticks ask
        nothing more until then (bot/policy/wake.py)."""
        async with self.engine.connect() as conn:
            earliest = select(func.min(feeds.c.next_poll_at)).where(feeds.c.disabled.is_(False))
            due: datetime | None = await conn.scalar(earliest)
            return due


def _held_by(owner: str) -> Any:
    """The feed's lease is `owner`'s, or free: a write by a worker that lost it is fenced off."""
    return or_(feeds.c.lease_owner == owner, feeds.c.lease_owner.is_(None))
