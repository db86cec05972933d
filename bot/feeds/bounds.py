"""Bound what feedparser is given: attributes per tag, elements per item.

feedparser's time grows with the square of an item's elements or a tag's attributes (500,000
attributes ran past 600 s; 20,000 `<category>` elements 7.7 s). One linear pass over the text
trims before it parses: a tag keeps its first MAX_ATTRIBUTES attributes; an item keeps at most
MAX_REPEATS of any one simple element (`<category>x</category>`); an item still over
MAX_ITEM_ELEMENTS elements is dropped; and items past MAX_DOCUMENT_ELEMENTS in all are dropped,
taken alternately from both ends so the newest survive whichever way the feed is ordered (a
9.5 MB feed of items just under the item bound parsed for 32 s without it).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from itertools import islice

from bot.feeds.parsed import MAX_PARSED

log = logging.getLogger(__name__)

MAX_ATTRIBUTES = 64
MAX_REPEATS = 100
MAX_ITEM_ELEMENTS = 2000
MAX_DOCUMENT_ELEMENTS = 100_000

_LONG_TAG = re.compile(rf"<[A-Za-z_][^<>]{{{4 * MAX_ATTRIBUTES},}}>")
_TAG_NAME = re.compile(r"<[^\s<>/]+")
_ATTRIBUTE = re.compile(r"""\s+[^\s=<>/]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"'=]+)""")
_ITEM_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_ITEM_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_LEAF = re.compile(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?(?:/>|>[^<]*</\1\s*>)")


def bound_document(text: str) -> str:
    """`text` with attributes, repeated elements and oversized items trimmed to the limits."""
    text, attributes = _bound_attributes(text)
    text, repeats, items, over = _bound_items(text)
    if attributes or repeats or items or over:
        log.warning(
            "feed trimmed before parsing: %d attribute(s) past %d on one tag, %d element(s) "
            "repeated past %d in one item, %d item(s) over %d elements, %d item(s) past %d "
            "elements in all",
            attributes, MAX_ATTRIBUTES, repeats, MAX_REPEATS, items, MAX_ITEM_ELEMENTS,
            over, MAX_DOCUMENT_ELEMENTS,
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
    """Start tags in `text`, not counting markup inside CDATA sections (HTML there is text to
    the XML parser); a close estimate: comments and PIs are not told apart."""
    return _start_tags(text) - sum(_start_tags(section) for section in _cdata_sections(text))


def _cdata_sections(text: str) -> Iterator[str]:
    """Each CDATA section, in one pass (an unclosed one runs to the end; a regex search from
    every one of a million unclosed openers would be quadratic)."""
    pos = 0
    while (start := text.find("<![CDATA[", pos)) != -1:
        end = text.find("]]>", start + 9)
        if end == -1:
            yield text[start:]
            return
        yield text[start : end + 3]
        pos = end + 3


def _start_tags(text: str) -> int:
    return text.count("<") - text.count("</") - text.count("<!") - text.count("<?")


def _bound_items(text: str) -> tuple[str, int, int, int]:
    """`text` with items bounded; how many repeats were cut, items dropped as too big, and items
    dropped past the document's budget."""
    if _elements(text) <= MAX_ITEM_ELEMENTS:
        return text, 0, 0, 0
    ends = [m.end() for m in _ITEM_END.finditer(text)]
    gaps: list[str] = []  # gaps[i] comes before items[i]
    items: list[tuple[str, int] | None] = []  # None: dropped as too big
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
        gaps.append(text[pos : start.start()])
        if count > MAX_ITEM_ELEMENTS:
            dropped += 1
            items.append(None)
        else:
            items.append((item, count))
        pos = end
    if not gaps:
        return text, 0, 0, 0
    within = _within_budget([entry[1] if entry else 0 for entry in items])
    over = sum(1 for i, entry in enumerate(items) if entry and i not in within)
    kept: list[str] = []
    for index, (gap, entry) in enumerate(zip(gaps, items, strict=True)):
        kept.append(gap)
        if entry and index in within:
            kept.append(entry[0])
    kept.append(text[pos:])
    return "".join(kept), repeats, dropped, over


def _within_budget(counts: list[int]) -> set[int]:
    """Indexes of the items kept under MAX_DOCUMENT_ELEMENTS, taken alternately from the start
    and the end of the document (most feeds list newest first, some newest last). Items in the
    middle that prepare.first_items drops anyway (past MAX_PARSED) are left to it, to count."""
    if len(counts) > MAX_PARSED:
        half = MAX_PARSED // 2
        parsed = [*range(half), *range(len(counts) - half, len(counts))]
    else:
        parsed = list(range(len(counts)))
    if sum(counts[i] for i in parsed) <= MAX_DOCUMENT_ELEMENTS:
        return set(range(len(counts)))
    kept = set(range(len(counts))) - set(parsed)
    budget = MAX_DOCUMENT_ELEMENTS
    head, tail, taken = 0, len(parsed) - 1, 0
    while head <= tail:
        from_head = taken % 2 == 0
        index = parsed[head] if from_head else parsed[tail]
        if counts[index] > budget:
            break
        budget -= counts[index]
        kept.add(index)
        if from_head:
            head += 1
        else:
            tail -= 1
        taken += 1
    return kept


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
