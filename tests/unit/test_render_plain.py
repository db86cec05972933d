"""Plain-text alerts for the console: complete, and free of terminal control sequences."""

from __future__ import annotations

from bot.delivery.render.plain import render_follow_up_text, render_text
from tests.unit.render_fixtures import make_alert


def test_seed_alert_text() -> None:
    out = render_text(make_alert())
    lines = out.splitlines()
    assert (
        lines[0]
        == "[HIGH] Russia Says It Will Not Pause Military Operation in Ukraine During Peace Talks"
    )
    assert lines[1] == "Antiwar.com · 2022-04-11 18:30 UTC"
    assert "  “Now the operation will be intensified” — Denis Pushilin" in lines
    assert "  “…unacceptable…” — Sergey Lavrov" in lines
    assert lines[-1] == "Why: Peace talks (pause, Peace Talks); Actors (Sergey Lavrov)"


def test_terminal_escapes_and_bidi_overrides_are_removed() -> None:
    out = render_text(make_alert(title="\x1b[2J\x1b]0;pwned\x07Title\u202e"))
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert out.splitlines()[0].endswith("Title")


def test_follow_up_text() -> None:
    out = render_follow_up_text(make_alert(source="Reuters"))
    assert out.startswith("Also reported by Reuters: Russia Says")
    assert out.endswith("https://news.antiwar.com/2022/04/11/russia-no-pause/")
