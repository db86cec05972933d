"""feedparser is never given more attributes or elements than it parses in bounded time."""

from __future__ import annotations

import re

from bot.feeds.bounds import (
    MAX_ATTRIBUTES,
    MAX_DOCUMENT_ELEMENTS,
    MAX_ITEM_ELEMENTS,
    MAX_REPEATS,
    bound_document,
)
from bot.feeds.parse import parse_feed
from bot.feeds.xmltext import as_utf8_without_dtd
from tests.builders import rss


def _feed(*items: str) -> bytes:
    body = "".join(items)
    return f"<rss version='2.0'><channel><title>F</title>{body}</channel></rss>".encode()


def test_a_tag_keeps_only_its_first_attributes() -> None:
    attrs = " ".join(f'a{i}="v{i}"' for i in range(500_000))
    body = _feed(f"<item><guid>g</guid><title {attrs}>Title</title></item>")
    given, _ = as_utf8_without_dtd(body, None)
    [tag] = re.findall(rb"<title a[^>]*>", given)
    assert tag.count(b"=") == MAX_ATTRIBUTES and b'a0="v0"' in tag
    [item] = parse_feed(body, feed_id=1, url="https://x/").items
    assert item.title == "Title"


def test_repeated_simple_elements_are_capped_per_item() -> None:
    cats = "".join(f"<category>c{i}</category>" for i in range(20_000))
    body = _feed(f"<item><guid>g</guid><title>Title</title>{cats}</item>")
    given, _ = as_utf8_without_dtd(body, None)
    assert given.count(b"<category>") == MAX_REPEATS
    assert [i.title for i in parse_feed(body, feed_id=1, url="https://x/").items] == ["Title"]


def test_an_item_with_too_many_elements_is_dropped_and_the_others_kept() -> None:
    nested = "".join(f"<x{i}><y>v</y></x{i}>" for i in range(MAX_ITEM_ELEMENTS))
    hostile = f"<item><guid>bad</guid><title>Bad</title><description>{nested}</description></item>"
    good = "<item><guid>ok</guid><title>Good</title></item>"
    given, _ = as_utf8_without_dtd(_feed(good, hostile, good.replace("ok", "ok2")), None)
    assert b"Bad" not in given and given.count(b"Good") == 2


def test_ordinary_feeds_pass_unchanged() -> None:
    text = rss([(f"g{i}", f"Title {i}") for i in range(600)])
    assert bound_document(text) == text


def test_items_past_the_document_budget_are_dropped_from_the_middle() -> None:
    """Items each under the item bound, many enough to parse for half a minute: the first and
    the last are kept (the newest are at one end), those past the budget in the middle are not."""
    per_item = MAX_ITEM_ELEMENTS - 100
    leaves = "".join(f"<x{i}>v</x{i}>" for i in range(per_item))
    count = 2 * MAX_DOCUMENT_ELEMENTS // per_item + 10
    items = [f"<item><guid>g{i}</guid><title>T{i}</title>{leaves}</item>" for i in range(count)]
    given, _ = as_utf8_without_dtd(_feed(*items), None)
    kept = re.findall(rb"<title>T(\d+)</title>", given)
    assert 0 < len(kept) < count and given.count(b"<") - given.count(b"</") < MAX_DOCUMENT_ELEMENTS
    assert kept[0] == b"0" and kept[-1] == str(count - 1).encode()
    assert str(count // 2).encode() not in kept


def test_html_inside_cdata_is_text_and_does_not_count_as_elements() -> None:
    """A full-content feed's long article in CDATA keeps its item (its tags are text to XML)."""
    article = "<p>para <a href='/x'>link</a></p>" * MAX_ITEM_ELEMENTS
    body = _feed(f"<item><guid>g</guid><title>Long</title><description><![CDATA[{article}]]>"
                 "</description></item>")  # fmt: skip
    given, _ = as_utf8_without_dtd(body, None)
    assert given.count(b"<p>") == MAX_ITEM_ELEMENTS
    assert [i.title for i in parse_feed(body, feed_id=1, url="https://x/").items] == ["Long"]


def test_unclosed_cdata_openers_are_counted_in_one_pass() -> None:
    """A million unclosed CDATA openers (a regex per opener would be quadratic) count as text."""
    body = _feed("<item><guid>g</guid><title>T</title><description>" + "<![CDATA[<b>" * 1_000_000)
    given, _ = as_utf8_without_dtd(body, None)
    assert given.startswith(b"<rss")
