"""Send each due daily digest: one message listing the alerts held for a destination.

The digest is rendered by the platform's own sink as an alert whose summary lists the held
alerts, so every platform gets a digest without a second rendering path. The first held
delivery's id is the message nonce, so a retried digest cannot post twice on Discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from bot.models import Alert, Delivery, MatchResult, Platform, RuleMatch
from bot.ports import DeliveryError, Sink
from bot.store.alerts import AlertStore
from bot.store.digests import DigestStore, DueDigest
from bot.store.outbox import OutboxStore
from bot.store.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)
MAX_ITEMS = 40


def digest_alert(alerts: Sequence[Alert], now: datetime) -> Alert:
    """One alert standing for many: the titles, sources and links as its summary."""
    lines = [
        f"• {a.title} — {a.source or 'unknown source'}" + (f" {a.link}" if a.link else "")
        for a in alerts
    ]
    rules: dict[str, RuleMatch] = {}
    for alert in alerts:
        for match in alert.matches.rules:
            rules.setdefault(match.rule_id, match.model_copy(update={"evidence": ()}))
    return Alert(
        feed_id=0,
        item_identity=f"digest-{now:%Y-%m-%d}",
        title=f"Daily digest: {len(alerts)} alert{'s' * (len(alerts) != 1)}",
        source="newsbot digest",
        published=now,
        summary="\n".join(lines),
        matches=MatchResult(rules=tuple(rules.values())),
    )


class DigestSender:
    """Finds due digests and sends each through its destination's sink."""

    def __init__(
        self,
        digests: DigestStore,
        alerts: AlertStore,
        outbox: OutboxStore,
        subscriptions: SubscriptionStore,
        sinks: Mapping[Platform, Sink],
        *,
        owner: str,
        clock: Callable[[], datetime],
        lease_seconds: float = 120.0,
    ) -> None:
        self.digests = digests
        self.alerts = alerts
        self.outbox = outbox
        self.subscriptions = subscriptions
        self.sinks = sinks
        self.owner = owner
        self.clock = clock
        self.lease_seconds = lease_seconds

    async def send_due(self) -> int:
        """Send every due digest this process has a sink for; return the messages sent."""
        sent = 0
        for due in await self.digests.due(self.clock()):
            if due.destination.platform in self.sinks:
                sent += await self._send(due)
        return sent

    async def _send(self, due: DueDigest) -> int:
        """Send the destination's held alerts, MAX_ITEMS a message; return messages sent."""
        messages = 0
        while held := await self.digests.claim_held(
            due.destination,
            now=self.clock(),
            owner=self.owner,
            lease_seconds=self.lease_seconds,
            limit=MAX_ITEMS,
        ):
            alerts = await self.alerts.get_many([d.alert_id for d in held])
            digest = digest_alert(
                [alerts[d.alert_id] for d in held if d.alert_id in alerts], self.clock()
            )
            carrier = Delivery(
                id=held[0].id,
                alert_id=held[0].alert_id,
                destination=due.destination,
                attempts=held[0].attempts,
            )
            try:
                message_id = await self.sinks[due.destination.platform].send(digest, carrier)
            except DeliveryError as exc:
                await self.outbox.release([d.id for d in held])
                if exc.permanent:
                    await self.subscriptions.pause_destination(due.destination, str(exc))
                log.warning("digest for %s not sent: %s", due.destination.key, exc)
                return messages
            await self.outbox.mark_sent([d.id for d in held], message_id, self.clock())
            messages += 1
        await self.digests.mark_served(due.subscription_ids, self.clock())
        return messages
