"""Domain models shared by every stage: what flows through the pipeline and what the store keeps.

Pydantic validates at the edges (config, YAML, chat input); inside, these models travel as
plain validated values. Nothing here knows about HTTP, SQL or a chat platform.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    """Base for immutable value objects."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Priority(StrEnum):
    """How urgent a rule's alerts are; subscriptions filter on it."""

    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.low: 0, Priority.normal: 1, Priority.high: 2, Priority.urgent: 3}


class TextField(StrEnum):
    """The parts of an item a term can be scoped to."""

    title = "title"  # type: ignore[assignment]  # shadows str.title, harmlessly
    summary = "summary"
    content = "content"


class Item(Frozen):
    """One entry of a feed, reduced to clean text with a stable identity."""

    feed_id: int
    identity: str = Field(description="guid, else link, else a hash of title + date")
    title: str
    link: str | None = None
    summary: str = ""
    content: str = ""
    published: datetime | None = Field(default=None, description="UTC")
    author: str | None = None
    source: str = Field(default="", description="the feed's (publisher's) name")

    def text(self, field: TextField) -> str:
        return {TextField.title: self.title, TextField.summary: self.summary}.get(
            field, self.content
        )


class Evidence(Frozen):
    """Why a rule fired: which term matched what text where."""

    rule_id: str
    term: str
    field: TextField
    start: int
    end: int
    text: str
    how: str = Field(default="exact", description="exact | folded | fuzzy | prefix | regex | near")


class RuleMatch(Frozen):
    """A rule that matched an item, with its evidence."""

    rule_id: str
    rule_name: str
    priority: Priority = Priority.normal
    evidence: tuple[Evidence, ...] = ()
    score: float | None = Field(
        default=None, description="the rule's learned relevance (0-1); None: no model"
    )
    by_relevance: bool = Field(
        default=False, description="no `any` term matched: the score alone made it an alert"
    )
    weighed: tuple[str, ...] = Field(default=(), description="the words that weighed most")

    @property
    def words(self) -> list[str]:
        """The distinct matched words, in order of appearance."""
        seen: dict[str, None] = {}
        for ev in self.evidence:
            seen.setdefault(ev.text, None)
        return list(seen)


class ActorMention(Frozen):
    """An actor named in an item, found through one of its aliases."""

    actor_id: str
    name: str
    evidence: tuple[Evidence, ...] = ()


class MatchResult(Frozen):
    """Everything the matcher found in one item."""

    rules: tuple[RuleMatch, ...] = ()
    actors: tuple[ActorMention, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.rules and not self.actors

    @property
    def priority(self) -> Priority:
        if not self.rules:
            return Priority.normal
        return max((m.priority for m in self.rules), key=lambda p: p.rank)

    def targets(self) -> set[str]:
        """Subscription targets this result reaches: ``rule:<id>`` and ``actor:<id>``."""
        return {f"rule:{m.rule_id}" for m in self.rules} | {
            f"actor:{a.actor_id}" for a in self.actors
        }


class Quote(Frozen):
    """A direct quote and, when it can be found, who said it."""

    text: str
    speaker: str | None = None
    actor_id: str | None = None
    partial: bool = False


class AlertContent(Frozen):
    """What enrichment adds to a matched item."""

    summary: str = ""
    quotes: tuple[Quote, ...] = ()


class Feed(Frozen):
    """A polled feed and its fetch state, as the store keeps it."""

    id: int
    url: str
    name: str | None = None
    interval_seconds: int = 300
    full_text: bool = True
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    polls: int = Field(default=0, description="successful polls so far; 0 means first poll")
    disabled: bool = False
    last_error: str | None = None
    next_poll_at: datetime | None = None
    added_by: str | None = Field(default=None, description='"config", "cli", or who in chat')
    warning: str | None = Field(default=None, description="what its last parse had to forgive")
    body_hash: str | None = Field(
        default=None, description="hash of the last body whose items were all stored"
    )


class Alert(Frozen):
    """A matched, enriched item ready to route: the thing a channel receives."""

    id: int | None = None
    feed_id: int
    item_identity: str
    title: str
    link: str | None = None
    source: str = ""
    published: datetime | None = None
    summary: str = ""
    quotes: tuple[Quote, ...] = ()
    matches: MatchResult = MatchResult()
    story_id: int | None = Field(default=None, description="alert id of the story's first alert")
    fingerprint: int | None = Field(default=None, description="near-duplicate story fingerprint")
    adds: tuple[str, ...] = Field(
        default=(),
        description="what a follow-up adds to its story's first alert (set at delivery)",
    )

    @property
    def priority(self) -> Priority:
        return self.matches.priority

    @property
    def is_follow_up(self) -> bool:
        return self.story_id is not None and self.story_id != self.id


class Platform(StrEnum):
    """Where a destination lives."""

    console = "console"
    discord = "discord"
    slack = "slack"
    discord_webhook = "discord-webhook"
    slack_webhook = "slack-webhook"


class Destination(Frozen):
    """A place alerts are posted: a channel on a platform, a webhook URL, or the console."""

    platform: Platform
    address: str = Field(description="channel id, webhook URL, or '-' for the console")
    workspace: str | None = Field(default=None, description="Discord guild / Slack team")

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.address}"


class DeliveryMode(StrEnum):
    instant = "instant"
    digest = "digest"


class Subscription(Frozen):
    """A destination's wish to receive alerts for one rule or actor."""

    id: int | None = None
    destination: Destination
    target: str = Field(
        pattern=r"^(\*|(rule|actor):[A-Za-z0-9_.-]+)$",
        description="rule:<id>, actor:<id>, or * for all",
    )
    min_priority: Priority = Priority.low
    mention_role: str | None = None
    mode: DeliveryMode = DeliveryMode.instant
    digest_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    paused: bool = False
    created_by: str | None = None

    def wants(self, priority: Priority) -> bool:
        return not self.paused and priority.rank >= self.min_priority.rank


class DeliveryStatus(StrEnum):
    pending = "pending"
    held = "held"  # waiting for the destination's daily digest
    sent = "sent"
    failed = "failed"


class Delivery(Frozen):
    """One alert bound for one destination: a row of the outbox."""

    id: int
    alert_id: int
    destination: Destination
    status: DeliveryStatus = DeliveryStatus.pending
    attempts: int = 0
    message_id: str | None = None
    thread_id: str | None = Field(
        default=None, description="platform message id of the story's first alert here"
    )
    mention_role: str | None = None
    created_at: datetime | None = None
    claims: int = Field(default=0, description="times claimed for sending, this claim included")

    @property
    def maybe_sent(self) -> bool:
        """An earlier claim ended with no result recorded: its process may have died after the
        platform took the message and before we committed that it had."""
        return self.claims - 1 > self.attempts

    @property
    def nonce(self) -> str:
        """A key of this delivery's message, stable across retries, for the platform to dedupe.

        The creation time is part of it because SQLite reuses the id of a deleted delivery
        (removing a feed takes its alerts along); 25 characters at most (Discord's limit).
        """
        if self.created_at is None:
            return str(self.id)
        return f"{self.id}-{int(self.created_at.timestamp())}"[:25]
