"""Render a command service `Reply` as Slack mrkdwn that cannot ping anyone.

Everything is escaped (`& < >`), so feed text such as `<!channel>` or `<@U123>` shows literally;
only plain `<https://…>` links that the reply itself carries stay links.
"""

from __future__ import annotations

import re

from bot.chat.commands import Reply
from bot.delivery.render.sanitize import safe_url, slack_text

LIMIT = 12_000
FENCE = "```"
TRUNCATED = "… (truncated)"
LINK = re.compile(r"<(https?://[^\s<>|]+)>")
BOLD = re.compile(r"\*\*(.+?)\*\*")
escape = slack_text


def link(url: str) -> str:
    """A Slack link to a safe http(s) URL, else the URL as inert text."""
    safe = safe_url(url)
    return f"<{safe.replace('&', '&amp;')}>" if safe else escape(url)


def line_mrkdwn(line: str) -> str:
    """One reply line: text escaped, `<https://…>` kept as links, `**bold**` as `*bold*`."""
    quote = line.startswith("> ")
    body = line[2:] if quote else line
    parts: list[str] = []
    pos = 0
    for match in LINK.finditer(body):
        parts.append(escape(body[pos : match.start()]))
        parts.append(link(match[1]))
        pos = match.end()
    parts.append(escape(body[pos:]))
    out = BOLD.sub(r"*\1*", "".join(parts))
    return f"> {out}" if quote else out


def reply_mrkdwn(reply: Reply, limit: int = LIMIT) -> str:
    """The whole reply: bold title, its lines and links, cut at `limit` with fences closed."""
    title = escape(reply.title if reply.ok else f"⚠️ {reply.title}")
    lines = [f"*{title}*", *(line_mrkdwn(x) for x in reply.lines)]
    lines += [f"{escape(label)}: {link(url)}" for label, url in reply.links]
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit - len(TRUNCATED) - len(FENCE) - 2:
            if sum(x.lstrip().startswith(FENCE) for x in out) % 2:
                out.append(FENCE)
            out.append(TRUNCATED)
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)
