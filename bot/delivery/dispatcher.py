"""Drain the outbox: send each claimed delivery through its platform's sink, in order per channel.

A send that fails for a while is retried with backoff and holds back the channel's later
alerts (order is kept); a message the platform refuses is dropped alone; a permanent failure
pauses the channel's subscriptions and, the first time, calls `on_pause` to tell the admins.
A post that went out while the database was away is remembered and recorded before the next
claim, so this process never posts it again once its lease lapses.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.models import Alert, Delivery, Destination, Platform
from bot.ports import (
    AlertReader,
    DeliveryError,
    OutboxPort,
    SentLookup,
    Sink,
    SubscriptionPort,
)
from bot.retry import backoff_seconds
from bot.text.story_additions import what_it_adds

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    lag_seconds: list[float] = field(default_factory=list)


class Dispatcher:
    """Claims pending deliveries and sends them through the sinks."""

    def __init__(
        self,
        outbox: OutboxPort,
        alerts: AlertReader,
        subscriptions: SubscriptionPort,
        sinks: Mapping[Platform, Sink],
        *,
        owner: str,
        clock: Callable[[], datetime],
        lease_seconds: float = 120.0,
        retry_base: float = 2.0,
        on_pause: Callable[[Destination, str], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.alerts = alerts
        self.subscriptions = subscriptions
        self.sinks = dict(sinks)
        self.owner = owner
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.retry_base = retry_base
        self.on_pause = on_pause
        self._in_flight: dict[str, set[int]] = {}
        """Delivery ids each destination's sender in this process holds, by destination key."""
        self._unrecorded: dict[int, tuple[str, datetime]] = {}
        """Deliveries posted whose message id could not be recorded (the database was away):
        recorded before anything is claimed again, so a lapsed lease never posts them twice."""

    async def dispatch_once(self) -> DispatchReport:
        """Claim what is ready and send it; channels go in parallel, each one in order."""
        report = DispatchReport()
        await self._record_unrecorded()
        now = self.clock()
        claimed = await self.outbox.claim(
            now=now,
            owner=self.owner,
            lease_seconds=self.lease_seconds,
            platforms=set(self.sinks),
        )
        batches = []
        for batch in claimed:  # a stalled sender's lease lapsed and we claimed its rows again
            busy = self._in_flight.get(batch[0].destination.key)
            if busy is None:
                batches.append(batch)
            else:
                await self.outbox.release([d.id for d in batch if d.id not in busy])
        if not batches:
            return report
        alert_ids = [d.alert_id for batch in batches for d in batch]
        alerts = await self.alerts.get_many(alert_ids)
        until = now + timedelta(seconds=self.lease_seconds)
        await asyncio.gather(*(self._send_in_order(b, alerts, report, until) for b in batches))
        return report

    async def _record_unrecorded(self) -> None:
        """Record the posts an outage kept from the store; raises while it is still away."""
        for delivery_id, (message_id, sent_at) in list(self._unrecorded.items()):
            await self.outbox.mark_sent([delivery_id], message_id, sent_at)
            del self._unrecorded[delivery_id]
            log.info("delivery %d recorded as sent after the database came back", delivery_id)

    async def drain(self, max_rounds: int = 1000) -> DispatchReport:
        """Dispatch until nothing is ready (used by the demo and `poll --once`)."""
        total = DispatchReport()
        for _ in range(max_rounds):
            report = await self.dispatch_once()
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            total.lag_seconds += report.lag_seconds
            if not (report.sent or report.retried or report.failed):
                break
        return total

    async def _send_in_order(
        self,
        batch: list[Delivery],
        alerts: Mapping[int, Alert],
        report: DispatchReport,
        until: datetime,
    ) -> None:
        """Send one destination's deliveries in order, then any that arrived meanwhile.

        Stops if the lease on them lapsed, or at the first failure (the rest wait their turn).
        """
        dest = batch[0].destination
        key = dest.key
        try:
            while batch:
                self._in_flight[key] = {d.id for d in batch}
                for index, delivery in enumerate(batch):
                    if self.clock() >= until:  # another worker may hold the rest now
                        log.warning(
                            "lease on %s lapsed mid-batch; %d left", key, len(batch) - index
                        )
                        return
                    # Only a channel's oldest pending delivery can have been in flight when a
                    # process died: each send is committed before the next one starts. A retried
                    # one is looked up too: its last attempt may have ended in a 5xx or a
                    # timeout after the platform had stored the message.
                    check = index == 0 and (delivery.maybe_sent or delivery.attempts > 0)
                    alert = alerts.get(delivery.alert_id)
                    ok = await self._send(delivery, alert, report, check_sent=check)
                    if not ok:
                        await self.outbox.release([d.id for d in batch[index + 1 :]])
                        return
                batch, alerts, until = await self._more_for(dest)
        finally:
            self._in_flight.pop(key, None)

    async def _more_for(
        self, dest: Destination
    ) -> tuple[list[Delivery], Mapping[int, Alert], datetime]:
        """Deliveries that reached `dest` while its sender was busy: they go out at once."""
        now = self.clock()
        claimed = await self.outbox.claim(
            now=now, owner=self.owner, lease_seconds=self.lease_seconds, destination=dest
        )
        batch = claimed[0] if claimed else []
        alerts = await self.alerts.get_many([d.alert_id for d in batch])
        return batch, alerts, now + timedelta(seconds=self.lease_seconds)

    async def _send(
        self,
        delivery: Delivery,
        alert: Alert | None,
        report: DispatchReport,
        *,
        check_sent: bool = False,
    ) -> bool:
        sink = self.sinks[delivery.destination.platform]
        if alert is None:  # only this delivery is moot; the channel's later ones still go
            await self.outbox.fail_these([delivery.id], "alert was deleted", self.clock())
            return True
        if alert.is_follow_up and alert.story_id is not None:
            thread = await self.outbox.thread_for(alert.story_id, delivery.destination)
            delivery = delivery.model_copy(update={"thread_id": thread})
            earlier = await self.alerts.story_so_far(alert.story_id, alert.id or 0)
            if earlier:  # the thread says what this outlet adds to every alert before it
                alert = alert.model_copy(update={"adds": what_it_adds(earlier, alert).lines()})
        try:
            message_id = None
            if check_sent and isinstance(sink, SentLookup):
                message_id = await sink.find_sent(delivery)
                if message_id is not None:
                    log.info(
                        "delivery %d to %s was posted before a crash or a lost answer (%s); "
                        "not posting it again",
                        delivery.id,
                        delivery.destination.key,
                        message_id,
                    )
            if message_id is None:
                message_id = await sink.send(alert, delivery)
        except DeliveryError as exc:
            return await self._failed(delivery, exc, report)
        except Exception as exc:  # an unexpected sink bug is retried like an outage
            log.exception("sink %s crashed", sink.platform)
            return await self._failed(delivery, DeliveryError(f"unexpected error: {exc}"), report)
        now = self.clock()
        try:
            await self.outbox.mark_sent([delivery.id], message_id, now)
        except Exception:  # posted all the same: remember it until the store can take it
            self._unrecorded[delivery.id] = (message_id, now)
            raise
        report.sent += 1
        if delivery.created_at is not None:
            report.lag_seconds.append((now - delivery.created_at).total_seconds())
        return True

    async def _failed(self, delivery: Delivery, exc: DeliveryError, report: DispatchReport) -> bool:
        """Record a failed send; True if the channel's later deliveries may still go now."""
        now = self.clock()
        if exc.rejected:
            report.failed += 1
            log.error("delivery %d to %s refused: %s", delivery.id, delivery.destination.key, exc)
            await self.outbox.fail_these([delivery.id], str(exc), now)
            return True
        if exc.permanent:
            report.failed += 1
            log.error("stopped posting to %s: %s", delivery.destination.key, exc)
            await self.outbox.fail(delivery.destination, str(exc), now)
            paused = await self.subscriptions.pause_destination(delivery.destination, str(exc))
            if paused and self.on_pause is not None:  # only the process that paused it says so
                try:
                    await self.on_pause(delivery.destination, str(exc))
                except Exception:
                    log.exception("could not announce the pause of %s", delivery.destination.key)
            return False
        report.retried += 1
        delay = backoff_seconds(
            delivery.attempts + 1, self.retry_base, retry_after=exc.retry_after, cap=900
        )
        log.warning(
            "delivery %d to %s failed, retry in %.1fs: %s",
            delivery.id,
            delivery.destination.key,
            delay,
            exc,
        )
        await self.outbox.retry_later(delivery.id, str(exc), now + timedelta(seconds=delay))
        return False
