"""What `newsbot poll --once` prints and its exit code: a pure decision over the poll's report
and the feeds' state, so a pass where every feed failed is not reported as success."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.models import Feed
from bot.poll.pipeline import PollReport


def poll_summary(
    report: PollReport, delivered: int, feeds: Sequence[Feed], now: datetime
) -> tuple[list[str], int]:
    """The lines to print and the exit code (1 when every feed polled, or due, is failing)."""
    if report.polled:
        lines = [
            f"polled {report.polled} feeds: {report.not_modified} unchanged, {report.failed} "
            f"failed, {report.new_items} new items, {len(report.alerts)} alerts, "
            f"{delivered} delivered"
        ]
        lines += [f"  {url}: {error}" for url, error in report.errors.items()]
        if report.failed == report.polled:
            lines.append("every feed failed; fix the errors above, then poll again")
            return lines, 1
        return lines, 0
    active = [f for f in feeds if not f.disabled]
    if not active:
        return ["no feeds to poll; add one with `newsbot feeds add URL` or in feeds.yaml"], 0
    failing = [f for f in active if f.failures]
    upcoming = [f.next_poll_at for f in active if f.next_poll_at is not None]
    when = f", next at {min(upcoming):%H:%M:%S}Z" if upcoming else ""
    lines = [f"no feed is due ({len(active)} feeds{when}); `poll --once --all` polls them now"]
    for feed in failing:
        lines.append(
            f"  {feed.url}: failing ({feed.failures}x), backing off: {feed.last_error or '?'}"
        )
    return lines, 1 if len(failing) == len(active) else 0
