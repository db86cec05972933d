"""Cutting text to a platform limit without breaking it: no split surrogate pair, grapheme, escape,
entity or link, and an ellipsis to show the cut.

Discord and Slack count limits in characters of their own; counting UTF-16 code units is never
less than either, so a text that fits here fits there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (an astral character such as an emoji counts 2)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


_ATOMS_DEFAULT: Sequence[re.Pattern[str]] = ()


def truncate(
    text: str,
    limit: int,
    *,
    atoms: Sequence[re.Pattern[str]] = _ATOMS_DEFAULT,
    ellipsis: str = ELLIPSIS,
) -> str:
    """`text` if it fits in `limit` UTF-16 units, else a prefix that does, ending in `ellipsis`.

    `atoms` are patterns (links, entities, escapes) that must be kept whole or dropped whole.
    """
    if limit <= 0:
        return ""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    if budget <= 0:
        return ellipsis[:limit]
    cut = 0
    used = 0
    for i, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        cut = i + 1
    # never end inside an atom: step back to its start
    for pattern in atoms:
        for m in pattern.finditer(text):
            if m.start() < cut < m.end():
                cut = m.start()
    # keep a character together with its combining marks and joiners
    while 0 < cut < len(text) and (
        unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0f" or text[cut - 1] == "\u200d"
    ):
        cut -= 1
    head = text[:cut]
    # an odd run of trailing backslashes would escape the ellipsis
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    head = head.rstrip()
    if " " in head[len(head) // 2 :] and not head.endswith((" ", "\n")):
        word_cut = head.rfind(" ")
        if len(head) - word_cut < 20:
            head = head[:word_cut].rstrip()
    return head + ellipsis
