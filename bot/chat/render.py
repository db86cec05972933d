"""The one reply renderer: a `Reply` as a platform's lines, our markup kept, feed text defused.

Both platforms render replies here, each with its `Dialect`: how our own markup (`**bold**`,
`<https://…>` links, `> ` quotes, code fences) is written there, and the sanitiser the alerts
use for feed text (`delivery.render.sanitize`). Text marked with `reply.feed()` always goes
through that sanitiser, so `/alerts recent`, `/actor` and `/feeds list` cannot carry a feed's
masked link, markup or mention.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.chat.reply import FEED_SPAN, Reply, feed, link


@dataclass(frozen=True)
class Dialect:
    """How one platform writes a reply."""

    ours: Callable[[str], str]  # our own text and markup, as the platform writes it
    theirs: Callable[[str], str]  # feed text made inert: the alerts' sanitiser
    bold: Callable[[str], str]  # a rendered title in bold


def render_line(line: str, dialect: Dialect) -> str:
    """One line: a leading `> ` quote kept, our parts as ours, feed parts sanitised."""
    quote = line.startswith("> ")
    body = line[2:] if quote else line
    out: list[str] = []
    pos = 0
    for span in FEED_SPAN.finditer(body):
        out.append(dialect.ours(body[pos : span.start()]))
        out.append(dialect.theirs(span[1]))
        pos = span.end()
    out.append(dialect.ours(body[pos:]))
    return ("> " if quote else "") + "".join(out)


def render(reply: Reply, dialect: Dialect) -> list[str]:
    """The reply's lines: the title in bold (⚠️ when it failed), its lines, then its links."""
    title = reply.title if reply.ok else f"⚠️ {reply.title}"
    lines = [dialect.bold(render_line(title, dialect))]
    lines += [render_line(line, dialect) for line in reply.lines]
    lines += [render_line(f"{feed(label)}: {link(url)}", dialect) for label, url in reply.links]
    return lines
