"""Parse only what can be new: a changed body whose items were mostly in the last body read is
parsed as its head, its unseen item segments and its tail (bot.feeds.segments), one parse of a
few items instead of all; the items it gives are those a full parse gives, field for field.

`LastRead` is what is kept of a body read (hashes only): its body hash, which must still be the
store's (`Feed.body_hash`, written in the transaction that stored its items, so every item it
names is stored), the digest of its head's declarations and its feed link (the context seen
items were read in; if either changed, their identities may have too), and its segments'
digests. A body that had any item known by its link is not kept: such an identity depends on
the other items' links (bot.feeds.identity.distinct). Without a LastRead the parse is full.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from bot.feeds.parse import FeedParseError, ParsedFeed, parse_feed
from bot.feeds.segments import DIGEST, Split, split
from bot.models import Feed

MAX_FEEDS = 100_000  # LastReads kept per poller; the oldest goes first (a full parse again)


@dataclass(frozen=True, slots=True)
class LastRead:
    """What a poll keeps of the body it read, for the next poll of the feed."""

    body_hash: str
    url: str  # the URL it was read from: relative links and guids resolve against it
    context: bytes
    link: str | None
    digests: bytes  # DIGEST bytes per segment, in document order

    def seen(self) -> set[bytes]:
        d = self.digests
        return {d[k : k + DIGEST] for k in range(0, len(d), DIGEST)}


def read_feed(
    body: bytes,
    last: LastRead | None,
    *,
    body_hash: str,
    feed_id: int,
    url: str,
    content_type: str | None = None,
    source: str | None = None,
) -> tuple[ParsedFeed, LastRead | None]:
    """`body` parsed (only its unseen items when `last` allows it), and what to keep of it."""
    parts = split(body, content_type)
    if parts is not None and last is not None and (parts.context, url) == (last.context, last.url):
        document, unseen = parts.without(last.seen())
        if 2 * unseen <= len(parts.segments):
            try:
                parsed = parse_feed(
                    document, feed_id=feed_id, url=url, content_type=content_type, source=source
                )
            except FeedParseError:
                parsed = None
            if (
                parsed is not None
                and parsed.bozo is None
                and not parsed.linked
                and (parsed.link == last.link)
            ):
                parsed = replace(parsed, total=len(parts.segments))
                return parsed, _kept(parts, parsed, body_hash, url)
    parsed = parse_feed(body, feed_id=feed_id, url=url, content_type=content_type, source=source)
    return parsed, _kept(parts, parsed, body_hash, url) if parts is not None else None


def _kept(parts: Split, parsed: ParsedFeed, body_hash: str, url: str) -> LastRead | None:
    """What the next poll may rely on: nothing after a lenient parse or with linked items."""
    if parsed.bozo is not None or parsed.linked:
        return None
    return LastRead(body_hash, url, parts.context, parsed.link, b"".join(parts.digests()))


class LastReads:
    """The LastRead of each feed this poller read, bounded; lost on restart (a full parse)."""

    def __init__(self, limit: int = MAX_FEEDS) -> None:
        self.limit = limit
        self._by_feed: OrderedDict[int, LastRead] = OrderedDict()

    def get(self, feed: Feed) -> LastRead | None:
        """The feed's LastRead while the store still holds its body as the last one stored."""
        last = self._by_feed.get(feed.id)
        return last if last is not None and last.body_hash == feed.body_hash else None

    def put(self, feed_id: int, last: LastRead | None) -> None:
        """Keep `last` for the feed's next poll (None forgets: the next parse is full)."""
        self._by_feed.pop(feed_id, None)
        if last is None:
            return
        self._by_feed[feed_id] = last
        if len(self._by_feed) > self.limit:
            self._by_feed.popitem(last=False)
