"""Discord embeds: content, every documented limit, and no pings from feed text."""

from __future__ import annotations

import re

from bot.delivery.render.discord import (
    ALLOWED_MENTIONS_NONE,
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TITLE_MAX,
    TOTAL_MAX,
    allowed_mentions,
    embed_length,
    mention_content,
    render_embed,
    render_follow_up_embed,
)
from bot.delivery.render.truncate import utf16_len
from bot.models import Priority, Quote
from tests.unit.render_fixtures import ACTORS, hostile_alert, make_alert

PINGS = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>", re.IGNORECASE)
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def _all_text(embed: dict) -> str:  # type: ignore[type-arg]
    parts = [
        embed.get("title", ""),
        embed.get("description", ""),
        embed.get("footer", {}).get("text", ""),
        embed.get("author", {}).get("name", ""),
    ]
    for field in embed.get("fields", []):
        parts += [field["name"], field["value"]]
    return "\n".join(parts)


def _assert_limits(embed: dict) -> None:  # type: ignore[type-arg]
    assert utf16_len(embed["title"]) <= TITLE_MAX
    assert utf16_len(embed.get("description", "")) <= DESCRIPTION_MAX
    assert len(embed.get("fields", [])) <= FIELDS_MAX
    for field in embed.get("fields", []):
        assert 0 < utf16_len(field["name"]) <= FIELD_NAME_MAX
        assert 0 < utf16_len(field["value"]) <= FIELD_VALUE_MAX
    assert utf16_len(embed["footer"]["text"]) <= 2048
    assert embed_length(embed) <= TOTAL_MAX


def test_seed_alert_embed() -> None:
    embed = render_embed(make_alert(), actors=ACTORS)
    assert embed["title"].startswith("Russia Says It Will Not Pause")
    assert embed["url"] == "https://news.antiwar.com/2022/04/11/russia-no-pause/"
    assert embed["timestamp"] == "2022-04-11T18:30:00+00:00"
    assert embed["color"] == 0xE67E22
    assert embed["author"]["name"] == "Antiwar.com"
    names = [f["name"] for f in embed["fields"]]
    assert names == [
        "Sergey Lavrov, Foreign Minister",
        "Denis Pushilin",
        "Sergey Lavrov, Foreign Minister",
        "Why",
    ]
    assert embed["fields"][2]["value"] == "“…unacceptable…”"
    why = embed["fields"][-1]["value"]
    assert "**Peace talks**: pause, Peace Talks" in why and "**Actors**: Sergey Lavrov" in why
    _assert_limits(embed)


def test_colour_follows_priority() -> None:
    colours = {render_embed(make_alert(priority=p))["color"] for p in Priority}
    assert len(colours) == 4


def test_every_limit_holds_for_huge_alerts() -> None:
    huge = "😀word " * 3000
    quotes = tuple(Quote(text=huge, speaker="S" * 400) for _ in range(40))
    embed = render_embed(make_alert(title=huge, summary=huge, quotes=quotes, source=huge))
    _assert_limits(embed)
    assert embed["fields"][-1]["name"] == "Why"
    assert embed["title"].endswith("…") and embed["description"].endswith("…")


def test_exactly_at_limits_is_not_truncated() -> None:
    title = "t" * TITLE_MAX
    embed = render_embed(make_alert(title=title, summary="", quotes=()))
    assert embed["title"] == title
    embed = render_embed(make_alert(title=title + "x", summary="", quotes=()))
    assert utf16_len(embed["title"]) == TITLE_MAX and embed["title"].endswith("…")


def test_hostile_feed_text_cannot_ping_or_link() -> None:
    alert = hostile_alert()
    embed = render_embed(alert)
    assert not PINGS.search(_all_text(embed))
    # author and footer are shown without markdown; everywhere else a masked link must not form
    markdown_parts = [embed["title"], embed["description"]] + [
        f["name"] + f["value"] for f in embed["fields"]
    ]
    assert not any(MASKED_LINK.search(part) for part in markdown_parts)
    _assert_limits(embed)


def test_unsafe_link_is_left_out() -> None:
    assert "url" not in render_embed(make_alert(link="javascript:alert(1)"))


def test_allowed_mentions_only_the_configured_role() -> None:
    assert ALLOWED_MENTIONS_NONE == {"parse": []}
    assert allowed_mentions(None) == {"parse": []}
    assert allowed_mentions("112233") == {"parse": [], "roles": ["112233"]}
    assert allowed_mentions("@everyone") == {"parse": []}
    assert mention_content("112233") == "<@&112233>" and mention_content("everyone") == ""
    merged = "112233 @everyone 445566"  # two subscriptions' roles, merged by routing
    assert allowed_mentions(merged) == {"parse": [], "roles": ["112233", "445566"]}
    assert mention_content(merged) == "<@&112233> <@&445566>"


def test_follow_up_embed() -> None:
    embed = render_follow_up_embed(make_alert(source="Reuters @everyone"))
    assert embed["author"]["name"].startswith("Also reported by Reuters")
    assert "@everyone" not in embed["author"]["name"]
    assert embed["url"].startswith("https://")
