"""Discord and Slack incoming webhooks: alerts for users who want no bot token.

The webhook URL is the destination's address. Discord answers the message id with
`?wait=true`; Slack's incoming webhooks answer only "ok", so the id is local.
"""

from __future__ import annotations

import json
import uuid

import aiohttp

from bot.delivery.render.discord import (
    ALLOWED_MENTIONS_NONE,
    render_embed,
    render_follow_up_embed,
)
from bot.delivery.render.slack import render_blocks, render_follow_up_blocks
from bot.delivery.sinks.follow_up import as_follow_up
from bot.delivery.sinks.http_errors import error_for_status, retry_after
from bot.models import Alert, Delivery, Platform
from bot.ports import DeliveryError

TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)


class _WebhookSink:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def _post(self, url: str, payload: dict[str, object], name: str) -> tuple[int, str]:
        try:
            async with self.session.post(url, json=payload, timeout=TIMEOUT) as resp:
                body = await resp.text()
                if resp.status >= 300:
                    wait = retry_after(resp.headers, body)
                    raise error_for_status(name, resp.status, body, wait)
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"{name} unreachable: {exc.__class__.__name__} {exc}") from None


class DiscordWebhookSink(_WebhookSink):
    """Posts embeds to a Discord webhook URL."""

    platform = Platform.discord_webhook

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        follow_up = as_follow_up(alert, delivery.thread_id)
        embed = render_follow_up_embed(alert) if follow_up else render_embed(alert)
        payload: dict[str, object] = {
            "embeds": [embed],
            "allowed_mentions": ALLOWED_MENTIONS_NONE,
        }
        url = delivery.destination.address
        url += ("&" if "?" in url else "?") + "wait=true"
        _status, body = await self._post(url, payload, "Discord webhook")
        try:
            return str(json.loads(body)["id"])
        except (ValueError, KeyError, TypeError):
            return f"discord-webhook-{uuid.uuid4().hex}"


class SlackWebhookSink(_WebhookSink):
    """Posts Block Kit messages to a Slack incoming webhook URL."""

    platform = Platform.slack_webhook

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        render = (
            render_follow_up_blocks if as_follow_up(alert, delivery.thread_id) else render_blocks
        )
        text, blocks = render(alert)
        payload: dict[str, object] = {"text": text, "blocks": blocks, "unfurl_links": False}
        await self._post(delivery.destination.address, payload, "Slack webhook")
        return f"slack-webhook-{uuid.uuid4().hex}"
