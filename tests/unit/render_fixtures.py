"""Alerts for the renderer tests: the seed alert and hostile ones built from feed text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import (
    ActorMention,
    Alert,
    Evidence,
    MatchResult,
    Priority,
    Quote,
    RuleMatch,
    TextField,
)
from bot.rules.schema import Actor

HOSTILE = (
    "@everyone @here <@123> <@!456> <@&789> <#1011> [click me](https://evil.example) "
    "<!channel> <!here> <!everyone> <@U024BE7LH> <#C024BE7LR> <!subteam^SAZ94GDB8> "
    "<https://evil.example|totally safe> & more"
)
ACTORS = {
    "sergey-lavrov": Actor(id="sergey-lavrov", name="Sergey Lavrov", role="Foreign Minister"),
}


def make_alert(
    *,
    title: str = "Russia Says It Will Not Pause Military Operation in Ukraine During Peace Talks",
    summary: str = "Russian Foreign Minister Sergey Lavrov said Monday that Moscow does not plan "
    "to pause its military operations during any future rounds of peace talks with Kyiv.",
    quotes: tuple[Quote, ...] | None = None,
    source: str = "Antiwar.com",
    link: str | None = "https://news.antiwar.com/2022/04/11/russia-no-pause/",
    priority: Priority = Priority.high,
) -> Alert:
    if quotes is None:
        quotes = (
            Quote(
                text="After we became convinced …, there would be no pause",
                speaker="Sergey Lavrov",
                actor_id="sergey-lavrov",
            ),
            Quote(text="Now the operation will be intensified", speaker="Denis Pushilin"),
            Quote(
                text="unacceptable", speaker="Sergey Lavrov", actor_id="sergey-lavrov", partial=True
            ),
        )
    evidence = (
        Evidence(
            rule_id="peace-talks", term="pause", field=TextField.title, start=0, end=5, text="pause"
        ),
        Evidence(
            rule_id="peace-talks",
            term="peace talks",
            field=TextField.title,
            start=0,
            end=5,
            text="Peace Talks",
        ),
    )
    return Alert(
        id=7,
        feed_id=1,
        item_identity="seed",
        title=title,
        link=link,
        source=source,
        published=datetime(2022, 4, 11, 18, 30, tzinfo=UTC),
        summary=summary,
        quotes=quotes,
        matches=MatchResult(
            rules=(
                RuleMatch(
                    rule_id="peace-talks",
                    rule_name="Peace talks",
                    priority=priority,
                    evidence=evidence,
                ),
            ),
            actors=(ActorMention(actor_id="sergey-lavrov", name="Sergey Lavrov"),),
        ),
    )


def hostile_alert() -> Alert:
    """An alert whose every feed-supplied text tries to ping, link and break markup."""
    return make_alert(
        title=HOSTILE,
        summary=HOSTILE,
        source=HOSTILE,
        quotes=(Quote(text=HOSTILE, speaker=HOSTILE),),
    )
