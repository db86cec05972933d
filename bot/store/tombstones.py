"""Tombstones: rules and feeds an admin removed, which the config import must not bring back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import tombstones

SEEN_ITEM = "feed-item"
"""Kind of the tombstones that remember which items a removed feed had already seen."""


async def bury(conn: AsyncConnection, kind: str, ident: str, now: datetime, by: str) -> None:
    """Record that an admin removed `ident`, so the config import does not bring it back."""
    await unbury(conn, kind, ident)
    await conn.execute(
        insert(tombstones).values(kind=kind, ident=ident, removed_at=now, removed_by=by[:200])
    )


async def unbury(conn: AsyncConnection, kind: str, ident: str) -> None:
    """An admin added `ident` again: forget that it was removed."""
    where = (tombstones.c.kind == kind, tombstones.c.ident == ident)
    await conn.execute(delete(tombstones).where(*where))


async def buried_idents(conn: AsyncConnection, kind: str) -> set[str]:
    """The rule ids or feed URLs (`kind` "rule" or "feed") an admin removed."""
    query = select(tombstones.c.ident).where(tombstones.c.kind == kind)
    return {r.ident for r in await conn.execute(query)}


def _seen_prefix(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:16] + ":"


async def remember_seen(
    conn: AsyncConnection, url: str, identities: Sequence[str], now: datetime, by: str
) -> None:
    """Keep the item identities of a feed being removed, so that adding it again does not
    alert those items a second time."""
    prefix = _seen_prefix(url)
    await conn.execute(
        delete(tombstones).where(
            tombstones.c.kind == SEEN_ITEM, tombstones.c.ident.startswith(prefix, autoescape=True)
        )
    )
    rows = [
        {"kind": SEEN_ITEM, "ident": prefix + i, "removed_at": now, "removed_by": by[:200]}
        for i in dict.fromkeys(identities)
    ]
    if rows:
        await conn.execute(insert(tombstones), rows)


async def recall_seen(conn: AsyncConnection, url: str) -> list[str]:
    """The item identities a removed feed at `url` had seen; forgotten once recalled."""
    prefix = _seen_prefix(url)
    where = (tombstones.c.kind == SEEN_ITEM, tombstones.c.ident.startswith(prefix, autoescape=True))
    found = [
        r.ident[len(prefix) :] for r in await conn.execute(select(tombstones.c.ident).where(*where))
    ]
    await conn.execute(delete(tombstones).where(*where))
    return found
