"""Tell a workspace's admins, once per pause, that the bot stopped posting to one of its channels.

The notice goes to another subscribed, healthy channel of the same Discord guild or Slack team;
with none, the audit log (and `/subscriptions` in the paused channel) is where admins see it.
A notice that meets only passing failures (rate limits, outages) is tried again in the
background, a few times, before it is recorded as unsent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.models import Destination, Platform
from bot.ports import AuditPort, DeliveryError, Sink, SubscriptionPort

log = logging.getLogger(__name__)

BOT = "newsbot"
MAX_TRIES = 3  # sibling channels tried per round
RETRY_ROUNDS = 3
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
        subscriptions: SubscriptionPort,
        audit: AuditPort,
        sinks: Mapping[Platform, Sink],
        clock: Callable[[], datetime],
        *,
        retry_seconds: float = 30.0,
    ) -> None:
        self.subscriptions = subscriptions
        self.audit = audit
        self.sinks = sinks
        self.clock = clock
        self.retry_seconds = retry_seconds
        self._retries: set[asyncio.Task[None]] = set()

    async def __call__(self, paused: Destination, reason: str) -> None:
        await self._record(paused, "subscriptions.pause", reason)
        sink = self.sinks.get(paused.platform)
        if not isinstance(sink, NoticeSink) or paused.workspace is None:
            await self._record(paused, "notice.unsent", "this platform has no channel to tell")
            return
        text = notice_text(paused, reason)
        wait = await self._tell(sink, paused, text)
        if wait is not None:  # in the background: the dispatcher goes on meanwhile
            task = asyncio.create_task(self._retry(sink, paused, text, wait))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    async def close(self) -> None:
        """Stop retries still waiting (shutdown): their pauses stay in the audit log."""
        for task in list(self._retries):
            task.cancel()
        await asyncio.gather(*self._retries, return_exceptions=True)

    async def _tell(self, sink: NoticeSink, paused: Destination, text: str) -> float | None:
        """Post to the first sibling that takes it; None when done (told, or nobody to tell),
        else the seconds to wait before trying again (every failure was a passing one)."""
        wait: float | None = None
        for other in (await self._healthy_siblings(paused))[:MAX_TRIES]:
            try:
                await sink.post_notice(other.address, text)
            except DeliveryError as exc:  # that channel's own deliveries will find out
                log.warning("pause notice to %s failed: %s", other.key, exc)
                if not (exc.permanent or exc.rejected):
                    wait = max(wait or self.retry_seconds, exc.retry_after or 0.0)
                continue
            await self._record(paused, "notice.sent", f"told {other.key}")
            return None
        if wait is None:
            await self._record(paused, "notice.unsent", "no other healthy channel in the workspace")
        return wait

    async def _retry(self, sink: NoticeSink, paused: Destination, text: str, wait: float) -> None:
        for _ in range(RETRY_ROUNDS):
            await asyncio.sleep(wait)
            try:
                next_wait = await self._tell(sink, paused, text)
            except Exception:  # a store hiccup: the pause itself is recorded already
                log.exception("pause notice retry for %s failed", paused.key)
                return
            if next_wait is None:
                return
            wait = max(next_wait, wait * 2)
        await self._record(paused, "notice.unsent", "the other channels kept failing")

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
