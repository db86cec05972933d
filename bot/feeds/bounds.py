"""Bound what feedparser is given: attributes per tag, elements per item.

feedparser's time grows with the square of an item's elements or a tag's attributes (500,000
attributes ran past 600 s; 20,000 `<category>` elements 7.7 s). One linear pass over the text
trims before it parses: a tag keeps its first MAX_ATTRIBUTES attributes; an item keeps at most
MAX_REPEATS of any one simple element (`<category>x</category>`); an item still over
MAX_ITEM_ELEMENTS elements is dropped (parse.first_items then caps the number of items).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from itertools import islice

log = logging.getLogger(__name__)

MAX_ATTRIBUTES = 64
MAX_REPEATS = 100
MAX_ITEM_ELEMENTS = 2000

_LONG_TAG = re.compile(rf"<[A-Za-z_][^<>]{{{4 * MAX_ATTRIBUTES},}}>")
_TAG_NAME = re.compile(r"<[^\s<>/]+")
_ATTRIBUTE = re.compile(r"""\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"'=]+)""")
_ITEM_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_ITEM_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_LEAF = re.compile(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?(?:/>|>[^<]*</\1\s*>)")


def bound_document(text: str) -> str:
    """`text` with attributes, repeated elements and oversized items trimmed to the limits."""
    text, attributes = _bound_attributes(text)
    text, repeats, items = _bound_items(text)
    if attributes or repeats or items:
        log.warning(
            "feed trimmed before parsing: %d attribute(s) past %d on one tag, %d element(s) "
            "repeated past %d in one item, %d item(s) over %d elements",
            attributes, MAX_ATTRIBUTES, repeats, MAX_REPEATS, items, MAX_ITEM_ELEMENTS,
        )  # fmt: skip
    return text


def _bound_attributes(text: str) -> tuple[str, int]:
    dropped = 0

    def trim(match: re.Match[str]) -> str:
        nonlocal dropped
        tag = match.group()
        if tag.count("=") <= MAX_ATTRIBUTES:
            return tag
        name = _TAG_NAME.match(tag)
        found = _ATTRIBUTE.finditer(tag, name.end() if name else 1)
        attributes = [m.group() for m in islice(found, MAX_ATTRIBUTES)]
        dropped += tag.count("=") - MAX_ATTRIBUTES  # about: values may hold "=" too
        closing = "/>" if tag.endswith("/>") else ">"
        return (name.group() if name else "<x") + "".join(attributes) + closing

    if "=" not in text:
        return text, 0
    return _LONG_TAG.sub(trim, text), dropped


def _elements(text: str) -> int:
    """Start tags in `text` (a close estimate: comments, CDATA and PIs are not told apart)."""
    return text.count("<") - text.count("</") - text.count("<!") - text.count("<?")


def _bound_items(text: str) -> tuple[str, int, int]:
    if _elements(text) <= MAX_ITEM_ELEMENTS:
        return text, 0, 0
    ends = [m.end() for m in _ITEM_END.finditer(text)]
    kept: list[str] = []
    pos = repeats = dropped = 0
    end_index = 0
    for start in _ITEM_START.finditer(text):
        if start.start() < pos:
            continue  # nested in an item already handled
        while end_index < len(ends) and ends[end_index] <= start.start():
            end_index += 1
        if end_index == len(ends):
            break
        end = ends[end_index]
        item = text[start.start() : end]
        count = _elements(item)
        if count > MAX_ITEM_ELEMENTS:
            item, cut = _bound_repeats(item)
            repeats += cut
            count = _elements(item)
        kept.append(text[pos : start.start()])
        if count > MAX_ITEM_ELEMENTS:
            dropped += 1
        else:
            kept.append(item)
        pos = end
    if not kept:
        return text, 0, 0
    kept.append(text[pos:])
    return "".join(kept), repeats, dropped


def _bound_repeats(item: str) -> tuple[str, int]:
    """Keep the first MAX_REPEATS of each simple element (text only, or empty) in `item`."""
    seen: Counter[str] = Counter()
    cut = 0

    def keep(match: re.Match[str]) -> str:
        nonlocal cut
        seen[match[1]] += 1
        if seen[match[1]] <= MAX_REPEATS:
            return match.group()
        cut += 1
        return ""

    return _LEAF.sub(keep, item), cut
