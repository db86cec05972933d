"""Repair a feed's declared character encoding when its bytes say otherwise.

Two mislabels are common and turn every non-ASCII letter into garbage: legacy bytes (say
windows-1251 Russian) sent as UTF-8, and UTF-8 sent as a legacy single-byte codec. Valid UTF-8
with non-ASCII characters is practically never legacy text, and invalid UTF-8 cannot be UTF-8,
so the bytes decide; the result is relabelled UTF-8 for the parser.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']+)(["'])""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
UTF8 = "utf-8"


def declared_encoding(body: bytes, content_type: str | None) -> str:
    """The codec the response claims: the HTTP charset, else the XML declaration, else UTF-8."""
    found = _HEADER_CHARSET.search(content_type or "")
    name = found[1] if found else None
    if name is None and (decl := _XML_ENCODING.match(body[:200])):
        name = decl[2].decode("ascii", "replace")
    try:
        return codecs.lookup(name or UTF8).name
    except LookupError:
        return UTF8


def repair_encoding(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """`body` and `content_type` relabelled as UTF-8 when the declared codec is wrong."""
    if body.isascii() or b"\x00" in body[:64]:  # nothing to garble, or UTF-16/32
        return body, content_type
    declared = declared_encoding(body, content_type)
    try:
        text = body.decode(UTF8)
    except UnicodeDecodeError:
        if declared != UTF8:
            return body, content_type  # invalid UTF-8 labelled as something else: believe it
        best = charset_normalizer.from_bytes(body).best()
        if best is None or best.encoding in ("utf_8", "utf_8_sig"):
            return body, content_type
        text = str(best)
    else:
        if declared == UTF8 or not _single_byte(declared):
            return body, content_type
    relabelled = _XML_ENCODING.sub(rb"\g<1>utf-8\g<3>", text.encode(UTF8), count=1)
    return relabelled, "application/xml; charset=utf-8"


def _single_byte(codec: str) -> bool:
    """Whether `codec` maps every byte to one character (cp1251, latin-1, koi8-r, …)."""
    try:
        return len(bytes(range(256)).decode(codec, "replace")) == 256
    except (UnicodeDecodeError, LookupError):
        return False
