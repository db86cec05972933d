"""The health judgements on the figures, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.runtime.health import backlog_check, feeds_check, tick_check
from bot.store.health import HealthFigures

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def figures(enabled=3, failing=0, pending=0, overdue=0) -> HealthFigures:
    oldest = NOW - timedelta(minutes=20) if overdue else None
    return HealthFigures(enabled, failing, pending, overdue, oldest)


def test_feeds_fail_only_when_all_enabled_feeds_fail():
    assert feeds_check(figures(failing=2)).ok
    assert not feeds_check(figures(failing=3)).ok
    assert feeds_check(figures(enabled=0)).ok  # nothing to poll is not an outage


def test_backlog_fails_on_overdue_deliveries_only():
    assert backlog_check(figures(pending=40), NOW, timedelta(minutes=5)).ok
    late = backlog_check(figures(pending=40, overdue=2), NOW, timedelta(minutes=5))
    assert not late.ok and "1200 s ago" in late.detail


def test_ticks_go_stale():
    stale = timedelta(minutes=10)
    assert tick_check("poll", None, NOW, NOW + timedelta(minutes=1), stale).ok
    assert not tick_check("poll", None, NOW, NOW + timedelta(minutes=11), stale).ok
    assert tick_check("poll", NOW, NOW, NOW + timedelta(minutes=9), stale).ok
    assert not tick_check("poll", NOW, NOW, NOW + timedelta(minutes=11), stale).ok
