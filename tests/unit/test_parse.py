"""parse_feed on real fixtures and JSON Feed: clean text, stable identities, UTC dates."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feeds.parse import MAX_ITEMS, FeedParseError, identity, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


def parse(name, **kw):
    return parse_feed((FEEDS / name).read_bytes(), feed_id=7, url="https://example.com/f", **kw)


def test_atom_feed_items_are_clean_and_dated():
    feed = parse("atom_touchnokia.xml")
    assert feed.title.startswith("Все для Nokia 5800")
    assert feed.link == "http://touchnokia.ru/"
    assert len(feed.items) == feed.total == 15
    first = feed.items[0]
    assert first.identity == "tag:touchnokia.ru,2009://1.666"
    assert first.title == "Невидимая броня для Вашего Nokia 5800"
    assert first.published == datetime(2009, 9, 9, 14, 19, 45, tzinfo=UTC)
    assert first.feed_id == 7 and first.source == feed.title
    dates = [i.published for i in feed.items]
    assert dates == sorted(dates, reverse=True)


def test_html_in_plain_atom_summary_is_read_as_html():
    summary = next(i.summary for i in parse("atom_touchnokia.xml").items if "ZXLight" in i.summary)
    assert "&nbsp;" not in summary and "<" not in summary


def test_source_overrides_feed_title():
    assert {i.source for i in parse("atom_touchnokia.xml", source="Touch").items} == {"Touch"}


def test_guid_wins_over_link_for_identity():
    [item] = parse("rss_guid_and_link.xml").items
    assert (item.identity, item.link) == ("http://guid.example.com/", "http://link.example.com/")


def test_identity_falls_back_to_hash_of_title_and_date():
    [item] = parse("rss_pubdate.xml").items
    assert item.published == datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)
    assert item.identity == identity(None, None, "", item.published)
    assert item.identity.startswith("sha256:") and len(item.identity) == 71


def test_identity_order_and_length():
    when = datetime(2022, 4, 4, tzinfo=UTC)
    assert identity(" g1 ", "https://l", "t", when) == "g1"
    assert identity(None, "https://l", "t", when) == "https://l"
    assert identity(None, None, "t", when) == identity("", None, "t", when)
    assert identity(None, None, "t", when) != identity(None, None, "t", None)
    assert identity("x" * 5000, None, "t", None).startswith("sha256:")


def test_escaped_markup_in_cdata_stays_text():
    [item] = parse("rss_description_code_br.xml").items
    assert item.summary == "<br />"


def test_doctype_entities_are_never_expanded():
    [item] = parse("rss_entity_in_doctype.xml").items
    assert "tag:example.com," not in item.identity


def test_json_feed():
    feed = parse("jsonfeed_example.json", content_type="application/feed+json")
    assert (feed.title, feed.link, feed.total) == ("My Example Feed", "https://example.org/", 2)
    by_id = {i.identity: i for i in feed.items}
    assert by_id["2"].content == "This is a second item."
    assert by_id["1"].content == "Hello, world!"
    assert by_id["1"].author == "you"
    assert by_id["1"].link == "https://example.org/initial-post"


def test_json_feed_dates_order_and_bad_items():
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [
            {"id": 1, "title": "old", "date_published": "2022-04-01T10:00:00+02:00"},
            {"id": "2", "title": "new", "date_published": "2022-04-05T10:00:00Z"},
            {"id": "3", "title": ["not", "a", "string"]},
            {"id": "4", "title": "undated", "date_published": "yesterday"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), feed_id=1, url="https://x/")
    assert [i.title for i in feed.items] == ["new", "old", "undated"]
    assert feed.items[1].published == datetime(2022, 4, 1, 8, tzinfo=UTC)
    assert feed.items[1].identity == "1"
    assert feed.bozo == "1 JSON Feed item(s) were malformed and skipped"


def test_json_feed_items_with_wrongly_typed_fields_are_kept():
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "items": [
            {"id": 1.5, "title": 42, "url": "https://n.example/a"},
            {"id": True, "title": "flag id", "date_published": 1735689600},
            {
                "id": "7",
                "title": "odd authors",
                "authors": [{"name": None}, "str", {"name": "Ann"}],
            },
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), feed_id=1, url="https://x/")
    by_title = {i.title: i for i in feed.items}
    assert set(by_title) == {"42", "flag id", "odd authors"} and feed.bozo is None
    assert by_title["42"].identity == "1.5"
    assert (
        by_title["flag id"].identity not in ("1", "True") and by_title["flag id"].published is None
    )
    assert by_title["odd authors"].author == "Ann"


def test_only_http_links_are_kept():
    body = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>a</title><link>javascript:alert(1)</link><guid>g</guid></item></channel></rss>"""
    [item] = parse_feed(body, feed_id=1, url="https://x/").items
    assert item.link is None


def test_items_are_capped_at_newest():
    items = "".join(
        f"<item><guid>g{i}</guid><title>n{i}</title>"
        f"<pubDate>Mon, 04 Apr 2022 10:{i % 60:02d}:{i // 60 % 60:02d} GMT</pubDate></item>"
        for i in range(MAX_ITEMS + 100)
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, feed_id=1, url="https://x/")
    assert feed.total == MAX_ITEMS + 100 and len(feed.items) == MAX_ITEMS
    dates = [i.published for i in feed.items]
    assert dates == sorted(dates, reverse=True)


def test_large_oldest_first_feed_keeps_its_newest_items():
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>g{i}</guid><title>n{i}</title>"
        f"<pubDate>{start + timedelta(hours=i):%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
        for i in range(2500)  # oldest first: the newest item is the last one
    )
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, feed_id=1, url="https://x/")
    assert feed.total == 2500 and feed.items[0].title == "n2499"


def test_broken_character_references_do_not_sink_the_feed():
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><guid>a</guid><title>Smile &#55357;&#56832; &#x1F600;</title></item>"
        b"<item><guid>b</guid><title>Half &#55357; and &#99999999999; and &#x110000;</title></item>"
        b"<item><guid>c</guid><title>Peace talks resume</title></item></channel></rss>"
    )
    titles = [i.title for i in parse_feed(body, feed_id=1, url="https://x/").items]
    assert titles == [
        "Smile \U0001f600 \U0001f600",
        "Half \ufffd and \ufffd and \ufffd",
        "Peace talks resume",
    ]


def test_json_feed_lone_surrogates_and_out_of_range_dates():
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [
            {
                "id": "x\ud83d",
                "title": "Cut emoji \ud83d",
                "date_published": "0001-01-01T00:00:00+01:00",
            }
        ],
    }
    [item] = parse_feed(json.dumps(doc).encode(), feed_id=1, url="https://x/").items
    assert item.title == "Cut emoji" and item.identity == "x\ufffd" and item.published is None
    item.identity.encode("utf-8")  # storable


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "HTML web page"),
        (b"just some text", "not an RSS/Atom/JSON feed"),
        (b'{"version": 1}', "jsonfeed.org"),
        (b"{broken", "invalid JSON"),
        (b"/etc/passwd", "not an RSS/Atom/JSON feed"),
    ],
)
def test_not_a_feed_raises_readable_error(body, words):
    with pytest.raises(FeedParseError, match=words) as info:
        parse_feed(body, feed_id=1, url="https://x/")
    assert str(info.value).startswith("not an RSS/Atom/JSON feed: ")
    assert "root:" not in str(info.value)


def test_items_sharing_a_link_without_guids_stay_distinct():
    body = b"""<rss version="2.0"><channel><title>t</title>
    <item><title>First</title><link>https://news.example/</link></item>
    <item><title>Second</title><link>https://news.example/</link></item>
    <item><title>Own page</title><link>https://news.example/own</link></item></channel></rss>"""
    items = parse_feed(body, feed_id=1, url="https://x/").items
    assert len({i.identity for i in items}) == 3
    assert items[2].identity == "https://news.example/own"  # a link of its own still names it
    again = parse_feed(body, feed_id=1, url="https://x/").items
    assert [i.identity for i in again] == [i.identity for i in items]  # stable across polls


def test_no_placeholder_dates_or_cut_links():
    long_link = "https://news.example/" + "a" * 2100
    far, before = "Fri, 31 Dec 9999 00:00:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT"
    body = f"""<rss version="2.0"><channel><title>t</title>
    <item><title>guid only</title><guid>t1</guid><pubDate>{far}</pubDate></item>
    <item><title>long</title><link>{long_link}</link><pubDate>{before}</pubDate></item>
    <item><title>url guid</title><guid>https://news.example/u</guid></item>
    </channel></rss>""".encode()
    items = {i.title: i for i in parse_feed(body, feed_id=1, url="https://x/").items}
    assert items["guid only"].published is None
    assert items["long"].link is None and items["long"].published is None
    assert items["url guid"].link == "https://news.example/u"  # a permalink guid is a link


def test_a_large_undated_feed_keeps_items_from_both_ends():
    items = "".join(f"<item><guid>g{i}</guid><title>n{i}</title></item>" for i in range(600))
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    titles = [i.title for i in parse_feed(body, feed_id=1, url="https://x/").items]
    assert len(titles) == MAX_ITEMS and titles[0] == "n0" and "n599" in titles
