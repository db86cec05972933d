"""Feed text can never ping or inject markup, and truncation never breaks text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.render.sanitize import (
    ZWSP,
    discord_plain,
    discord_text,
    safe_url,
    slack_plain,
    slack_text,
)
from bot.delivery.render.truncate import truncate, utf16_len

DISCORD_PINGS = re.compile(r"@everyone|@here|<@!?\d+>|<@&\d+>|<#\d+>", re.IGNORECASE)
SLACK_CONTROL = re.compile(r"<[!@#]")


@pytest.mark.parametrize(
    "ping", ["@everyone", "@here", "@EVERYONE", "<@123>", "<@!123>", "<@&123>", "<#123>"]
)
@pytest.mark.parametrize("render", [discord_text, discord_plain])
def test_discord_mentions_are_neutralised(ping: str, render) -> None:  # type: ignore[no-untyped-def]
    out = render(f"Breaking {ping} now")
    assert not DISCORD_PINGS.search(out)
    assert ZWSP in out


def test_discord_masked_link_in_title_is_broken() -> None:
    out = discord_text("[Official statement](https://evil.example/phish)")
    assert "[Official statement](" not in out
    assert out == r"\[Official statement\](https://evil.example/phish)"


def test_discord_markdown_is_escaped() -> None:
    assert discord_text("*bold* _it_ ~~s~~ `code` ||spoiler||") == (
        r"\*bold\* \_it\_ \~\~s\~\~ \`code\` \|\|spoiler\|\|"
    )
    assert discord_text("# Heading\n> quote\n- item") == "\\# Heading\n\\> quote\n\\- item"


@pytest.mark.parametrize(
    "control",
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U024BE7LH>",
        "<#C024BE7LR>",
        "<!subteam^SAZ94GDB8>",
        "<https://evil.example|safe>",
    ],
)
def test_slack_control_sequences_are_escaped(control: str) -> None:
    out = slack_text(f"Breaking {control} now")
    assert not SLACK_CONTROL.search(out) and "<" not in out and ">" not in out
    assert "&lt;" in out


def test_slack_escapes_ampersand_first_and_breaks_bare_mass_mentions() -> None:
    assert slack_text("AT&T <b>") == "AT&amp;T &lt;b&gt;"
    assert slack_text("&lt;") == "&amp;lt;"
    assert "@channel" not in slack_text("hey @channel") and "@here" not in slack_plain("@here")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/a?b=1&c=2", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("https://ex.com/a|b", False),
        ("https://ex.com/>", False),
        ("ftp://example.com", False),
        ("https://ex ample.com", False),
        ("https://bank.example/\u202egro.live", False),  # shows one address, opens another
        ("https://ex.com/a\u200bb", False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_truncate_never_splits_a_surrogate_pair_or_grapheme() -> None:
    text = "ab" + "😀" * 10
    for limit in range(1, 24):
        out = truncate(text, limit)
        assert utf16_len(out) <= limit
        out.encode("utf-16", "strict")
    family = "👨\u200d👩\u200d👧" * 5
    out = truncate("x " + family, 12)
    assert not out.rstrip("…").endswith("\u200d")
    assert truncate("e\u0301" * 10, 6).count("\u0301") == truncate("e\u0301" * 10, 6).count("e")


def test_truncate_keeps_atoms_whole() -> None:
    link = re.compile(r"\[[^\]]*\]\([^)]*\)")
    text = "See [the full report here](https://example.com/report) for details"
    for limit in range(5, len(text)):
        out = truncate(text, limit, atoms=(link,))
        assert utf16_len(out) <= limit
        assert "](" not in out or "(https://example.com/report)" in out
    entity = re.compile(r"&(?:amp|lt|gt);")
    assert truncate("a &amp; b &lt; c", 6, atoms=(entity,)).endswith(("a…", "a &amp;…"))
    assert not truncate("ab\\*cd", 4).rstrip("…").endswith("\\")


@given(st.text(max_size=300), st.integers(min_value=0, max_value=320))
def test_truncate_property(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert utf16_len(out) <= max(limit, 0)
    if utf16_len(text) <= limit:
        assert out == text
    elif limit > 1:
        assert out.endswith("…")
        assert text.startswith(out[:-1].rstrip())
