"""The poll pass's store (PollStore) kept in memory, beside the delivery ports of memory.py.

It keeps the SQL store's rules: leased claims, a commit fenced by the lease, items seen once
per feed, and the same decisions made by the same pure functions (policy.routing,
policy.repeats, the `same_story` check over a window of recent alerts), so pipeline tests run
without a database; `tests/integration/test_poll_port.py` holds it and the SQL store to one
suite on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import Alert, DeliveryMode, Feed, Item
from bot.policy.repeats import article_key, repeats
from bot.policy.routing import route
from bot.ports import PollRecord, Unchanged
from bot.store.memory import MemoryAlerts, MemoryOutbox, MemorySubscriptions
from bot.text.story_match import StoryFacts, story_facts

SameStory = Callable[[StoryFacts, StoryFacts], bool]


@dataclass
class _FeedRow:
    """A feed and the lease columns the SQL table keeps beside it."""

    feed: Feed
    lease_owner: str | None = None
    lease_until: datetime | None = None

    def free(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until < now

    def held_by(self, owner: str) -> bool:
        """The lease is `owner`'s, or free: a write by a worker that lost it is fenced off."""
        return self.lease_owner in (owner, None)


class MemoryPollStore:
    """PollStore: feeds, the items seen per feed, and commits that alert and route."""

    def __init__(
        self,
        same_story: SameStory,
        *,
        outbox: MemoryOutbox | None = None,
        alerts: MemoryAlerts | None = None,
        subscriptions: MemorySubscriptions | None = None,
        story_window: timedelta = timedelta(hours=48),
    ) -> None:
        self.same_story = same_story
        self.story_window = story_window
        self.outbox = outbox or MemoryOutbox()
        self.alerts = alerts or MemoryAlerts()
        self.subscriptions = subscriptions or MemorySubscriptions()
        self.feeds: dict[int, _FeedRow] = {}
        self.items: dict[int, dict[str, Item]] = {}
        self._created: dict[int, datetime] = {}  # alert id → when it was committed

    def add_feed(
        self, url: str, *, now: datetime, interval_seconds: int = 300, full_text: bool = True
    ) -> Feed:
        """A new feed, due now (as FeedStore.add makes one)."""
        feed = Feed(
            id=len(self.feeds) + 1,
            url=url,
            interval_seconds=interval_seconds,
            full_text=full_text,
            next_poll_at=now,
        )
        self.feeds[feed.id] = _FeedRow(feed)
        return feed

    def feed(self, feed_id: int) -> Feed:
        return self.feeds[feed_id].feed

    async def claim_due(
        self,
        *,
        now: datetime,
        owner: str,
        lease_seconds: float,
        limit: int,
        due_by: datetime | None = None,
    ) -> list[Feed]:
        due_at = now if due_by is None else min(due_by, now)
        due = [
            row
            for row in self.feeds.values()
            if not row.feed.disabled
            and row.feed.next_poll_at is not None
            and row.feed.next_poll_at <= due_at
            and row.free(now)
        ]
        due.sort(key=lambda row: row.feed.next_poll_at or now)
        for row in due[:limit]:
            row.lease_owner, row.lease_until = owner, now + timedelta(seconds=lease_seconds)
        return [row.feed for row in due[:limit]]

    async def unseen(self, feed_id: int, identities: Sequence[str]) -> set[str]:
        return set(identities) - set(self.items.get(feed_id, {}))

    async def commit_poll(self, record: PollRecord) -> list[int]:
        row = self.feeds.get(record.feed.id)
        if row is None or not row.held_by(record.owner):
            return []  # another worker's poll stands
        self._record_success(row, record)
        seen = self.items.setdefault(record.feed.id, {})
        inserted = {i.identity for i in record.items if i.identity not in seen}
        seen.update((i.identity, i) for i in record.items if i.identity in inserted)
        new = [a for a in record.alerts if a.item_identity in inserted]
        described = {item.identity: item.summary for item in record.items}
        stories = [self._story(a, described.get(a.item_identity, ""), record.now) for a in new]
        repeated = self._repeats(new, record.now)
        subs = await self.subscriptions.all()
        ids = []
        for alert, story, repeat in zip(new, stories, repeated, strict=True):
            if repeat:
                continue
            stored = self.alerts.add(alert.model_copy(update={"story_id": story}))
            assert stored.id is not None
            self._created[stored.id] = record.now
            ids.append(stored.id)
            for sub in route(stored, subs):
                self.outbox.enqueue(
                    stored.id,
                    sub.destination,
                    now=record.now,
                    mention_role=sub.mention_role,
                    held=sub.mode is DeliveryMode.digest,
                )
        return ids

    async def record_failure(
        self,
        feed: Feed,
        *,
        owner: str,
        now: datetime,
        next_at: datetime,
        error: str,
        disable: bool = False,
    ) -> None:
        row = self.feeds.get(feed.id)
        if row is None or not row.held_by(owner):
            return
        row.feed = row.feed.model_copy(
            update={
                "failures": row.feed.failures + 1,
                "last_error": error[:2000],
                "next_poll_at": next_at,
                "disabled": disable,
            }
        )
        row.lease_owner = row.lease_until = None

    async def renew_leases(
        self, feed_ids: Sequence[int], *, owner: str, until: datetime
    ) -> set[int]:
        taken = set()
        for fid in feed_ids:
            row = self.feeds.get(fid)
            if row is None or row.lease_owner is None:
                continue
            if row.lease_owner == owner:
                row.lease_until = until
            else:
                taken.add(fid)
        return taken

    async def record_unchanged(self, entries: Sequence[Unchanged], *, owner: str) -> None:
        for entry in entries:
            row = self.feeds.get(entry.feed_id)
            if row is None or row.lease_owner != owner:
                continue
            update = {"next_poll_at": entry.next_at, "failures": 0, "last_error": None}
            row.feed = row.feed.model_copy(update=update)
            row.lease_owner = row.lease_until = None

    def _record_success(self, row: _FeedRow, record: PollRecord) -> None:
        update: dict[str, object] = {
            "next_poll_at": record.next_at,
            "failures": 0,
            "last_error": None,
            "warning": record.warning[:2000] if record.warning else None,
            "etag": record.etag,
            "last_modified": record.last_modified,
            "body_hash": record.body_hash,
            "polls": row.feed.polls + 1,
        }
        moved = record.moved_to
        if (
            moved
            and moved != row.feed.url
            and all(r.feed.url != moved for r in self.feeds.values())
        ):
            update["url"] = moved
        if record.name and not row.feed.name:
            update["name"] = record.name[:200]
        row.feed = row.feed.model_copy(update=update)
        row.lease_owner = row.lease_until = None

    def _recent(self, now: datetime) -> list[Alert]:
        """The alerts of the story window with a fingerprint, oldest first."""
        since = now - self.story_window
        return [
            a
            for i, a in sorted(self.alerts.by_id.items())
            if a.fingerprint is not None and self._created.get(i, now) >= since
        ]

    def _story(self, alert: Alert, description: str, now: datetime) -> int | None:
        """The story of the first recent alert from another feed reporting the same event."""
        if alert.fingerprint is None:
            return None
        facts = story_facts(alert.title, description, alert.published or now)
        for other in self._recent(now):
            if other.feed_id == alert.feed_id:
                continue
            item = self.items.get(other.feed_id, {}).get(other.item_identity)
            known = story_facts(
                other.title,
                item.summary if item else "",
                other.published or self._created[other.id or 0],
            )
            if self.same_story(known, facts):
                return other.story_id or other.id
        return None

    def _repeats(self, new: list[Alert], now: datetime) -> list[bool]:
        """Whether each new alert repeats an article its feed sent in the window."""
        recent = self._recent(now)
        sent = [
            {
                article_key(r.feed_id, r.title, r.link, r.summary)
                for r in recent
                if r.feed_id == a.feed_id and r.fingerprint == a.fingerprint
            }
            for a in new
        ]
        keys = [
            None if a.fingerprint is None else article_key(a.feed_id, a.title, a.link, a.summary)
            for a in new
        ]
        return repeats(keys, sent)
