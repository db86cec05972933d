"""/healthz as a list of named checks, run at each request, each bounded by a timeout.

A probe returns one or more Checks; one that raises or does not answer in time is a failing
check of its own name. Checks are added by whoever owns what they watch (the database and the
poll/dispatch ticks here, chat connections by the chat adapters), so the list grows by `add`.
The judgements on the figures are pure functions below, unit-tested without a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.chat_ports import HealthFigures


@dataclass(frozen=True, slots=True)
class Check:
    """One named finding: ok or not, a sentence, and figures shown beside it."""

    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, **self.data}


Probe = Callable[[], Awaitable[list[Check]]]


class Health:
    """The checks /healthz runs, plus plain facts (role, …) reported as they are."""

    def __init__(self, timeout: float = 3.0) -> None:
        self.timeout = timeout
        self.info: dict[str, Any] = {}
        self._probes: list[tuple[str, Probe]] = []

    def add(self, name: str, probe: Probe) -> None:
        self._probes.append((name, probe))

    async def run(self) -> list[Check]:
        results = await asyncio.gather(*(self._run(name, probe) for name, probe in self._probes))
        return [check for checks in results for check in checks]

    async def _run(self, name: str, probe: Probe) -> list[Check]:
        try:
            async with asyncio.timeout(self.timeout):
                return await probe()
        except TimeoutError:
            return [Check(name, False, f"no answer within {self.timeout:g} s")]
        except Exception as exc:
            text = str(exc).splitlines()[0][:300] if str(exc) else ""
            return [Check(name, False, f"{type(exc).__name__}: {text}".rstrip(": "))]


def feeds_check(figures: HealthFigures) -> Check:
    """Failing when every enabled feed's last poll failed."""
    data = {"enabled": figures.feeds_enabled, "failing": figures.feeds_failing}
    if figures.feeds_enabled and figures.feeds_failing >= figures.feeds_enabled:
        return Check("feeds", False, f"all {figures.feeds_enabled} enabled feeds are failing", data)
    return Check("feeds", True, f"{figures.feeds_failing} of {figures.feeds_enabled} failing", data)


def backlog_check(figures: HealthFigures, now: datetime, overdue_after: timedelta) -> Check:
    """Failing when deliveries have been due for longer than `overdue_after` and are not sent."""
    data: dict[str, Any] = {"pending": figures.pending, "overdue": figures.overdue}
    if not figures.overdue:
        return Check("backlog", True, f"{figures.pending} pending, none overdue", data)
    oldest = figures.oldest_overdue
    age = f", the oldest due {(now - oldest).total_seconds():.0f} s ago" if oldest else ""
    return Check(
        "backlog",
        False,
        f"{figures.overdue} deliveries due more than {overdue_after.total_seconds():g} s{age}",
        data,
    )


def tick_check(
    name: str, last: datetime | None, started: datetime, now: datetime, stale_after: timedelta
) -> Check:
    """Failing when the `name` job has not completed for `stale_after` (or since start)."""
    if last is None:
        if now - started <= stale_after:
            return Check(name, True, f"no {name} completed yet (starting)", {"last": None})
        return Check(name, False, f"no {name} has completed since start", {"last": None})
    age = (now - last).total_seconds()
    data = {"last": last.isoformat(), "age_seconds": round(age, 1)}
    if now - last > stale_after:
        return Check(name, False, f"last {name} completed {age:.0f} s ago", data)
    return Check(name, True, f"last {name} completed {age:.0f} s ago", data)
