"""Turn a chat platform's HTTP answer into a DeliveryError that says whether to retry."""

from __future__ import annotations

from bot.ports import DeliveryError

PERMANENT_STATUSES = {400, 401, 403, 404, 410}


def error_for_status(
    platform: str, status: int, body: str, retry_after: float | None
) -> DeliveryError:
    """429 and 5xx are retried; 4xx (unknown webhook, no permission, bad request) is permanent."""
    snippet = body.strip().replace("\n", " ")[:200]
    if status == 429:
        return DeliveryError(f"{platform} rate limit (429)", retry_after=retry_after or 1.0)
    if status in PERMANENT_STATUSES:
        return DeliveryError(
            f"{platform} refused the post: HTTP {status} {snippet}", permanent=True
        )
    return DeliveryError(f"{platform} answered HTTP {status} {snippet}", retry_after=retry_after)
