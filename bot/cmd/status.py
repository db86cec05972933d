"""`newsbot status`: the operator's view — feeds ok / failing / paused, the outbox backlog,
the last poll and dispatch, and where alerts go (with a warning when they go nowhere)."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from bot.config import Settings
from bot.models import Feed, Platform, Subscription
from bot.policy.reach import where
from bot.runtime.app import App
from bot.store.activity import Activity, last_activity


def _ago(when: datetime | None, now: datetime) -> str:
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
    lines.append(f"last poll: {_ago(activity.last_poll, now)}")
    lines.append(f"last dispatch: {_ago(activity.last_dispatch, now)}")
    live = Counter(_kind(s) for s in subscriptions if not s.paused)
    places = ", ".join(f"{n}× {name}" for name, n in sorted(live.items())) or "nowhere"
    paused_subs = sum(1 for s in subscriptions if s.paused)
    lines.append(f"alerts go to: {places}" + (f" ({paused_subs} paused)" if paused_subs else ""))
    lines += [f"warning: {w}" for w in warnings]
    return lines


async def gather(app: App) -> list[str]:
    """Read the store and build the report (and the same warnings `newsbot run` logs)."""
    feeds = await app.store.feeds.all()
    subscriptions = await app.store.subscriptions.all()
    warnings = await app.reach_warnings()
    return status_lines(
        feeds,
        await app.store.outbox.counts(),
        await last_activity(app.store.engine),
        subscriptions,
        warnings,
        app.clock(),
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `newsbot status` to the command line."""
    sub.add_parser("status", help="feeds, outbox, last poll and dispatch, where alerts go")
    sub.choices["status"].set_defaults(handler=_status)


async def _status(_args: argparse.Namespace, settings: Settings) -> int:
    app = await App(settings).open()
    try:
        lines = await gather(app)
    finally:
        await app.close()
    print("\n".join(lines))
    return 0
