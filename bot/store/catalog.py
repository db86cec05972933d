"""Rules and actors in the store: the live rule set that chat edits and YAML imports change.

The config files seed it; a rule an admin changed or removed in chat stays as they left it
(the import skips it). A revision counter bumps on every change so every process can notice
and recompile cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.rules.schema import Actor, Rule
from bot.store.tables import actors, revisions, rules
from bot.store.tombstones import buried_idents, bury, unbury

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

    async def rule_origin(self, rule_id: str) -> str | None:
        """ "yaml" or "chat": where the stored rule last came from (None: no such rule)."""
        async with self.engine.connect() as conn:
            query = select(rules.c.origin).where(rules.c.id == rule_id)
            return (await conn.execute(query)).scalar_one_or_none()

    async def put_rule(self, rule: Rule, *, now: datetime, by: str, origin: str = "chat") -> None:
        async with self.engine.begin() as conn:
            await _put(conn, rules, rule.id, rule.model_dump(mode="json"), now, by, origin)
            await unbury(conn, "rule", rule.id)
            await _bump(conn)

    async def remove_rule(self, rule_id: str, *, now: datetime, by: str) -> bool:
        """Remove a rule; a tombstone keeps the config import from bringing it back."""
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(rules).where(rules.c.id == rule_id))
            if result.rowcount:
                await bury(conn, "rule", rule_id, now, by)
                await _bump(conn)
            return bool(result.rowcount)

    async def import_config(
        self, new_rules: Sequence[Rule], new_actors: Sequence[Actor], now: datetime
    ) -> ImportResult:
        """Make the store's YAML-born rules and actors what the files say: upsert, and remove
        those the files dropped; rules an admin changed or removed in chat are left alone, and
        an actor a remaining rule names is kept."""
        result = ImportResult()
        async with self.engine.begin() as conn:
            buried = await buried_idents(conn, "rule")
            for table, models in ((actors, new_actors), (rules, new_rules)):
                query = select(table.c.id, table.c.body, table.c.origin)
                have = {r.id: r for r in await conn.execute(query)}
                for model in models:
                    row = have.get(model.id)
                    if table is rules and (model.id in buried or (row and row.origin == "chat")):
                        result.kept.append(model.id)
                        continue
                    body = model.model_dump(mode="json")
                    if row is None or row.body != body:
                        await _put(conn, table, model.id, body, now, "config", "yaml")
                        result.changed += 1
            named = {m.id for m in new_rules}
            dropped = await _drop_yaml(conn, rules, named)
            bodies = await conn.execute(select(rules.c.body))
            needed = {a for r in bodies for a in r.body.get("actors") or ()}
            dropped += await _drop_yaml(conn, actors, {m.id for m in new_actors} | needed)
            result.removed = dropped
            if result.changed or dropped:
                await _bump(conn)
        return result


@dataclass
class ImportResult:
    """What a config import changed, and the rules it left as an admin set them in chat."""

    changed: int = 0
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


async def _drop_yaml(conn: AsyncConnection, table: Table, keep: set[str]) -> list[str]:
    """Delete the rows the YAML import made whose ids are not in `keep`; return those ids."""
    query = select(table.c.id).where(table.c.origin == "yaml")
    gone = [r.id for r in await conn.execute(query) if r.id not in keep]
    if gone:
        await conn.execute(delete(table).where(table.c.id.in_(gone)))
    return gone


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
