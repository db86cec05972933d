"""Made-up labelled headlines for relevance tests: talks about peace are relevant, talks
about business are not (no text from the GPL corpus)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.models import Item
from bot.rules.schema import Rule

NOW = datetime(2022, 5, 1, tzinfo=UTC)
RULE = Rule.model_validate(
    {"id": "talks", "name": "Talks", "all": ["Russia"], "any": ["talks", "meeting"]}
)
OTHER = Rule.model_validate({"id": "grain", "name": "Grain", "any": ["grain"]})

PEACE = ["ceasefire", "peace", "negotiators", "truce", "end the war", "delegations"]
BUSINESS = ["gas", "oil", "football", "tennis", "bank", "prices", "wheat", "film"]


def _item(n: int, title: str, summary: str = "") -> Item:
    return Item(
        feed_id=1,
        identity=f"i{n}",
        title=title,
        summary=summary,
        link=f"https://x/{n}",
        published=NOW - timedelta(days=1, minutes=n),
    )


def labelled(count: int = 80, seed: int = 3) -> list[tuple[Item, bool]]:
    """Made-up headlines: talks about peace are relevant, talks about business are not."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        relevant = n % 2 == 0
        words = rng.sample(PEACE if relevant else BUSINESS, 2)
        verb = rng.choice(["talks", "meeting", "says"])
        out.append(
            (_item(n, f"Russia {verb} on {words[0]}", f"Officials discuss {words[1]}."), relevant)
        )
    return out
