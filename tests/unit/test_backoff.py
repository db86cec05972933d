"""Backoff grows, jitters, caps, and never undercuts the server's Retry-After."""

from __future__ import annotations

import random
import time
from email.utils import formatdate

from bot.retry import backoff_seconds, parse_retry_after


def test_retry_after_parsing():
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after(formatdate(time.time() - 60, usegmt=True)) == 0.0
    ahead = parse_retry_after(formatdate(time.time() + 120, usegmt=True))
    assert ahead is not None and 100 < ahead <= 121


def test_backoff_doubles_with_jitter_and_caps():
    rng = random.Random(1)
    draws = [backoff_seconds(3, 60, rng=rng) for _ in range(500)]
    assert 120 <= min(draws) < 130 and 230 < max(draws) <= 240
    assert backoff_seconds(1000, 60, rng=rng) <= 6 * 3600
    assert 30 <= backoff_seconds(1, 60, rng=rng) <= 60


def test_backoff_honours_retry_after_as_floor():
    rng = random.Random(2)
    assert all(backoff_seconds(1, 10, retry_after=900, rng=rng) >= 900 for _ in range(100))
    assert backoff_seconds(1, 10, retry_after=10**9, cap=3600, rng=rng) == 3600
