"""Post alerts to Slack channels with `chat.postMessage`, paced to Slack's ~1 message/s per channel.

Story follow-ups are thread replies (`thread_ts` = the story's first message here). Slack's
answers become DeliveryErrors the dispatcher understands: permanent, or retry (after Retry-After).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.render.slack import render_blocks, render_follow_up_blocks
from bot.delivery.sinks.follow_up import as_follow_up
from bot.delivery.sinks.http_errors import RATE_LIMIT_DEFAULT, error_for_status, retry_after
from bot.models import Alert, Delivery, Platform
from bot.policy.routing import split_mentions
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_authed",
        "missing_scope",
        "no_permission",
        "restricted_action",
        "team_access_not_granted",
        "ekm_access_denied",
        "org_login_required",
    }
)
"""Errors no retry can fix: the channel is gone or closed to us, or the token is."""
CONTENT = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long"})
"""The message itself was refused; it is re-sent once as plain text."""
USER_GROUP = re.compile(r"^S[A-Z0-9]{2,20}$")
PLAIN_TEXT_LIMIT = 3900
EVENT_TYPE = "newsbot_alert"  # message metadata naming the delivery a message carried
HISTORY_PAGES = 5  # of 200 messages: how far back a crashed run's post is looked for
UNREACHABLE = (SlackClientError, aiohttp.ClientError, OSError, TimeoutError)


class SlackSink:
    """Sends an alert as Block Kit, at most one post per `min_interval` seconds per channel."""

    platform = Platform.slack

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.min_interval = min_interval
        self.clock = clock
        self.sleep = sleep
        self._next_at: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        channel = delivery.destination.address
        follow_up = as_follow_up(alert, delivery.thread_id)
        text, blocks = (render_follow_up_blocks if follow_up else render_blocks)(alert)
        blocks = _with_mention(blocks, delivery.mention_role)
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"delivery": delivery.nonce}}
        return await self._paced(
            channel, lambda: self._post(channel, text, blocks, delivery.thread_id, metadata)
        )

    async def find_sent(self, delivery: Delivery) -> str | None:
        """The ts of the message an earlier run posted for `delivery` and died before recording,
        found by its metadata among the channel's (or thread's) messages since it was created.

        Reading history needs the `channels:history` / `groups:history` scopes; without them,
        or on any error, this says None and the alert is posted (perhaps a second time).
        """
        channel, thread = delivery.destination.address, delivery.thread_id
        since = delivery.created_at.timestamp() - 1 if delivery.created_at else 0.0
        try:
            try:
                return await self._find(channel, thread, delivery.nonce, f"{since:.6f}")
            except SlackApiError as exc:
                if not thread or _error_code(exc) != "thread_not_found":
                    raise
                # the story's first post is gone, so the send went to the channel itself
                return await self._find(channel, None, delivery.nonce, f"{since:.6f}")
        except (SlackApiError, *UNREACHABLE) as exc:
            log.warning(
                "cannot tell whether delivery %d was posted before a crash (%s); posting it",
                delivery.id,
                _error_code(exc) if isinstance(exc, SlackApiError) else exc.__class__.__name__,
            )
        return None

    async def _find(self, channel: str, thread: str | None, nonce: str, oldest: str) -> str | None:
        """The ts of our message carrying `nonce` among the channel's or thread's messages."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            if thread:
                page = await self.client.conversations_replies(
                    channel=channel,
                    ts=thread,
                    cursor=cursor,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=200,
                )
            else:
                page = await self.client.conversations_history(
                    channel=channel,
                    cursor=cursor,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=200,
                )
            for message in page.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("delivery") == nonce:
                    return str(message["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    async def post_notice(self, address: str, text: str) -> str:
        """Post a plain-text notice from the bot itself, paced like alerts."""
        return await self._paced(
            address, lambda: self._post(address, text[:PLAIN_TEXT_LIMIT], None, None, None)
        )

    async def _paced(self, channel: str, post: Callable[[], Awaitable[str]]) -> str:
        async with self._locks.setdefault(channel, asyncio.Lock()):
            wait = self._next_at.get(channel, 0.0) - self.clock()
            if wait > 0:
                await self.sleep(wait)
            try:
                return await post()
            finally:
                self._next_at[channel] = self.clock() + self.min_interval

    async def _post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        thread: str | None,
        metadata: dict[str, Any] | None,
    ) -> str:
        def call(text: str, blocks: list[dict[str, Any]] | None, thread: str | None) -> Any:
            return self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )

        try:
            try:
                response = await call(text, blocks, thread)
            except SlackApiError as exc:
                error = _error_code(exc)
                if error == "thread_not_found" and thread:  # the story's first post was deleted
                    response = await call(text, blocks, None)
                elif error in CONTENT:
                    log.warning("Slack refused the blocks (%s); posting plain text", error)
                    response = await call(text[:PLAIN_TEXT_LIMIT], None, thread)
                else:
                    raise
        except SlackApiError as exc:
            raise self._error(exc, channel) from None
        except UNREACHABLE as exc:
            raise DeliveryError(f"Slack unreachable: {exc.__class__.__name__}") from None
        return str(response["ts"])

    def _error(self, exc: SlackApiError, channel: str) -> DeliveryError:
        """Map Slack's answer; on 429 the dispatcher holds the channel back for Retry-After."""
        status = getattr(exc.response, "status_code", None)
        error = _error_code(exc)
        what = f"Slack chat.postMessage to {channel} failed: {error} (HTTP {status})"
        if status == 429 or error == "ratelimited":
            wait = retry_after(getattr(exc.response, "headers", None))
            return DeliveryError(what, retry_after=wait or RATE_LIMIT_DEFAULT)
        if error in PERMANENT:
            return DeliveryError(what, permanent=True)
        if error in CONTENT:  # refused even as plain text: drop this message, keep the channel
            return DeliveryError(what, rejected=True)
        if isinstance(status, int) and status != 200:  # the shared table (sinks/http_errors.py)
            shared = error_for_status("Slack", status, what)
            return DeliveryError(what, permanent=shared.permanent, rejected=shared.rejected)
        return DeliveryError(what)


def _with_mention(blocks: list[dict[str, Any]], role: str | None) -> list[dict[str, Any]]:
    """Prefix the user groups the subscriptions asked to mention (`S…` ids only)."""
    groups = [group for group in split_mentions(role) if USER_GROUP.match(group)]
    if not groups:
        return blocks
    text = " ".join(f"<!subteam^{group}>" for group in groups)
    mention = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return [mention, *blocks][:50]


def _error_code(exc: SlackApiError) -> str:
    data = getattr(exc.response, "data", None)
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    return "unexpected_response"
