"""How an item is known across polls: its guid/id as the feed gave it, else its link, else
"sha256:" + a hash of title and date (plus the summary when both are missing); identities over
MAX_IDENTITY characters are hashed the same way. Nothing here depends on the fetched URL."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from datetime import datetime
from typing import Any

from bot.models import Item

MAX_IDENTITY = 1000
_SURROGATE = re.compile("[\ud800-\udfff]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def identity(guid: Any, link: str | None, title: str, when: datetime | None, text: str = "") -> str:
    """guid, else link, else sha256 of title + date (+ text when both are empty)."""
    key = guid.strip() if isinstance(guid, str) else str(guid) if isinstance(guid, int) else ""
    key = _SURROGATE.sub("\ufffd", key or link or "")
    if key and len(key) <= MAX_IDENTITY:
        return key
    basis = key or "\n".join(
        (title, when.isoformat() if when else "", "" if title or when else text)
    )
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def is_relative(key: str) -> bool:
    """A guid or link with no scheme: the kind feedparser used to glue onto the fetched URL."""
    return bool(key) and not _SCHEME.match(key)


def distinct(items: list[Item], by_link: set[str] | None = None) -> list[Item]:
    """Items without a guid are known by their link; where several share one (a feed linking
    every item to its home page, or `#`), each is known by link, title and date instead, or
    all but the first would count as seen. `by_link`: the identities that are links (default:
    those equal to the item's link)."""
    linked = [
        i for i in items if (i.identity in by_link if by_link is not None else i.identity == i.link)
    ]
    shared = {k for k, n in Counter(i.identity for i in linked).items() if n > 1}
    if not shared:
        return items
    ids = {id(i) for i in linked}
    return [
        i.model_copy(update={"identity": identity(None, None, f"{i.link}\n{i.title}", i.published)})
        if i.identity in shared and id(i) in ids
        else i
        for i in items
    ]
