"""The seams between the core and its adapters: small protocols the pipeline is written against.

Adapters (HTTP fetcher, SQL store, chat sinks) implement these; the core never imports them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from pydantic import Field

from bot.models import (
    Alert,
    Delivery,
    Destination,
    Feed,
    Frozen,
    Item,
    MatchResult,
    Platform,
    Subscription,
)


class FetchOutcome(StrEnum):
    ok = "ok"
    not_modified = "not_modified"
    gone = "gone"
    error = "error"


class FetchResult(Frozen):
    """What one guarded HTTP GET produced; `error` says what went wrong in words a user reads."""

    outcome: FetchOutcome
    status: int | None = None
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = Field(default=None, description="new URL after a permanent redirect")
    final_url: str | None = None
    retry_after: float | None = Field(default=None, description="seconds the server asked for")
    error: str | None = None


class Fetcher(Protocol):
    """Guarded HTTP GET with conditional requests, limits and SSRF checks."""

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult: ...


class Matcher(Protocol):
    """All watch rules and actors compiled into one pass over an item."""

    def match(self, item: Item) -> MatchResult: ...


class DeliveryError(Exception):
    """A send failed. `permanent`: the channel is gone or closed to us (pause it); `rejected`:
    only this message was refused (drop it, keep the channel); otherwise retry later."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        rejected: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.rejected = rejected
        self.retry_after = retry_after


class Sink(Protocol):
    """Posts rendered alerts to one platform and returns the platform's message id."""

    platform: Platform

    async def send(self, alert: Alert, delivery: Delivery) -> str: ...


@runtime_checkable
class SentLookup(Protocol):
    """A sink that can find a message an earlier, crashed run posted but never recorded."""

    async def find_sent(self, delivery: Delivery) -> str | None: ...


class PollRecord(Frozen):
    """Everything one successful fetch produced for a feed, committed in one transaction."""

    feed: Feed
    owner: str
    """The worker holding the feed's lease: the commit is dropped if another took it since."""
    now: datetime
    next_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    name: str | None = None
    warning: str | None = None
    items: tuple[Item, ...] = ()
    alerts: tuple[Alert, ...] = ()
    body_hash: str | None = None
    """The fetched body's hash (bot.poll.unchanged.body_hash): its items are all stored now."""


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A feed that answered 304: when it was polled and when it is due next."""

    feed_id: int
    now: datetime
    next_at: datetime


class PollStore(Protocol):
    """What the pipeline needs from the store."""

    async def claim_due(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        limit: int,
        due_by: datetime | None = None,
    ) -> list[Feed]: ...

    async def unseen(self, feed_id: int, identities: Sequence[str]) -> set[str]: ...

    async def commit_poll(self, record: PollRecord) -> list[int]: ...

    async def record_failure(
        self,
        feed: Feed,
        *,
        owner: str,
        now: datetime,
        next_at: datetime,
        error: str,
        disable: bool = False,
    ) -> None: ...

    async def renew_leases(
        self, feed_ids: Sequence[int], *, owner: str, until: datetime
    ) -> set[int]:
        """Extend `owner`'s leases on feeds it is still polling; the ids another worker took."""
        ...

    async def record_unchanged(self, entries: Sequence[Unchanged], *, owner: str) -> None: ...


# What delivery needs from the store: the outbox, alerts to render, pauses, digests, the audit.


class OutboxPort(Protocol):
    """Pending deliveries, claimed in per-destination order, and what became of each send."""

    async def claim(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        destinations: int = 50,
        per_destination: int = 20,
        platforms: set[Platform] | None = None,
        destination: Destination | None = None,
    ) -> list[list[Delivery]]: ...

    async def thread_for(self, alert_id: int, dest: Destination) -> str | None: ...

    async def mark_sent(
        self, delivery_ids: Sequence[int], message_id: str, now: datetime
    ) -> None: ...

    async def retry_later(self, delivery_id: int, error: str, at: datetime) -> None: ...

    async def fail(self, dest: Destination, error: str, now: datetime) -> int: ...

    async def fail_these(self, delivery_ids: Sequence[int], error: str, now: datetime) -> None: ...

    async def release(self, delivery_ids: list[int]) -> None: ...


STORY_SO_FAR = 20
"""Follow-ups a new one is compared with, besides the story's first alert: the thread's latest,
so a story followed by hundreds of reports costs the same per follow-up as a short one (all 80
alerts of one story in a burst made each send compare with every earlier one)."""


class AlertReader(Protocol):
    """Stored alerts by id, to render."""

    async def get_many(self, ids: Sequence[int]) -> dict[int, Alert]: ...

    async def story_so_far(self, story_id: int, before: int) -> list[Alert]:
        """The story's first alert and its latest STORY_SO_FAR follow-ups with ids under
        `before`, oldest first."""
        ...


class ItemArchive(Protocol):
    """Every stored item, oldest first: what a rule's dry run scans."""

    def iter_items(self, batch: int = 1000) -> AsyncIterator[Item]: ...


class SubscriptionPort(Protocol):
    """Subscriptions as delivery sees them: who is subscribed, and pausing a dead channel."""

    async def all(self) -> list[Subscription]: ...

    async def pause_destination(self, dest: Destination, reason: str) -> int: ...


@dataclass(frozen=True)
class DueDigest:
    """A destination whose daily digest is due, and the digest subscriptions it serves."""

    destination: Destination
    subscription_ids: tuple[int, ...]


class DigestPort(Protocol):
    """Due digests and their held deliveries."""

    async def due(self, now: datetime) -> list[DueDigest]: ...

    async def claim_held(
        self, dest: Destination, *, now: datetime, owner: str, lease_seconds: float, limit: int
    ) -> list[Delivery]: ...

    async def mark_served(self, subscription_ids: tuple[int, ...], now: datetime) -> None: ...


class AuditPort(Protocol):
    """The append-only record of admin actions, refusals and notices."""

    async def record(
        self,
        *,
        now: datetime,
        who: str,
        platform: str,
        action: str,
        allowed: bool,
        workspace: str | None = None,
        target: str | None = None,
        before: Any = None,
        after: Any = None,
        detail: str | None = None,
    ) -> None: ...


# What relevance learning needs from the store: votes on alerts, and each rule's models.


class VoteOutcome(StrEnum):
    new = "new"
    changed = "changed"
    same = "same"


@dataclass(frozen=True, slots=True)
class Vote:
    """One voter's judgement of one item for one rule, with the text that was judged."""

    rule_id: str
    link: str
    voter: str
    relevant: bool
    at: datetime
    title: str
    summary: str = ""
    published: datetime | None = None
    alert_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A rule's trained model as stored: its JSON body, version and the labels it learned."""

    rule_id: str
    version: int
    trained_at: datetime
    labels_stamp: str
    body: str


@dataclass(frozen=True, slots=True)
class VoteCounts:
    """A rule's votes: how many, how many said relevant, on how many items, by how many."""

    votes: int = 0
    relevant: int = 0
    items: int = 0
    voters: int = 0


class RelevancePort(Protocol):
    """Votes (one per voter per rule and item, changeable) and versioned relevance models."""

    async def vote(self, vote: Vote) -> VoteOutcome: ...

    async def labelled(self, rule_id: str) -> list[tuple[Item, bool]]:
        """Each voted item of the rule with its majority label (ties left out), oldest first."""
        ...

    async def label_stamps(self) -> dict[str, str]:
        """Per rule, a stamp that changes whenever one of its votes does."""
        ...

    async def counts(self, rule_id: str) -> VoteCounts: ...

    async def alert_count(self, rule_id: str) -> int:
        """Alerts the rule has fired so far."""
        ...

    async def latest_models(self) -> dict[str, StoredModel]: ...

    async def models_revision(self) -> int:
        """Changes whenever a model is saved: a poll reloads models only then."""
        ...

    async def save_model(self, rule_id: str, body: str, labels_stamp: str, now: datetime) -> int:
        """Store a new version of the rule's model; its version number."""
        ...


class TimelinePort(Protocol):
    """When things happened, for the per-day charts: the store hands over the times since a
    moment and the core counts them (`policy.daily.per_day`)."""

    async def rule_alert_times(self, rule_id: str, since: datetime) -> list[datetime]:
        """When each alert that matched the rule was stored."""
        ...

    async def mention_times(self, actor_id: str, since: datetime) -> list[datetime]:
        """When each alert mentioning the actor was stored."""
        ...

    async def alert_times(self, since: datetime) -> list[datetime]:
        """When each alert was stored."""
        ...

    async def sent_times(self, since: datetime) -> list[datetime]:
        """When each delivery was posted."""
        ...
