"""`newsbot run`: the long-running process, its jobs chosen by role, until SIGINT/SIGTERM."""

from __future__ import annotations

import logging

from bot.app import App
from bot.config import Settings
from bot.ops import OpsServer
from bot.scheduler import Ticker

log = logging.getLogger(__name__)


async def run(settings: Settings, *, role: str = "all") -> int:
    """Start the jobs for `role` (all, poller, dispatcher, chat) and run until signalled."""
    app = await App(settings).open()
    ops: OpsServer | None = None
    try:
        if settings.metrics_port:
            ops = OpsServer(app.metrics, app.health, settings.metrics_host, settings.metrics_port)
            await ops.start()
            log.info("health and metrics on http://%s:%d/healthz", settings.metrics_host, ops.port)
        ticker = Ticker()
        if role in {"all", "poller"}:
            ticker.every(settings.poll_tick_seconds, "poll", app.poll_once)
        if role in {"all", "dispatcher"}:
            ticker.every(settings.dispatch_tick_seconds, "dispatch", app.dispatch_once)
        ticker.every(settings.housekeeping_seconds, "housekeeping", app.housekeeping)
        app.health["role"] = role
        await ticker.run_until_signalled()
    finally:
        if ops is not None:
            await ops.stop()
        await app.close()
    log.info("stopped cleanly")
    return 0
