"""The cases of other feed parsers' suites (gofeed, rss-parser, in ../shared) with the fields
they expect, and what parse_feed and bare feedparser make of each, in the same shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from bot.feeds.parse import FeedParseError, parse_feed
from tests.paths import ROOT, SHARED_DATA

SUITES = SHARED_DATA / "parser-suites"
GOFEED = SUITES / "gofeed" / "testdata"
RSS_PARSER = SUITES / "rss-parser" / "test"
LISTED = ROOT / "tests" / "data" / "parser_suite_conventions.tsv"
FETCH_URL = "https://fetched.example.net/moved/feed.xml"  # no case mentions it: any trace is ours
FIELDS = ("feed_title", "feed_link", "item_title", "item_link", "item_guid", "item_date")

Value = str | datetime | None


@dataclass
class Case:
    """One input document and the fields its suite expects of it."""

    suite: str
    name: str
    path: Path
    feed: dict[str, Value] = field(default_factory=dict)
    items: list[dict[str, Value]] = field(default_factory=list)


@dataclass
class Reading:
    """What one parser made of a case, in the same shape as the expectation."""

    feed: dict[str, Value]
    items: list[dict[str, Value]]
    refused: str | None = None


# --- loading the suites --------------------------------------------------------------------


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _alternate(links: Any) -> str | None:
    for link in links or []:
        if isinstance(link, dict) and link.get("rel", "alternate") == "alternate":
            return link.get("href")
    return None


def _date(raw: dict[str, Any], parsed_keys: tuple[str, ...], raw_keys: tuple[str, ...]) -> Any:
    """The expected instant: the first parsed date given; None when only an unread one is."""
    for key in parsed_keys:
        if raw.get(key):
            return _iso(raw[key])
    return None if any(raw.get(k) for k in raw_keys) else _ABSENT


_ABSENT = object()


def _put(target: dict[str, Value], key: str, value: Any) -> None:
    if value is not _ABSENT:
        target[key] = value


def _gofeed_item(kind: str, raw: dict[str, Any]) -> dict[str, Value]:
    item: dict[str, Value] = {}
    if "title" in raw:
        item["item_title"] = raw["title"]
    if kind == "atom":
        if "links" in raw:
            item["item_link"] = _alternate(raw["links"])
        if "id" in raw:
            item["item_guid"] = raw["id"]
        when = _date(raw, ("publishedParsed", "updatedParsed"), ("published", "updated"))
    elif kind == "json":
        if "url" in raw:
            item["item_link"] = raw["url"]
        if "id" in raw:
            item["item_guid"] = raw["id"]
        when = _date(raw, ("date_published", "date_modified"), ())
    else:  # rss parser model, or the universal (translator) model
        if "link" in raw:
            item["item_link"] = raw["link"]
        guid = raw.get("guid")
        if guid is not None:
            item["item_guid"] = guid.get("value") if isinstance(guid, dict) else guid
        when = _date(
            raw,
            ("pubDateParsed", "publishedParsed", "updatedParsed", "dcExt_date"),
            ("pubDate", "published", "updated"),
        )
    _put(item, "item_date", when)
    return item


def _gofeed_case(kind: str, suite: str, doc: Path, expected: Path) -> Case:
    raw = json.loads(expected.read_text("utf-8"))
    case = Case(suite, f"{doc.parent.name}/{doc.name}", doc)
    if "title" in raw:
        case.feed["feed_title"] = raw["title"]
    if kind == "atom":
        if _alternate(raw.get("links")):
            case.feed["feed_link"] = _alternate(raw.get("links"))
    elif kind == "json":
        if "home_page_url" in raw:
            case.feed["feed_link"] = raw["home_page_url"]
    elif "link" in raw:
        case.feed["feed_link"] = raw["link"]
    case.items = [_gofeed_item(kind, i) for i in raw.get("items") or raw.get("entries") or []]
    return case


def gofeed_cases() -> Iterator[Case]:
    """gofeed's inputs with an expected parse beside them (the universal model for translator/
    and extensions/, the format's own model for parser/rss, parser/atom, parser/json)."""
    for folder, kind in (
        ("parser/rss", "rss"),
        ("parser/atom", "atom"),
        ("translator/rss", "universal"),
        ("translator/atom", "universal"),
        ("extensions/dublincore", "universal"),
        ("extensions/itunes", "universal"),
        ("extensions/media", "universal"),
    ):
        for doc in sorted((GOFEED / folder).glob("*.xml")):
            if doc.with_suffix(".json").is_file():
                yield _gofeed_case(kind, f"gofeed/{folder}", doc, doc.with_suffix(".json"))
    for folder, kind in (("parser/json", "json"), ("translator/json", "universal")):
        for expected in sorted((GOFEED / folder).glob("*_expected.json")):
            doc = expected.with_name(expected.name.replace("_expected", ""))
            yield _gofeed_case(kind, f"gofeed/{folder}", doc, expected)


def _text_of(data: bytes) -> str:
    """rss-parser's encoding.json is stored in ISO-8859-1, the rest in UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")


def rss_parser_cases() -> Iterator[Case]:
    """rss-parser's real feeds with its expected output."""
    for expected in sorted((RSS_PARSER / "output").glob("*.json")):
        [doc] = [p for p in (RSS_PARSER / "input").glob(expected.stem + ".*")]
        raw = json.loads(_text_of(expected.read_bytes()))["feed"]
        case = Case("rss-parser", doc.name, doc)
        for key in ("title", "link"):
            if key in raw:
                case.feed[f"feed_{key}"] = raw[key]
        for entry in raw.get("items", []):
            item: dict[str, Value] = {}
            for key in ("title", "link"):
                if key in entry:
                    item[f"item_{key}"] = entry[key]
            if "guid" in entry or "id" in entry:
                item["item_guid"] = entry.get("guid", entry.get("id"))
            if "isoDate" in entry:
                item["item_date"] = _iso(entry["isoDate"])
            elif "pubDate" in entry:
                item["item_date"] = None
            case.items.append(item)
        yield case


def all_cases() -> list[Case]:
    return [*gofeed_cases(), *rss_parser_cases()]


# --- reading them --------------------------------------------------------------------------


def read_newsbot(case: Case) -> Reading:
    try:
        feed = parse_feed(case.path.read_bytes(), feed_id=1, url=FETCH_URL)
    except FeedParseError as exc:
        return Reading({}, [], refused=str(exc))
    items: list[dict[str, Value]] = [
        {
            "item_title": i.title,
            "item_link": i.link,
            "item_guid": i.identity,
            "item_date": i.published,
        }
        for i in feed.items
    ]
    return Reading({"feed_title": feed.title, "feed_link": feed.link}, items)


def _struct_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    return None


def read_feedparser(case: Case) -> Reading:
    """Bare feedparser as a bot would call it on the bytes: no base URL, its plain fields."""
    result = feedparser.parse(case.path.read_bytes())
    items: list[dict[str, Value]] = [
        {
            "item_title": e.get("title"),
            "item_link": e.get("link"),
            "item_guid": e.get("id"),
            "item_date": _struct_date(e),
        }
        for e in result.get("entries", [])
    ]
    feed = result.get("feed", {})
    return Reading({"feed_title": feed.get("title"), "feed_link": feed.get("link")}, items)
