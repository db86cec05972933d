"""The platform-neutral command service: every chat command's logic, written once, by use case.

Discord and Slack adapters only translate: they build a `Caller` (deciding `is_admin` and
`can_mention` from the platform's own permissions), call `run` with a registry path and its
options (or a use case directly), and render the `Reply`. The use cases live in their own
modules: subscriptions, lookups, rules_admin, feeds_admin; this one wires them and dispatches.
Each use case gets only the store ports it needs (bot/chat_ports.py); the SQL store is one
`ChatStore`, handed in by bot/runtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from bot.chat import charts
from bot.chat.feedback import FeedbackService
from bot.chat.feeds_admin import FeedsAdmin
from bot.chat.guard import Caller, Guard
from bot.chat.lookups import Lookups
from bot.chat.mentions import MentionSyntax
from bot.chat.registry import BY_PATH, summary
from bot.chat.reply import Reply
from bot.chat.rules_admin import RULE_EXAMPLE, RulesAdmin
from bot.chat.subscriptions import Subscriptions
from bot.chat_ports import ChatStore
from bot.models import Platform
from bot.policy.daily import Chart
from bot.ports import TimelinePort

__all__ = ["HELP", "RULE_EXAMPLE", "Caller", "CommandService", "Reply"]

HELP = summary()
Options = Mapping[str, str]


class CommandService:
    """One object per process holding the four use cases, and `run`, the registry's dispatcher."""

    def __init__(
        self,
        store: ChatStore,
        clock: Callable[[], datetime],
        *,
        validate_feed_url: Callable[[str], str],
        default_interval: int = 300,
        mentions: Mapping[Platform, MentionSyntax] | None = None,
        owners: frozenset[str] = frozenset(),
        status_report: Callable[[], Awaitable[list[str]]] | None = None,
        timeline: TimelinePort | None = None,
    ) -> None:
        self._store, self._clock = store, clock
        self._status_report, self._timeline = status_report, timeline
        self.guard = Guard(store.audit, clock, owners)
        self.lookups = Lookups(store.catalog, store.alerts, store.outbox, self.guard)
        self.subs = Subscriptions(
            store.subscriptions, clock, self.lookups, self.guard, mentions or {}
        )
        self.rules = RulesAdmin(
            store.catalog, store.alerts, store.audit, clock, self.lookups, self.guard
        )
        self.feeds = FeedsAdmin(
            store.feeds,
            clock,
            self.guard,
            validate_feed_url=validate_feed_url,
            default_interval=default_interval,
        )
        self._handlers = self._table()

    async def _stats(self, caller: Caller, rule_id: str) -> Reply:
        """`/rules stats`: the votes' figures, for those the registry allows (admins)."""
        if refusal := await self.guard.permit(caller, "rules.stats", f"rule:{rule_id}"):
            return refusal
        feedback = FeedbackService(self._store.relevance, self._store.alerts, self.guard)
        reply = await feedback.stats(caller, rule_id)  # with the rule's alerts per day
        return await self._charted(reply, lambda t, now: charts.rule_chart(t, rule_id, now))

    async def _status(self, caller: Caller) -> Reply:
        """`/status`: what `newsbot status` prints (the same `App.status_report`), for admins,
        audited; with the alerts and posts per day."""
        if refusal := await self.guard.permit(caller, "status", None):
            return refusal
        await self.guard.record(caller, "status", None)
        if self._status_report is None:
            return Reply(title="Status is not available in this process", ok=False)
        reply = Reply(title="newsbot status", lines=tuple(await self._status_report()))
        return await self._charted(reply, charts.activity_chart)

    async def _actor(self, caller: Caller, name: str) -> Reply:
        """`/actor NAME` with its mentions per day."""
        reply = await self.lookups.actor(caller, name)
        resolved = await self.lookups.resolve_target(f"actor:{name}") if reply.ok else None
        if resolved is None:
            return reply
        actor_id = resolved.removeprefix("actor:")
        return await self._charted(
            reply, lambda t, now: charts.actor_chart(t, actor_id, reply.title, now)
        )

    async def _charted(
        self, reply: Reply, make: Callable[[TimelinePort, datetime], Awaitable[Chart]]
    ) -> Reply:
        """`reply` with the chart `make` draws from the timeline (none without a timeline)."""
        timeline = self._timeline
        if timeline is None:
            return reply
        return await charts.with_chart(reply, lambda: make(timeline, self._clock()))

    def _table(self) -> dict[tuple[str, ...], Callable[[Caller, Options], Awaitable[Reply]]]:
        """What each registry command calls, given its options (all strings, as typed)."""
        s, lk, r, f = self.subs, self.lookups, self.rules, self.feeds
        table: dict[tuple[str, ...], Callable[[Caller, Options], Awaitable[Reply]]] = {
            ("subscribe",): lambda c, o: s.subscribe(
                c,
                o.get("target", ""),
                min_priority=o.get("min_priority", "low"),
                mention_role=o.get("mention_role"),
                mode=o.get("mode", "instant"),
                digest_time=o.get("digest_time"),
            ),
            ("unsubscribe",): lambda c, o: s.unsubscribe(c, o.get("target", "")),
            ("subscriptions",): lambda c, o: s.subscriptions(c),
            ("status",): lambda c, o: self._status(c),
            ("actor",): lambda c, o: self._actor(c, o.get("name", "")),
            ("alerts", "recent"): lambda c, o: lk.recent_alerts(c, o.get("rule")),
            ("alerts", "log"): lambda c, o: lk.delivery_log(c),
            ("rules", "list"): lambda c, o: r.list_rules(c),
            ("rules", "show"): lambda c, o: r.show(c, o.get("rule", "")),
            ("rules", "add"): lambda c, o: r.put(c, o.get("yaml", "")),
            ("rules", "edit"): lambda c, o: r.put(c, o.get("yaml", ""), rule_id=o.get("rule", "")),
            ("rules", "remove"): lambda c, o: r.remove(c, o.get("rule", "")),
            ("rules", "test"): lambda c, o: r.test(c, o.get("rule", "")),
            ("rules", "history"): lambda c, o: r.history(c, o.get("rule")),
            ("rules", "stats"): lambda c, o: self._stats(c, o.get("rule", "")),
            ("feeds", "list"): lambda c, o: f.list_feeds(c),
            ("feeds", "add"): lambda c, o: f.add(c, o.get("url", ""), o.get("name")),
            ("feeds", "remove"): lambda c, o: f.remove(c, o.get("feed", "")),
        }
        assert set(table) == set(BY_PATH), "every registry command has exactly one handler"
        return table

    async def run(self, caller: Caller, path: Sequence[str], options: Options) -> Reply:
        """Run a command given as a registry path (`("rules", "add")`) and named options."""
        handler = self._handlers.get(tuple(path))
        if handler is None:
            return Reply(
                title=f"Unknown command: {' '.join(path) or '(none)'}", lines=(HELP,), ok=False
            )
        return await handler(caller, options)
