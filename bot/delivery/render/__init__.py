"""Rendering an alert per target: Discord, Slack, plain text, feed text made inert."""

from bot.delivery.render.discord import (
    ALLOWED_MENTIONS_NONE,
    allowed_mentions,
    mention_content,
    render_embed,
    render_follow_up_embed,
)
from bot.delivery.render.plain import render_follow_up_text, render_text
from bot.delivery.render.slack import render_blocks, render_follow_up_blocks

__all__ = [
    "ALLOWED_MENTIONS_NONE",
    "allowed_mentions",
    "mention_content",
    "render_blocks",
    "render_embed",
    "render_follow_up_blocks",
    "render_follow_up_embed",
    "render_follow_up_text",
    "render_text",
]
