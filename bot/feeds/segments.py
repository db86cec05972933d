"""A feed body cut into head, item segments and tail, so a poll can parse only the items it
has not read before (bot.feeds.partial).

`split` finds the byte ranges of the `<item>…</item>` (RSS 2.0) or `<entry>…</entry>` (Atom)
elements and returns None for anything unusual, where only a full parse is a safe reading: not
UTF-8, JSON Feed, RDF, a DOCTYPE, a prefixed or self-closing item, items nested or with
anything but whitespace between them, a comment, CDATA section or processing instruction that
holds an item tag, an item that declares a namespace or a base (feedparser keeps those past the
element), a head with content of its own (it would carry into the first item read), more items
than the parser keeps. What the checks guarantee: each segment reads the same with or without
the others around it, given the same head.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.feeds.bounds import MAX_DOCUMENT_ELEMENTS
from bot.feeds.charset import UTF8, declared_encoding
from bot.feeds.parsed import MAX_ITEMS

DIGEST = 8  # bytes per segment digest: a collision among one feed's items is ~30/2^64
_START = re.compile(rb"<(?:([\w.-]+):)?(item|entry)([\s>/])")
_END = re.compile(rb"</(?:([\w.-]+):)?(item|entry)\s*>")
_SPECIAL = re.compile(rb"<[!?]")
_CLOSERS = ((b"<![CDATA[", b"]]>"), (b"<!--", b"-->"), (b"<?", b"?>"))
_CONTEXT = re.compile(rb"xmlns|xml:|\sbase\s*=")
_CONTEXT_TAG = re.compile(rb"<[^<>]*(?:xmlns|xml:|\sbase\s*=)[^<>]*>")
_HEAD_CONTENT = re.compile(rb"<(?:[\w.-]+:)?content[\s>:/]")
_RDF = re.compile(rb"<(?:[\w.-]+:)?RDF[\s>]")
_XML_SPACE = b" \t\r\n"


@dataclass(frozen=True, slots=True)
class Split:
    """A body as head + segments + tail (the whitespace between segments is dropped: feedparser
    ignores it). `context` is a digest of the head's namespace and base declarations."""

    head: bytes
    segments: list[bytes]
    tail: bytes
    context: bytes

    def digests(self) -> list[bytes]:
        return [digest(s) for s in self.segments]

    def without(self, seen: set[bytes]) -> tuple[bytes, int]:
        """The document of the head, the segments whose digest is not in `seen`, and the tail;
        and how many segments it keeps."""
        kept = [s for s in self.segments if digest(s) not in seen]
        return b"".join((self.head, *kept, self.tail)), len(kept)


def digest(segment: bytes) -> bytes:
    return hashlib.blake2b(segment, digest_size=DIGEST).digest()


def split(body: bytes, content_type: str | None) -> Split | None:
    """`body` cut at its items, or None when anything about it is unusual (see the module)."""
    if not _plain_utf8(body, content_type) or not _specials_hold_no_item(body):
        return None
    starts, ends = list(_START.finditer(body)), list(_END.finditer(body))
    if not starts or len(starts) != len(ends) or len(starts) > MAX_ITEMS:
        return None
    if body.count(b"<") > MAX_DOCUMENT_ELEMENTS:
        return None  # bot.feeds.bounds would drop items by a budget over the whole document
    segments: list[bytes] = []
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if start[1] or end[1] or start[2] != end[2] or end.start() < start.end():
            return None  # prefixed, mismatched or crossed
        closing = body.find(b">", start.end() - 1)
        if body[closing - 1 : closing] == b"/":
            return None  # <item/>
        if k + 1 < len(starts):
            after = starts[k + 1].start()
            if after < end.end() or body[end.end() : after].strip(_XML_SPACE):
                return None  # nested, or something between two items
        segments.append(body[start.start() : end.end()])
    head, tail = body[: starts[0].start()], body[ends[-1].end() :]
    if _RDF.search(head) or _HEAD_CONTENT.search(head):
        return None
    if _CONTEXT.search(body, starts[0].start(), ends[-1].end()):
        return None
    context = hashlib.blake2b(b"\0".join(_CONTEXT_TAG.findall(head)), digest_size=DIGEST)
    return Split(head, segments, tail, context.digest())


def _plain_utf8(body: bytes, content_type: str | None) -> bool:
    """UTF-8 as declared and as the bytes are, so any cut at a tag decodes as the whole does."""
    lead = body[:256].lstrip(b"\xef\xbb\xbf" + _XML_SPACE)
    if b"\x00" in body[:4] or not lead.startswith(b"<"):
        return False  # UTF-16/32, JSON Feed, or not markup
    if declared_encoding(body, content_type) != UTF8:
        return False
    if body.isascii():
        return True
    try:
        body.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return True


def _specials_hold_no_item(body: bytes) -> bool:
    """No DOCTYPE or other declaration, and no comment, CDATA section or processing
    instruction with an item tag inside, where the item scan would be misled."""
    pos = 0
    while (found := _SPECIAL.search(body, pos)) is not None:
        at = found.start()
        for opener, closer in _CLOSERS:
            if body.startswith(opener, at):
                end = body.find(closer, at + len(opener))
                if end < 0:
                    return False
                if _START.search(body, at, end) or _END.search(body, at, end):
                    return False
                pos = end + len(closer)
                break
        else:
            return False  # <!DOCTYPE, <!ENTITY …: bot.feeds.xmltext strips them document-wide
    return True
