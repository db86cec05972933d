"""When to try again: exponential backoff with jitter, and the server's Retry-After header.

Shared by the feed poller (per feed) and the dispatcher (per delivery).
"""

from __future__ import annotations

import random
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
