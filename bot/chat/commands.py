"""The platform-neutral command service: every chat command's logic, written once.

Discord and Slack adapters only translate: they build a `Caller` (deciding `is_admin` from the
platform's own permissions), call a method here, and render the `Reply`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import yaml
from pydantic import Field, ValidationError

from bot.config import ConfigError, parse_yaml, validate_model
from bot.models import (
    Alert,
    DeliveryMode,
    Destination,
    Frozen,
    Platform,
    Priority,
    Subscription,
)
from bot.poll.dry_run import dry_run
from bot.rules.actors import actor_names, surnames
from bot.rules.fold import fold_phrase
from bot.rules.schema import Actor, Rule
from bot.store.feeds import FeedExistsError
from bot.store.store import Store

MAX_LINES = 25
MAX_FEED_NAME = 200
SLACK_GROUP = re.compile(r"^(?:<!subteam\^)?(S[A-Z0-9]{2,20})(?:\|[^>]*)?>?$")
DRAFT_ERRORS = 8  # error lines shown above a returned draft
RULE_EXAMPLE = "id: ceasefire\nname: Ceasefire talks\nany: [ceasefire, truce]"  # editors' hint
HELP = (
    "Commands: subscribe TARGET [min_priority=…] [mode=instant|digest], unsubscribe TARGET, "
    "subscriptions, actor NAME, alerts recent [RULE], alerts log; admins: rules "
    "list|show|add|edit|remove|test|history, feeds list|add|remove"
)


class Caller(Frozen):
    """Who issued a command, where, and whether the platform says they may administer."""

    user_id: str
    name: str = ""
    platform: Platform
    workspace: str | None = None
    channel: str
    is_admin: bool = False

    @property
    def destination(self) -> Destination:
        return Destination(platform=self.platform, address=self.channel, workspace=self.workspace)

    @property
    def who(self) -> str:
        return f"{self.platform.value}:{self.user_id}" + (f" ({self.name})" if self.name else "")


class Reply(Frozen):
    """A command's answer: a title, lines of markdown-light text, and whether it succeeded."""

    title: str
    lines: tuple[str, ...] = ()
    ok: bool = True
    ephemeral: bool = True
    links: tuple[tuple[str, str], ...] = Field(default=(), description="(label, url) pairs")

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.lines])


class Catalog(Frozen):
    """Rules and actors as the command service sees them (ids, names, aliases)."""

    rules: tuple[Rule, ...]
    actors: tuple[Actor, ...]


def fold(text: str) -> str:
    """The matcher's folding (case, accents, transliteration variants) as one lookup key."""
    return " ".join(fold_phrase(text))


class CommandService:
    """Subscriptions, actor lookups, recent alerts, and admin edits of rules and feeds."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        *,
        validate_feed_url: Callable[[str], str],
        default_interval: int = 300,
    ) -> None:
        self.store = store
        self.clock = clock
        self.validate_feed_url = validate_feed_url
        self.default_interval = default_interval

    # ---- lookups shared by several commands -------------------------------------------

    async def catalog(self) -> Catalog:
        rules = await self.store.catalog.rules()
        actors = await self.store.catalog.actors()
        return Catalog(rules=tuple(rules), actors=tuple(actors))

    async def resolve_target(self, text: str) -> str | None:
        """Map what a user typed ('peace-talks', 'Lavrov', 'actor:x') to a subscription target."""
        key = fold(text.removeprefix("rule:").removeprefix("actor:"))
        cat = await self.catalog()
        if not text.startswith("actor:"):
            for rule in cat.rules:
                if key in {fold(rule.id), fold(rule.name)}:
                    return f"rule:{rule.id}"
        if not text.startswith("rule:"):
            bare = surnames(cat.actors)
            for actor in cat.actors:
                names = actor_names(actor, bare.get(actor.id))
                if key in {fold(actor.id), *(fold(n) for n in names)}:
                    return f"actor:{actor.id}"
        return "*" if text.strip() in {"*", "all"} else None

    async def complete(
        self, prefix: str, *, kind: str = "any", limit: int = 25
    ) -> list[tuple[str, str]]:
        """Autocomplete choices (label, value) for rules and/or actors matching `prefix`."""
        key = fold(prefix)
        cat = await self.catalog()
        choices: list[tuple[str, str]] = []
        if kind in {"any", "actor"}:
            choices += [
                (f"{a.name} — {a.role}".strip(" —"), a.id)
                for a in cat.actors
                if not key or any(key in fold(n) for n in (a.id, *a.names))
            ]
        if kind in {"any", "rule"}:
            choices += [
                (f"{r.name} (rule)", r.id)
                for r in cat.rules
                if not key or key in fold(r.id) or key in fold(r.name)
            ]
        return choices[:limit]

    # ---- everyone -----------------------------------------------------------------------

    async def subscribe(
        self,
        caller: Caller,
        target: str,
        *,
        min_priority: str = "low",
        mention_role: str | None = None,
        mode: str = "instant",
        digest_time: str | None = None,
    ) -> Reply:
        resolved = await self.resolve_target(target)
        if resolved is None:
            return await self._unknown_target(target)
        try:
            sub = Subscription(
                destination=caller.destination,
                target=resolved,
                min_priority=Priority(min_priority),
                mention_role=_mention_id(caller.platform, mention_role),
                mode=DeliveryMode(mode),
                digest_time=digest_time,
                created_by=caller.who,
            )
        except ValueError as exc:
            return Reply(title="That subscription is not valid", lines=_reasons(exc), ok=False)
        saved, new = await self.store.subscriptions.upsert(sub, self.clock())
        verb = "Subscribed" if new else "Updated the subscription:"
        extra = (
            [f"only {saved.min_priority.value} priority and above"]
            if saved.min_priority.rank
            else []
        )
        if saved.mention_role:
            extra.append(f"mentioning {_role_mention(caller.platform, saved.mention_role)}")
        if saved.mode is DeliveryMode.digest:
            extra.append(f"as a daily digest at {saved.digest_time or '08:00'} UTC")
        elif digest_time:
            extra.append("digest_time applies only with mode=digest; alerts come at once")
        return Reply(
            title=f"{verb} this channel to {await self._label(resolved)}",
            lines=tuple(extra),
            ephemeral=False,
        )

    async def unsubscribe(self, caller: Caller, target: str) -> Reply:
        resolved = await self.resolve_target(target) or target
        if await self.store.subscriptions.remove(caller.destination, resolved):
            return Reply(
                title=f"Unsubscribed this channel from {await self._label(resolved)}",
                ephemeral=False,
            )
        current = await self.store.subscriptions.for_destination(caller.destination)
        names = ", ".join(s.target for s in current) or "nothing"
        return Reply(
            title=f"This channel is not subscribed to {target!r}",
            lines=(f"It is subscribed to: {names}",),
            ok=False,
        )

    async def subscriptions(self, caller: Caller) -> Reply:
        subs = await self.store.subscriptions.for_destination(caller.destination)
        if not subs:
            return Reply(
                title="This channel has no subscriptions",
                lines=("Add one with subscribe, e.g. `subscribe peace-talks`.",),
            )
        cat = await self.catalog()  # once, not per line
        lines = []
        for s in subs:
            state = " (paused: the bot could not post here)" if s.paused else ""
            label = await self._label(s.target, cat)
            lines.append(f"• {label} — {s.min_priority.value}+, {s.mode.value}{state}")
        return Reply(title=f"Subscriptions of this channel ({len(subs)})", lines=tuple(lines))

    async def actor(self, caller: Caller, name: str) -> Reply:
        resolved = await self.resolve_target(f"actor:{name}")
        cat = await self.catalog()
        actor = next((a for a in cat.actors if f"actor:{a.id}" == resolved), None)
        if actor is None:
            known = ", ".join(a.name for a in cat.actors[:15]) or "none yet"
            return Reply(
                title=f"No actor named {name!r}", lines=(f"Known actors: {known}",), ok=False
            )
        count, last = await self.store.alerts.mention_stats(actor.id)
        recent = await self.store.alerts.mentioning(actor.id, limit=20)
        lines = [
            f"**{actor.role or 'role unknown'}**"
            + (f", {actor.organisation}" if actor.organisation else "")
            + (f" ({actor.country})" if actor.country else "")
        ]
        if actor.aliases:
            lines.append("Also known as: " + ", ".join(actor.aliases))
        seen = last.strftime("%Y-%m-%d %H:%M UTC") if last else "never"
        lines.append(f"Mentioned in {count} alert(s); last seen {seen}")
        quotes = [(q, a) for a in recent for q in a.quotes if q.actor_id == actor.id][:3]
        if quotes:
            lines.append("Latest quotes:")
            lines += [
                f"> “{_clip(q.text, 300)}” — {a.source or 'source'}"
                + (f" <{a.link}>" if a.link else "")
                for q, a in quotes
            ]
        if recent:
            lines.append("Recent alerts:")
            lines += [_alert_line(a) for a in recent[:5]]
        return Reply(title=f"{actor.name}", lines=tuple(lines))

    async def recent_alerts(
        self, caller: Caller, rule: str | None = None, limit: int = 10
    ) -> Reply:
        rule_id = None
        if rule:
            resolved = await self.resolve_target(f"rule:{rule}")
            if resolved is None:
                return await self._unknown_target(rule)
            rule_id = resolved.removeprefix("rule:")
        alerts = await self.store.alerts.recent(rule_id=rule_id, limit=limit)
        what = f"for {rule_id}" if rule_id else "from all rules"
        if not alerts:
            return Reply(title=f"No alerts yet {what}")
        return Reply(title=f"Latest alerts {what}", lines=tuple(_alert_line(a) for a in alerts))

    # ---- admins -------------------------------------------------------------------------

    async def _refuse(self, caller: Caller, action: str, target: str | None) -> Reply | None:
        """None if the caller may administer; otherwise a refusal, recorded in the audit log."""
        if caller.is_admin:
            return None
        await self._audit(caller, action, target, allowed=False, detail="refused: not an admin")
        return Reply(
            title="Only admins can do that",
            lines=(
                "You need the Manage Server permission (Discord), to be a workspace "
                "admin (Slack), or the bot admin role set by the operator.",
            ),
            ok=False,
        )

    async def _audit(
        self,
        caller: Caller,
        action: str,
        target: str | None,
        before: Any = None,
        after: Any = None,
        *,
        allowed: bool = True,
        detail: str | None = None,
    ) -> None:
        await self.store.audit.record(
            now=self.clock(),
            who=caller.who,
            platform=caller.platform.value,
            workspace=caller.workspace,
            action=action,
            target=target,
            allowed=allowed,
            before=before,
            after=after,
            detail=detail,
        )

    async def rules_list(self, caller: Caller) -> Reply:
        if refusal := await self._refuse(caller, "rules.list", None):
            return refusal
        cat = await self.catalog()
        lines = [
            f"• `{r.id}` {r.name} — {r.kind.value}, {r.priority.value}"
            + ("" if r.enabled else " (disabled)")
            for r in cat.rules
        ]
        return Reply(title=f"{len(cat.rules)} rules", lines=tuple(lines[:MAX_LINES]))

    async def rules_show(self, caller: Caller, rule_id: str) -> Reply:
        if refusal := await self._refuse(caller, "rules.show", f"rule:{rule_id}"):
            return refusal
        rule = await self.store.catalog.get_rule(rule_id)
        if rule is None:
            return await self._unknown_rule(rule_id)
        text = fenced(_rule_yaml(rule).rstrip())
        return Reply(title=f"Rule {rule.id}", lines=("```yaml", *text.splitlines(), "```"))

    async def rules_draft(
        self, caller: Caller, rule_id: str | None = None, *, limit: int
    ) -> str | Reply:
        """The YAML a rule editor of at most `limit` characters opens with (the rule's own, or ""
        for a new rule), or a Reply saying why it cannot open: a non-admin is told before
        typing a whole rule."""
        action = "rules.edit" if rule_id else "rules.add"
        if refusal := await self._refuse(caller, action, f"rule:{rule_id}" if rule_id else None):
            return refusal
        if rule_id is None:
            return ""
        rule = await self.store.catalog.get_rule(rule_id)
        if rule is None:
            return await self._unknown_rule(rule_id)
        text = _rule_yaml(rule)
        if len(text) > limit:
            return Reply(
                title=f"Rule {rule_id} is too long for the editor ({len(text)} characters)",
                lines=("Give the whole rule as YAML in the command, or edit the config file.",),
                ok=False,
            )
        return text

    async def rules_put(
        self, caller: Caller, yaml_text: str, *, rule_id: str | None = None
    ) -> Reply:
        """Add a rule (rule_id None) or replace one, from YAML validated by the rules schema."""
        action = "rules.edit" if rule_id else "rules.add"
        if refusal := await self._refuse(caller, action, f"rule:{rule_id}" if rule_id else None):
            return refusal
        try:
            raw = parse_yaml(yaml_text, "rule")
        except ConfigError as exc:
            return Reply(title="That is not valid YAML", lines=(_first_line(exc),), ok=False)
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
        cat = await self.catalog()
        unknown = [a for a in rule.actors if a not in {x.id for x in cat.actors}]
        if unknown:
            return Reply(
                title="The rule was not saved",
                lines=(f"unknown actor(s): {', '.join(unknown)}",),
                ok=False,
            )
        before = await self.store.catalog.get_rule(rule.id)
        from_config = await self.store.catalog.rule_origin(rule.id) == "yaml"
        if rule_id is None and before is not None:
            return Reply(
                title=f"A rule {rule.id!r} already exists",
                lines=("Use rules edit to change it.",),
                ok=False,
            )
        if rule_id is not None and before is None:
            return await self._unknown_rule(rule_id)
        await self.store.catalog.put_rule(rule, now=self.clock(), by=caller.who)
        await self._audit(
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

    async def rules_remove(self, caller: Caller, rule_id: str) -> Reply:
        if refusal := await self._refuse(caller, "rules.remove", f"rule:{rule_id}"):
            return refusal
        before = await self.store.catalog.get_rule(rule_id)
        origin = await self.store.catalog.rule_origin(rule_id)
        removed = await self.store.catalog.remove_rule(rule_id, now=self.clock(), by=caller.who)
        if before is None or not removed:
            return await self._unknown_rule(rule_id)
        await self._audit(
            caller, "rules.remove", f"rule:{rule_id}", before.model_dump(mode="json"), None
        )
        note = (RULE_IN_CONFIG,) if origin == "yaml" else ()
        return Reply(title=f"Rule {rule_id} removed", lines=note)

    async def rules_test(self, caller: Caller, rule_id: str, limit: int = 5) -> Reply:
        if refusal := await self._refuse(caller, "rules.test", f"rule:{rule_id}"):
            return refusal
        rule = await self.store.catalog.get_rule(rule_id)
        if rule is None:
            return await self._unknown_rule(rule_id)
        run = await dry_run(self.store.alerts, rule, await self.store.catalog.actors())
        hits = [
            f"• {_clip(item.title, 150)} — matched: {', '.join(m.words[:5])}"
            for item, m in run.hits[:limit]
        ]
        return Reply(
            title=f"Rule {rule_id} would match {len(run.hits)} of {run.scanned} stored items",
            lines=tuple(hits),
        )

    async def rules_history(self, caller: Caller, rule_id: str | None = None) -> Reply:
        target = f"rule:{rule_id}" if rule_id else None
        if refusal := await self._refuse(caller, "rules.history", target):
            return refusal
        rows = await self.store.audit.history(target, limit=15)
        lines = [
            f"• {r.at:%Y-%m-%d %H:%M} {r.who}: {r.action} {r.target or ''}"
            + ("" if r.allowed else " (refused)")
            for r in rows
        ]
        return Reply(
            title="Change history" + (f" of {rule_id}" if rule_id else ""),
            lines=tuple(lines) or ("no changes recorded",),
        )

    async def feeds_list(self, caller: Caller) -> Reply:
        if refusal := await self._refuse(caller, "feeds.list", None):
            return refusal
        feeds = await self.store.feeds.all()
        lines = [
            f"• `{f.id}` {f.name or f.url} <{f.url}>"
            + (" — disabled" if f.disabled else "")
            + (f" — failing: {_clip(f.last_error, 120)}" if f.last_error else "")
            + (f" — warning: {_clip(f.warning, 120)}" if f.warning and not f.last_error else "")
            for f in feeds
        ]
        return Reply(title=f"{len(feeds)} feeds", lines=tuple(lines[:MAX_LINES]))

    async def feeds_add(self, caller: Caller, url: str, name: str | None = None) -> Reply:
        if refusal := await self._refuse(caller, "feeds.add", url):
            return refusal
        if name is not None and len(name) > MAX_FEED_NAME:
            return Reply(
                title="The feed was not added",
                lines=(f"its name is {len(name)} characters long; {MAX_FEED_NAME} at most",),
                ok=False,
            )
        try:
            clean = self.validate_feed_url(url)
            feed = await self.store.feeds.add(
                clean,
                now=self.clock(),
                name=name,
                interval_seconds=self.default_interval,
                added_by=caller.who,
            )
        except (ValueError, FeedExistsError) as exc:
            return Reply(title="The feed was not added", lines=(str(exc),), ok=False)
        await self._audit(caller, "feeds.add", feed.url, None, {"id": feed.id, "url": feed.url})
        return Reply(
            title=f"Feed {feed.id} added: {feed.url}",
            lines=("Its current items are recorded as seen; new ones will alert.",),
        )

    async def feeds_remove(self, caller: Caller, feed: str) -> Reply:
        if refusal := await self._refuse(caller, "feeds.remove", feed):
            return refusal
        found = await self.store.feeds.find(feed)
        if found is None:
            return Reply(title=f"No feed {feed!r}", lines=("See feeds list for ids.",), ok=False)
        await self.store.feeds.remove(found.id, now=self.clock(), by=caller.who)
        await self._audit(
            caller, "feeds.remove", found.url, {"id": found.id, "url": found.url}, None
        )
        return Reply(
            title=f"Feed {found.id} removed: {found.url}",
            lines=(FEED_IN_CONFIG,) if found.added_by == "config" else (),
        )

    async def delivery_log(self, caller: Caller, limit: int = 15) -> Reply:
        if refusal := await self._refuse(caller, "alerts.log", caller.destination.key):
            return refusal
        rows = await self.store.outbox.log(caller.destination, limit)
        lines = [
            f"• #{r.id} alert {r.alert_id}: {r.status}"
            + (f" after {r.attempts} attempt(s)" if r.attempts > 1 else "")
            + (f" — {_clip(r.last_error, 120)}" if r.last_error else "")
            for r in rows
        ]
        return Reply(
            title="Delivery log of this channel",
            lines=tuple(lines) or ("nothing delivered here yet",),
        )

    # ---- one entry point for text-based adapters ----------------------------------------

    async def run(self, caller: Caller, path: Sequence[str], options: dict[str, str]) -> Reply:
        """Run a command given as a path (`("rules", "add")`) and named options."""
        o = options
        table: dict[tuple[str, ...], Callable[[], Awaitable[Reply]]] = {
            ("subscribe",): lambda: self.subscribe(
                caller,
                o.get("target", ""),
                min_priority=o.get("min_priority", "low"),
                mention_role=o.get("mention_role"),
                mode=o.get("mode", "instant"),
                digest_time=o.get("digest_time"),
            ),
            ("unsubscribe",): lambda: self.unsubscribe(caller, o.get("target", "")),
            ("subscriptions",): lambda: self.subscriptions(caller),
            ("actor",): lambda: self.actor(caller, o.get("name", "")),
            ("alerts", "recent"): lambda: self.recent_alerts(caller, o.get("rule")),
            ("alerts", "log"): lambda: self.delivery_log(caller),
            ("rules", "list"): lambda: self.rules_list(caller),
            ("rules", "show"): lambda: self.rules_show(caller, o.get("rule", "")),
            ("rules", "add"): lambda: self.rules_put(caller, o.get("yaml", "")),
            ("rules", "edit"): lambda: self.rules_put(
                caller, o.get("yaml", ""), rule_id=o.get("rule", "")
            ),
            ("rules", "remove"): lambda: self.rules_remove(caller, o.get("rule", "")),
            ("rules", "test"): lambda: self.rules_test(caller, o.get("rule", "")),
            ("rules", "history"): lambda: self.rules_history(caller, o.get("rule")),
            ("feeds", "list"): lambda: self.feeds_list(caller),
            ("feeds", "add"): lambda: self.feeds_add(caller, o.get("url", ""), o.get("name")),
            ("feeds", "remove"): lambda: self.feeds_remove(caller, o.get("feed", "")),
        }
        handler = table.get(tuple(path))
        if handler is None:
            return Reply(
                title=f"Unknown command: {' '.join(path) or '(none)'}", lines=(HELP,), ok=False
            )
        return await handler()

    # ---- helpers ------------------------------------------------------------------------

    async def _label(self, target: str, cat: Catalog | None = None) -> str:
        """A subscription target as people read it: 'Sergey Lavrov (actor)'."""
        if target == "*":
            return "every rule and actor"
        kind, _, ident = target.partition(":")
        cat = cat or await self.catalog()
        pool: Sequence[Rule | Actor] = cat.rules if kind == "rule" else cat.actors
        name = next((x.name for x in pool if x.id == ident), ident)
        return f"{name} ({kind})"

    async def _unknown_target(self, text: str) -> Reply:
        choices = await self.complete("", limit=12)
        return Reply(
            title=f"No rule or actor called {text!r}",
            lines=("Try one of: " + ", ".join(v for _, v in choices),),
            ok=False,
        )

    async def _unknown_rule(self, rule_id: str) -> Reply:
        ids = ", ".join(r.id for r in (await self.catalog()).rules) or "none"
        return Reply(title=f"No rule {rule_id!r}", lines=(f"Rules: {ids}",), ok=False)


def _role_mention(platform: Platform, role: str) -> str:
    """How a reply names the role (Discord: a pill that pings nobody, as replies allow no
    mentions) or user group (Slack: replies escape markup, so its id)."""
    return f"user group {role}" if platform is Platform.slack else f"<@&{role}>"


def _rule_yaml(rule: Rule) -> str:
    data = rule.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _alert_line(alert: Alert) -> str:
    when = alert.published.strftime("%Y-%m-%d") if alert.published else ""
    rules = ", ".join(m.rule_name for m in alert.matches.rules)
    link = f" <{alert.link}>" if alert.link else ""
    title = _clip(alert.title, 150).replace("](", "] (")  # a feed's title is no masked link
    return f"• {title} — {alert.source} {when} [{rules}]{link}".replace("  ", " ")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


RULE_IN_CONFIG = (
    "The config files define this rule too; from now on chat's version stands and the "
    "file's entry for it is ignored (the log names it at start and on reload)."
)
FEED_IN_CONFIG = (
    "The config files list this feed too; it stays removed across restarts. "
    "Add it again to bring it back."
)


def _mention_id(platform: Platform, role: str | None) -> str | None:
    """The id a subscription mentions: a Slack user group (`S…`, typed bare or as Slack escapes
    it) or a Discord role; ValueError saying what to type otherwise."""
    if not role:
        return None
    role = role.strip()
    if platform is Platform.slack:
        if found := SLACK_GROUP.match(role):
            return found[1]
        raise ValueError(
            f"mention_role must be a Slack user group id such as S0123ABCD, not {role[:40]!r}: "
            "open the group's profile, ⋮ → Copy group ID"
        )
    if not role.isascii() or not role.isdigit() or len(role) > 20:
        raise ValueError(f"mention_role must be a Discord role id, not {role[:40]!r}")
    return role


def _reasons(exc: ValueError) -> tuple[str, ...]:
    """What was wrong, per field, without pydantic's header line."""
    if isinstance(exc, ValidationError):
        formats = {"digest_time": "must be HH:MM, 24-hour UTC, e.g. 07:30"}
        reasons = []
        for error in exc.errors():
            where = ".".join(map(str, error["loc"]))
            msg = error["msg"]
            if error["type"] == "string_pattern_mismatch":  # not the regex: what to type
                msg = formats.get(where, msg)
            reasons.append(f"{where}: {msg}" if where else msg)
        return tuple(reasons)
    return (_first_line(exc),)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def fenced(text: str) -> str:
    """`text` safe inside a ``` code block: a zero-width space splits every run of backticks
    long enough to close the block early."""
    return re.sub(r"`{3,}", lambda m: "\u200b".join(m[0]), text)


def with_draft(reply: Reply, text: str) -> Reply:
    """A failed editor submission's reply, ending with the YAML as typed so nothing is lost."""
    if reply.ok or not text.strip():
        return reply
    errors = list(reply.lines[:DRAFT_ERRORS])  # leave room for the whole draft
    if len(reply.lines) > DRAFT_ERRORS:
        errors.append(f"… and {len(reply.lines) - DRAFT_ERRORS} more")
    draft = ("Your YAML, to fix and send again:", "```yaml", fenced(text.rstrip()), "```")
    lines = (*errors, *draft)
    return reply.model_copy(update={"lines": lines})
