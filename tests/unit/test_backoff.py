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


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def outage(backoff, clock: FakeClock, seconds: float, attempt: float = 0.2) -> float:
    """Seconds from the outage's end to the first attempt that finds the gateway again (each
    failed attempt takes `attempt` seconds, then waits what the backoff says)."""
    end = clock.now + seconds
    while True:
        clock.now += attempt
        if clock.now >= end:
            return clock.now - end
        clock.now += backoff.delay()


def test_gateway_backoff_finds_the_end_of_an_outage_within_ten_seconds():
    from bot.retry import ReconnectBackoff

    clock = FakeClock()
    backoff = ReconnectBackoff(clock=clock, rng=random.Random(7))
    backoff.up()
    clock.now += 3600  # a healthy hour, then a 60 s outage
    assert outage(backoff, clock, 60) <= 10
    assert max(backoff.schedule) <= 8 and len(backoff.schedule) >= 8
    backoff.up()
    clock.now += 180  # three minutes up, then a second (short) outage
    first_of_second = len(backoff.schedule)
    assert outage(backoff, clock, 5) <= 10
    assert backoff.schedule[first_of_second] <= 1.0  # healthy long enough: started over


def test_gateway_backoff_does_not_start_over_after_a_session_that_flaps():
    from bot.retry import ReconnectBackoff

    clock = FakeClock()
    backoff = ReconnectBackoff(base=1.0, cap=8.0, clock=clock, rng=random.Random(3))
    for _ in range(6):
        backoff.up()
        clock.now += 5  # up for 5 s only, then down again
        backoff.delay()
    assert backoff.failures == 6 and 4.0 <= backoff.schedule[-1] <= 8.0


def test_discord_py_backoff_would_stay_away_long_after_the_outage():
    """The baseline: discord.py's own ExponentialBackoff (2^n up to 1024 s, reset after 34 min
    without failure) leaves the bot away far longer than 10 s after a 60 s outage."""
    from discord.backoff import ExponentialBackoff

    late = []
    for seed in range(20):
        backoff = ExponentialBackoff()
        backoff._randfunc = random.Random(seed).uniform  # type: ignore[attr-defined]
        late.append(outage(backoff, FakeClock(), 60))
    assert max(late) > 10 and sorted(late)[len(late) // 2] > 10
