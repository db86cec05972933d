"""The operator's view as lines: feeds ok / failing / paused, the outbox backlog, the last poll
and dispatch, where alerts go and why they may not. Pure; `App.status_report` gathers the facts
and both `newsbot status` and the admins' `/status` in chat print these same lines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import Feed, Platform, Subscription
from bot.policy.reach import where


@dataclass(frozen=True)
class Activity:
    """When the bot last polled a feed and last posted an alert (None: never)."""

    last_poll: datetime | None
    last_dispatch: datetime | None


def ago(when: datetime | None, now: datetime) -> str:
    """`2026-12-04 21:00:00Z (3 min ago)`, or `never`."""
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    span = f"{seconds}s" if seconds < 120 else f"{seconds // 60} min"
    span = span if seconds < 7200 else f"{seconds // 3600} h"
    return f"{when:%Y-%m-%d %H:%M:%S}Z ({span} ago)"


def _kind(sub: Subscription) -> str:
    """`discord channel`, `slack channel`, `discord-webhook`, `console`: counted, not listed."""
    platform = sub.destination.platform
    return (
        f"{platform.value} channel"
        if platform in (Platform.discord, Platform.slack)
        else (where(sub).removeprefix("a ").removeprefix("the "))
    )


def status_lines(
    feeds: Sequence[Feed],
    outbox: dict[str, int],
    activity: Activity,
    subscriptions: Sequence[Subscription],
    warnings: Sequence[str],
    now: datetime,
) -> list[str]:
    """The status report, one fact a line."""
    paused = [f for f in feeds if f.disabled]
    failing = [f for f in feeds if not f.disabled and f.failures]
    ok = len(feeds) - len(paused) - len(failing)
    lines = [f"feeds: {len(feeds)} ({ok} ok, {len(failing)} failing, {len(paused)} paused)"]
    lines += [f"  failing {f.url} ({f.failures}x): {f.last_error or '?'}" for f in failing]
    lines += [f"  paused  {f.url}: {f.last_error or 'disabled'}" for f in paused]
    backlog = ", ".join(f"{n} {state}" for state, n in sorted(outbox.items())) or "empty"
    lines.append(f"outbox: {backlog}")
    lines.append(f"last poll: {ago(activity.last_poll, now)}")
    lines.append(f"last dispatch: {ago(activity.last_dispatch, now)}")
    live = Counter(_kind(s) for s in subscriptions if not s.paused)
    places = ", ".join(f"{n}× {name}" for name, n in sorted(live.items())) or "nowhere"
    paused_subs = sum(1 for s in subscriptions if s.paused)
    lines.append(f"alerts go to: {places}" + (f" ({paused_subs} paused)" if paused_subs else ""))
    lines += [f"warning: {w}" for w in warnings]
    return lines
