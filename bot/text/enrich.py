"""Enrichment: the summary and the key quotes (with speakers) that make an alert worth reading."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import AlertContent, Item, MatchResult
from bot.rules.schema import Actor
from bot.text.quotes import find_quotes
from bot.text.summarize import summarize

MAX_QUOTES = 3


def enrich(
    item: Item,
    matches: MatchResult,
    actors: Sequence[Actor],
    full_text: str | None = None,
    *,
    max_quotes: int = MAX_QUOTES,
) -> AlertContent:
    """Summary and up to `max_quotes` key quotes, quotes by the matched actors first.

    Uses the extracted full text when given, else the item's content, else its summary.
    """
    text = full_text or item.content or item.summary
    summary = summarize(item.title, text) if text else ""
    matched = [a.actor_id for a in matches.actors]
    quotes = (
        find_quotes(text, actors, priority_actor_ids=matched, outlets=[item.source]) if text else []
    )
    return AlertContent(summary=summary, quotes=tuple(quotes[:max_quotes]))
