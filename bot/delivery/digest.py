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
from bot.ports import (
    AlertReader,
    DeliveryError,
    DigestPort,
    DueDigest,
    OutboxPort,
    Sink,
    SubscriptionPort,
)

log = logging.getLogger(__name__)
MAX_ITEMS = 40
SUMMARY_BUDGET = 2800
"""Characters of digest lines in one message: under Slack's 3,000 a section and Discord's
4,096 an embed description, so no renderer has to cut a line off."""
LINE_LIMIT = 500


def digest_line(alert: Alert) -> str:
    line = f"• {alert.title} — {alert.source or 'unknown source'}"
    line = line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"
    return line + (f" {alert.link}" if alert.link and len(alert.link) <= LINE_LIMIT else "")


def fitting(alerts: Sequence[Alert]) -> int:
    """How many of `alerts`, in order, fit one digest message (always at least one)."""
    used = 0
    for count, alert in enumerate(alerts):
        used += len(digest_line(alert)) + 1
        if used > SUMMARY_BUDGET:
            return max(count, 1)
    return len(alerts)


def digest_alert(alerts: Sequence[Alert], now: datetime) -> Alert:
    """One alert standing for many: the titles, sources and links as its summary."""
    lines = [digest_line(a) for a in alerts]
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
        digests: DigestPort,
        alerts: AlertReader,
        outbox: OutboxPort,
        subscriptions: SubscriptionPort,
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
            if gone := [d.id for d in held if d.alert_id not in alerts]:  # feed removed since
                await self.outbox.fail_these(gone, "alert was deleted", self.clock())
            held = [d for d in held if d.alert_id in alerts]
            if not held:
                continue
            fit = fitting([alerts[d.alert_id] for d in held])
            await self.outbox.release([d.id for d in held[fit:]])  # the next message's
            held = held[:fit]
            digest = digest_alert([alerts[d.alert_id] for d in held], self.clock())
            carrier = Delivery(
                id=held[0].id,
                alert_id=held[0].alert_id,
                destination=due.destination,
                attempts=held[0].attempts,
            )
            try:
                message_id = await self.sinks[due.destination.platform].send(digest, carrier)
            except DeliveryError as exc:
                if exc.rejected:  # this message only: its alerts fail, the rest still go
                    log.error("digest for %s refused: %s", due.destination.key, exc)
                    await self.outbox.fail_these([d.id for d in held], str(exc), self.clock())
                    continue
                await self.outbox.release([d.id for d in held])
                if exc.permanent:
                    await self.subscriptions.pause_destination(due.destination, str(exc))
                log.warning("digest for %s not sent: %s", due.destination.key, exc)
                return messages
            await self.outbox.mark_sent([d.id for d in held], message_id, self.clock())
            messages += 1
        await self.digests.mark_served(due.subscription_ids, self.clock())
        return messages
