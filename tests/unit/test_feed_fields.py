"""parse_feed reads titles, links and identities from what the feed gave (issue 16): never
from a nested element, never from the URL it was fetched from."""

import json

import feedparser
import pytest

from bot.feeds.parse import FeedParseError, parse_feed

URLS = ("https://old.example/r/.rss", "https://new.example/feeds/moved/rss")


def rss(items: str, channel: str = "<title>Feed</title>") -> bytes:
    return f'<rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


def parse(body: bytes, url: str = URLS[0]):
    return parse_feed(body, feed_id=1, url=url)


def test_item_title_is_the_entrys_own_not_a_nested_one():
    # feedparser's title_detail takes any later <title> inside the item (an image caption, an
    # author's job title, as in Google's Cloud blog); its plain `title` keeps the entry's own.
    body = rss(
        "<item><guid>a</guid><title>Beyond the Map</title>"
        "<image><title>Product Manager, Office of the CTO</title><url>https://i/1.png</url>"
        "</image></item>"
    )
    assert feedparser.parse(body).entries[0].title_detail.value.startswith("Product")
    [item] = parse(body).items
    assert item.title == "Beyond the Map"


def test_html_title_is_still_read_as_text():
    body = rss("<item><guid>a</guid><title>Fish &amp;amp; &lt;b&gt;chips&lt;/b&gt;</title></item>")
    assert parse(body).items[0].title == "Fish & chips"


@pytest.mark.parametrize("guid", ["t3_42tizy", "/2024/04/23/story", "abc123", "tag:x,2024:1"])
def test_guid_is_kept_as_given_whatever_url_it_was_fetched_from(guid):
    body = rss(f"<item><title>T</title><guid>{guid}</guid></item>")
    identities = {parse(body, url).items[0].identity for url in URLS}
    assert identities == {guid}


def test_a_nested_xml_base_does_not_leak_into_the_guid():
    # reddit's Atom: <content xml:base="/.rss?limit=50"> before <id>; feedparser, given no
    # base, lets that base leak out of <content> and resolves the id against it.
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>reddit</title><entry>'
        b'<content type="html" xml:base="/.rss?limit=50">x</content>'
        b"<id>t3_42tizy</id><title>T</title></entry></feed>"
    )
    assert parse(body).items[0].identity == "t3_42tizy"


def test_a_plain_guid_does_not_become_a_link():
    [item] = parse(rss("<item><title>T</title><guid>abc123</guid></item>")).items
    assert (item.identity, item.link) == ("abc123", None)


def test_a_permalink_guid_that_is_a_url_is_the_link():
    [item] = parse(rss("<item><title>T</title><guid>https://n.example/a</guid></item>")).items
    assert item.link == "https://n.example/a"


def test_relative_links_resolve_against_the_feeds_own_link_not_the_fetch_url():
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>gulp</title>'
        b'<link rel="alternate" href="https://github.com/gulpjs/gulp/releases"/>'
        b'<entry><title>v3.9.0</title><link href="/gulpjs/gulp/releases/tag/v3.9.0"/></entry>'
        b"</feed>"
    )
    for url in URLS:
        [item] = parse(body, url).items
        assert item.link == "https://github.com/gulpjs/gulp/releases/tag/v3.9.0"
        assert item.identity == item.link


def test_with_no_base_a_relative_link_opens_but_identity_stays_as_given():
    body = rss("<item><title>T</title><link>/2024/story.html</link></item>", "<title>F</title>")
    first, second = (parse(body, url).items[0] for url in URLS)
    assert first.link == "https://old.example/2024/story.html"
    assert first.identity == second.identity == "/2024/story.html"


def test_xml_base_is_the_documents_own_base():
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/">'
        b'<title>b</title><entry><title>T</title><link href="one.html"/></entry></feed>'
    )
    assert parse(body).items[0].link == "https://blog.example/posts/one.html"


def test_an_empty_href_is_no_link_not_the_feeds_own_url():
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>b</title>'
        b'<entry><id>e1</id><title>T</title><link href=""/></entry></feed>'
    )
    [item] = parse(body).items
    assert item.link is None and item.identity == "e1"


def test_link_text_wins_over_its_at_uri_and_an_at_uri_alone_is_kept():
    uri = "at://did:plc:pzznkrzajsaqev3ffamg3jnr/app.bsky.feed.post/3ljkhwqun7l2b"
    with_text = rss(
        f'<item><title>T</title><link uri="{uri}">http://example.com/item</link></item>'
    )
    assert parse(with_text).items[0].link == "http://example.com/item"
    alone = rss(f'<item><title>T</title><guid>g</guid><link uri="{uri}"/></item>')
    assert parse(alone).items[0].link == uri


@pytest.mark.parametrize("closer", ["</subtitle>", "</description>"])
def test_a_title_closed_by_the_wrong_tag_keeps_the_feed_title(closer):
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml">'
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>Feed Title</p></div>{closer}'
        "<entry><id>e</id><title>T</title></entry></feed>"
    ).encode()
    feed = parse(body)
    assert feed.title == "Feed Title" and feed.bozo


def test_an_empty_rss_090_document_is_refused_for_what_it_is():
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://channel.netscape.com/rdf/simple/0.9/">\n</rdf:RDF>'
    )
    with pytest.raises(FeedParseError) as refused:
        parse(body)
    assert str(refused.value) == (
        "not an RSS/Atom/JSON feed: the <rdf:RDF> document has no items and no title"
    )


def json_feed(version: object) -> bytes:
    doc = {"version": version, "title": "J", "home_page_url": "https://j.example/"}
    doc["items"] = [{"id": "1", "url": "https://j.example/1", "title": "One"}]
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "version",
    [
        "https://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1.1",
        "http://jsonfeed.org/version/1.1/",
        "1.0",
        "1.1",
        "1",
        "v1.1",
        "JSON Feed 1.1",
        1.1,
    ],
)
def test_json_feed_version_spellings_are_accepted(version):
    feed = parse(json_feed(version))
    assert (feed.title, feed.link) == ("J", "https://j.example/")
    assert [(i.identity, i.title, i.link) for i in feed.items] == [
        ("1", "One", "https://j.example/1")
    ]


@pytest.mark.parametrize("version", [None, "2.0", "rss", True])
def test_json_that_is_not_a_json_feed_is_refused(version):
    with pytest.raises(FeedParseError, match="JSON Feed 'version'"):
        parse(json_feed(version))


def test_legacy_identities_are_what_the_fetched_url_made_of_them():
    body = rss(
        "<item><title>A</title><guid>t3_42tizy</guid></item>"
        "<item><title>B</title><guid>https://n.example/b</guid></item>"
        "<item><title>C</title><link>/c.html</link></item>"
    )
    old = feedparser.parse(body, response_headers={"content-location": URLS[0]})
    feed = parse(body)
    assert feed.legacy == {
        "t3_42tizy": old.entries[0].id,
        "/c.html": old.entries[2].link,
    }


def test_an_html_page_is_refused_not_named_by_its_title():
    body = b"<head><title>Document Moved</title></head>\n<body><h1>Object Moved</h1></body>"
    with pytest.raises(FeedParseError, match="not an RSS/Atom/JSON feed"):
        parse(body)
