"""What chat's use cases need from the store: one narrow protocol each, and the plain values
they read back (never a database row).

bot/ports.py holds the pass's and delivery's ports; these sit apart because they speak of rules
and actors (above `bot.ports` in the layers) and to keep each module one screenful. The SQL
store implements them (bot/store/), bot/runtime wires it in; chat never imports bot.store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.models import Alert, DeliveryStatus, Destination, Feed, Subscription
from bot.ports import AlertReader, AuditPort, ItemArchive, RelevancePort
from bot.rules.schema import Actor, Rule


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row of the audit log: who did (or was refused) what, to which target, when."""

    id: int
    at: datetime
    who: str
    platform: str
    action: str
    allowed: bool
    workspace: str | None = None
    target: str | None = None
    before: Any = None
    after: Any = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryLogEntry:
    """One delivery to a channel as its log shows it: which alert, what became of it."""

    id: int
    alert_id: int
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    message_id: str | None = None
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HealthFigures:
    """Feeds enabled and failing, deliveries waiting and overdue, as the database says now."""

    feeds_enabled: int
    feeds_failing: int
    pending: int
    overdue: int
    oldest_overdue: datetime | None


class SubscriptionAdmin(Protocol):
    """A channel's subscriptions as chat edits them."""

    async def upsert(self, sub: Subscription, now: datetime) -> tuple[Subscription, bool]:
        """Save `sub` (lifting a pause); it as stored, and whether it is new."""
        ...

    async def remove(self, dest: Destination, target: str) -> bool: ...

    async def for_destination(self, dest: Destination) -> list[Subscription]: ...


class CatalogReader(Protocol):
    """The rules and actors in force."""

    async def rules(self) -> list[Rule]: ...

    async def actors(self) -> list[Actor]: ...


class RuleEditor(CatalogReader, Protocol):
    """Rules read one at a time and changed from chat, each change by someone."""

    async def get_rule(self, rule_id: str) -> Rule | None: ...

    async def rule_origin(self, rule_id: str) -> str | None:
        """Where the stored rule came from: "yaml" (the config files), "chat", or None."""
        ...

    async def put_rule(self, rule: Rule, *, now: datetime, by: str) -> None: ...

    async def remove_rule(self, rule_id: str, *, now: datetime, by: str) -> bool: ...


class AlertLookup(Protocol):
    """Stored alerts as members ask for them: the latest, and those naming an actor."""

    async def recent(self, *, rule_id: str | None = None, limit: int = 10) -> list[Alert]: ...

    async def mentioning(self, actor_id: str, limit: int = 10) -> list[Alert]: ...

    async def mention_stats(self, actor_id: str) -> tuple[int, datetime | None]:
        """How many alerts mention the actor, and when the latest did."""
        ...


class AlertArchive(AlertLookup, AlertReader, ItemArchive, Protocol):
    """Alerts by id and by question, and every stored item (what a rule's dry run scans)."""


class DeliveryLog(Protocol):
    """What became of the deliveries: per channel, and counted by status."""

    async def log(self, dest: Destination, limit: int = 20) -> list[DeliveryLogEntry]:
        """The channel's latest deliveries, newest first."""
        ...

    async def counts(self) -> dict[str, int]: ...


class AuditLog(AuditPort, Protocol):
    """The audit log, written and read back."""

    async def history(self, target: str | None = None, limit: int = 20) -> list[AuditEntry]:
        """The latest entries, newest first; only those about `target` if given."""
        ...


class FeedAdmin(Protocol):
    """The feed list as admins edit it; `add` raises ValueError for a URL already stored."""

    async def add(
        self,
        url: str,
        *,
        now: datetime,
        name: str | None = None,
        interval_seconds: int = 300,
        full_text: bool = True,
        added_by: str | None = None,
    ) -> Feed: ...

    async def all(self) -> list[Feed]: ...

    async def find(self, id_or_url: str) -> Feed | None:
        """The feed with this id (digits) or URL."""
        ...

    async def remove(self, feed_id: int, *, now: datetime, by: str) -> bool: ...


class HealthReader(Protocol):
    """The figures health and status judge, read now."""

    async def figures(self, now: datetime, overdue_after: timedelta) -> HealthFigures: ...


class ChatStore(Protocol):
    """Everything chat reaches in the store, one narrow port per concern (read-only
    attributes, so any store whose parts implement the ports fits)."""

    @property
    def subscriptions(self) -> SubscriptionAdmin: ...

    @property
    def catalog(self) -> RuleEditor: ...

    @property
    def alerts(self) -> AlertArchive: ...

    @property
    def outbox(self) -> DeliveryLog: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def feeds(self) -> FeedAdmin: ...

    @property
    def relevance(self) -> RelevancePort: ...

    @property
    def health(self) -> HealthReader: ...
