"""Feed text made harmless for chat: it can never ping anyone or smuggle markup into an alert.

Text from feeds is hostile by default: an item titled "@everyone" or "<!channel>" must reach the
channel as plain words. Embeds never ping on Discord, but message content does, and Slack parses
`<…>` control sequences anywhere in mrkdwn, so every field goes through these functions.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile("[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
"""Controls and invisible or direction-changing marks: a link that shows one address and
opens another."""

ZWSP = "\u200b"
_DISCORD_MASS = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_DISCORD_TAG = re.compile(r"<(@[!&]?|#|/|a?:|t:)")
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|\[\]])")
_DISCORD_LINE_START = re.compile(r"^(\s*)([#>-])", re.MULTILINE)
_SLACK_MASS = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SLACK_TAG = re.compile(r"<([!@#]|https?:|mailto:)", re.IGNORECASE)


def discord_text(text: str) -> str:
    """Neutralise Discord mentions (@everyone, @here, <@id>, <@!id>, <@&id>, <#id>) and markdown."""
    text = _DISCORD_MARKDOWN.sub(r"\\\1", text)
    text = _DISCORD_LINE_START.sub(r"\1\\\2", text)
    text = _DISCORD_MASS.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _DISCORD_TAG.sub(lambda m: "<" + ZWSP + m.group(1), text)


def discord_plain(text: str) -> str:
    """Neutralise mentions in a field Discord shows without markdown (author, footer)."""
    text = _DISCORD_MASS.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _DISCORD_TAG.sub(lambda m: "<" + ZWSP + m.group(1), text)


def slack_text(text: str) -> str:
    """Escape `& < >` (so <!channel>, <@U…>, <#C…>, <!subteam^…> are inert) and break @channel."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_MASS.sub(lambda m: "@" + ZWSP + m.group(1), text)


def slack_plain(text: str) -> str:
    """Text for Slack `plain_text`: not parsed for markup, but defused anyway (defence in depth)."""
    text = _SLACK_TAG.sub(lambda m: "<" + ZWSP + m.group(1), text)
    return _SLACK_MASS.sub(lambda m: "@" + ZWSP + m.group(1), text)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with no whitespace or link-breaking characters, else None."""
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        return None
    if any(c in url for c in '<>|"` \t\n\r') or len(url) > 2000 or _HIDDEN.search(url):
        return None
    return url
