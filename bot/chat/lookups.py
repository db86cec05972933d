"""Lookups every member may run, and the catalog questions other use cases ask: what a typed
name refers to, autocomplete, an actor's profile, recent alerts, a channel's delivery log."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.guard import Caller, Guard
from bot.chat.reply import Reply, clip, feed, link
from bot.chat_ports import AlertLookup, CatalogReader, DeliveryLog
from bot.models import Alert, Frozen
from bot.rules.actors import actor_names, surnames
from bot.rules.fold import fold_phrase
from bot.rules.schema import Actor, Rule


class Catalog(Frozen):
    """Rules and actors as the command service sees them (ids, names, aliases)."""

    rules: tuple[Rule, ...]
    actors: tuple[Actor, ...]


def fold(text: str) -> str:
    """The matcher's folding (case, accents, transliteration variants) as one lookup key."""
    return " ".join(fold_phrase(text))


class Lookups:
    """Catalog lookups (targets, autocomplete, labels) and the read-only commands."""

    def __init__(
        self, catalog: CatalogReader, alerts: AlertLookup, deliveries: DeliveryLog, guard: Guard
    ) -> None:
        self.rules_and_actors = catalog
        self.alerts = alerts
        self.deliveries = deliveries
        self.guard = guard

    async def catalog(self) -> Catalog:
        rules = await self.rules_and_actors.rules()
        actors = await self.rules_and_actors.actors()
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

    async def label(self, target: str, cat: Catalog | None = None) -> str:
        """A subscription target as people read it: 'Sergey Lavrov (actor)'."""
        if target == "*":
            return "every rule and actor"
        kind, _, ident = target.partition(":")
        cat = cat or await self.catalog()
        pool: Sequence[Rule | Actor] = cat.rules if kind == "rule" else cat.actors
        name = next((x.name for x in pool if x.id == ident), ident)
        return f"{name} ({kind})"

    async def unknown_target(self, text: str) -> Reply:
        choices = await self.complete("", limit=12)
        return Reply(
            title=f"No rule or actor called {text!r}",
            lines=("Try one of: " + ", ".join(v for _, v in choices),),
            ok=False,
        )

    async def unknown_rule(self, rule_id: str) -> Reply:
        ids = ", ".join(r.id for r in (await self.catalog()).rules) or "none"
        return Reply(title=f"No rule {rule_id!r}", lines=(f"Rules: {ids}",), ok=False)

    async def actor(self, caller: Caller, name: str) -> Reply:
        resolved = await self.resolve_target(f"actor:{name}")
        cat = await self.catalog()
        actor = next((a for a in cat.actors if f"actor:{a.id}" == resolved), None)
        if actor is None:
            known = ", ".join(a.name for a in cat.actors[:15]) or "none yet"
            return Reply(
                title=f"No actor named {name!r}", lines=(f"Known actors: {known}",), ok=False
            )
        count, last = await self.alerts.mention_stats(actor.id)
        recent = await self.alerts.mentioning(actor.id, limit=20)
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
                f"> “{feed(clip(q.text, 300))}” — {feed(a.source or 'source')}"
                + (f" {link(a.link)}" if a.link else "")
                for q, a in quotes
            ]
        if recent:
            lines.append("Recent alerts:")
            lines += [alert_line(a) for a in recent[:5]]
        return Reply(title=f"{actor.name}", lines=tuple(lines))

    async def recent_alerts(
        self, caller: Caller, rule: str | None = None, limit: int = 10
    ) -> Reply:
        rule_id = None
        if rule:
            resolved = await self.resolve_target(f"rule:{rule}")
            if resolved is None:
                return await self.unknown_target(rule)
            rule_id = resolved.removeprefix("rule:")
        alerts = await self.alerts.recent(rule_id=rule_id, limit=limit)
        what = f"for {rule_id}" if rule_id else "from all rules"
        if not alerts:
            return Reply(title=f"No alerts yet {what}")
        return Reply(title=f"Latest alerts {what}", lines=tuple(alert_line(a) for a in alerts))

    async def delivery_log(self, caller: Caller, limit: int = 15) -> Reply:
        if refusal := await self.guard.permit(caller, "alerts.log", caller.destination.key):
            return refusal
        rows = await self.deliveries.log(caller.destination, limit)
        lines = [
            f"• #{r.id} alert {r.alert_id}: {r.status}"
            + (f" after {r.attempts} attempt(s)" if r.attempts > 1 else "")
            + (f" — {feed(clip(r.last_error, 120))}" if r.last_error else "")
            for r in rows
        ]
        return Reply(
            title="Delivery log of this channel",
            lines=tuple(lines) or ("nothing delivered here yet",),
        )


def alert_line(alert: Alert) -> str:
    """One alert as a list line: title, source, date, the rules it matched, its link; what the
    feed wrote is marked as feed text (no masked link, markup or mention reaches the reply)."""
    when = alert.published.strftime("%Y-%m-%d") if alert.published else ""
    rules = ", ".join(m.rule_name for m in alert.matches.rules)
    url = f" {link(alert.link)}" if alert.link else ""
    title, source = feed(clip(alert.title, 150)), feed(alert.source)
    return f"• {title} — {source} {when} [{feed(rules)}]{url}".replace("  ", " ")
