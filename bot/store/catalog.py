"""Rules and actors in the store: the live rule set that chat edits and YAML imports change.

A revision counter bumps on every change so every process can notice and recompile cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.rules.schema import Actor, Rule
from bot.store.tables import actors, revisions, rules

REVISION = "catalog"


class CatalogStore:
    """CRUD for rules and actors, each change bumping the catalog revision."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def revision(self) -> int:
        async with self.engine.connect() as conn:
            query = select(revisions.c.value).where(revisions.c.name == REVISION)
            value = (await conn.execute(query)).scalar_one_or_none()
        return int(value or 0)

    async def rules(self) -> list[Rule]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(rules.c.body).order_by(rules.c.id))
            return [Rule.model_validate(r.body) for r in rows]

    async def actors(self) -> list[Actor]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(actors.c.body).order_by(actors.c.id))
            return [Actor.model_validate(r.body) for r in rows]

    async def get_rule(self, rule_id: str) -> Rule | None:
        async with self.engine.connect() as conn:
            query = select(rules.c.body).where(rules.c.id == rule_id)
            body = (await conn.execute(query)).scalar_one_or_none()
        return Rule.model_validate(body) if body is not None else None

    async def put_rule(self, rule: Rule, *, now: datetime, by: str, origin: str = "chat") -> None:
        async with self.engine.begin() as conn:
            await _put(conn, rules, rule.id, rule.model_dump(mode="json"), now, by, origin)
            await _bump(conn)

    async def remove_rule(self, rule_id: str) -> bool:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(rules).where(rules.c.id == rule_id))
            if result.rowcount:
                await _bump(conn)
            return bool(result.rowcount)

    async def import_config(
        self, new_rules: Sequence[Rule], new_actors: Sequence[Actor], now: datetime
    ) -> int:
        """Upsert rules and actors from YAML (YAML wins for the ids it defines); return changes."""
        changed = 0
        async with self.engine.begin() as conn:
            for table, models in ((actors, new_actors), (rules, new_rules)):
                have = {r.id: r.body for r in await conn.execute(select(table.c.id, table.c.body))}
                for model in models:
                    body = model.model_dump(mode="json")
                    if have.get(model.id) != body:
                        await _put(conn, table, model.id, body, now, "config", "yaml")
                        changed += 1
            if changed:
                await _bump(conn)
        return changed


async def _put(
    conn: AsyncConnection,
    table: Table,
    ident: str,
    body: object,
    now: datetime,
    by: str,
    origin: str,
) -> None:
    values = {"body": body, "updated_at": now, "updated_by": by, "origin": origin}
    exists = (await conn.execute(select(table.c.id).where(table.c.id == ident))).first()
    if exists:
        await conn.execute(update(table).where(table.c.id == ident).values(**values))
    else:
        await conn.execute(insert(table).values(id=ident, **values))


async def _bump(conn: AsyncConnection) -> None:
    result = await conn.execute(
        update(revisions).where(revisions.c.name == REVISION).values(value=revisions.c.value + 1)
    )
    if not result.rowcount:
        await conn.execute(insert(revisions).values(name=REVISION, value=1))
