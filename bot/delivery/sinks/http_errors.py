"""What an HTTP status from a chat platform means, decided once for every sink, and the one
Retry-After reading (header, as seconds or an HTTP date, else the JSON body's `retry_after`).

- 429: retry after Retry-After (1 s if none): rate limited.
- 408, 425, 5xx: retry (after Retry-After if given): the platform's trouble, passing.
- 3xx, 401, 403, 404, 410: permanent, pause the channel: the destination is gone, moved or
  closed to us.
- any other 4xx (400, 409, 413, 415, 422, …): rejected, drop this message and keep the channel:
  this request was refused, and sending it again cannot help.

Webhooks, the Discord bot and the Slack bot (its HTTP status; Slack's error codes stay its own)
all classify through `error_for_status`, so a 409 or 422 no longer loops forever on one sink
and pauses the channel on another.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from bot.ports import DeliveryError
from bot.retry import parse_retry_after

RATE_LIMIT_DEFAULT = 1.0  # seconds, when a 429 names no wait
TRANSIENT_4XX = frozenset({408, 425})
GONE = frozenset({401, 403, 404, 410})


class Outcome(StrEnum):
    retry = "retry"
    rejected = "rejected"
    permanent = "permanent"


def outcome(status: int) -> Outcome:
    """The table above, as a function."""
    if status == 429 or status in TRANSIENT_4XX or status >= 500:
        return Outcome.retry
    if status in GONE or 300 <= status < 400:
        return Outcome.permanent
    if 400 <= status < 500:
        return Outcome.rejected
    return Outcome.retry  # 1xx/2xx reported as a failure: odd, try again


def retry_after(headers: Mapping[str, Any] | None, body: Any = None) -> float | None:
    """Seconds the platform asked to wait: the Retry-After header (seconds or an HTTP date),
    else a JSON body's `retry_after` (Discord and Slack webhooks put it there), else None."""
    value = next((v for k, v in (headers or {}).items() if str(k).lower() == "retry-after"), None)
    if value is not None and (seconds := parse_retry_after(str(value))) is not None:
        return seconds
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    found = body.get("retry_after") if isinstance(body, dict) else None
    if isinstance(found, int | float) and not isinstance(found, bool):
        return max(0.0, float(found))
    return None


def error_for_status(
    platform: str, status: int, detail: str, wait: float | None = None
) -> DeliveryError:
    """The DeliveryError for an HTTP status (see the table), saying what the platform said."""
    snippet = " ".join(detail.split())[:200]
    what = f"{platform} answered HTTP {status}" + (f": {snippet}" if snippet else "")
    kind = outcome(status)
    if status == 429:
        limited = f"{platform} rate limit (429)" + (f": {snippet}" if snippet else "")
        return DeliveryError(limited, retry_after=wait or RATE_LIMIT_DEFAULT)
    if kind is Outcome.retry:
        return DeliveryError(what, retry_after=wait)
    if kind is Outcome.rejected:
        return DeliveryError(
            f"{platform} refused this message: HTTP {status} {snippet}", rejected=True
        )
    return DeliveryError(f"{platform} refused the post: HTTP {status} {snippet}", permanent=True)
