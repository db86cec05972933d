"""DTDs hidden by an encoding (UTF-7, BOM-less UTF-16/32, EBCDIC) are removed all the same."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bot.feeds.parse import parse_feed
from bot.feeds.xmltext import as_utf8_without_dtd

BIG = "A" * 20_000
DTD = f'<!DOCTYPE rss [<!ENTITY a "{BIG}">]>'
REST = (
    "<rss version='2.0'><channel><title>Hostile</title><item><guid>g</guid><title>Item</title>"
    "<description>x" + "&a;" * 400 + "</description></item></channel></rss>"
)
UTF7_DTD = DTD.replace("<", "+ADw-").encode()  # how UTF-7 may spell `<`: no `<!DOCTYPE` bytes


def cases() -> list[tuple[str, bytes, str | None]]:
    doc, rest, decl = DTD + REST, REST.encode(), '<?xml version="1.0"?>'
    return [
        ("utf-7 declaration", b'<?xml version="1.0" encoding="utf-7"?>' + UTF7_DTD + rest, None),
        ("utf-7 header", decl.encode() + UTF7_DTD + rest, "text/xml; charset=utf-7"),
        ("utf-16le header", ("\n" + doc).encode("utf-16-le"), "application/xml; charset=utf-16"),
        ("utf-16be header", (" " + doc).encode("utf-16-be"), "application/xml; charset=utf-16be"),
        ("utf-32le header", ("\n" + doc).encode("utf-32-le"), "application/xml; charset=utf-32"),
        ("utf-32be header", doc.encode("utf-32-be"), "application/xml; charset=utf-32be"),
        ("ebcdic header", (decl + doc).encode("cp500"), "text/xml; charset=cp500"),
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "body", "content_type"), cases(), ids=[c[0] for c in cases()])
def test_feedparser_never_sees_a_dtd_and_no_entity_expands(name, body, content_type):
    given, label = as_utf8_without_dtd(body, content_type)
    assert b"<!DOCTYPE" not in given.upper() and b"<!ENTITY" not in given.upper()
    assert label.endswith("charset=utf-8")
    feed = parse_feed(body, feed_id=1, url="https://x/", content_type=content_type)
    assert feed.title == "Hostile"
    [item] = feed.items
    assert item.title == "Item" and "AAAA" not in item.summary


def test_hostile_encodings_parse_within_a_memory_limit():
    """All cases in one child whose address space is capped: an expansion would kill it."""
    child = textwrap.dedent(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))
        from bot.feeds.parse import parse_feed
        from tests.integration.test_hostile_encodings import cases
        for name, body, content_type in cases():
            [item] = parse_feed(body, feed_id=1, url="https://x/", content_type=content_type).items
            assert "AAAA" not in item.summary, name
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
