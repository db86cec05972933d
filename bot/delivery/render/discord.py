"""Discord embed JSON for an alert, within every embed limit, that can never ping anyone.

Limits (Discord API): title 256, description 4096, 25 fields, field name 256 / value 1024,
footer 2048, author name 256, and 6000 characters over the whole embed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.delivery.render.common import (
    PRIORITY_COLOURS,
    clean,
    published_utc,
    quote_text,
    speaker_label,
    why_lines,
)
from bot.delivery.render.sanitize import discord_plain, discord_text, safe_url
from bot.delivery.render.truncate import truncate, utf16_len
from bot.models import Alert
from bot.policy.routing import split_mentions
from bot.rules.schema import Actor

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
TOTAL_MAX = 6000

ALLOWED_MENTIONS_NONE: dict[str, list[str]] = {"parse": []}
"""Send with every message: nothing in it may ping, whatever its text says."""

_ESCAPE = re.compile(r"\\.")
_MASKED_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_ATOMS = (_ESCAPE, _MASKED_LINK)


def mention_roles(mention_role: str | None = None) -> list[str]:
    """The role ids (snowflakes) a delivery's mentions name; anything else is dropped."""
    return [role for role in split_mentions(mention_role) if role.isdigit()]


def allowed_mentions(mention_role: str | None = None) -> dict[str, list[str]]:
    """allowed_mentions that permit only the subscriptions' configured roles (snowflake ids)."""
    if roles := mention_roles(mention_role):
        return {"parse": [], "roles": roles}
    return dict(ALLOWED_MENTIONS_NONE)


def mention_content(mention_role: str | None = None) -> str:
    """Message content that pings the configured roles, or "" (pair with `allowed_mentions`)."""
    return " ".join(f"<@&{role}>" for role in mention_roles(mention_role))


def _cut(text: str, limit: int) -> str:
    return truncate(text, limit, atoms=_ATOMS)


def embed_length(embed: Mapping[str, Any]) -> int:
    """What Discord counts toward the 6000 total: title, description, fields, footer, author."""
    total = utf16_len(embed.get("title", "")) + utf16_len(embed.get("description", ""))
    total += utf16_len(embed.get("footer", {}).get("text", ""))
    total += utf16_len(embed.get("author", {}).get("name", ""))
    for f in embed.get("fields", []):
        total += utf16_len(f["name"]) + utf16_len(f["value"])
    return total


def render_embed(alert: Alert, *, actors: Mapping[str, Actor] | None = None) -> dict[str, Any]:
    """The alert as one embed: title and link, source and time, summary, key quotes, and why."""
    embed: dict[str, Any] = {
        "title": _cut(discord_text(clean(alert.title)) or "(untitled)", TITLE_MAX),
        "color": PRIORITY_COLOURS[alert.priority],
    }
    url = safe_url(alert.link)
    if url:
        embed["url"] = url
    if alert.summary:
        embed["description"] = _cut(discord_text(clean(alert.summary)), DESCRIPTION_MAX)
    stamp = published_utc(alert)
    if stamp is not None:
        embed["timestamp"] = stamp.isoformat()
    if alert.source:
        embed["author"] = {"name": truncate(discord_plain(clean(alert.source)), AUTHOR_MAX)}
    fields: list[dict[str, Any]] = []
    for quote in alert.quotes:
        fields.append(
            {
                "name": _cut(discord_text(speaker_label(quote, actors)), FIELD_NAME_MAX),
                "value": _cut(discord_text(quote_text(quote)), FIELD_VALUE_MAX),
                "inline": False,
            }
        )
    why = why_lines(alert)
    if why:
        value = "\n".join(
            f"**{discord_text(name)}**: {discord_text(', '.join(words))}"
            if words
            else f"**{discord_text(name)}**"
            for name, words in why
        )
        fields.append({"name": "Why", "value": _cut(value, FIELD_VALUE_MAX), "inline": False})
    if len(fields) > FIELDS_MAX:
        fields = [*fields[: FIELDS_MAX - 1], fields[-1]] if why else fields[:FIELDS_MAX]
    if fields:
        embed["fields"] = fields
    footer = f"newsbot · {alert.priority.value}"
    embed["footer"] = {"text": _cut(discord_plain(footer), FOOTER_MAX)}
    return _fit_total(embed)


def _fit_total(embed: dict[str, Any]) -> dict[str, Any]:
    """Shrink the description, then drop quote fields from the end, until the 6000 total holds."""
    over = embed_length(embed) - TOTAL_MAX
    if over > 0 and "description" in embed:
        keep = max(utf16_len(embed["description"]) - over, 0)
        embed["description"] = _cut(embed["description"], keep) if keep > 1 else "…"
    while embed_length(embed) > TOTAL_MAX and embed.get("fields"):
        fields = embed["fields"]
        drop = next((i for i in range(len(fields) - 1, -1, -1) if fields[i]["name"] != "Why"), 0)
        fields.pop(drop)
        if not fields:
            del embed["fields"]
    return embed


def render_follow_up_embed(alert: Alert) -> dict[str, Any]:
    """A small embed for the story's thread: "Also reported by <source>" with its title and link,
    and what it adds (new quotes, figures, names) as the description."""
    source = discord_plain(clean(alert.source)) or "another source"
    embed: dict[str, Any] = {
        "author": {"name": truncate(f"Also reported by {source}", AUTHOR_MAX)},
        "title": _cut(discord_text(clean(alert.title)) or "(untitled)", TITLE_MAX),
        "color": PRIORITY_COLOURS[alert.priority],
    }
    url = safe_url(alert.link)
    if url:
        embed["url"] = url
    if alert.adds:
        adds = "\n".join(discord_text(clean(add)) for add in alert.adds)
        embed["description"] = _cut(adds, DESCRIPTION_MAX)
    stamp = published_utc(alert)
    if stamp is not None:
        embed["timestamp"] = stamp.isoformat()
    return embed
