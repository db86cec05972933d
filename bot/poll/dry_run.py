"""Dry-run a rule against every stored item: what it would have matched, with evidence.

Used by `newsbot rules test` and the admins' `rules test` chat command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.models import Item, RuleMatch
from bot.ports import ItemArchive
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, Rule

BATCH = 200


@dataclass
class DryRun:
    rule: Rule
    scanned: int = 0
    hits: list[tuple[Item, RuleMatch]] = field(default_factory=list)

    def render(self, limit: int) -> str:
        lines = [
            f"rule {self.rule.id!r} ({self.rule.name}) matched {len(self.hits)} of "
            f"{self.scanned} stored items"
        ]
        for item, match in self.hits[:limit]:
            why = "; ".join(
                f"{e.field.value}: {e.text!r} ({e.term}, {e.how})" for e in match.evidence[:6]
            )
            lines.append(f"- {item.title}\n    {item.link or ''}\n    {why}")
        if len(self.hits) > limit:
            lines.append(f"... and {len(self.hits) - limit} more")
        return "\n".join(lines)


async def dry_run(alerts: ItemArchive, rule: Rule, actors: Sequence[Actor]) -> DryRun:
    """Match `rule` alone against every stored item, oldest first, in batches off the event
    loop (a chat command's dry run over thousands of items never stalls the bot)."""
    matcher = compile_rules([rule], list(actors))
    result = DryRun(rule)

    def match(batch: list[Item]) -> list[tuple[Item, RuleMatch]]:
        hits = []
        for item in batch:
            found = next((m for m in matcher.match(item).rules if m.rule_id == rule.id), None)
            if found is not None:
                hits.append((item, found))
        return hits

    batch: list[Item] = []
    async for item in alerts.iter_items():
        result.scanned += 1
        batch.append(item)
        if len(batch) >= BATCH:
            result.hits += await asyncio.to_thread(match, batch)
            batch = []
    if batch:
        result.hits += await asyncio.to_thread(match, batch)
    return result
