"""Tell a workspace's admins, once per pause, that the bot stopped posting to one of its channels.

The notice goes to another subscribed, healthy channel of the same Discord guild or Slack team;
with none, the audit log (and `/subscriptions` in the paused channel) is where admins see it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.models import Destination, Platform
from bot.ports import DeliveryError, Sink
from bot.store.audit import AuditStore
from bot.store.subscriptions import SubscriptionStore

log = logging.getLogger(__name__)

BOT = "newsbot"
MAX_TRIES = 3
REASON_LIMIT = 300


@runtime_checkable
class NoticeSink(Protocol):
    """A sink that can post a short plain-text message from the bot itself."""

    async def post_notice(self, address: str, text: str) -> str: ...


def notice_text(paused: Destination, reason: str) -> str:
    """What the admins read: which channel, why, and how to resume."""
    why = " ".join(reason.replace("<", "‹").replace(">", "›").split())[:REASON_LIMIT]
    return (
        f"⚠️ newsbot stopped posting alerts to <#{paused.address}> and paused its "
        f"subscriptions: {why}\nGive the bot access to that channel again, then run "
        "`/subscribe` there to resume (`/subscriptions` shows what is paused)."
    )


class PauseNotices:
    """Records a pause in the audit log and posts one notice about it to a sibling channel."""

    def __init__(
        self,
        subscriptions: SubscriptionStore,
        audit: AuditStore,
        sinks: Mapping[Platform, Sink],
        clock: Callable[[], datetime],
    ) -> None:
        self.subscriptions = subscriptions
        self.audit = audit
        self.sinks = sinks
        self.clock = clock

    async def __call__(self, paused: Destination, reason: str) -> None:
        await self._record(paused, "subscriptions.pause", reason)
        sink = self.sinks.get(paused.platform)
        if not isinstance(sink, NoticeSink) or paused.workspace is None:
            await self._record(paused, "notice.unsent", "this platform has no channel to tell")
            return
        text = notice_text(paused, reason)
        for other in (await self._healthy_siblings(paused))[:MAX_TRIES]:
            try:
                await sink.post_notice(other.address, text)
            except DeliveryError as exc:  # that channel's own deliveries will find out
                log.warning("pause notice to %s failed: %s", other.key, exc)
                continue
            await self._record(paused, "notice.sent", f"told {other.key}")
            return
        await self._record(paused, "notice.unsent", "no other healthy channel in the workspace")

    async def _healthy_siblings(self, paused: Destination) -> list[Destination]:
        """Subscribed, unpaused channels of the same guild or team, oldest subscription first."""
        found: dict[str, Destination] = {}
        for sub in await self.subscriptions.all():
            dest = sub.destination
            if (
                not sub.paused
                and dest.platform is paused.platform
                and dest.workspace == paused.workspace
                and dest.address != paused.address
            ):
                found.setdefault(dest.address, dest)
        return list(found.values())

    async def _record(self, paused: Destination, action: str, detail: str) -> None:
        log.info("%s %s: %s", action, paused.key, detail)
        await self.audit.record(
            now=self.clock(),
            who=BOT,
            platform=paused.platform.value,
            workspace=paused.workspace,
            action=action,
            target=paused.key,
            allowed=True,
            detail=detail[:2000],
        )
