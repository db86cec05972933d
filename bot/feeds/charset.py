"""Repair a feed's declared character encoding when its bytes say otherwise.

Two mislabels are common and turn every non-ASCII letter into garbage: legacy bytes (say
windows-1251 Russian) sent as UTF-8, and UTF-8 sent as a legacy single-byte codec. Valid UTF-8
with non-ASCII characters is practically never legacy text, so it is read as UTF-8. UTF-8 with a
few stray bytes is read as UTF-8, each stray byte as windows-1252. Other text that is not UTF-8
goes to charset-normalizer, whose guess is taken only for scripts feedparser's own fallback
(windows-1252) gets wrong: Latin text is left to feedparser. The result is relabelled UTF-8.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']+)(["'])""")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
UTF8 = "utf-8"
STRAY_AS_1252 = "newsbot-stray-as-cp1252"


def _stray_as_1252(error: UnicodeError) -> tuple[str, int]:
    """Read a byte that breaks UTF-8 as windows-1252, the usual source of a stray `é`."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", "replace"), error.end


codecs.register_error(STRAY_AS_1252, _stray_as_1252)


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
    if body.isascii() or b"\x00" in body[:64] or body.startswith(codecs.BOM_UTF8):
        return body, content_type  # nothing to garble, UTF-16/32, or a BOM that says UTF-8
    declared = declared_encoding(body, content_type)
    try:
        text = body.decode(UTF8)
    except UnicodeDecodeError:
        if declared != UTF8:
            return body, content_type  # invalid UTF-8 labelled as something else: believe it
        if _mostly_utf8(body):
            text = body.decode(UTF8, STRAY_AS_1252)
        else:
            best = charset_normalizer.from_bytes(body).best()
            if best is None or _latin(best.encoding):
                return body, content_type  # feedparser's windows-1252 fallback reads it
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
    except LookupError:
        return False


def _mostly_utf8(body: bytes) -> bool:
    """Valid UTF-8 but for a few stray bytes (at most 1 in 20 of its non-ASCII characters)."""
    text = body.decode(UTF8, "replace")
    bad = text.count("\ufffd")
    return sum(1 for c in text if ord(c) > 127) >= 20 * bad


def _latin(codec: str) -> bool:
    """A codec for Latin script, which windows-1252 (feedparser's fallback) reads as well."""
    try:
        return codecs.lookup(codec).name in LATIN
    except LookupError:
        return False


LATIN = frozenset(
    codecs.lookup(name).name
    for name in (
        "latin-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-9", "iso8859-10",
        "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16", "cp1250", "cp1252", "cp1254",
        "cp1257", "cp1258", "cp437", "cp850", "mac-roman", "mac-latin2", "mac-iceland",
        "mac-turkish",
    )
)  # fmt: skip
