"""The operator's report (`policy.status_report`): what `newsbot status` and `/status` print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Destination, Feed, Platform, Subscription
from bot.policy.status_report import Activity, ago, status_lines

NOW = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)


def _sub(platform: Platform, address: str, paused: bool = False) -> Subscription:
    dest = Destination(platform=platform, address=address)
    return Subscription(destination=dest, target="rule:peace-talks", paused=paused)


def test_every_fact_on_its_line_and_webhook_urls_left_out() -> None:
    feeds = [
        Feed(id=1, url="https://a.example/rss"),
        Feed(id=2, url="https://b.example/rss", failures=3, last_error="HTTP 500"),
        Feed(id=3, url="https://c.example/rss", disabled=True, last_error="HTTP 410 gone"),
    ]
    subs = [
        _sub(Platform.discord, "123"),
        _sub(Platform.discord, "456"),
        _sub(Platform.discord_webhook, "https://discord.com/api/webhooks/1/secret"),
        _sub(Platform.slack, "C0ALERTS01", paused=True),
    ]
    activity = Activity(last_poll=NOW - timedelta(seconds=30), last_dispatch=None)
    lines = status_lines(feeds, {"pending": 2, "sent": 5}, activity, subs, ["no token"], NOW)
    assert lines == [
        "feeds: 3 (1 ok, 1 failing, 1 paused)",
        "  failing https://b.example/rss (3x): HTTP 500",
        "  paused  https://c.example/rss: HTTP 410 gone",
        "outbox: 2 pending, 5 sent",
        "last poll: 2026-12-04 20:59:30Z (30s ago)",
        "last dispatch: never",
        "alerts go to: 2× discord channel, 1× discord-webhook (1 paused)",
        "warning: no token",
    ]
    assert "secret" not in "\n".join(lines)


def test_nothing_yet_says_so() -> None:
    lines = status_lines([], {}, Activity(None, None), [], [], NOW)
    assert lines[0] == "feeds: 0 (0 ok, 0 failing, 0 paused)"
    assert "outbox: empty" in lines and "alerts go to: nowhere" in lines


def test_ago_reads_in_seconds_minutes_then_hours() -> None:
    assert ago(NOW - timedelta(seconds=90), NOW).endswith("(90s ago)")
    assert ago(NOW - timedelta(minutes=30), NOW).endswith("(30 min ago)")
    assert ago(NOW - timedelta(hours=5), NOW).endswith("(5 h ago)")
