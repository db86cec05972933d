"""When to try again: exponential backoff with jitter, and the server's Retry-After header.

Shared by the feed poller (per feed), the dispatcher (per delivery) and the chat connections.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

HOUR = 3600.0


def backoff_seconds(
    failures: int,
    base: float,
    *,
    retry_after: float | None = None,
    cap: float = 6 * HOUR,
    rng: random.Random | None = None,
) -> float:
    """Delay after `failures` consecutive failures (1 = first): "equal jitter" in
    [c/2, c] with c = base·2^(failures-1) up to `cap`, never less than Retry-After."""
    ceiling = min(cap, base * 2.0 ** (max(0, min(failures, 64)) - 1))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, cap))
    return delay


class ReconnectBackoff:
    """Delays between attempts to reach a chat gateway: equal jitter, capped low so the end of an
    outage is noticed within `cap` seconds, and back to `base` once a session has stayed up for
    `healthy_after` seconds. Speaks discord.py's backoff interface (`delay()`); `up()` is called
    when a session is ready or resumed. `schedule` keeps every delay handed out."""

    def __init__(
        self,
        base: float = 1.0,
        cap: float = 8.0,
        *,
        healthy_after: float = 180.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.base, self.cap, self.healthy_after = base, cap, healthy_after
        self.clock = clock
        self.rng = rng or random.Random()
        self.failures = 0
        self.up_since: float | None = None
        self.schedule: list[float] = []

    def up(self) -> None:
        """A session is ready (or resumed): it starts proving itself healthy from now."""
        if self.up_since is None:
            self.up_since = self.clock()

    def delay(self) -> float:
        """Seconds to wait before the next attempt; a session healthy long enough starts over."""
        if self.up_since is not None and self.clock() - self.up_since >= self.healthy_after:
            self.failures = 0
        self.up_since = None
        self.failures += 1
        wait = backoff_seconds(self.failures, self.base, cap=self.cap, rng=self.rng)
        self.schedule.append(wait)
        return wait


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
