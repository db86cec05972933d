"""Turn a chat platform's HTTP answer into a DeliveryError that says whether to retry."""

from __future__ import annotations

from bot.ports import DeliveryError

PERMANENT_STATUSES = {401, 403, 404, 410}
REJECTED_STATUSES = {400, 413}
"""The request itself was refused (a malformed or oversized message): drop it, not the channel."""


def error_for_status(
    platform: str, status: int, body: str, retry_after: float | None
) -> DeliveryError:
    """429 and 5xx are retried; 400/413 drop this message; other 4xx (unknown webhook, no
    permission) are permanent."""
    snippet = body.strip().replace("\n", " ")[:200]
    if status == 429:
        return DeliveryError(f"{platform} rate limit (429)", retry_after=retry_after or 1.0)
    if status in REJECTED_STATUSES:
        return DeliveryError(
            f"{platform} refused this message: HTTP {status} {snippet}", rejected=True
        )
    if status in PERMANENT_STATUSES:
        return DeliveryError(
            f"{platform} refused the post: HTTP {status} {snippet}", permanent=True
        )
    return DeliveryError(f"{platform} answered HTTP {status} {snippet}", retry_after=retry_after)
