"""What the feed parser hands on: ParsedFeed, FeedParseError, the size limits, and the Item
built from either format's cleaned fields, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.feeds.identity import identity
from bot.models import Item
from bot.text.normalize import clean_inline

MAX_ITEMS = 500
MAX_PARSED = 4 * MAX_ITEMS
MAX_TITLE = 1000
MAX_SUMMARY = 20_000
MAX_CONTENT = 200_000


class FeedParseError(Exception):
    """The document is not a feed newsbot can read; the message says what it is instead."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its name and link, up to MAX_ITEMS newest items, and any leniency warning.

    `legacy` maps an item's identity to the one parse.py gave it before issue 16 (a guid or link
    resolved against the URL it was fetched from), where they differ: the seen-items lookup
    asks for both, so items stored under the old identity are not alerted again. `linked`: the
    identities that are an item's link (no guid), which depend on the other items' links.
    """

    title: str | None
    link: str | None
    items: list[Item] = field(default_factory=list)
    bozo: str | None = None
    total: int = 0
    legacy: dict[str, str] = field(default_factory=dict)
    linked: frozenset[str] = frozenset()


def short(problem: object, limit: int = 200) -> str:
    text = str(problem) or type(problem).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


Row = tuple[datetime | None, int, Any]


def newest(rows: list[Row]) -> list[Row]:
    """Up to MAX_ITEMS rows, newest dated first; undated ones are taken from both ends of the
    document, as most feeds list newest first and some newest last."""
    ordered = sorted(rows, key=_newest_first)
    if len(ordered) <= MAX_ITEMS:
        return ordered
    dated = [r for r in ordered if r[0] is not None][:MAX_ITEMS]
    undated = [r for r in ordered if r[0] is None]
    room = MAX_ITEMS - len(dated)
    tail = room // 2
    return dated + undated[: room - tail] + (undated[-tail:] if tail else [])


def _newest_first(row: Row) -> tuple[int, float, int]:
    when, index, _ = row
    return (0, -when.timestamp(), index) if when else (1, 0.0, index)


def untitled(text: str) -> str:
    """A title for an item that has none: the start of its text, cut at a word."""
    line = clean_inline(text[:300])
    return line if len(line) <= 160 else line[:160].rsplit(" ", 1)[0] + "…"


def make_item(
    guid: Any,
    title: str,
    link: str | None,
    summary: str,
    content: str,
    when: datetime | None,
    author: str,
    *,
    feed_id: int,
    source: str,
    known_by: str | None = None,
) -> Item:
    """The Item for cleaned fields of either format; an untitled entry is named by its text.
    `known_by` is the link as the document gave it (before any resolution against the URL it
    was fetched from), used for identity when there is no guid."""
    title = title or untitled(summary or content)
    return Item(
        feed_id=feed_id,
        identity=identity(guid, known_by or link, title, when, summary or content),
        title=title,
        link=link,
        summary=summary,
        content=content,
        published=when,
        author=author or None,
        source=source,
    )
