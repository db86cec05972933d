"""The chat side of /healthz and /metrics: one check over every platform's connection, and the
Prometheus series read from the same `ConnectionHealth` objects at scrape time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.chat.health import DOWN_LIMIT, ConnectionHealth


def chat_check(
    connections: Sequence[ConnectionHealth], limit: float = DOWN_LIMIT
) -> tuple[bool, dict[str, Any]]:
    """Healthy unless a platform has had no open connection for more than `limit` seconds;
    the details per platform (state, seconds since the last event, reconnects, dropped)."""
    details = {c.platform: c.snapshot() for c in connections}
    down = [c.platform for c in connections if c.failing(limit)]
    for platform in down:
        details[platform]["failing"] = f"no connection for over {limit:.0f}s"
    return not down, details


class ChatCollector(Collector):
    """Exports each platform's connection state and counters when /metrics is scraped."""

    def __init__(self, connections: Iterable[ConnectionHealth]) -> None:
        self.connections = list(connections)

    def collect(self) -> Iterator[Any]:
        connected = GaugeMetricFamily(
            "newsbot_chat_connections", "Open chat connections", labels=["platform"]
        )
        since = GaugeMetricFamily(
            "newsbot_chat_seconds_since_event",
            "Seconds since the last chat event was received",
            labels=["platform"],
        )
        down = GaugeMetricFamily(
            "newsbot_chat_down_seconds", "Seconds without any chat connection", labels=["platform"]
        )
        reconnects = CounterMetricFamily(
            "newsbot_chat_reconnects", "Connections regained after a loss", labels=["platform"]
        )
        dropped = CounterMetricFamily(
            "newsbot_chat_dropped",
            "Envelopes or interactions received and not answered, by reason",
            labels=["platform", "reason"],
        )
        for c in self.connections:
            snap = c.snapshot()
            connected.add_metric([c.platform], snap["connections"])
            if snap["seconds_since_event"] is not None:
                since.add_metric([c.platform], snap["seconds_since_event"])
            down.add_metric([c.platform], snap["down_seconds"])
            reconnects.add_metric([c.platform], snap["reconnects"])
            for reason in ("dropped", "unhandled", "too_old"):
                dropped.add_metric([c.platform, reason], snap[reason])
        yield from (connected, since, down, reconnects, dropped)
