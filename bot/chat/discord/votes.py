"""Clicks on an alert's Relevant / Not relevant buttons (message components), on Discord."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import discord

from bot.chat.commands import Caller, Reply
from bot.chat.feedback import FeedbackService
from bot.delivery.render.votes import parse_vote_id


async def answer_vote(
    interaction: discord.Interaction,
    feedback: FeedbackService,
    who: Callable[[discord.Interaction], Caller],
    send_reply: Callable[[discord.Interaction, Reply], Awaitable[None]],
) -> bool:
    """Store and answer (ephemerally) a vote button click; False if this is not one."""
    if interaction.type is not discord.InteractionType.component:
        return False
    data = cast(dict[str, Any], interaction.data or {})
    custom_id = str(data.get("custom_id", ""))
    parsed = parse_vote_id(custom_id)
    if parsed is None:
        return False
    reply = await feedback.vote(who(interaction), *parsed)
    await send_reply(interaction, reply.model_copy(update={"ephemeral": True}))
    return True
