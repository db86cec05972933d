"""Operations: Prometheus metrics and a /healthz + /metrics HTTP endpoint while the bot runs."""

from __future__ import annotations

import time
from collections.abc import Sequence

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.chat.health import DOWN_LIMIT, ConnectionHealth
from bot.runtime.chatops import ChatCollector, chat_check
from bot.runtime.health import Check, Health


class Metrics:
    """The counters the pipeline and dispatcher update; one registry per process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.polls = Counter(
            "newsbot_polls", "Feed polls by outcome", ["outcome"], registry=self.registry
        )
        self.fetch_errors = Counter(
            "newsbot_fetch_errors", "Feed polls that failed", registry=self.registry
        )
        self.items = Counter("newsbot_items", "New feed items stored", registry=self.registry)
        self.alerts = Counter("newsbot_alerts", "Alerts created", registry=self.registry)
        self.deliveries = Counter(
            "newsbot_deliveries", "Delivery attempts by result", ["result"], registry=self.registry
        )
        self.delivery_lag = Histogram(
            "newsbot_delivery_lag_seconds",
            "Time from alert to post",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800),
            registry=self.registry,
        )
        self.pending = Gauge(
            "newsbot_deliveries_pending", "Deliveries waiting in the outbox", registry=self.registry
        )
        self.last_poll = Gauge(
            "newsbot_last_poll_timestamp", "Unix time of the last poll tick", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


class OpsServer:
    """Serves /healthz and /metrics on a local port."""

    def __init__(
        self,
        metrics: Metrics,
        health: Health,
        host: str,
        port: int,
        *,
        chat: Sequence[ConnectionHealth] = (),
        chat_down_limit: float = DOWN_LIMIT,
    ) -> None:
        self.metrics = metrics
        self.health = health
        self.chat = list(chat)
        self.chat_down_limit = chat_down_limit
        if self.chat:
            metrics.registry.register(ChatCollector(self.chat))
            health.add("chat", self._chat_probe)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self.started = time.time()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self._runner.addresses:
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _chat_probe(self) -> list[Check]:
        """Failing once a platform has had no open connection for longer than the limit."""
        ok, details = chat_check(self.chat, self.chat_down_limit)
        detail = "every chat connection is up" if ok else "a chat platform is disconnected"
        return [Check("chat", ok, detail, {"platforms": details})]

    async def _healthz(self, _request: web.Request) -> web.Response:
        """200 and "ok" only when every check passes now; else 503 and "failing"."""
        checks = await self.health.run()
        ok = all(c.ok for c in checks)
        body = {
            "status": "ok" if ok else "failing",
            "uptime_seconds": round(time.time() - self.started, 1),
            **self.health.info,
            "failing": [c.name for c in checks if not c.ok],
            "checks": [c.as_json() for c in checks],
        }
        chat = next((c.data["platforms"] for c in checks if c.name == "chat"), None)
        if chat is not None:  # per platform: state, seconds since the last event, reconnects…
            body["chat"] = chat
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
