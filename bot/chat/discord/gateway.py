"""A gateway that comes back within seconds of an outage, and says how it is doing.

discord.py waits up to 2^n seconds between attempts (to 1024 s) and forgets its failures only
after 34 minutes without one: after a 60 s outage the bot came back at +162 s. These clients keep
discord.py's loop (RESUME after a drop, op 7 RECONNECT, op 9 INVALID_SESSION) but take their delays
from a `ReconnectBackoff` (capped, jittered, reset once a session stayed healthy), per instance:
nothing of discord.py is patched. `GatewayWatch` turns the client's lifecycle events into
`ConnectionHealth` and INFO lines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
from discord.gateway import DiscordWebSocket, ReconnectWebSocket

from bot.chat.health import ConnectionHealth
from bot.retry import ReconnectBackoff

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0  # seconds for one attempt (discord.py: 60); HELLO comes at once
UNKNOWN_INTERACTION = 10062  # Discord's code for an interaction past its answer deadline
QUIET = frozenset({"connect", "disconnect", "ready", "resumed", "socket_event_type"})
RETRYABLE = (
    OSError,
    discord.HTTPException,
    discord.GatewayNotFound,
    discord.ConnectionClosed,
    aiohttp.ClientError,
    asyncio.TimeoutError,
)


class GatewayWatch:
    """Follows one client's sessions: which shards are up, the last event, the backoffs."""

    def __init__(
        self, health: ConnectionHealth, new_backoff: Callable[[], ReconnectBackoff]
    ) -> None:
        self.health = health
        self.new_backoff = new_backoff
        self.backoffs: dict[int | None, ReconnectBackoff] = {}
        self.up: set[int | None] = set()

    def backoff(self, shard: int | None) -> ReconnectBackoff:
        if shard not in self.backoffs:
            self.backoffs[shard] = self.new_backoff()
        return self.backoffs[shard]

    def saw(self, event: str, args: tuple[Any, ...], *, sharded: bool) -> None:
        shard = args[0] if args and isinstance(args[0], int) else None
        if event in ({"shard_ready", "shard_resumed"} if sharded else {"ready", "resumed"}):
            self.backoff(shard).up()
            if shard not in self.up:
                self.up.add(shard)
                self.health.link_up()
                log.info(
                    "Discord gateway%s %s",
                    "" if shard is None else f" shard {shard}",
                    "resumed" if event.endswith("resumed") else "ready",
                )
        elif event == ("shard_disconnect" if sharded else "disconnect"):
            if shard in self.up:
                self.up.discard(shard)
                self.health.link_down()
                log.info("Discord gateway%s lost", "" if shard is None else f" shard {shard}")
        elif event not in QUIET and not event.startswith(("shard_", "socket_")):
            self.health.event()


class SteadyClient(discord.Client):
    """`discord.Client` whose reconnect delays come from `watch` (see the module docstring)."""

    def __init__(self, *, watch: GatewayWatch, **options: Any) -> None:
        super().__init__(**options)
        self.watch = watch

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        self.watch.saw(event, args, sharded=False)
        super().dispatch(event, *args, **kwargs)

    async def connect(self, *, reconnect: bool = True) -> None:
        """discord.py's `Client.connect` loop, with the watch's backoff and a shorter attempt."""
        backoff = self.watch.backoff(None)
        ws_params: dict[str, Any] = {"initial": True, "shard_id": self.shard_id}
        while not self.is_closed():
            try:
                coro = DiscordWebSocket.from_client(self, **ws_params)
                self.ws = await asyncio.wait_for(coro, timeout=CONNECT_TIMEOUT)
                ws_params["initial"] = False
                while True:
                    await self.ws.poll_event()
            except ReconnectWebSocket as e:  # op 7, op 9, or a close code it can resume after
                log.info("Discord gateway: asked to %s", e.op.lower())
                self.dispatch("disconnect")
                ws_params.update(
                    sequence=self.ws.sequence, resume=e.resume, session=self.ws.session_id
                )
                if e.resume:
                    ws_params["gateway"] = self.ws.gateway
                continue
            except RETRYABLE as exc:
                self.dispatch("disconnect")
                if not reconnect:
                    await self.close()
                    if isinstance(exc, discord.ConnectionClosed) and exc.code == 1000:
                        return
                    raise
                if self.is_closed():
                    return
                if self.ws is None:  # never connected: nothing to resume
                    await _wait(backoff, exc)
                    continue
                if isinstance(exc, OSError) and exc.errno in (54, 10054):
                    ws_params.update(
                        sequence=self.ws.sequence,
                        gateway=self.ws.gateway,
                        initial=False,
                        resume=True,
                        session=self.ws.session_id,
                    )
                    continue
                if isinstance(exc, discord.ConnectionClosed):
                    if exc.code == 4014:
                        raise discord.PrivilegedIntentsRequired(exc.shard_id) from None
                    if exc.code != 1000:
                        await self.close()
                        raise
                await _wait(backoff, exc)
                ws_params.update(
                    sequence=self.ws.sequence,
                    gateway=self.ws.gateway,
                    resume=True,
                    session=self.ws.session_id,
                )


class SteadyShardedClient(discord.AutoShardedClient):
    """`AutoShardedClient` whose shards take their reconnect delays from `watch`."""

    def __init__(self, *, watch: GatewayWatch, **options: Any) -> None:
        options.setdefault("shard_connect_timeout", CONNECT_TIMEOUT)
        super().__init__(**options)
        self.watch = watch

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        self.watch.saw(event, args, sharded=True)
        super().dispatch(event, *args, **kwargs)

    async def launch_shard(self, gateway: Any, shard_id: int, *, initial: bool = False) -> None:
        await super().launch_shard(gateway, shard_id, initial=initial)
        shards: dict[int, Any] = getattr(self, "_AutoShardedClient__shards", {})
        if shard_id in shards:  # this instance's Shard object: its own reconnect backoff
            shards[shard_id]._backoff = self.watch.backoff(shard_id)


def note_too_old(client: discord.Client, error: BaseException) -> bool:
    """Whether `error` says the interaction was past Discord's deadline when answered (not a
    failed command); counted on the client's health and logged as such."""
    cause = getattr(error, "original", error)
    if not (isinstance(cause, discord.NotFound) and cause.code == UNKNOWN_INTERACTION):
        return False
    watch = getattr(client, "watch", None)
    if isinstance(watch, GatewayWatch):
        watch.health.too_old += 1
    return True


async def _wait(backoff: ReconnectBackoff, exc: BaseException) -> None:
    retry = backoff.delay()
    log.warning("Discord gateway unreachable (%s); again in %.1fs", _why(exc), retry)
    await asyncio.sleep(retry)


def _why(exc: BaseException) -> str:
    if isinstance(exc, discord.ConnectionClosed):
        return f"closed with {exc.code}"
    return str(exc) or type(exc).__name__
