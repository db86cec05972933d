"""A reply's chart on Slack: drawn after the text is out, then uploaded with files upload v2
(`files.getUploadURLExternal` with `alt_txt` → the upload → `files.completeUploadExternal`).

A slash command's ephemeral answer cannot carry a file, and a file shared in the channel is
seen by all of it (Slack's maintainers: the only private way is a DM), so a private reply's
chart goes to the caller's direct message with the bot (`conversations.open`, scope
`im:write`); a public reply's goes to the channel. Failures are logged; the text stays.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts.png import render_in_thread
from bot.chat.ack import is_public
from bot.chat.reply import Reply

log = logging.getLogger(__name__)
ALT_LIMIT = 1000  # Slack refuses a longer alt_txt (alt_txt_too_large)


async def upload_chart(client: AsyncWebClient, reply: Reply, *, user: str, channel: str) -> None:
    """Upload `reply.chart`, if any, where the reply's reader sees it; never raises."""
    chart = reply.chart
    if chart is None:
        return
    try:
        png = await render_in_thread(chart)
        if not is_public(reply):
            opened = await client.conversations_open(users=user)
            channel = str((opened.get("channel") or {}).get("id"))
        await client.files_upload_v2(
            content=png,
            filename=chart.filename,
            title=chart.title,
            alt_txt=chart.alt_text[:ALT_LIMIT],
            channel=channel,
        )
    except Exception:
        log.exception("could not upload the chart %r; the text reply was sent", chart.title)
