"""What a chat connection's health looks like from outside: up or down since when, the last event
received, reconnects, and what was dropped; one per platform, read by /healthz and /metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DOWN_LIMIT = 60.0  # seconds a platform may stay disconnected before health says failing


@dataclass
class ConnectionHealth:
    """Counters a platform's connection code updates; `snapshot` is what health reports."""

    platform: str
    clock: Callable[[], float] = time.monotonic
    links: int = 0  # connections open and greeted (Slack keeps two; a Discord shard is one)
    ever_up: bool = False
    reconnects: int = 0
    dropped: int = 0  # envelopes or interactions received and never answered
    unhandled: int = 0  # envelopes no listener wanted (acked, so Slack does not retry them)
    too_old: int = 0  # interactions that arrived after the platform's deadline to answer
    last_event: float | None = None
    down_since: float | None = field(default=None)

    def __post_init__(self) -> None:
        self.down_since = self.clock()

    @property
    def connected(self) -> bool:
        return self.links > 0

    def link_up(self) -> None:
        """One more connection is open; the first after a loss counts as a reconnect."""
        if self.ever_up and self.links == 0:
            self.reconnects += 1
        self.links += 1
        self.ever_up = True
        self.down_since = None

    def link_down(self) -> None:
        self.links = max(0, self.links - 1)
        if self.links == 0 and self.down_since is None:
            self.down_since = self.clock()

    def event(self) -> None:
        self.last_event = self.clock()

    def down_for(self) -> float:
        """Seconds without any open connection (0 while connected)."""
        return 0.0 if self.down_since is None else self.clock() - self.down_since

    def failing(self, limit: float = DOWN_LIMIT) -> bool:
        return self.down_since is not None and self.down_for() > limit

    def snapshot(self) -> dict[str, Any]:
        now = self.clock()
        return {
            "state": "connected" if self.connected else "down",
            "connections": self.links,
            "down_seconds": round(self.down_for(), 1),
            "seconds_since_event": None
            if self.last_event is None
            else round(now - self.last_event, 1),
            "reconnects": self.reconnects,
            "dropped": self.dropped,
            "unhandled": self.unhandled,
            "too_old": self.too_old,
        }
