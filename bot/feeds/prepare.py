"""Feed bytes made bounded before feedparser reads them: numeric references no XML parser
accepts are repaired, at most MAX_PARSED items are kept, and a `<link uri="…">` keeps its text
link (feedparser would take the attribute instead). The DTD is already gone: the body comes
from bot.feeds.xmltext, which removed it from the decoded text, and nothing here writes `<!`."""

from __future__ import annotations

import re

from bot.feeds.parsed import MAX_PARSED

_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")
REPLACEMENT = b"&#65533;"
_LINK_URI = re.compile(
    rb"<link((?:\s[^<>]*?)?)\suri=(\"[^\"]*\"|'[^']*')([^<>]*?)(?<!/)>([^<]*)</link\s*>"
)


def prepare(body: bytes) -> tuple[bytes, int]:
    """The body feedparser is given, and how many items the document has."""
    return first_items(fix_charrefs(keep_link_text(body)))


def keep_link_text(body: bytes) -> bytes:
    """`<link uri="at://…">https://…</link>` (Bluesky bridges) becomes `<link>https://…</link>`;
    with no text the URI becomes its href, so an item whose only link it is keeps it."""
    if b" uri=" not in body:
        return body
    return _LINK_URI.sub(_link_text, body)


def _link_text(match: re.Match[bytes]) -> bytes:
    before, uri, after, text = match.groups()
    if text.strip():
        return b"<link" + before + after + b">" + text + b"</link>"
    return b"<link" + before + b" href=" + uri + after + b"/>"


def first_items(body: bytes, limit: int = MAX_PARSED) -> tuple[bytes, int]:
    """Keep the first and the last `limit // 2` items so feedparser's time stays bounded; count
    them all. Most feeds list newest first, some oldest first: the newest are at one end."""
    ends = [m.end() for m in _ITEM_END.finditer(body)]
    count = len(ends)
    if count <= limit:
        return body, count
    half = limit // 2
    head_end = ends[half - 1]
    # The kept tail starts where the item before it ended; what lies between is dropped.
    tail_start = ends[count - half - 1]
    return body[:head_end] + body[tail_start:], count


def fix_charrefs(body: bytes) -> bytes:
    """Rewrite numeric character references no XML parser accepts: a UTF-16 surrogate pair
    written as two references (`&#55357;&#56832;`, from some CMSes) becomes the one character
    it encodes; a lone surrogate, zero, or a number past U+10FFFF becomes U+FFFD."""
    if b"&#" not in body:
        return body
    out: list[bytes] = []
    pos = 0
    high: re.Match[bytes] | None = None  # a high surrogate waiting for its low half
    for match in _CHARREF.finditer(body):
        hexa, dec = match.groups()
        value = int(hexa, 16) if hexa else int(dec)
        if high is not None:
            if match.start() == high.end() and 0xDC00 <= value <= 0xDFFF:
                first = int(high[1], 16) if high[1] else int(high[2])
                combined = 0x10000 + ((first - 0xD800) << 10) + (value - 0xDC00)
                out += [body[pos : high.start()], b"&#%d;" % combined]
                pos, high = match.end(), None
                continue
            out += [body[pos : high.start()], REPLACEMENT]
            pos, high = high.end(), None
        if 0xD800 <= value <= 0xDBFF:
            high = match
        elif value == 0 or 0xDC00 <= value <= 0xDFFF or value > 0x10FFFF:
            out += [body[pos : match.start()], REPLACEMENT]
            pos = match.end()
    if high is not None:
        out += [body[pos : high.start()], REPLACEMENT]
        pos = high.end()
    out.append(body[pos:])
    return b"".join(out)
