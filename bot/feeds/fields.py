"""Feed fields as newsbot shows them: titles and bodies reduced to clean text, links that open.

A title is read from the element the feed gave (feedparser's `title`, which keeps the entry's
own); `title_detail` only says its type, and only when it holds that same value, since
feedparser overwrites it with any nested `<title>` (an `<image>` caption, an author's job).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

from bot.text.normalize import clean_inline, clean_text, html_to_text

_ENTITY_REF = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+\d*);")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_LINK = 2000
OTHER_SCHEMES = ("at://",)  # Bluesky posts: kept when an item has no http(s) link


def title_of(node: Any, limit: int) -> str:
    """The title of a feed or an entry as text."""
    value = dict.get(node, "title")
    if not isinstance(value, str):
        return ""
    detail = dict.get(node, "title_detail")
    if isinstance(detail, dict) and detail.get("value") == value:
        return inline(detail, limit)
    return inline(
        {"type": "text/html" if _MARKUP.search(value) else "text/plain", "value": value}, limit
    )


def _is_html(detail: Any) -> bool:
    return isinstance(detail, dict) and "html" in str(detail.get("type", ""))


def _value(detail: Any) -> str:
    value = detail.get("value", "") if isinstance(detail, dict) else detail
    return value if isinstance(value, str) else ""


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def inline(detail: Any, limit: int) -> str:
    """Title-like text; "plain" values still carrying entities (a common publisher slip) are
    unescaped, only where a reference is complete (`&amp;`, not `&copy=2`)."""
    value = _value(detail)
    if _is_html(detail):
        value = html_to_text(value)
    elif "&" in value:
        value = _ENTITY_REF.sub(_unescape, value)
    return clean_inline(value)[:limit]


def block(detail: Any, limit: int) -> str:
    """Body text; "plain" values that carry markup or entities are read as HTML."""
    value = _value(detail)
    as_html = _is_html(detail) or _ENTITY_REF.search(value) or _MARKUP.search(value)
    return (html_to_text(value) if as_html else clean_text(value))[:limit]


def http(link: Any) -> str | None:
    """An absolute http(s) link; one over MAX_LINK characters is dropped, as cutting breaks it."""
    if isinstance(link, str) and link.strip().lower().startswith(("http://", "https://")):
        link = link.strip()
        return _SURROGATE.sub("\ufffd", link) if len(link) <= MAX_LINK else None
    return None


def resolve(link: Any, *bases: str | None) -> str | None:
    """`link` as an absolute http(s) link: as given, else against the first base that makes it
    one (the document's own, then the URL fetched); an `at://` link when that is all it is."""
    if not isinstance(link, str) or not link.strip():
        return None
    found = http(link)
    if found is not None:
        return found
    if link.strip().lower().startswith(OTHER_SCHEMES):
        return link.strip() if len(link.strip()) <= MAX_LINK else None
    for base in bases:
        if base and (joined := http(_join(base, link.strip()))):
            return joined
    return None


def _join(base: str, link: str) -> str:
    try:
        return urljoin(base, link)
    except ValueError:
        return ""
