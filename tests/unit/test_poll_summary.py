"""`poll --once`: a pass where every feed failed exits 1; a pass with nothing due says why
(backing off after errors) instead of `polled 0 feeds`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.cmd.poll_summary import poll_summary
from bot.models import Feed
from bot.poll.pipeline import PollReport

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _feed(i: int, failures: int = 0, error: str | None = None) -> Feed:
    return Feed(
        id=i,
        url=f"https://example.com/{i}.xml",
        failures=failures,
        last_error=error,
        next_poll_at=NOW + timedelta(minutes=i),
    )


def test_every_feed_failing_exits_1_and_names_each_error() -> None:
    errors = {"https://a/x": "HTTP 500", "https://b/y": "DNS"}
    report = PollReport(polled=2, failed=2, errors=errors)
    lines, code = poll_summary(report, 0, [_feed(1, 1), _feed(2, 1)], NOW)
    assert code == 1
    assert lines[0].startswith("polled 2 feeds: 0 unchanged, 2 failed")
    assert lines[1:3] == ["  https://a/x: HTTP 500", "  https://b/y: DNS"]
    assert lines[-1] == "every feed failed; fix the errors above, then poll again"


def test_some_failing_is_still_a_pass() -> None:
    report = PollReport(polled=2, failed=1, new_items=3, errors={"https://a/x": "HTTP 500"})
    lines, code = poll_summary(report, 1, [_feed(1), _feed(2, 1)], NOW)
    assert code == 0 and "3 new items" in lines[0] and "1 delivered" in lines[0]


def test_nothing_due_after_a_failure_says_so_and_exits_1() -> None:
    lines, code = poll_summary(PollReport(), 0, [_feed(1, 2, "HTTP 503")], NOW)
    assert code == 1
    assert lines == [
        "no feed is due (1 feeds, next at 12:01:00Z); `poll --once --all` polls them now",
        "  https://example.com/1.xml: failing (2x), backing off: HTTP 503",
    ]


def test_nothing_due_and_healthy_or_no_feeds_exit_0() -> None:
    assert poll_summary(PollReport(), 0, [_feed(1), _feed(2, 1)], NOW)[1] == 0
    lines, code = poll_summary(PollReport(), 0, [], NOW)
    assert code == 0 and lines[0].startswith("no feeds to poll; add one")
