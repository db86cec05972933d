"""A channel's subscriptions: subscribe, unsubscribe, and what this channel follows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import ValidationError

from bot.chat.guard import Caller, Guard
from bot.chat.lookups import Lookups
from bot.chat.mentions import MentionSyntax, NoMentions
from bot.chat.reply import Reply, first_line
from bot.chat_ports import SubscriptionAdmin
from bot.models import DeliveryMode, Platform, Priority, Subscription


class Subscriptions:
    """Subscribe a channel to a rule or actor, unsubscribe it, list what it follows."""

    def __init__(
        self,
        subscriptions: SubscriptionAdmin,
        clock: Callable[[], datetime],
        lookups: Lookups,
        guard: Guard,
        mentions: Mapping[Platform, MentionSyntax],
    ) -> None:
        self.stored = subscriptions
        self.clock = clock
        self.lookups = lookups
        self.guard = guard
        self.mentions = mentions

    def _syntax(self, platform: Platform) -> MentionSyntax:
        return self.mentions.get(platform) or NoMentions()

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
        resolved = await self.lookups.resolve_target(target)
        if resolved is None:
            return await self.lookups.unknown_target(target)
        syntax = self._syntax(caller.platform)
        try:
            role = syntax.parse(mention_role) if mention_role and mention_role.strip() else None
            sub = Subscription(
                destination=caller.destination,
                target=resolved,
                min_priority=Priority(min_priority),
                mention_role=role,
                mode=DeliveryMode(mode),
                digest_time=digest_time,
                created_by=caller.who,
            )
        except ValueError as exc:
            return Reply(title="That subscription is not valid", lines=_reasons(exc), ok=False)
        if role and (refusal := await self.guard.mention(caller, "subscribe.mention", role)):
            return refusal
        saved, new = await self.stored.upsert(sub, self.clock())
        verb = "Subscribed" if new else "Updated the subscription:"
        extra = (
            [f"only {saved.min_priority.value} priority and above"]
            if saved.min_priority.rank
            else []
        )
        if saved.mention_role:
            extra.append(f"mentioning {syntax.label(saved.mention_role)}")
        if saved.mode is DeliveryMode.digest:
            extra.append(f"as a daily digest at {saved.digest_time or '08:00'} UTC")
        elif digest_time:
            extra.append("digest_time applies only with mode=digest; alerts come at once")
        return Reply(
            title=f"{verb} this channel to {await self.lookups.label(resolved)}",
            lines=tuple(extra),
            ephemeral=False,
        )

    async def unsubscribe(self, caller: Caller, target: str) -> Reply:
        resolved = await self.lookups.resolve_target(target) or target
        if await self.stored.remove(caller.destination, resolved):
            return Reply(
                title=f"Unsubscribed this channel from {await self.lookups.label(resolved)}",
                ephemeral=False,
            )
        current = await self.stored.for_destination(caller.destination)
        names = ", ".join(s.target for s in current) or "nothing"
        return Reply(
            title=f"This channel is not subscribed to {target!r}",
            lines=(f"It is subscribed to: {names}",),
            ok=False,
        )

    async def subscriptions(self, caller: Caller) -> Reply:
        subs = await self.stored.for_destination(caller.destination)
        if not subs:
            return Reply(
                title="This channel has no subscriptions",
                lines=("Add one with subscribe, e.g. `subscribe peace-talks`.",),
            )
        cat = await self.lookups.catalog()  # once, not per line
        lines = []
        for s in subs:
            state = " (paused: the bot could not post here)" if s.paused else ""
            label = await self.lookups.label(s.target, cat)
            lines.append(f"• {label} — {s.min_priority.value}+, {s.mode.value}{state}")
        return Reply(title=f"Subscriptions of this channel ({len(subs)})", lines=tuple(lines))


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
    return (first_line(exc),)
