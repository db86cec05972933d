"""Hostile and broken documents: parse_feed answers with items or FeedParseError, nothing else."""

import time

import pytest

from bot.feeds.parse import MAX_ITEMS, FeedParseError, parse_feed
from tests.paths import CORPUS

LOL = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY l0 "lol">\n'
    + b"".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n'.encode() for n in range(1, 10))
    + b"]>\n<rss version='2.0'><channel><title>t</title>"
    + b"<item><guid>g</guid><title>&l9;</title></item></channel></rss>"
)


def corpus_files():
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
def test_every_corpus_document_parses_or_fails_cleanly():
    files = corpus_files()
    assert len(files) >= 2000
    parsed = refused = 0
    started = time.perf_counter()
    for path in files:
        try:
            feed = parse_feed(path.read_bytes(), feed_id=1, url="https://example.com/feed")
        except FeedParseError as exc:
            assert str(exc).startswith("not an RSS/Atom/JSON feed: ")
            refused += 1
            continue
        assert len(feed.items) <= MAX_ITEMS
        assert all(i.identity and len(i.identity) <= 1000 for i in feed.items)
        assert all(i.published is None or i.published.tzinfo for i in feed.items)
        parsed += 1
    print(f"corpus: {parsed} parsed, {refused} refused in {time.perf_counter() - started:.1f} s")
    assert parsed > refused


def test_billion_laughs_is_not_expanded():
    feed = parse_feed(LOL, feed_id=1, url="https://x/")
    assert [len(i.title) for i in feed.items] == [len("&l9;")]


def test_quadratic_blowup_is_not_expanded():
    big = b"A" * 100_000
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + big + b'">\n]>\n'
        b'<rss version="2.0"><channel><item><guid>g</guid><title>'
        + b"&a;" * 5000
        + b"</title></item></channel></rss>"
    )
    [item] = parse_feed(body, feed_id=1, url="https://x/").items
    assert "AAAA" not in item.title


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16"])
@pytest.mark.parametrize("layout", ["\n", ""])
def test_external_entity_is_never_read(encoding, layout):
    doc = (
        f'<?xml version="1.0" encoding="{encoding.replace("-le", "")}"?>{layout}'
        f'<!DOCTYPE rss [{layout}<!ENTITY xxe SYSTEM "file:///etc/passwd">{layout}]>{layout}'
        '<rss version="2.0"><channel><title>t&xxe;</title><item><guid>g</guid>'
        "<title>&xxe;</title><description>&xxe;</description></item></channel></rss>"
    )
    try:
        feed = parse_feed(doc.encode(encoding), feed_id=1, url="https://x/")
    except FeedParseError:
        return
    text = " ".join([feed.title or ""] + [i.title + i.summary for i in feed.items])
    assert "root:" not in text


def test_invalid_utf8_is_replaced_not_fatal():
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>g</guid><title>Donbas \xff\xfe offensive \xc3</title></item>"
        b"</channel></rss>"
    )
    [item] = parse_feed(body, feed_id=1, url="https://x/").items
    assert "Donbas" in item.title and "offensive" in item.title


def test_hundred_thousand_items_complete_and_are_capped():
    items = "".join(
        f"<item><guid>id-{i}</guid><title>Item {i}</title><link>https://e.com/{i}</link></item>"
        for i in range(100_000)
    )
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, feed_id=1, url="https://x/")
    assert feed.total == 100_000
    assert len(feed.items) == MAX_ITEMS
    assert feed.items[0].identity.endswith("id-0")
