"""Exponential backoff with full jitter, honouring a server's Retry-After as a floor."""

from __future__ import annotations

import random

HOUR = 3600.0


def backoff_seconds(
    failures: int,
    base: float,
    *,
    retry_after: float | None = None,
    cap: float = 6 * HOUR,
    rng: random.Random | None = None,
) -> float:
    """Delay before the next try after `failures` consecutive failures (1 = first failure)."""
    ceiling = min(cap, base * 2 ** max(0, min(failures, 30) - 1))
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay
