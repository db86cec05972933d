"""The one "is follow-up" rule every sink uses: a later report of a story, posted where the
story's first alert was."""

from __future__ import annotations

from pathlib import Path

from bot.delivery.sinks.follow_up import as_follow_up
from bot.models import Alert

SINKS = Path(__file__).resolve().parents[2] / "bot" / "delivery" / "sinks"


def alert(alert_id: int, story_id: int | None) -> Alert:
    return Alert(id=alert_id, feed_id=1, item_identity=f"i{alert_id}", title="T", story_id=story_id)


def test_a_later_report_is_a_follow_up_only_where_the_first_was_posted() -> None:
    later = alert(2, story_id=1)
    assert as_follow_up(later, "1700000000.000100")
    assert as_follow_up(later, 123456789012345678)  # a Discord thread id
    assert not as_follow_up(later, None)  # this channel never got the first: posted whole


def test_a_story_first_alert_or_a_lone_alert_is_never_a_follow_up() -> None:
    assert not as_follow_up(alert(1, story_id=1), "1700000000.000100")  # the story's first
    assert not as_follow_up(alert(3, story_id=None), "1700000000.000100")


def test_no_sink_decides_it_on_its_own() -> None:
    own = {
        path.name
        for path in SINKS.glob("*.py")
        if path.name != "follow_up.py" and "is_follow_up" in path.read_text(encoding="utf-8")
    }
    assert own == set(), f"use follow_up.as_follow_up in {sorted(own)}"
