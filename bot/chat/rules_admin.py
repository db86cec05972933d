"""Admin edits of the watch rules from chat: list, show, add and edit (from YAML or an editor),
remove, dry-run against stored items, and the change history. Every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import yaml

from bot.chat.guard import Caller, Guard
from bot.chat.lookups import Lookups
from bot.chat.reply import Reply, clip, feed, fenced, first_line
from bot.chat_ports import AuditLog, RuleEditor
from bot.config import ConfigError, parse_yaml, validate_model
from bot.poll.dry_run import dry_run
from bot.ports import ItemArchive
from bot.rules.schema import Rule

MAX_LINES = 25
RULE_EXAMPLE = "id: ceasefire\nname: Ceasefire talks\nany: [ceasefire, truce]"  # editors' hint
RULE_IN_CONFIG = (
    "The config files define this rule too; from now on chat's version stands and the "
    "file's entry for it is ignored (the log names it at start and on reload)."
)


class RulesAdmin:
    """The `rules …` commands, for admins only."""

    def __init__(
        self,
        catalog: RuleEditor,
        archive: ItemArchive,
        audit: AuditLog,
        clock: Callable[[], datetime],
        lookups: Lookups,
        guard: Guard,
    ) -> None:
        self.catalog = catalog
        self.archive = archive
        self.audit = audit
        self.clock = clock
        self.lookups = lookups
        self.guard = guard

    async def list_rules(self, caller: Caller) -> Reply:
        if refusal := await self.guard.permit(caller, "rules.list", None):
            return refusal
        cat = await self.lookups.catalog()
        lines = [
            f"• `{r.id}` {r.name} — {r.kind.value}, {r.priority.value}"
            + ("" if r.enabled else " (disabled)")
            for r in cat.rules
        ]
        return Reply(title=f"{len(cat.rules)} rules", lines=tuple(lines[:MAX_LINES]))

    async def show(self, caller: Caller, rule_id: str) -> Reply:
        if refusal := await self.guard.permit(caller, "rules.show", f"rule:{rule_id}"):
            return refusal
        rule = await self.catalog.get_rule(rule_id)
        if rule is None:
            return await self.lookups.unknown_rule(rule_id)
        text = fenced(rule_yaml(rule).rstrip())
        return Reply(title=f"Rule {rule.id}", lines=("```yaml", *text.splitlines(), "```"))

    async def draft(self, caller: Caller, rule_id: str | None = None, *, limit: int) -> str | Reply:
        """The YAML a rule editor of at most `limit` characters opens with (the rule's own, or ""
        for a new rule), or a Reply saying why it cannot open: a non-admin is told before
        typing a whole rule."""
        action = "rules.edit" if rule_id else "rules.add"
        target = f"rule:{rule_id}" if rule_id else None
        if refusal := await self.guard.permit(caller, action, target):
            return refusal
        if rule_id is None:
            return ""
        rule = await self.catalog.get_rule(rule_id)
        if rule is None:
            return await self.lookups.unknown_rule(rule_id)
        text = rule_yaml(rule)
        if len(text) > limit:
            return Reply(
                title=f"Rule {rule_id} is too long for the editor ({len(text)} characters)",
                lines=("Give the whole rule as YAML in the command, or edit the config file.",),
                ok=False,
            )
        return text

    async def put(self, caller: Caller, yaml_text: str, *, rule_id: str | None = None) -> Reply:
        """Add a rule (rule_id None) or replace one, from YAML validated by the rules schema."""
        action = "rules.edit" if rule_id else "rules.add"
        target = f"rule:{rule_id}" if rule_id else None
        if refusal := await self.guard.permit(caller, action, target):
            return refusal
        try:
            raw = parse_yaml(yaml_text, "rule")
        except ConfigError as exc:
            return Reply(title="That is not valid YAML", lines=(first_line(exc),), ok=False)
        if rule_id and isinstance(raw, dict):
            raw.setdefault("id", rule_id)
        try:
            rule = validate_model(raw, Rule, "rule")
        except ConfigError as exc:
            return Reply(
                title="The rule was not saved", lines=tuple(str(exc).splitlines()), ok=False
            )
        if rule_id and rule.id != rule_id:
            return Reply(
                title="The rule was not saved",
                lines=(f"its id is {rule.id!r} but you are editing {rule_id!r}",),
                ok=False,
            )
        cat = await self.lookups.catalog()
        unknown = [a for a in rule.actors if a not in {x.id for x in cat.actors}]
        if unknown:
            return Reply(
                title="The rule was not saved",
                lines=(f"unknown actor(s): {', '.join(unknown)}",),
                ok=False,
            )
        before = await self.catalog.get_rule(rule.id)
        from_config = await self.catalog.rule_origin(rule.id) == "yaml"
        if rule_id is None and before is not None:
            return Reply(
                title=f"A rule {rule.id!r} already exists",
                lines=("Use rules edit to change it.",),
                ok=False,
            )
        if rule_id is not None and before is None:
            return await self.lookups.unknown_rule(rule_id)
        await self.catalog.put_rule(rule, now=self.clock(), by=caller.who)
        await self.guard.record(
            caller,
            action,
            f"rule:{rule.id}",
            before.model_dump(mode="json") if before else None,
            rule.model_dump(mode="json"),
        )
        verb = "updated" if before else "added"
        return Reply(
            title=f"Rule {rule.id} {verb}; it applies from the next poll",
            lines=(RULE_IN_CONFIG,) if from_config else (),
        )

    async def remove(self, caller: Caller, rule_id: str) -> Reply:
        if refusal := await self.guard.permit(caller, "rules.remove", f"rule:{rule_id}"):
            return refusal
        before = await self.catalog.get_rule(rule_id)
        origin = await self.catalog.rule_origin(rule_id)
        removed = await self.catalog.remove_rule(rule_id, now=self.clock(), by=caller.who)
        if before is None or not removed:
            return await self.lookups.unknown_rule(rule_id)
        await self.guard.record(
            caller, "rules.remove", f"rule:{rule_id}", before.model_dump(mode="json"), None
        )
        note = (RULE_IN_CONFIG,) if origin == "yaml" else ()
        return Reply(title=f"Rule {rule_id} removed", lines=note)

    async def test(self, caller: Caller, rule_id: str, limit: int = 5) -> Reply:
        if refusal := await self.guard.permit(caller, "rules.test", f"rule:{rule_id}"):
            return refusal
        rule = await self.catalog.get_rule(rule_id)
        if rule is None:
            return await self.lookups.unknown_rule(rule_id)
        run = await dry_run(self.archive, rule, await self.catalog.actors())
        hits = [
            f"• {feed(clip(item.title, 150))} — matched: {feed(', '.join(m.words[:5]))}"
            for item, m in run.hits[:limit]
        ]
        return Reply(
            title=f"Rule {rule_id} would match {len(run.hits)} of {run.scanned} stored items",
            lines=tuple(hits),
        )

    async def history(self, caller: Caller, rule_id: str | None = None) -> Reply:
        target = f"rule:{rule_id}" if rule_id else None
        if refusal := await self.guard.permit(caller, "rules.history", target):
            return refusal
        rows = await self.audit.history(target, limit=15)
        lines = [
            f"• {r.at:%Y-%m-%d %H:%M} {r.who}: {r.action} {r.target or ''}"
            + ("" if r.allowed else " (refused)")
            for r in rows
        ]
        return Reply(
            title="Change history" + (f" of {rule_id}" if rule_id else ""),
            lines=tuple(lines) or ("no changes recorded",),
        )


def rule_yaml(rule: Rule) -> str:
    """A rule as the config files write it, defaults left out."""
    data = rule.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
