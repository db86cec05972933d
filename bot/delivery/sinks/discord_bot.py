"""Post alerts to Discord channels through the bot's discord.py client (REST only).

The delivery id is the message nonce with `enforce_nonce`, so a retried send cannot post twice;
story follow-ups go into a thread started on the story's first alert in that channel.
"""

from __future__ import annotations

import logging
from typing import Literal

import aiohttp
import discord

from bot.delivery.render.discord import (
    mention_content,
    mention_roles,
    render_embed,
    render_follow_up_embed,
)
from bot.delivery.render.votes import NOT_RELEVANT_LABEL, RELEVANT_LABEL, vote_id
from bot.delivery.sinks.follow_up import as_follow_up
from bot.delivery.sinks.http_errors import error_for_status, retry_after
from bot.models import Alert, Delivery, Platform
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

THREAD_EXISTS = 160004  # "A thread has already been created for this message"
UNKNOWN_MESSAGE = 10008
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440
KNOWN_THREADS_CAP = 10_000
NOTICE_LIMIT = 2000
"""Discord refused this one message (malformed, too large): drop it and keep the channel."""


class DiscordSink:
    """Sends an alert as an embed; maps Discord's answers to permanent or retryable errors."""

    platform = Platform.discord

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._threads: set[int] = set()

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        channel_id = _snowflake(delivery.destination.address)
        roles = mention_roles(delivery.mention_role)
        mentions = discord.AllowedMentions.none()
        if roles:
            mentions.roles = [discord.Object(id=int(role)) for role in roles]
        try:
            thread = None
            if delivery.thread_id:
                thread = await self._thread(channel_id, int(delivery.thread_id), alert.title)
            follow_up = as_follow_up(alert, thread)
            target = thread if follow_up and thread is not None else channel_id
            embed = render_follow_up_embed(alert) if follow_up else render_embed(alert)
            message = await self.client.get_partial_messageable(target).send(
                content=mention_content(delivery.mention_role) or None,
                embed=discord.Embed.from_dict(embed),
                nonce=delivery.nonce,
                allowed_mentions=mentions,
                view=discord.utils.MISSING
                if follow_up or alert.id is None
                else vote_buttons(alert.id),
            )
        except discord.RateLimited as exc:
            raise DeliveryError("Discord rate limit", retry_after=exc.retry_after) from None
        except discord.HTTPException as exc:
            raise error_for(exc, delivery.destination.address) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc.__class__.__name__} {exc}") from None
        return str(message.id)

    async def post_notice(self, address: str, text: str) -> str:
        """Post a plain notice from the bot itself (no embed, pings nobody)."""
        try:
            message = await self.client.get_partial_messageable(_snowflake(address)).send(
                content=text[:NOTICE_LIMIT], allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.RateLimited as exc:
            raise DeliveryError("Discord rate limit", retry_after=exc.retry_after) from None
        except discord.HTTPException as exc:
            raise error_for(exc, address) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc.__class__.__name__} {exc}") from None
        return str(message.id)

    async def _thread(self, channel_id: int, message_id: int, title: str) -> int | None:
        """The thread on the story's first message, created once; its id is the message id.
        None when that message was deleted: the alert goes to the channel, posted whole."""
        if message_id in self._threads:
            return message_id
        try:
            await self.client.http.start_thread_with_message(
                channel_id,
                message_id,
                name=_clip(title, 100) or "Follow-ups",
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_MESSAGE:  # the first alert was deleted: post in the channel
                return None
            if exc.code != THREAD_EXISTS:
                raise
        if len(self._threads) >= KNOWN_THREADS_CAP:
            self._threads.clear()
        self._threads.add(message_id)
        return message_id


def vote_buttons(alert_id: int) -> discord.ui.View:
    """Relevant / Not relevant buttons; the bot's interaction listener answers their clicks.

    The view is stopped before sending: discord.py then sends its components without keeping
    a listener per alert in memory (a click reaches `on_interaction` all the same).
    """
    view = discord.ui.View(timeout=None)
    for relevant, label, style in (
        (True, RELEVANT_LABEL, discord.ButtonStyle.success),
        (False, NOT_RELEVANT_LABEL, discord.ButtonStyle.secondary),
    ):
        view.add_item(
            discord.ui.Button(style=style, label=label, custom_id=vote_id(alert_id, relevant))
        )
    view.stop()
    return view


def error_for(exc: discord.HTTPException, channel: str) -> DeliveryError:
    """The shared status table (sinks/http_errors.py): 429 and 5xx retried, 401/403/404/410
    pause the channel, any other 4xx drops this message only."""
    detail = f"(code {exc.code}) for channel {channel}: {exc.text}"
    headers = getattr(exc.response, "headers", None)
    return error_for_status("Discord", exc.status, detail, retry_after(headers))


def _snowflake(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DeliveryError(f"{value!r} is not a Discord channel id", permanent=True) from None


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
