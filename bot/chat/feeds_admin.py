"""Admin edits of the feed list, for chat and the CLI alike: list, add, remove, each audited.

`add_feed` and `remove_feed` are the audited actions themselves (the CLI prints their result its
own way); `add`, `remove` and `list_feeds` are the chat commands built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.chat.guard import Caller, Guard
from bot.chat.reply import Reply, clip, feed, link
from bot.chat_ports import FeedAdmin
from bot.models import Feed

MAX_LINES = 25
MAX_FEED_NAME = 200
FEED_IN_CONFIG = (
    "The config files list this feed too; it stays removed across restarts. "
    "Add it again to bring it back."
)


class FeedRefused(Exception):
    """The feed was not added or removed; the message says why and what to do."""

    def __init__(self, message: str, reply: Reply | None = None) -> None:
        super().__init__(message)
        self.reply = reply


class FeedsAdmin:
    """The `feeds …` commands, for admins only."""

    def __init__(
        self,
        feeds: FeedAdmin,
        clock: Callable[[], datetime],
        guard: Guard,
        *,
        validate_feed_url: Callable[[str], str],
        default_interval: int = 300,
    ) -> None:
        self.feeds = feeds
        self.clock = clock
        self.guard = guard
        self.validate_feed_url = validate_feed_url
        self.default_interval = default_interval

    async def add_feed(
        self,
        caller: Caller,
        url: str,
        name: str | None = None,
        *,
        interval_seconds: int | None = None,
        full_text: bool = True,
    ) -> Feed:
        """Add and audit a feed; FeedRefused (its `reply` set for a refusal) otherwise."""
        if refusal := await self.guard.permit(caller, "feeds.add", url):
            raise FeedRefused(refusal.title, refusal)
        if name is not None and len(name) > MAX_FEED_NAME:
            raise FeedRefused(f"its name is {len(name)} characters long; {MAX_FEED_NAME} at most")
        try:
            clean = self.validate_feed_url(url)
            feed = await self.feeds.add(
                clean,
                now=self.clock(),
                name=name,
                interval_seconds=interval_seconds or self.default_interval,
                full_text=full_text,
                added_by=caller.who,
            )
        except ValueError as exc:  # a bad URL, or one already stored
            raise FeedRefused(str(exc)) from None
        await self.guard.record(
            caller, "feeds.add", feed.url, None, {"id": feed.id, "url": feed.url}
        )
        return feed

    async def remove_feed(self, caller: Caller, feed: str) -> Feed:
        """Remove and audit the feed with this id or URL; FeedRefused otherwise."""
        if refusal := await self.guard.permit(caller, "feeds.remove", feed):
            raise FeedRefused(refusal.title, refusal)
        found = await self.feeds.find(feed)
        if found is None:
            raise FeedRefused(f"No feed {feed!r}")
        await self.feeds.remove(found.id, now=self.clock(), by=caller.who)
        await self.guard.record(
            caller, "feeds.remove", found.url, {"id": found.id, "url": found.url}, None
        )
        return found

    async def list_feeds(self, caller: Caller) -> Reply:
        if refusal := await self.guard.permit(caller, "feeds.list", None):
            return refusal
        feeds = await self.feeds.all()
        lines = [
            f"• `{f.id}` {feed(f.name or f.url)} {link(f.url)}"
            + (" — disabled" if f.disabled else "")
            + (f" — failing: {feed(clip(f.last_error, 120))}" if f.last_error else "")
            + (
                f" — warning: {feed(clip(f.warning, 120))}"
                if f.warning and not f.last_error
                else ""
            )
            for f in feeds
        ]
        return Reply(title=f"{len(feeds)} feeds", lines=tuple(lines[:MAX_LINES]))

    async def add(self, caller: Caller, url: str, name: str | None = None) -> Reply:
        try:
            added = await self.add_feed(caller, url, name)
        except FeedRefused as exc:
            return exc.reply or Reply(title="The feed was not added", lines=(str(exc),), ok=False)
        return Reply(
            title=f"Feed {added.id} added: {link(added.url)}",
            lines=("Its current items are recorded as seen; new ones will alert.",),
        )

    async def remove(self, caller: Caller, feed: str) -> Reply:
        try:
            found = await self.remove_feed(caller, feed)
        except FeedRefused as exc:
            if exc.reply is not None:
                return exc.reply
            return Reply(title=str(exc), lines=("See feeds list for ids.",), ok=False)
        return Reply(
            title=f"Feed {found.id} removed: {link(found.url)}",
            lines=(FEED_IN_CONFIG,) if found.added_by == "config" else (),
        )
