"""JSON Feed (https://www.jsonfeed.org/version/1.1/) to a ParsedFeed, lenient as producers are:
any `version` spelling the wild uses ("https://jsonfeed.org/version/1.1", "1.1", "1", "v1.0",
"JSON Feed 1.1"), a wrongly typed field dropped rather than the item."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.feeds.dates import iso_date
from bot.feeds.fields import http
from bot.feeds.identity import distinct
from bot.feeds.parsed import (
    MAX_CONTENT,
    MAX_SUMMARY,
    MAX_TITLE,
    FeedParseError,
    ParsedFeed,
    make_item,
    newest,
    short,
)
from bot.models import Item
from bot.text.normalize import clean_inline, clean_text, html_to_text

_VERSION = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.)?jsonfeed\.org/version/|json\s*feed\s*|v(?:ersion)?\s*)?"
    r"1(?:\.\d+)*/?\s*$",
    re.IGNORECASE,
)


def is_json_feed_version(version: Any) -> bool:
    """A JSON Feed version: the spec's URL (any scheme, a trailing slash) or its bare number."""
    return (
        isinstance(version, str | int | float)
        and not isinstance(version, bool)
        and ("jsonfeed.org" in str(version).lower() or _VERSION.match(str(version)) is not None)
    )


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


def parse_json(body: bytes, *, feed_id: int, source: str | None) -> ParsedFeed:
    """A JSON Feed document; FeedParseError when it is JSON of another kind."""
    try:
        doc = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not an RSS/Atom/JSON feed: invalid JSON ({short(exc)})") from None
    version = doc.get("version") if isinstance(doc, dict) else None
    raw_items = doc.get("items") if isinstance(doc, dict) else None
    if not is_json_feed_version(version) or not isinstance(raw_items, list):
        raise FeedParseError(
            "not an RSS/Atom/JSON feed: JSON without a JSON Feed 'version' "
            "(https://jsonfeed.org/version/1.1) and an 'items' list"
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
        parsed.append((iso_date(item.date_published) or iso_date(item.date_modified), index, item))
    rows = newest(parsed)
    name = source or title or ""
    items = distinct([_json_item(it, when, feed_id=feed_id, source=name) for when, _, it in rows])
    warning = f"{bad} JSON Feed item(s) were malformed and skipped" if bad else None
    link = http(doc.get("home_page_url"))
    return ParsedFeed(title=title, link=link, items=items, bozo=warning, total=len(raw_items))


def _json_item(item: _JsonItem, when: datetime | None, *, feed_id: int, source: str) -> Item:
    link = http(item.url) or http(item.external_url)
    title = clean_inline(item.title or "")[:MAX_TITLE]
    content = (
        html_to_text(item.content_html)
        if item.content_html
        else clean_text(item.content_text or "")
    )[:MAX_CONTENT]
    summary = clean_text(item.summary or "")[:MAX_SUMMARY]
    authors = item.authors or ([item.author] if item.author else [])
    author = ", ".join(clean_inline(a.name) for a in authors if a.name)[:200]
    return make_item(
        item.id, title, link, summary, content, when, author, feed_id=feed_id, source=source
    )
