"""Feed bytes made safe and bounded before feedparser reads them: no DTD or entity declaration
survives, numeric references no XML parser accepts are repaired, at most MAX_PARSED items are
kept, and a `<link uri="…">` keeps its text link (feedparser would take the attribute instead)."""

from __future__ import annotations

import codecs
import re

from bot.feeds.parsed import MAX_PARSED

_DTD_START = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DTD_TOKEN = re.compile(rb"[\"'\[\]>]")
_ENTITY_DECL = re.compile(rb"<!ENTITY[^>]*>?", re.IGNORECASE)
_DTD_WORDS = ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")
REPLACEMENT = b"&#65533;"
_LINK_URI = re.compile(
    rb"<link((?:\s[^<>]*?)?)\suri=(\"[^\"]*\"|'[^']*')([^<>]*?)(?<!/)>([^<]*)</link\s*>"
)


def prepare(body: bytes) -> tuple[bytes, int]:
    """The body feedparser is given, and how many items the document has."""
    return first_items(fix_charrefs(strip_dtd(keep_link_text(body))))


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


def strip_dtd(body: bytes) -> bytes:
    """Remove the DOCTYPE (internal subset included) and entity declarations: no entity expands."""
    codec = _wide_codec(body)
    if codec is None:
        return _strip_dtd_bytes(body) if _has_dtd(body) else body
    text = body.decode(codec, errors="replace")
    if not any(w in text for w in _DTD_WORDS):
        return body
    return _strip_dtd_bytes(text.encode("utf-8")).decode("utf-8").encode(codec)


def _has_dtd(body: bytes) -> bool:
    return any(w.encode() in body for w in _DTD_WORDS)


def _strip_dtd_bytes(data: bytes) -> bytes:
    start = _DTD_START.search(data)
    if start is not None:
        end, depth, quote = len(data), 0, b""
        for tok in _DTD_TOKEN.finditer(data, start.end()):
            ch = tok.group()
            if quote:
                quote = b"" if ch == quote else quote
            elif ch in (b'"', b"'"):
                quote = ch
            elif ch == b"[":
                depth += 1
            elif ch == b"]":
                depth = max(0, depth - 1)
            elif depth == 0:
                end = tok.end()
                break
        data = data[: start.start()] + data[end:]
    return _ENTITY_DECL.sub(b"", data)


def _wide_codec(body: bytes) -> str | None:
    """The codec of a UTF-16/32 document (BOM or NUL pattern); None for ASCII-compatible bytes."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return codec
    for pattern, codec in (
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if body.startswith(pattern):
            return codec
    return None
