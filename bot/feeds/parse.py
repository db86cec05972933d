"""Feed bytes to clean Items: RSS/Atom through feedparser (made safe first, bot.feeds.prepare),
JSON Feed by hand (bot.feeds.jsonfeed).

Nothing an item is known by depends on the URL the feed was fetched from: feedparser is given
no base, so a guid is kept as the feed gave it and a link is resolved only against the
document's own base (its xml:base, else its link); the fetched URL is the last resort for a
link that must open, never for identity. `ParsedFeed.legacy` keeps the identities earlier
versions derived from the fetched URL so stored items still match (see bot.feeds.parsed).
"""

from __future__ import annotations

import importlib.util
import io
import re
from datetime import datetime
from typing import Any

import feedparser
from feedparser.urls import _urljoin

from bot.feeds.dates import entry_date, feedparser_date
from bot.feeds.fields import block, http, inline, resolve, title_of
from bot.feeds.identity import distinct, identity, is_relative
from bot.feeds.jsonfeed import parse_json
from bot.feeds.parsed import (
    MAX_CONTENT,
    MAX_ITEMS,
    MAX_SUMMARY,
    MAX_TITLE,
    FeedParseError,
    ParsedFeed,
    make_item,
    newest,
    short,
    untitled,
)
from bot.feeds.prepare import first_items, fix_charrefs, prepare
from bot.feeds.xmltext import as_utf8_without_dtd
from bot.models import Item
from bot.text.normalize import clean_inline, html_to_text

__all__ = [
    "MAX_ITEMS",
    "FeedParseError",
    "ParsedFeed",
    "first_items",
    "fix_charrefs",
    "identity",
    "parse_feed",
]

_FIRST_ENTRY = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_TITLE_START = re.compile(rb"<((?:[\w.-]+:)?title)\b[^>]*>")
_TAG = re.compile(rb"<(/?)([\w:.-]+)[^>]*?(/?)>")
# feedparser resolves guids and links against a base, and lets a nested xml:base leak out of
# its element when the outer base is empty: it is given this placeholder, taken off again.
BASE = "https://base.newsbot.invalid/here/"
_XML_BASE = b"xml:base"
_XML_BASE_WIDE = "xml:base".encode("utf-16-le")  # found in UTF-16 of either byte order
_HOST = BASE[: BASE.index("/", len("https://"))]
_ROOTS = re.compile(rb"<(?:[\w.-]+:)?(rss|feed|RDF|channel)\b")
# feedparser asks xml.sax for these SAX drivers (drv_libxml2) before expat on every document;
# a module that is not installed is looked for along sys.path each time: ask only for those
# that are there.
feedparser.api.PREFERRED_XML_PARSERS[:] = [
    name for name in feedparser.api.PREFERRED_XML_PARSERS if importlib.util.find_spec(name)
]


def parse_feed(
    body: bytes,
    *,
    feed_id: int,
    url: str,
    content_type: str | None = None,
    source: str | None = None,
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes; raise FeedParseError if it is none of them. `url`
    (where the body came from) only completes a relative link the document gives no base for."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FeedParseError("not an RSS/Atom/JSON feed: the response was empty")
    is_json = head.startswith((b"{", b"[")) or (
        "json" in (content_type or "").lower() and not head.startswith(b"<")
    )
    if is_json:
        return parse_json(body, feed_id=feed_id, source=source)
    return _parse_xml(body, feed_id=feed_id, url=url, content_type=content_type, source=source)


def _parse_xml(
    body: bytes, *, feed_id: int, url: str, content_type: str | None, source: str | None
) -> ParsedFeed:
    body, content_type = as_utf8_without_dtd(body, content_type)
    headers = {"content-type": content_type or "application/xml"}
    body, total = prepare(body)
    if _XML_BASE in body or _XML_BASE_WIDE in body:  # without one feedparser joins nothing
        headers["content-location"] = BASE
    try:
        # Relative URIs inside summaries are not resolved: their markup becomes plain text.
        result = feedparser.parse(
            io.BytesIO(body), response_headers=headers, resolve_relative_uris=False
        )
    except Exception as exc:  # feedparser's own bugs on odd input must fail only this feed
        raise FeedParseError(
            f"the feed could not be read ({type(exc).__name__}: {short(exc)})"
        ) from None
    feed, entries = result.get("feed", {}), result.get("entries", [])
    problem = result.get("bozo_exception") if result.get("bozo") else None
    title = title_of(feed, MAX_TITLE) or None
    if not entries and not result.get("version") and not title:
        raise FeedParseError(f"not an RSS/Atom/JSON feed: {_what_is_it(body, problem)}")
    title = title or (_lost_title(body) if problem else "") or None
    own = http(as_given(dict.get(feed, "link")))
    reader = _Reader(feed_id=feed_id, source=source or title or "", base=own, fetched=url)
    rows = newest([(entry_date(e), i, e) for i, e in enumerate(entries)])
    items = distinct([reader.item(e, when) for when, _, e in rows], reader.by_link)
    warning = (
        f"feed is not well-formed ({short(problem)}); it was read leniently" if problem else None
    )
    return ParsedFeed(
        title=title,
        link=own or resolve(as_given(dict.get(feed, "link")), url),
        items=items,
        bozo=warning,
        total=max(total, len(entries)),
        legacy=reader.legacy,
        linked=frozenset(reader.by_link),
    )


class _Reader:
    """Builds the Items of one document, noting which are known by their link and the
    identity each had when feedparser was given the fetched URL as base."""

    def __init__(self, *, feed_id: int, source: str, base: str | None, fetched: str) -> None:
        self.feed_id, self.source, self.base, self.fetched = feed_id, source, base, fetched
        self.by_link: set[str] = set()
        self.legacy: dict[str, str] = {}

    def item(self, entry: Any, when: datetime | None) -> Item:
        guid = as_given(dict.get(entry, "id"))
        given = as_given(dict.get(entry, "link"))
        if given and given == guid and dict.get(entry, "guidislink") and not http(given):
            given = None  # feedparser's link made from a guid that is no URL: `abc123`
        link = resolve(given, self.base, self.fetched)
        summary = block(entry.get("summary_detail") or entry.get("summary"), MAX_SUMMARY)
        parts = [block(c, MAX_CONTENT) for c in entry.get("content") or []]
        content = "\n\n".join(p for p in parts if p)[:MAX_CONTENT]
        author = inline(entry.get("author_detail", {}).get("name") or entry.get("author"), 200)
        known_by = None
        if given:
            known_by = http(given) or resolve(given, self.base)
            known_by = known_by or (given.strip() if is_relative(given.strip()) else None)
        made = make_item(
            guid,
            title_of(entry, MAX_TITLE),
            link,
            summary,
            content,
            when,
            author,
            feed_id=self.feed_id,
            source=self.source,
            known_by=known_by,
        )
        if not (isinstance(guid, str) and guid.strip()) and made.identity == known_by:
            self.by_link.add(made.identity)
        old = self._old_identity(entry, guid, made)
        if old != made.identity:
            self.legacy[made.identity] = old
        return made

    def _old_identity(self, entry: Any, guid: Any, made: Item) -> str:
        """The identity parse.py gave this entry before issue 16: feedparser was given the fetched
        URL as base (a guid or link with no scheme was glued onto it), the title was read from
        `title_detail` and the date was feedparser's."""
        if isinstance(guid, str) and guid.strip():
            key = guid.strip()
            return (
                identity(_urljoin(self.fetched, key), None, "", None)
                if is_relative(key)
                else made.identity
            )
        given = as_given(dict.get(entry, "link"))
        old_link = http(_urljoin(self.fetched, given.strip())) if isinstance(given, str) else None
        if old_link:
            return identity(None, old_link, "", None)
        title = inline(entry.get("title_detail") or entry.get("title"), MAX_TITLE)
        text = made.summary or made.content
        return identity(None, None, title or untitled(text), feedparser_date(entry), text)


def as_given(value: Any) -> Any:
    """A guid or link as the document gave it, without the placeholder base feedparser joined
    it to (`t3_42tizy`, `/2024/04/23/story`); one with a base of its own is left as it is."""
    if not isinstance(value, str) or not value.startswith(_HOST):
        return value
    if value.startswith(BASE):
        return value[len(BASE) :]
    return value[len(_HOST) :]


def _lost_title(body: bytes) -> str:
    """The feed's title when feedparser lost it to a wrong closing tag (`<title>…</subtitle>`):
    the first `<title>` before any item, up to the tag that closes it or its parent."""
    first = _FIRST_ENTRY.search(body)
    start = _TITLE_START.search(body, 0, first.start() if first else len(body))
    if start is None:
        return ""
    depth, end = 0, len(body)
    for tag in _TAG.finditer(body, start.end()):
        closing, _, empty = tag.groups()
        if empty:
            continue
        if not closing:
            depth += 1
        elif depth:
            depth -= 1
        else:
            end = tag.start()
            break
    raw = body[start.end() : end].replace(b"<![CDATA[", b"").replace(b"]]>", b"")
    return clean_inline(html_to_text(raw.decode("utf-8", "replace")))[:MAX_TITLE]


def _what_is_it(body: bytes, problem: object) -> str:
    sniff = body[:2048].lower()
    if b"<html" in sniff or b"<!doctype html" in sniff:
        return "it is an HTML web page; use the page's RSS/Atom link instead"
    root = _ROOTS.search(body[:4096])
    if root is not None:
        name = "rdf:RDF" if root.group(1) == b"RDF" else root.group(1).decode()
        if problem is not None:
            return f"the <{name}> document could not be parsed ({short(problem)})"
        return f"the <{name}> document has no items and no title"
    if problem is not None:
        return f"the document could not be parsed ({short(problem)})"
    return "no <rss>, <feed> or <rdf:RDF> element found"
