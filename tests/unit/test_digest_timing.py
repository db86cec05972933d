"""When a daily digest is due: the decision alone, no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.policy.digest_timing import digest_due, last_slot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_the_last_slot_is_today_once_its_time_has_passed_else_yesterday() -> None:
    assert last_slot("09:30", at(5, 9, 30)) == at(5, 9, 30)
    assert last_slot("09:30", at(5, 9, 29)) == at(4, 9, 30)
    assert last_slot(None, at(5, 7)) == at(4, 8)  # the default time is 08:00


@pytest.mark.parametrize(
    ("last", "created", "now", "due"),
    [
        (None, at(1, 12), at(5, 9), True),  # never sent, subscribed days ago
        (None, at(5, 8, 30), at(5, 9), False),  # subscribed after today's slot: tomorrow
        (None, at(5, 8, 30), at(6, 8), True),
        (at(5, 8, 1), at(1, 12), at(5, 20), False),  # today's already went out
        (at(4, 8, 1), at(1, 12), at(5, 8), True),  # yesterday's did, today's is due
        (at(4, 8, 1), at(1, 12), at(5, 7, 59), False),
    ],
)
def test_digest_due(last, created, now, due) -> None:
    assert digest_due("08:00", last, created, now) is due
