"""The audit log: who did what to which rule, feed or subscription, and whether it was allowed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.chat_ports import AuditEntry
from bot.store.tables import audit_log


class AuditStore:
    """Append-only records of admin actions and refusals."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def record(
        self,
        *,
        now: datetime,
        who: str,
        platform: str,
        action: str,
        allowed: bool,
        workspace: str | None = None,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
        detail: str | None = None,
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(audit_log).values(
                    at=now,
                    who=_storable(who, 200),
                    platform=platform,
                    workspace=workspace,
                    action=action,
                    target=_storable(target, 2000),
                    allowed=allowed,
                    before=before,
                    after=after,
                    detail=_storable(detail, 2000),
                )
            )

    async def history(self, target: str | None = None, limit: int = 20) -> list[AuditEntry]:
        """The latest entries, newest first; only those about `target` if given."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(audit_log.c.target == target)
        async with self.engine.connect() as conn:
            return [AuditEntry(**row._mapping) for row in await conn.execute(query)]


def _storable(text: str | None, limit: int) -> str | None:
    """Text cut to its column and without NUL (PostgreSQL refuses it): what a user typed must
    never keep their attempt out of the audit log."""
    return None if text is None else text.replace("\x00", "")[:limit]
