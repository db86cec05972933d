"""`newsbot feeds add` fetches the feed once before adding it: through the same guarded
fetcher and parser as every poll, so what it refuses (SSRF, not a feed) a poll would too."""

from __future__ import annotations

import re

from bot.config import Settings
from bot.feeds.fetch import HttpFetcher
from bot.feeds.parse import FeedParseError, parse_feed
from bot.ports import FetchOutcome

_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)\b")
FORMATS = {b"rss": "RSS", b"feed": "Atom", b"RDF": "RDF (RSS 1.0)"}


class ProbeError(Exception):
    """The URL does not give a feed now; the message says what it gave and how to add it anyway."""


def feed_format(body: bytes) -> str:
    """RSS, Atom, RDF or JSON Feed, from the document's root element."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "JSON Feed"
    match = _ROOT.search(head)
    return FORMATS[match.group(1)] if match else "feed"


async def probe_feed(url: str, settings: Settings) -> str:
    """Fetch and parse `url` once; one line saying what was found, or ProbeError."""
    async with HttpFetcher.from_settings(settings) as fetcher:
        result = await fetcher.fetch(url)
    later = "fix the URL, or add it anyway with --no-check"
    if result.outcome is not FetchOutcome.ok:
        raise ProbeError(f"{url}: {result.error or result.outcome.value}; {later}")
    try:
        parsed = parse_feed(result.body, feed_id=0, url=url, content_type=result.content_type)
    except FeedParseError as exc:
        raise ProbeError(f"{url}: {exc}; {later}") from None
    title = f"{parsed.title!r}" if parsed.title else "(untitled)"
    moved = f", moved to {result.moved_to}" if result.moved_to else ""
    return f"found {title}: {parsed.total} items, {feed_format(result.body)}{moved}"
