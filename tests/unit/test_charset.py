"""Feeds whose declared encoding contradicts their bytes are read as the bytes say."""

from __future__ import annotations

import pytest

from bot.feeds.charset import declared_encoding, repair_encoding
from bot.feeds.parse import parse_feed

TITLE = "Мирные переговоры возобновятся в Стамбуле"


def feed(encoding_decl: str, title: str = TITLE) -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding_decl}"?><rss version="2.0"><channel>'
        f"<title>Лента</title><item><guid>a</guid><title>{title}</title></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (feed("utf-8").encode("cp1251"), "application/rss+xml; charset=utf-8"),  # legacy as UTF-8
        (feed("utf-8").encode("cp1251"), None),  # …with only the XML declaration saying so
        (feed("windows-1251").encode("utf-8"), "text/xml; charset=windows-1251"),  # UTF-8 as legacy
        (feed("windows-1251").encode("utf-8"), None),
        (feed("windows-1251").encode("cp1251"), None),  # correctly labelled: untouched
        (feed("koi8-r").encode("koi8-r"), "text/xml; charset=koi8-r"),
        (feed("utf-8").encode("utf-8"), "application/xml"),
    ],
)
def test_titles_read_right_whatever_the_label(body: bytes, content_type: str | None) -> None:
    parsed = parse_feed(body, feed_id=1, url="https://x/", content_type=content_type)
    assert parsed.title == "Лента" and parsed.items[0].title == TITLE


def test_correct_labels_and_ascii_pass_through_unchanged() -> None:
    right = feed("windows-1251").encode("cp1251")
    assert repair_encoding(right, None) == (right, None)
    ascii_only = feed("iso-8859-1", "Peace talks").replace("Лента", "Feed").encode()
    assert repair_encoding(ascii_only, "text/xml") == (ascii_only, "text/xml")


def test_declared_encoding_prefers_the_http_header() -> None:
    body = feed("koi8-r").encode("koi8-r")
    assert declared_encoding(body, "text/xml; charset=windows-1251") == "cp1251"
    assert declared_encoding(body, "text/xml") == "koi8-r"
    assert declared_encoding(b"<rss/>", None) == "utf-8"
    assert declared_encoding(b"<rss/>", "text/xml; charset=bogus") == "utf-8"


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("España y Señor".encode("latin-1"), "España y Señor"),  # Latin-1 labelled UTF-8
        ("Zürich ".encode() * 30 + "caf\xe9".encode("cp1252"), "Zürich"),  # a stray byte
    ],
)
def test_latin_text_and_stray_bytes_are_left_to_feedparser(body: bytes, title: str) -> None:
    doc = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    doc += b"<item><guid>a</guid><title>" + body + b"</title></item></channel></rss>"
    parsed = parse_feed(doc, feed_id=1, url="https://x/", content_type="text/xml; charset=utf-8")
    assert parsed.items[0].title.startswith(title)


def test_a_utf8_bom_is_believed() -> None:
    body = b"\xef\xbb\xbf" + "España".encode("latin-1")
    assert repair_encoding(body, None) == (body, None)


def test_utf8_bom_with_a_stray_legacy_byte_keeps_both_right() -> None:
    body = (
        b"\xef\xbb\xbf<rss version='2.0'><channel><title>\xd1\xa8 Espa\xf1a</title>"
        b"<item><guid>a</guid><title>t</title></item></channel></rss>"
    )
    assert parse_feed(body, feed_id=1, url="https://x/").title == "Ѩ España"
