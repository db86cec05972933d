"""Render a command service `Reply` as Slack mrkdwn that cannot ping anyone.

Everything is escaped (`& < >`), so feed text such as `<!channel>` or `<@U123>` shows literally;
only plain `<https://…>` links that the reply itself carries stay links.
"""

from __future__ import annotations

import re

from bot.chat.render import Dialect, render, render_line
from bot.chat.reply import Reply
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


def ours(text: str) -> str:
    """Our own reply text: escaped, `<https://…>` kept as links, `**bold**` as `*bold*`."""
    parts: list[str] = []
    pos = 0
    for match in LINK.finditer(text):
        parts.append(escape(text[pos : match.start()]))
        parts.append(link(match[1]))
        pos = match.end()
    parts.append(escape(text[pos:]))
    return BOLD.sub(r"*\1*", "".join(parts))


SLACK = Dialect(ours=ours, theirs=slack_text, bold=lambda text: f"*{text}*")


def line_mrkdwn(line: str) -> str:
    """One reply line (chat/render.py): ours as mrkdwn, feed text through the alerts' sanitiser."""
    return render_line(line, SLACK)


def reply_mrkdwn(reply: Reply, limit: int = LIMIT) -> str:
    """The whole reply: bold title, its lines and links, cut at `limit` with fences closed."""
    lines = render(reply, SLACK)
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
