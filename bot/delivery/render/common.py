"""What every renderer shows, computed once: speaker labels, "why" lines, time and colour."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.models import Alert, Priority, Quote
from bot.rules.schema import Actor

PRIORITY_COLOURS = {
    Priority.low: 0x95A5A6,
    Priority.normal: 0x3498DB,
    Priority.high: 0xE67E22,
    Priority.urgent: 0xE74C3C,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Drop control characters (terminal escapes, bidi overrides) that feed text may carry."""
    return _CONTROL.sub("", text)


def speaker_label(quote: Quote, actors: Mapping[str, Actor] | None = None) -> str:
    """Speaker with the actor's role ("Sergey Lavrov, Foreign Minister"), or "Unattributed"."""
    if quote.speaker is None:
        return "Unattributed"
    actor = actors.get(quote.actor_id) if actors and quote.actor_id else None
    if actor is not None and actor.role:
        return f"{quote.speaker}, {actor.role}"
    return quote.speaker


def quote_text(quote: Quote) -> str:
    """The quote in curly quotes; a partial quote is marked with ellipses."""
    body = clean(quote.text).strip()
    return f"“…{body}…”" if quote.partial else f"“{body}”"


MAX_WHY_WORDS = 6


def why_lines(alert: Alert) -> list[tuple[str, list[str]]]:
    """(rule name, matched words) per topic rule that fired, then one line naming the actors.

    Words repeat neither across case nor beyond a handful; an actor's own rule is covered by
    the actors line. A rule its relevance model matched without an `any` term says so, with
    the words that weighed most.
    """
    names = [clean(a.name) for a in alert.matches.actors]
    lines = [
        (
            f"{clean(m.rule_name)} — matched by relevance"
            if m.by_relevance
            else clean(m.rule_name),
            _distinct(list(m.weighed) if m.by_relevance else m.words)[:MAX_WHY_WORDS],
        )
        for m in alert.matches.rules
        if clean(m.rule_name) not in names
    ]
    if names:
        lines.append(("Actors", names))
    return lines


def _distinct(words: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for word in words:
        seen.setdefault(clean(word).casefold(), clean(word))
    return list(seen.values())


def published_utc(alert: Alert) -> datetime | None:
    if alert.published is None:
        return None
    stamp = alert.published
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
