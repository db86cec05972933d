"""Feed bytes to clean Items: RSS/Atom through feedparser (DTDs stripped first), JSON Feed by hand.

Item identity is the guid/id, else the link, else "sha256:" + a hash of title and date (plus the
summary when both are missing); identities over 1000 characters are hashed the same way.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import html
import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.feeds.xmltext import as_utf8_without_dtd
from bot.models import Item
from bot.text.normalize import clean_inline, clean_text, html_to_text

MAX_ITEMS = 500
MAX_PARSED = 4 * MAX_ITEMS
MAX_IDENTITY = 1000
MAX_TITLE = 1000
MAX_SUMMARY = 20_000
MAX_CONTENT = 200_000
EARLIEST_YEAR, LATEST_YEAR = 1970, 2100  # outside: a placeholder date, not a publication time

_DTD_START = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DTD_TOKEN = re.compile(rb"[\"'\[\]>]")
_ENTITY_DECL = re.compile(rb"<!ENTITY[^>]*>?", re.IGNORECASE)
_DTD_WORDS = ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
_ENTITY_REF = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = b"&#65533;"


class FeedParseError(Exception):
    """The document is not a feed newsbot can read; the message says what it is instead."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its name and link, up to MAX_ITEMS newest items, and any leniency warning."""

    title: str | None
    link: str | None
    items: list[Item] = field(default_factory=list)
    bozo: str | None = None
    total: int = 0


def parse_feed(
    body: bytes,
    *,
    feed_id: int,
    url: str,
    content_type: str | None = None,
    source: str | None = None,
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes; raise FeedParseError if it is none of them."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FeedParseError("not an RSS/Atom/JSON feed: the response was empty")
    is_json = head.startswith((b"{", b"[")) or (
        "json" in (content_type or "").lower() and not head.startswith(b"<")
    )
    if is_json:
        return _parse_json(body, feed_id=feed_id, source=source)
    return _parse_xml(body, feed_id=feed_id, url=url, content_type=content_type, source=source)


def _parse_xml(
    body: bytes, *, feed_id: int, url: str, content_type: str | None, source: str | None
) -> ParsedFeed:
    body, content_type = as_utf8_without_dtd(body, content_type)
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    body, total = first_items(fix_charrefs(strip_dtd(body)))
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # feedparser's own bugs on odd input must fail only this feed
        raise FeedParseError(
            f"the feed could not be read ({type(exc).__name__}: {_short(exc)})"
        ) from None
    feed, entries = result.get("feed", {}), result.get("entries", [])
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if not entries and not result.get("version") and not feed.get("title"):
        raise FeedParseError(f"not an RSS/Atom/JSON feed: {_what_is_it(body, problem)}")
    title = _inline(feed.get("title_detail") or feed.get("title"), MAX_TITLE) or None
    dated = [(_entry_date(e), i, e) for i, e in enumerate(entries)]
    newest = _newest(dated)
    name = source or title or ""
    items = _distinct([_xml_item(e, when, feed_id=feed_id, source=name) for when, _, e in newest])
    warning = (
        f"feed is not well-formed ({_short(problem)}); it was read leniently" if problem else None
    )
    return ParsedFeed(
        title=title,
        link=_http(feed.get("link")),
        items=items,
        bozo=warning,
        total=max(total, len(entries)),
    )


def first_items(body: bytes, limit: int = MAX_PARSED) -> tuple[bytes, int]:
    """Keep the first and the last `limit // 2` items so feedparser's time stays bounded; count
    them all. Most feeds list newest first, some oldest first: the newest are at one end."""
    ends = [m.end() for m in _ITEM_END.finditer(body)]
    count = len(ends)
    if count <= limit:
        return body, count
    half = limit // 2
    head_end = ends[half - 1]
    # The kept tail starts where the item before it ended; what lies between is dropped.
    tail_start = ends[count - half - 1]
    return body[:head_end] + body[tail_start:], count


def fix_charrefs(body: bytes) -> bytes:
    """Rewrite numeric character references no XML parser accepts: a UTF-16 surrogate pair
    written as two references (`&#55357;&#56832;`, from some CMSes) becomes the one character
    it encodes; a lone surrogate, zero, or a number past U+10FFFF becomes U+FFFD."""
    if b"&#" not in body:
        return body
    out: list[bytes] = []
    pos = 0
    high: re.Match[bytes] | None = None  # a high surrogate waiting for its low half
    for match in _CHARREF.finditer(body):
        hexa, dec = match.groups()
        value = int(hexa, 16) if hexa else int(dec)
        if high is not None:
            if match.start() == high.end() and 0xDC00 <= value <= 0xDFFF:
                first = int(high[1], 16) if high[1] else int(high[2])
                combined = 0x10000 + ((first - 0xD800) << 10) + (value - 0xDC00)
                out += [body[pos : high.start()], b"&#%d;" % combined]
                pos, high = match.end(), None
                continue
            out += [body[pos : high.start()], REPLACEMENT]
            pos, high = high.end(), None
        if 0xD800 <= value <= 0xDBFF:
            high = match
        elif value == 0 or 0xDC00 <= value <= 0xDFFF or value > 0x10FFFF:
            out += [body[pos : match.start()], REPLACEMENT]
            pos = match.end()
    if high is not None:
        out += [body[pos : high.start()], REPLACEMENT]
        pos = high.end()
    out.append(body[pos:])
    return b"".join(out)


def strip_dtd(body: bytes) -> bytes:
    """Remove the DOCTYPE (internal subset included) and entity declarations: no entity expands."""
    codec = _wide_codec(body)
    if codec is None:
        return _strip_dtd_bytes(body) if _has_dtd(body) else body
    text = body.decode(codec, errors="replace")
    if not any(w in text for w in _DTD_WORDS):
        return body
    return _strip_dtd_bytes(text.encode("utf-8")).decode("utf-8").encode(codec)


def _has_dtd(body: bytes) -> bool:
    return any(w.encode() in body for w in _DTD_WORDS)


def _strip_dtd_bytes(data: bytes) -> bytes:
    start = _DTD_START.search(data)
    if start is not None:
        end, depth, quote = len(data), 0, b""
        for tok in _DTD_TOKEN.finditer(data, start.end()):
            ch = tok.group()
            if quote:
                quote = b"" if ch == quote else quote
            elif ch in (b'"', b"'"):
                quote = ch
            elif ch == b"[":
                depth += 1
            elif ch == b"]":
                depth = max(0, depth - 1)
            elif depth == 0:
                end = tok.end()
                break
        data = data[: start.start()] + data[end:]
    return _ENTITY_DECL.sub(b"", data)


def _wide_codec(body: bytes) -> str | None:
    """The codec of a UTF-16/32 document (BOM or NUL pattern); None for ASCII-compatible bytes."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return codec
    for pattern, codec in (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(pattern):
            return codec
    return None


def _what_is_it(body: bytes, problem: object) -> str:
    sniff = body[:2048].lower()
    if b"<html" in sniff or b"<!doctype html" in sniff:
        return "it is an HTML web page; use the page's RSS/Atom link instead"
    if problem is not None:
        return f"the document could not be parsed ({_short(problem)})"
    return "no <rss>, <feed> or <rdf:RDF> element found"


def _short(problem: object, limit: int = 200) -> str:
    text = str(problem) or type(problem).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _newest(rows: list[tuple[datetime | None, int, Any]]) -> list[tuple[datetime | None, int, Any]]:
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


def _newest_first(row: tuple[datetime | None, int, Any]) -> tuple[int, float, int]:
    when, index, _ = row
    return (0, -when.timestamp(), index) if when else (1, 0.0, index)


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            try:
                when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, OSError, ValueError):
                continue
            if EARLIEST_YEAR <= when.year <= LATEST_YEAR:
                return when
    return None


def _xml_item(entry: Any, when: datetime | None, *, feed_id: int, source: str) -> Item:
    title = _inline(entry.get("title_detail") or entry.get("title"), MAX_TITLE)
    link = _http(entry.get("link"))
    summary = _block(entry.get("summary_detail") or entry.get("summary"), MAX_SUMMARY)
    parts = [_block(c, MAX_CONTENT) for c in entry.get("content") or []]
    content = "\n\n".join(p for p in parts if p)[:MAX_CONTENT]
    author = _inline(entry.get("author_detail", {}).get("name") or entry.get("author"), 200)
    return _item(
        entry.get("id"), title, link, summary, content, when, author, feed_id=feed_id, source=source
    )


def _untitled(text: str) -> str:
    """A title for an item that has none: the start of its text, cut at a word."""
    line = clean_inline(text[:300])
    return line if len(line) <= 160 else line[:160].rsplit(" ", 1)[0] + "…"


def _is_html(detail: Any) -> bool:
    return isinstance(detail, dict) and "html" in str(detail.get("type", ""))


def _value(detail: Any) -> str:
    value = detail.get("value", "") if isinstance(detail, dict) else detail
    return value if isinstance(value, str) else ""


def _inline(detail: Any, limit: int) -> str:
    """Title-like text; "plain" values still carrying entities (a common publisher slip) are
    unescaped."""
    value = _value(detail)
    if _is_html(detail):
        value = html_to_text(value)
    elif _ENTITY_REF.search(value):
        value = html.unescape(value)
    return clean_inline(value)[:limit]


def _block(detail: Any, limit: int) -> str:
    """Body text; "plain" values that carry markup or entities are read as HTML."""
    value = _value(detail)
    as_html = _is_html(detail) or _ENTITY_REF.search(value) or _MARKUP.search(value)
    return (html_to_text(value) if as_html else clean_text(value))[:limit]


def _http(link: Any) -> str | None:
    """An absolute http(s) link; one over 2000 characters is dropped, as cutting breaks it."""
    if isinstance(link, str) and link.strip().lower().startswith(("http://", "https://")):
        link = link.strip()
        return _SURROGATE.sub("\ufffd", link) if len(link) <= 2000 else None
    return None


def identity(guid: Any, link: str | None, title: str, when: datetime | None, text: str = "") -> str:
    """guid, else link, else sha256 of title + date (+ text when both are empty)."""
    key = guid.strip() if isinstance(guid, str) else str(guid) if isinstance(guid, int) else ""
    key = _SURROGATE.sub("\ufffd", key or link or "")
    if key and len(key) <= MAX_IDENTITY:
        return key
    basis = key or "\n".join(
        (title, when.isoformat() if when else "", "" if title or when else text)
    )
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def _distinct(items: list[Item]) -> list[Item]:
    """Items without a guid are known by their link; where several share one (a feed linking
    every item to its home page, or `#`), each is known by link, title and date instead, or
    all but the first would count as seen."""
    by_link = Counter(i.identity for i in items if i.identity == i.link)
    shared = {link for link, n in by_link.items() if n > 1}
    if not shared:
        return items
    return [
        i.model_copy(update={"identity": identity(None, None, f"{i.link}\n{i.title}", i.published)})
        if i.identity in shared and i.identity == i.link
        else i
        for i in items
    ]


def _text_or_none(value: Any) -> Any:
    """A JSON Feed text field as producers really write it: a number becomes its text, any
    other wrong type (true, an object) is dropped rather than losing the whole item."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


class _JsonAuthor(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = None

    _lenient = field_validator("name", mode="before")(_text_or_none)


class _JsonItem(BaseModel):
    """One JSON Feed item (https://www.jsonfeed.org/version/1.1/), lenient about extras and
    about wrongly typed fields: a field that makes no sense is dropped, not the item."""

    model_config = ConfigDict(extra="ignore")
    id: str | None = None
    url: str | None = None
    external_url: str | None = None
    title: str | None = None
    content_html: str | None = None
    content_text: str | None = None
    summary: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    author: _JsonAuthor | None = None
    authors: list[_JsonAuthor] | None = None

    _lenient = field_validator(
        "id",
        "url",
        "external_url",
        "title",
        "content_html",
        "content_text",
        "summary",
        "date_published",
        "date_modified",
        mode="before",
    )(_text_or_none)

    @field_validator("author", mode="before")
    @classmethod
    def _one_author(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else None

    @field_validator("authors", mode="before")
    @classmethod
    def _some_authors(cls, value: Any) -> Any:
        return [a for a in value if isinstance(a, dict)] if isinstance(value, list) else None


def _parse_json(body: bytes, *, feed_id: int, source: str | None) -> ParsedFeed:
    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not an RSS/Atom/JSON feed: invalid JSON ({_short(exc)})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    raw_items = doc.get("items") if isinstance(doc, dict) else None
    if (
        not isinstance(version, str)
        or "jsonfeed.org" not in version
        or not isinstance(raw_items, list)
    ):
        raise FeedParseError(
            "not an RSS/Atom/JSON feed: JSON without a jsonfeed.org 'version' and 'items' list"
        )
    title = clean_inline(str(doc.get("title") or ""))[:MAX_TITLE] or None
    parsed, bad = [], 0
    for index, raw in enumerate(raw_items):
        try:
            item = _JsonItem.model_validate(raw)
        except ValidationError:
            bad += 1
            continue
        if not (item.title or item.summary or item.content_html or item.content_text):
            bad += 1  # nothing to show or match
            continue
        parsed.append((_iso(item.date_published) or _iso(item.date_modified), index, item))
    newest = _newest(parsed)
    name = source or title or ""
    items = _distinct(
        [_json_item(it, when, feed_id=feed_id, source=name) for when, _, it in newest]
    )
    warning = f"{bad} JSON Feed item(s) were malformed and skipped" if bad else None
    link = _http(doc.get("home_page_url"))
    return ParsedFeed(title=title, link=link, items=items, bozo=warning, total=len(raw_items))


def _json_item(item: _JsonItem, when: datetime | None, *, feed_id: int, source: str) -> Item:
    link = _http(item.url) or _http(item.external_url)
    title = clean_inline(item.title or "")[:MAX_TITLE]
    content = (
        html_to_text(item.content_html)
        if item.content_html
        else clean_text(item.content_text or "")
    )[:MAX_CONTENT]
    summary = clean_text(item.summary or "")[:MAX_SUMMARY]
    authors = item.authors or ([item.author] if item.author else [])
    author = ", ".join(clean_inline(a.name) for a in authors if a.name)[:200]
    return _item(
        item.id, title, link, summary, content, when, author, feed_id=feed_id, source=source
    )


def _item(
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
) -> Item:
    """The Item for cleaned fields of either format; an untitled entry is named by its text."""
    title = title or _untitled(summary or content)
    return Item(
        feed_id=feed_id,
        identity=identity(guid, link, title, when, summary or content),
        title=title,
        link=link,
        summary=summary,
        content=content,
        published=when,
        author=author or None,
        source=source,
    )


def _iso(value: str | None) -> datetime | None:
    """An RFC 3339 date as aware UTC, or None when missing or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # unreadable, or out of range once moved to UTC
        return None
    return when if EARLIEST_YEAR <= when.year <= LATEST_YEAR else None
