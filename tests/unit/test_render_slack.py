"""Slack Block Kit: content, limits (50 blocks, 3000 per section, 150 per header), no pings."""

from __future__ import annotations

import json
import re

from bot.delivery.render.slack import (
    BLOCKS_MAX,
    HEADER_MAX,
    SECTION_MAX,
    link,
    render_blocks,
    render_follow_up_blocks,
)
from bot.delivery.render.truncate import utf16_len
from bot.models import Quote
from tests.unit.render_fixtures import ACTORS, hostile_alert, make_alert

CONTROL = re.compile(r"<[!@#]|<https?://evil")


def _assert_limits(blocks: list[dict]) -> None:  # type: ignore[type-arg]
    assert len(blocks) <= BLOCKS_MAX
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert utf16_len(block["text"]["text"]) <= HEADER_MAX
        if block["type"] == "section":
            assert utf16_len(block["text"]["text"]) <= SECTION_MAX


def test_seed_alert_blocks() -> None:
    text, blocks = render_blocks(make_alert(), actors=ACTORS)
    assert text.startswith("Russia Says It Will Not Pause") and "Antiwar.com" in text
    kinds = [b["type"] for b in blocks]
    assert kinds[:3] == ["header", "context", "section"]
    context = blocks[1]["elements"][0]["text"]
    assert (
        "Antiwar.com" in context and "<!date^1649701800^" in context and "priority high" in context
    )
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert any("— *Sergey Lavrov, Foreign Minister*" in s for s in sections)
    assert any(s.startswith("Why: *Peace talks* (pause, Peace Talks)") for s in sections)
    assert sections[-1] == "<https://news.antiwar.com/2022/04/11/russia-no-pause/|Read the article>"
    _assert_limits(blocks)


def test_limits_hold_for_huge_alerts() -> None:
    huge = "😀 a&b <x> " * 2000
    quotes = tuple(Quote(text=huge, speaker="Jane Doe") for _ in range(80))
    text, blocks = render_blocks(make_alert(title=huge, summary=huge, quotes=quotes))
    _assert_limits(blocks)
    assert blocks[0]["text"]["text"].endswith("…")
    for block in blocks:  # no entity cut in half
        if block["type"] == "section":
            assert not re.search(r"&(?:a|am|l|g)?…", block["text"]["text"])
    assert utf16_len(text) <= 3000


def test_hostile_feed_text_cannot_ping_or_link() -> None:
    alert = hostile_alert()
    text, blocks = render_blocks(alert)
    body = json.dumps(blocks, ensure_ascii=False)
    stripped = re.sub(r"<!date\^\d+\^[^|]*\|[^>]*>|<https://news\.antiwar\.com[^>]*>", "", body)
    assert not CONTROL.search(stripped) and not CONTROL.search(text)
    assert "&lt;!channel&gt;" in body
    assert "@everyone" not in stripped


def test_link_label_is_escaped_and_unsafe_urls_dropped() -> None:
    assert (
        link("https://ex.com/a?b=1&c=2", "A <b> & c|d")
        == "<https://ex.com/a?b=1&c=2|A &lt;b&gt; &amp; c¦d>"
    )
    assert link("javascript:alert(1)", "x <y>") == "x &lt;y&gt;"
    _text, blocks = render_blocks(make_alert(link="javascript:alert(1)"))
    assert "javascript" not in json.dumps(blocks)


def test_follow_up_blocks() -> None:
    text, blocks = render_follow_up_blocks(make_alert(source="Reuters <!channel>"))
    assert text.startswith("Also reported by Reuters")
    section = blocks[0]["text"]["text"]
    assert section.startswith("Also reported by *Reuters &lt;!channel&gt;*: <https://")
