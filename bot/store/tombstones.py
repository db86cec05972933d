"""Tombstones: rules and feeds an admin removed, which the config import must not bring back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import tombstones


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
