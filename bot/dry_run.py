"""`newsbot rules test`: what a rule (stored, or from an edited YAML) would have matched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.app import App
from bot.config import ConfigError, load_yaml_model
from bot.rules.compile import compile_rules
from bot.rules.schema import Rule, RuleSet


@dataclass
class DryRun:
    ok: bool
    text: str


async def dry_run_report(app: App, rule_id: str, file: Path | None, limit: int) -> DryRun:
    """Match one rule against every stored item and list the hits with their evidence."""
    rule = await _find_rule(app, rule_id, file)
    if rule is None:
        where = str(file) if file else "the store"
        return DryRun(False, f"no rule {rule_id!r} in {where}; see config/rules.yaml")
    matcher = compile_rules([rule], list(app.catalog.actors))
    lines: list[str] = []
    scanned = hits = 0
    async for item in app.store.alerts.iter_items():
        scanned += 1
        result = matcher.match(item)
        found = [m for m in result.rules if m.rule_id == rule.id]
        if not found:
            continue
        hits += 1
        if hits <= limit:
            why = "; ".join(f"{e.field.value}: {e.text!r} ({e.term}, {e.how})"
                            for e in found[0].evidence[:6])
            lines.append(f"- {item.title}\n    {item.link or ''}\n    {why}")
    head = f"rule {rule.id!r} ({rule.name}) matched {hits} of {scanned} stored items"
    more = [f"... and {hits - limit} more"] if hits > limit else []
    return DryRun(True, "\n".join([head, *lines, *more]))


async def _find_rule(app: App, rule_id: str, file: Path | None) -> Rule | None:
    if file is None:
        return await app.store.catalog.get_rule(rule_id)
    rules = load_yaml_model(file, RuleSet)
    return next((r for r in rules.rules if r.id == rule_id), None)


__all__ = ["ConfigError", "DryRun", "dry_run_report"]
