"""Replies built from feed text go through the alerts' sanitiser on both platforms (issue 13:
`/alerts recent`, `/actor`, `/feeds list` rendered a feed's live masked links on Discord)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.chat.discord.reply import reply_lines
from bot.chat.lookups import alert_line
from bot.chat.reply import Reply, feed, link
from bot.chat.slack.reply import reply_mrkdwn
from tests.unit.render_fixtures import HOSTILE, hostile_alert, make_alert

DISCORD_MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")
DISCORD_PING = re.compile(r"@(everyone|here)\b|<@[!&]?\d+>|<#\d+>")
SLACK_CONTROL = re.compile(r"<[!@#]|<https?://[^>]*\|")


def hostile_reply() -> Reply:
    line = alert_line(hostile_alert())
    quote = f"> “{feed(HOSTILE)}” — {feed(HOSTILE)} {link('javascript:alert(1)')}"
    feed_row = f"• `1` {feed(HOSTILE)} {link('https://example.com/rss')} — failing: {feed(HOSTILE)}"
    return Reply(title="Latest alerts", lines=(line, quote, feed_row))


def test_feed_text_cannot_link_or_ping_in_a_discord_reply() -> None:
    text = "\n".join(reply_lines(hostile_reply()))
    assert not DISCORD_MASKED_LINK.search(text), text
    assert not DISCORD_PING.search(text), text
    assert "\ue000" not in text and "\ue001" not in text
    assert "<https://example.com/rss>" in text  # our own plain links stay links
    assert "<javascript" not in text  # an unsafe URL is shown as text, never as a link


def test_feed_text_cannot_link_or_ping_in_a_slack_reply() -> None:
    text = reply_mrkdwn(hostile_reply())
    assert not SLACK_CONTROL.search(text), text
    assert "@everyone" not in text and "@channel" not in text
    assert "<https://example.com/rss>" in text
    assert "\ue000" not in text


def test_markup_of_our_own_survives_beside_feed_text() -> None:
    alert = make_alert(title="Talks resume", link="https://news.example/a", source="Wire")
    alert = alert.model_copy(update={"published": datetime(2022, 4, 11, tzinfo=UTC)})
    reply = Reply(title="Latest alerts", lines=(alert_line(alert),))
    assert (
        reply_lines(reply)[1]
        == "• Talks resume — Wire 2022-04-11 [Peace talks] <https://news.example/a>"
    )
    assert reply.text.endswith("[Peace talks] <https://news.example/a>")  # marks dropped


def test_feed_marks_inside_feed_text_cannot_end_it_early() -> None:
    sneaky = "a\ue001[x](https://evil.example)\ue000b"
    text = "\n".join(reply_lines(Reply(title="t", lines=(feed(sneaky),))))
    assert not DISCORD_MASKED_LINK.search(text)
