"""Answer one Discord interaction: the shared ack race (`chat.ack`) on Discord's terms.

Discord's placeholder is a deferral, and the first follow-up after one keeps the deferral's
visibility. So the deferral is always ephemeral; a public reply after it first resolves the
"thinking" message (edit), posts the reply as new public follow-ups, then deletes the note.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable

import discord

from bot.chat.ack import ACK_BUDGET, answer_in_time, is_public
from bot.chat.discord.attach import send_chart
from bot.chat.discord.reply import reply_lines, split_message
from bot.chat.reply import Reply

DEFER_AFTER = ACK_BUDGET  # read at each call, so a test can make every answer count as slow
NO_MENTIONS = discord.AllowedMentions.none()
POSTED = "Posted in the channel."


class DiscordResponder:
    """`chat.ack.Responder` for one interaction."""

    def __init__(self, interaction: discord.Interaction) -> None:
        self.interaction = interaction

    async def now(self, reply: Reply | None) -> None:
        if reply is not None:
            await send_reply(self.interaction, reply)

    async def hold(self) -> None:
        await self.interaction.response.defer(ephemeral=True, thinking=True)

    async def later(self, reply: Reply) -> None:
        if not is_public(reply):
            await send_reply(self.interaction, reply)  # the first resolves the private defer
            return
        await self.interaction.edit_original_response(content=POSTED)
        for text in split_message(reply_lines(reply)):
            await self.interaction.followup.send(
                text, ephemeral=False, allowed_mentions=NO_MENTIONS
            )
        # the note is private and harmless if it stays; the reply itself is posted
        with contextlib.suppress(discord.HTTPException):
            await self.interaction.delete_original_response()


async def answer(
    interaction: discord.Interaction, work: Awaitable[Reply | None], *, slow: bool = False
) -> None:
    """Acknowledge within Discord's 3 s: defer at once if `slow`, or when `work` takes too long;
    a chart the reply carries follows the text (`attach.send_chart`)."""
    responder = DiscordResponder(interaction)
    reply = await answer_in_time(work, responder, budget=DEFER_AFTER, slow=slow)
    if reply is not None:
        await send_chart(interaction, reply)


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    """Send the reply as text; errors and admin output are ephemeral; nothing can ping.

    After a deferral only private replies come here (see `DiscordResponder.later`)."""
    ephemeral = not is_public(reply)
    messages = split_message(reply_lines(reply))
    if not interaction.response.is_done():
        first, *messages = messages
        await interaction.response.send_message(
            first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    for text in messages:
        await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
