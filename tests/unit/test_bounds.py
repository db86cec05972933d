"""feedparser is never given more attributes or elements than it parses in bounded time."""

from __future__ import annotations

import re

from bot.feeds.bounds import MAX_ATTRIBUTES, MAX_ITEM_ELEMENTS, MAX_REPEATS, bound_document
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
