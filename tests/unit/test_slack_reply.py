"""Command replies as Slack mrkdwn: escaped, never pinging, links kept, long replies cut cleanly."""

from __future__ import annotations

import pytest

from bot.chat.commands import Reply
from bot.chat.slack.app import help_reply, plain_text, reply_payload
from bot.chat.slack.reply import line_mrkdwn, reply_mrkdwn
from bot.chat.textcommands import SPECS

HOSTILE = [
    "<!channel> talks resume",
    "<!here|here> and <!everyone>",
    "ask <@U0ADMIN001> or <#C0ALERTS01>",
    "<!subteam^S0STAFF01|@staff> look",
    "<https://evil.example|innocent label>",
    "@channel @here @everyone",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_feed_text_cannot_ping_or_link(text: str) -> None:
    out = line_mrkdwn(f"• {text} — Example News")
    assert "<" not in out and ">" not in out.removeprefix("> ")
    for word in ("@channel", "@here", "@everyone"):
        assert word not in out
    assert "&lt;" in out or "@\u200b" in out


def test_reply_links_stay_links_and_markup_converts() -> None:
    line = (
        "• Lavrov says <b>no pause</b> & more — TASS [Peace talks] <https://news.example/a?x=1&y=2>"
    )
    assert line_mrkdwn(line) == (
        "• Lavrov says &lt;b&gt;no pause&lt;/b&gt; &amp; more — TASS [Peace talks] "
        "<https://news.example/a?x=1&amp;y=2>"
    )
    assert line_mrkdwn("**Foreign minister**, Russia") == "*Foreign minister*, Russia"
    assert line_mrkdwn("> “We will not pause” — TASS <https://t.example/1>") == (
        "> “We will not pause” — TASS <https://t.example/1>"
    )
    assert line_mrkdwn("<javascript:alert(1)>") == "&lt;javascript:alert(1)&gt;"


def test_whole_reply_title_links_and_failure_mark() -> None:
    reply = Reply(
        title="Rule <x> added", lines=("a", "b"), links=(("Docs & more", "https://d.example/"),)
    )
    assert (
        reply_mrkdwn(reply) == "*Rule &lt;x&gt; added*\na\nb\nDocs &amp; more: <https://d.example/>"
    )
    refused = Reply(title="Only admins can do that", ok=False)
    assert reply_mrkdwn(refused) == "*⚠️ Only admins can do that*"


def test_long_reply_is_cut_with_code_fence_closed() -> None:
    reply = Reply(
        title="Rule x", lines=("```yaml", *[f"line {i}: " + "x" * 50 for i in range(400)], "```")
    )
    out = reply_mrkdwn(reply, limit=2000)
    assert len(out) <= 2000
    assert out.endswith("```\n… (truncated)")
    assert out.count("```") == 2


def test_payload_is_private_unless_a_successful_public_reply() -> None:
    public = Reply(title="Subscribed", ephemeral=False)
    assert reply_payload(public)["response_type"] == "in_channel"
    assert reply_payload(Reply(title="x"))["response_type"] == "ephemeral"
    assert (
        reply_payload(Reply(title="x", ok=False, ephemeral=False))["response_type"] == "ephemeral"
    )


def test_typed_text_is_unescaped() -> None:
    assert plain_text("feeds add <https://example.com/rss?a=1&amp;b=2|example.com/rss>") == (
        "feeds add https://example.com/rss?a=1&b=2"
    )
    assert plain_text("rules add {id: x, any: [a &amp; b, &lt;c&gt;]}") == (
        "rules add {id: x, any: [a & b, <c>]}"
    )
    assert plain_text("subscribe <@U0ADMIN001|admin>") == "subscribe <@U0ADMIN001|admin>"


def test_help_lists_every_command() -> None:
    text = reply_mrkdwn(help_reply())
    for path in SPECS:
        assert f"`/newsbot {' '.join(path)}" in text
