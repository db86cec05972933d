"""The discord.py client of one process: intents, sharding, the REST base and the gateway URL.

With `NEWSBOT_DISCORD_API_BASE` set (a REST proxy, or the fake Discord of the tests) every REST
call goes there, and the gateway URL is looked up from that base's `GET /gateway/bot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from bot.chat.discord.gateway import GatewayWatch, SteadyClient, SteadyShardedClient
from bot.chat.health import ConnectionHealth
from bot.config import Settings
from bot.retry import ReconnectBackoff

log = logging.getLogger(__name__)

MAX_RATELIMIT_WAIT = 60.0  # longer rate limits surface as DeliveryError(retry_after=…)


def make_client(
    settings: Settings,
    *,
    health: ConnectionHealth | None = None,
    backoff: Callable[[], ReconnectBackoff] = ReconnectBackoff,
    **options: Any,
) -> discord.Client:
    """A client with no privileged intents, sharded when shards are configured, that reconnects
    within seconds of an outage (`backoff` makes each shard's delays) and reports to `health`."""
    intents = discord.Intents.none()
    intents.guilds = True
    options.setdefault("max_ratelimit_timeout", MAX_RATELIMIT_WAIT)
    watch = GatewayWatch(health or ConnectionHealth("discord"), backoff)
    if settings.discord_shards is not None:
        # 0 lets Discord choose the shard count (from GET /gateway/bot)
        return SteadyShardedClient(
            watch=watch, intents=intents, shard_count=settings.discord_shards or None, **options
        )
    return SteadyClient(watch=watch, intents=intents, **options)


class DiscordConnection:
    """Logs the client in (REST), optionally runs the gateway, and undoes its global settings."""

    def __init__(self, settings: Settings, client: discord.Client) -> None:
        if settings.discord_token is None:
            raise ValueError("NEWSBOT_DISCORD_TOKEN is not set")
        self.token = settings.discord_token.get_secret_value()
        self.api_base = settings.discord_api_base
        self.client = client
        self._task: asyncio.Task[None] | None = None
        self._saved: tuple[str, yarl.URL] | None = None

    async def login(self) -> None:
        """Authenticate over REST; enough for posting alerts (the dispatcher role)."""
        if self.api_base:
            self._saved = (
                discord.http.Route.BASE,
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            )
            discord.http.Route.BASE = self.api_base.rstrip("/")
        await self.client.login(self.token)

    async def connect(self) -> None:
        """Open the gateway in the background (needed to receive slash commands)."""
        if self.api_base:
            _shards, url, _limits = await self.client.http.get_bot_gateway()
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            log.info("discord gateway from %s/gateway/bot: %s", self.api_base, url)
        self._task = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._task.add_done_callback(_report_gateway_end)

    async def wait_until_ready(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for READY (and the guilds), failing early if the gateway task died."""
        if self._task is None:
            raise RuntimeError("the gateway is not connected")
        waiter = asyncio.ensure_future(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            waiter.cancel()
            if self._task in done:
                self._task.result()
            raise TimeoutError(f"the Discord gateway was not ready within {timeout:.0f}s")

    async def close(self) -> None:
        await self.client.close()
        if self._task is not None:
            if not self._task.done():
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None


def _report_gateway_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord gateway stopped: %s", task.exception())
