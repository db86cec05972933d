"""Enrichment: the summary and the key quotes (with speakers) that make an alert worth reading."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import AlertContent, Item, MatchResult
from bot.rules.schema import Actor
from bot.text.quotes import find_quotes
from bot.text.summarize import contains_words, summarize

MAX_QUOTES = 3


def enrich(
    item: Item,
    matches: MatchResult,
    actors: Sequence[Actor],
    full_text: str | None = None,
    *,
    max_quotes: int = MAX_QUOTES,
) -> AlertContent:
    """Summary and up to `max_quotes` key quotes (see `find_quotes` for their order).

    Uses the extracted full text when given, else the item's content, else its summary. The
    summary and the quotes never repeat each other: the summary skips the sentences that hold a
    shown quote, and when that leaves it nothing to say (a one-sentence description), it keeps
    its sentences and the quotes they hold give way to the next ones.
    """
    text = full_text or item.content or item.summary
    if not text:
        return AlertContent(summary="", quotes=())
    matched = [a.actor_id for a in matches.actors]
    found = find_quotes(
        text, actors, priority_actor_ids=matched, outlets=[item.source], title=item.title
    )
    top = found[:max_quotes]
    summary = summarize(item.title, text, avoid=[q.text for q in top])
    if not summary:
        summary = summarize(item.title, text)
        top = [q for q in found if not contains_words(summary, q.text)][:max_quotes]
    return AlertContent(summary=summary, quotes=tuple(top))
