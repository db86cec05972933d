"""A reply's chart on Discord: drawn after the text is out, then sent as a follow-up with the PNG
attached (multipart `payload_json` + `files[0]`; the attachment's `description` is its alt
text), as private as the reply. A chart that cannot be drawn or sent is logged; the text stays.
"""

from __future__ import annotations

import io
import logging

import discord

from bot.charts.png import render_in_thread
from bot.chat.ack import is_public
from bot.chat.reply import Reply

log = logging.getLogger(__name__)
DESCRIPTION_LIMIT = 1024  # Discord's limit on an attachment's description (its alt text)


async def send_chart(interaction: discord.Interaction, reply: Reply) -> None:
    """Attach `reply.chart`, if any, in a follow-up; never raises."""
    chart = reply.chart
    if chart is None:
        return
    try:
        png = await render_in_thread(chart)
        picture = discord.File(
            io.BytesIO(png),
            filename=chart.filename,
            description=chart.alt_text[:DESCRIPTION_LIMIT],
        )
        await interaction.followup.send(
            file=picture,
            ephemeral=not is_public(reply),
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except Exception:
        log.exception("could not attach the chart %r; the text reply was sent", chart.title)
