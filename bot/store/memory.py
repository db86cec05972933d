"""The delivery ports kept in memory: the same outbox rules as the SQL store, without a database.

As APScheduler keeps a memory data store beside its SQL ones, this runs the dispatcher in unit
tests and in one-shot tools in milliseconds; `tests/integration/test_outbox_port.py` holds it
and the SQL store to one suite, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.models import Alert, Delivery, DeliveryStatus, Destination, Platform, Subscription
from bot.ports import STORY_SO_FAR


@dataclass
class _Row:
    """One outbox row: the delivery and the claim columns the SQL table keeps beside it."""

    delivery: Delivery
    next_attempt_at: datetime
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None

    def free(self, now: datetime) -> bool:
        return self.lease_until is None or self.lease_until < now

    def pending(self) -> bool:
        return self.delivery.status is DeliveryStatus.pending


class MemoryOutbox:
    """OutboxPort: per-destination order, leased claims, results, as bot/store/outbox.py."""

    def __init__(self) -> None:
        self._rows: dict[int, _Row] = {}

    def enqueue(
        self,
        alert_id: int,
        dest: Destination,
        *,
        now: datetime,
        mention_role: str | None = None,
        held: bool = False,
    ) -> Delivery:
        """Add a pending delivery (`held` for a digest), as routing a committed alert does; one
        per alert and place."""
        for row in self._rows.values():
            same = row.delivery.alert_id == alert_id and row.delivery.destination.key == dest.key
            if same:
                return row.delivery
        delivery = Delivery(
            id=len(self._rows) + 1,
            alert_id=alert_id,
            destination=dest,
            mention_role=mention_role,
            created_at=now,
            status=DeliveryStatus.held if held else DeliveryStatus.pending,
        )
        self._rows[delivery.id] = _Row(delivery, next_attempt_at=now)
        return delivery

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
    ) -> list[list[Delivery]]:
        """Lease, per ready destination (or just `destination`), its next pending deliveries."""
        heads: dict[str, _Row] = {}
        for row in sorted(self._rows.values(), key=lambda r: r.delivery.id):
            dest = row.delivery.destination
            if row.pending() and dest.key not in heads:
                heads[dest.key] = row
        until = now + timedelta(seconds=lease_seconds)
        batches: list[list[Delivery]] = []
        for key, head in heads.items():
            dest = head.delivery.destination
            if platforms is not None and dest.platform not in platforms:
                continue
            if destination is not None and key != destination.key:
                continue
            if head.next_attempt_at > now or not head.free(now) or len(batches) >= destinations:
                continue
            batch = [
                row
                for row in sorted(self._rows.values(), key=lambda r: r.delivery.id)
                if row.delivery.destination.key == key
                and row.pending()
                and row.next_attempt_at <= now
                and row.free(now)
            ][:per_destination]
            for row in batch:
                row.lease_owner, row.lease_until = owner, until
                row.delivery = replace_delivery(row.delivery, claims=row.delivery.claims + 1)
            batches.append([row.delivery for row in batch])
        return batches

    async def thread_for(self, alert_id: int, dest: Destination) -> str | None:
        """The platform message id of an alert already sent to `dest` (a story's thread root)."""
        for row in self._rows.values():
            d = row.delivery
            if d.alert_id == alert_id and d.destination.key == dest.key:
                return d.message_id if d.status is DeliveryStatus.sent else None
        return None

    async def mark_sent(self, delivery_ids: Sequence[int], message_id: str, now: datetime) -> None:
        for row in self._picked(delivery_ids):
            row.delivery = replace_delivery(
                row.delivery,
                status=DeliveryStatus.sent,
                message_id=message_id[:200],
                attempts=row.delivery.attempts + 1,
            )
            row.lease_owner = row.lease_until = row.last_error = None

    async def retry_later(self, delivery_id: int, error: str, at: datetime) -> None:
        for row in self._picked([delivery_id]):
            row.delivery = replace_delivery(row.delivery, attempts=row.delivery.attempts + 1)
            row.next_attempt_at, row.last_error = at, error[:2000]
            row.lease_owner = row.lease_until = None

    async def fail(self, dest: Destination, error: str, now: datetime) -> int:
        """Give up on every pending delivery of a destination that can't be posted to."""
        rows = [
            r for r in self._rows.values() if r.pending() and r.delivery.destination.key == dest.key
        ]
        for row in rows:
            row.delivery = replace_delivery(row.delivery, status=DeliveryStatus.failed)
            row.last_error, row.lease_owner, row.lease_until = error[:2000], None, None
        return len(rows)

    async def fail_these(self, delivery_ids: Sequence[int], error: str, now: datetime) -> None:
        for row in self._picked(delivery_ids):
            row.delivery = replace_delivery(
                row.delivery, status=DeliveryStatus.failed, attempts=row.delivery.attempts + 1
            )
            row.last_error, row.lease_owner, row.lease_until = error[:2000], None, None

    async def release(self, delivery_ids: list[int]) -> None:
        """Give back claimed deliveries that were not tried: the claim does not count."""
        for row in self._picked(delivery_ids):
            row.delivery = replace_delivery(row.delivery, claims=max(row.delivery.claims - 1, 0))
            row.lease_owner = row.lease_until = None

    async def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self._rows.values():
            counts[row.delivery.status.value] = counts.get(row.delivery.status.value, 0) + 1
        return counts

    def last_error(self, delivery_id: int) -> str | None:
        """What the last failed send of a delivery said (the SQL table's last_error)."""
        return self._rows[delivery_id].last_error

    def _picked(self, ids: Sequence[int]) -> list[_Row]:
        return [self._rows[i] for i in ids if i in self._rows]


def replace_delivery(delivery: Delivery, **changes: object) -> Delivery:
    """A delivery with some fields changed (a frozen model)."""
    return delivery.model_copy(update=changes)


class MemoryAlerts:
    """AlertReader over alerts added by id."""

    def __init__(self) -> None:
        self.by_id: dict[int, Alert] = {}

    def add(self, alert: Alert) -> Alert:
        stored = alert.model_copy(update={"id": len(self.by_id) + 1})
        self.by_id[stored.id or 0] = stored
        return stored

    async def get_many(self, ids: Sequence[int]) -> dict[int, Alert]:
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    async def story_so_far(self, story_id: int, before: int) -> list[Alert]:
        first = [self.by_id[story_id]] if story_id in self.by_id else []
        later = [
            a
            for i, a in sorted(self.by_id.items())
            if i != story_id and a.story_id == story_id and i < before
        ]
        return first + later[-STORY_SO_FAR:]


class MemorySubscriptions:
    """SubscriptionPort over a list of subscriptions."""

    def __init__(self, subscriptions: Sequence[Subscription] = ()) -> None:
        self.items = list(subscriptions)

    async def all(self) -> list[Subscription]:
        return list(self.items)

    async def pause_destination(self, dest: Destination, reason: str) -> int:
        """Pause every subscription of a destination that can no longer be posted to."""
        paused = 0
        for i, sub in enumerate(self.items):
            if sub.destination.key == dest.key and not sub.paused:
                self.items[i] = sub.model_copy(update={"paused": True})
                paused += 1
        return paused
