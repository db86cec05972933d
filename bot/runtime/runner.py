"""`newsbot run`: the long-running process, its jobs chosen by role, until SIGINT/SIGTERM."""

from __future__ import annotations

import gc
import logging

from bot.chat.guard import shared_scope_warning
from bot.config import Settings
from bot.poll.scheduler import Ticker
from bot.runtime.app import App
from bot.runtime.ops import OpsServer

log = logging.getLogger(__name__)
RETRAIN_SECONDS = 120
"""How often rules whose votes changed are retrained (only those; most ticks do nothing)."""


async def run(settings: Settings, *, role: str = "all") -> int:
    """Start the jobs for `role` (all, poller, dispatcher, chat) and run until signalled."""
    if warning := shared_scope_warning(settings.owners):
        log.warning(warning)
    discord_bot = None
    if settings.discord_token is not None and role != "poller":
        from bot.chat.discord.app import DiscordBot

        discord_bot = DiscordBot(settings)
    slack_bot = None
    if settings.slack_bot_token is not None and role != "poller":
        from bot.chat.slack.app import SlackBot

        slack_bot = SlackBot(settings)
    if role == "chat" and discord_bot is None and slack_bot is None:
        log.warning(
            "--role chat has no chat to answer: set NEWSBOT_DISCORD_TOKEN or "
            "NEWSBOT_SLACK_BOT_TOKEN; only housekeeping runs"
        )
    sinks = {**(discord_bot.sinks if discord_bot else {}), **(slack_bot.sinks if slack_bot else {})}
    app = await App(settings, extra_sinks=sinks).open()
    if role in {"all", "dispatcher"}:  # the roles that post: say when alerts go nowhere
        for line in await app.reach_warnings():
            log.warning(line)
    ops: OpsServer | None = None
    try:
        chats = role in {"all", "chat"}  # the dispatcher role needs REST only, not the gateway
        if discord_bot is not None:
            await discord_bot.start(
                app.command_service() if chats else None, app.feedback_service() if chats else None
            )
        if slack_bot is not None:
            await slack_bot.start(
                app.command_service() if chats else None,
                feedback=app.feedback_service() if chats else None,
            )
        app.watch_health(role)
        if settings.metrics_port:
            chat = [b.health for b in (discord_bot, slack_bot) if b is not None and b.listens]
            ops = OpsServer(
                app.metrics,
                app.health,
                settings.metrics_host,
                settings.metrics_port,
                chat=chat,
                chat_down_limit=settings.chat_down_seconds,
            )
            await ops.start()
            log.info("health and metrics on http://%s:%d/healthz", settings.metrics_host, ops.port)
        gc.freeze()  # what start-up built lives as long as the process: out of full collections
        ticker = Ticker(settings.shutdown_grace_seconds)
        if role in {"all", "poller"}:
            ticker.every(settings.poll_tick_seconds, "poll", app.poll_tick)
            ticker.every(RETRAIN_SECONDS, "retrain", app.retrain)
        if role in {"all", "dispatcher"}:
            # beside pollers in other processes the tick is how a dispatcher learns of work;
            # with its own poller (`all`) it only needs to look when a retry or lease is due
            dispatch = app.dispatch_tick if role == "all" else app.dispatch_once
            ticker.every(settings.dispatch_tick_seconds, "dispatch", dispatch)
            ticker.every(60, "digest", app.send_digests)
        if role == "all":  # a new alert goes out right after its poll, not at the next tick
            app.pipeline.on_alerts = app.dispatch_soon
        ticker.every(settings.housekeeping_seconds, "housekeeping", app.housekeeping)
        await ticker.run_until_signalled()
    finally:
        if discord_bot is not None:
            await discord_bot.close()
        if slack_bot is not None:
            await slack_bot.close()
        if ops is not None:
            await ops.stop()
        await app.close()
    log.info("stopped cleanly")
    return 0
