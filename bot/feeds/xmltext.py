"""Turn a feed's bytes into UTF-8 XML with no DTD: the encoding is decided once, here.

The DOCTYPE (and any entity declaration) is removed from the *decoded* text, so no codec can hide
it (UTF-7 `+ADw-!DOCTYPE`, BOM-less UTF-16/32 named only by the HTTP charset, EBCDIC). The result
is labelled UTF-8 in both the XML declaration and the content type, so feedparser cannot decode
it any other way, and its own DOCTYPE handling (which keeps "safe" entities) finds nothing.
Attributes and elements are bounded on the same text (bot/feeds/bounds.py).
"""

from __future__ import annotations

import codecs
import re

from bot.feeds.bounds import bound_document
from bot.feeds.charset import STRAY_AS_1252, UTF8, declared_encoding, repair_encoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DTD_START = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_DTD_TOKEN = re.compile(r"[\"'\[\]>]")
_DTD_LEFT = re.compile(r"<!(?:ENTITY|ELEMENT|ATTLIST|NOTATION)[^>]*>?", re.IGNORECASE)
_DECL = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([^"']*)(["'])""")
_MEDIA = re.compile(r"^\s*([\w.+-]+/[\w.+-]+)")


def as_utf8_without_dtd(body: bytes, content_type: str | None) -> tuple[bytes, str]:
    """`body` decoded once, its DTD removed, re-encoded as UTF-8; and the matching content type."""
    text = decode(body, content_type)
    text = bound_document(strip_dtd_text(text))
    text = _DECL.sub(r"\g<1>utf-8\g<3>", text, count=1)
    media = _MEDIA.match(content_type or "")
    kind = media[1] if media else "application/xml"
    return text.encode(UTF8, "replace"), f"{kind}; charset=utf-8"


def decode(body: bytes, content_type: str | None) -> str:
    """The document's text: BOM first, then the byte pattern of UTF-16/32, then the HTTP charset
    or XML declaration (mislabels repaired), with feedparser's fallbacks UTF-8 then windows-1252."""
    for bom, codec in _BOMS:
        if body.startswith(bom):  # a stray byte in UTF-8 is most likely windows-1252
            return body[len(bom) :].decode(codec, STRAY_AS_1252 if codec == UTF8 else "replace")
    wide = wide_codec(body)
    if wide is not None:
        return body.decode(wide, "replace")
    repaired, content_type = repair_encoding(body, content_type)
    declared = declared_encoding(repaired, content_type)
    if _is_wide(declared):
        declared = UTF8  # a wide label on bytes without NULs: the label is wrong
    for codec in dict.fromkeys((declared, UTF8, "cp1252")):
        try:
            return repaired.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return repaired.decode("cp1252", "replace")


def wide_codec(body: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NULs fall in the first four bytes."""
    head = body[:4]
    if len(head) < 4:
        return None
    nul = (head[0] == 0, head[1] == 0, head[2] == 0, head[3] == 0)
    return {
        (False, True, True, True): "utf-32-le",
        (True, True, True, False): "utf-32-be",
        (False, True, False, True): "utf-16-le",
        (True, False, True, False): "utf-16-be",
    }.get(nul)


def _is_wide(codec: str) -> bool:
    return codecs.lookup(codec).name.startswith(("utf-16", "utf-32"))


def strip_dtd_text(text: str) -> str:
    """Remove every DOCTYPE (internal subset included) and any stray markup declaration."""
    kept: list[str] = []
    pos = 0
    while (start := _DTD_START.search(text, pos)) is not None:
        kept.append(text[pos : start.start()])
        pos, depth, quote = len(text), 0, ""
        for tok in _DTD_TOKEN.finditer(text, start.end()):
            ch = tok.group()
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'":
                quote = ch
            elif ch == "[":
                depth += 1
            elif ch == "]":
                depth = max(0, depth - 1)
            elif depth == 0:
                pos = tok.end()
                break
    text = "".join(kept) + text[pos:] if kept else text
    return _DTD_LEFT.sub("", text)
