"""Parsing only a changed feed's unseen items gives the items a full parse gives, field for
field, on the real feedparser corpus (bench/feed_farm's news-sized feeds and the files as
they are): a new item appended, or put first with the oldest dropped and an old one edited."""

from __future__ import annotations

import pytest

from bot.feeds.parse import FeedParseError, ParsedFeed, parse_feed
from bot.feeds.partial import LastRead, LastReads, read_feed
from bot.feeds.segments import split
from bot.models import Feed
from tests.paths import CORPUS, HEADLINES

pytestmark = pytest.mark.skipif(
    not (CORPUS.exists() and HEADLINES.exists()), reason="needs ../shared/data"
)
URL = "http://example.com/feed.xml"
TYPE = "application/rss+xml"


def _read(body: bytes, last: LastRead | None) -> tuple[ParsedFeed, LastRead | None]:
    return read_feed(body, last, body_hash="h", feed_id=1, url=URL, content_type=TYPE)


def _new_items(before: bytes, after: bytes, got: ParsedFeed) -> tuple[list[dict], list[dict]]:
    seen = {i.identity for i in parse_feed(before, feed_id=1, url=URL, content_type=TYPE).items}
    full = parse_feed(after, feed_id=1, url=URL, content_type=TYPE)
    want = [i.model_dump() for i in full.items if i.identity not in seen]
    return [i.model_dump() for i in got.items if i.identity not in seen], want


def _bodies() -> list[tuple[int, bytes]]:
    from bench.feed_farm import corpus_feeds, headlines, news_sized

    titles = headlines()
    out = []
    for k, raw in enumerate(corpus_feeds()):
        out.append((k, raw))
        if k % 3 == 0:
            out.append((k, news_sized(raw, k, titles, 30)))
    return out


@pytest.mark.slow
def test_a_partial_read_gives_the_new_items_a_full_parse_gives():
    from bench.feed_farm import headlines, with_new_item

    titles = headlines()
    counts = {"kept": 0, "partial": 0, "rotated": 0}
    for k, body in _bodies():
        try:
            parse_feed(body, feed_id=1, url=URL, content_type=TYPE)
        except FeedParseError:
            continue
        _, last = _read(body, None)
        if last is None:
            continue  # unusual: always parsed whole
        counts["kept"] += 1
        added = with_new_item(body, f"new-{k}", titles[k * 7 % len(titles)])
        got, _ = _read(added, last)
        counts["partial"] += len(got.items) < len(parse_feed(added, feed_id=1, url=URL).items)
        mine, want = _new_items(body, added, got)
        assert mine == want and want, k
        parts = split(added, TYPE)
        assert parts is not None
        segs = parts.segments
        if len(segs) < 3:
            continue
        edited = segs[1].replace(b"</title>", b" (updated)</title>", 1)
        rotated = parts.head + segs[-1] + edited + b"".join(segs[2:-2]) + parts.tail
        got, _ = _read(rotated, last)
        mine, want = _new_items(body, rotated, got)
        assert mine == want, k
        counts["rotated"] += 1
    assert counts["kept"] > 250 and counts["partial"] == counts["kept"], counts
    assert counts["rotated"] > 90, counts


def test_a_read_is_kept_only_while_the_store_holds_its_body():
    reads = LastReads(limit=2)
    last = LastRead("h1", URL, b"", None, b"")
    reads.put(1, last)
    feed = Feed(id=1, url=URL, body_hash="h1")
    assert reads.get(feed) is last
    assert reads.get(feed.model_copy(update={"body_hash": "h2"})) is None  # commit lost
    reads.put(2, last)
    reads.put(3, last)
    assert reads.get(feed) is None  # the oldest went first


def test_unusual_bodies_are_parsed_whole():
    rss = b'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>t</title>%s</channel></rss>'
    item = b"<item><guid>g%d</guid><title>x</title></item>"
    assert split(rss % (item % 1 + item % 2), TYPE) is not None
    assert split(rss % (item % 1 + b"<!-- <item> -->" + item % 2), TYPE) is None
    assert split(rss % (b"<item xmlns:a='u'><guid>g</guid></item>"), TYPE) is None
    assert split(b"<!DOCTYPE rss>" + rss % (item % 1), TYPE) is None
    assert split(b'{"version": "https://jsonfeed.org/version/1.1"}', "application/json") is None
