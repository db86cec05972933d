"""Whether a new alert repeats one its own feed already sent: the same article, re-stamped.

Some feeds give the same article a new guid or a new tracking parameter at every fetch; by
identity it is new, to a reader it is the alert they already got. Two alerts are the same
article when feed, title (case and spacing aside), page (fragment and trackers aside) and
summary agree.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

TRACKERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "_ga", "ocid", "cmpid", "ref", "src"}
)
"""Query parameters that say where a reader came from, not which article it is."""

ArticleKey = tuple[int, str, str, str]


def article_key(feed_id: int, title: str, link: str | None, summary: str) -> ArticleKey:
    """What must agree for two alerts of one feed to be the same article."""
    return (feed_id, " ".join(title.casefold().split()), page(link), summary)


def page(link: str | None) -> str:
    """A link without its fragment and tracking parameters (the rest of a query can name the
    article: `?p=123`)."""
    if not link:
        return ""
    parts = urlsplit(link)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracker(k)]
    return parts._replace(query=urlencode(kept), fragment="").geturl()


def repeats(new: list[ArticleKey | None], sent: list[set[ArticleKey]]) -> list[bool]:
    """For each new alert (None: it has no fingerprint, so it is never a repeat), whether it
    is an article among those its feed `sent` before or among the new ones ahead of it."""
    earlier: set[ArticleKey] = set()
    found = []
    for key, before in zip(new, sent, strict=True):
        found.append(key is not None and (key in earlier or key in before))
        if key is not None:
            earlier.add(key)
    return found


def _tracker(key: str) -> bool:
    key = key.lower()
    return key.startswith(("utm_", "mc_", "at_")) or key in TRACKERS
