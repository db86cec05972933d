"""A command's answer (`Reply`) and the text helpers every use case shares to build one.

Text that came from a feed (titles, sources, quotes, feed names, errors quoting a server) is
wrapped with `feed()` where a reply is built; the one renderer (`chat/render.py`) sends it
through the alerts' sanitiser on each platform, so a feed can put no link, markup or mention
into a reply. `link()` keeps a safe http(s) URL a plain link and marks anything else as feed text.
"""

from __future__ import annotations

import re

from pydantic import Field

from bot.delivery.render.sanitize import safe_url
from bot.models import Frozen
from bot.policy.daily import Chart

DRAFT_ERRORS = 8  # error lines shown above a returned draft
FEED_START, FEED_END = "\ue000", "\ue001"  # private-use marks around feed text in a line
MARKS = re.compile("[\ue000\ue001]")
FEED_SPAN = re.compile("\ue000(.*?)\ue001", re.S)


def feed(text: str | None) -> str:
    """Mark `text` as feed text: the renderer defuses it (marks inside it are dropped)."""
    return FEED_START + MARKS.sub("", text or "") + FEED_END


def link(url: str | None) -> str:
    """`<url>` for a safe http(s) URL (a link that shows its own address), else feed text."""
    safe = safe_url(url)
    return f"<{safe}>" if safe else feed(url)


def plain(text: str) -> str:
    """`text` with the feed marks dropped (what a reply says, for logs and tests)."""
    return MARKS.sub("", text)


class Reply(Frozen):
    """A command's answer: a title, lines of markdown-light text, and whether it succeeded."""

    title: str
    lines: tuple[str, ...] = ()
    ok: bool = True
    ephemeral: bool = True
    links: tuple[tuple[str, str], ...] = Field(default=(), description="(label, url) pairs")
    chart: Chart | None = None  # drawn and attached after the text by the platform adapter

    @property
    def text(self) -> str:
        return plain("\n".join([self.title, *self.lines]))


FAILED = Reply(title="Something went wrong; the error was logged", ok=False)
"""The one answer to a command that raised: the cause goes to the log, never to the chat."""


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, an ellipsis showing the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_line(exc: Exception) -> str:
    """An exception's message in one line (its class name when it has none)."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def fenced(text: str) -> str:
    """`text` safe inside a ``` code block: a zero-width space splits every run of backticks
    long enough to close the block early."""
    return re.sub(r"`{3,}", lambda m: "\u200b".join(m[0]), text)


def with_draft(reply: Reply, text: str) -> Reply:
    """A failed editor submission's reply, ending with the YAML as typed so nothing is lost."""
    if reply.ok or not text.strip():
        return reply
    errors = list(reply.lines[:DRAFT_ERRORS])  # leave room for the whole draft
    if len(reply.lines) > DRAFT_ERRORS:
        errors.append(f"… and {len(reply.lines) - DRAFT_ERRORS} more")
    draft = ("Your YAML, to fix and send again:", "```yaml", fenced(text.rstrip()), "```")
    lines = (*errors, *draft)
    return reply.model_copy(update={"lines": lines})
