"""Socket Mode without gaps: several connections at once, each replaced before it is let go.

slack_sdk's client keeps one socket and closes it before opening the next, so envelopes sent in
between (or in flight on the old socket) are lost. Slack allows several connections per app and
spreads envelopes over them; here `size` slots each keep one open. When Slack asks a connection
to go (`disconnect`: `refresh_requested`, `warning`…), its slot opens the replacement at once while
the old one is still read and answered until Slack closes it (or `drain_seconds` pass). A dead
socket is noticed by WebSocket pings within about 1.5 × `ping_interval`. Every envelope is acked
on the socket it came by (any open one if that is gone), once per envelope id; one no listener
wanted is acked, counted and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.health import ConnectionHealth
from bot.retry import backoff_seconds

log = logging.getLogger(__name__)

CONNECTIONS = 2  # Slack allows up to 10 per app
PING_INTERVAL = 2.0  # seconds; a socket that does not answer a ping is closed 1 s later
DRAIN_SECONDS = 10.0  # Slack closes a socket it asked to go within seconds; this is a backstop
RETRY_BASE, RETRY_CAP = 0.5, 5.0  # seconds between failed attempts to open a connection
SEEN = 2000  # envelope ids remembered to answer a redelivery with the same ack


def where(url: str) -> str:
    """A Socket Mode URL fit for a log line: without its single-use ticket."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


@dataclass(eq=False)
class Link:
    """One open WebSocket and what it has been told."""

    ws: aiohttp.ClientWebSocketResponse
    name: str
    greeted: asyncio.Event = field(default_factory=asyncio.Event)
    retiring: asyncio.Event = field(default_factory=asyncio.Event)
    counted: bool = False


class SocketModeLinks:
    """Keeps `size` Socket Mode connections of one app open and feeds their envelopes to bolt."""

    def __init__(
        self,
        app: AsyncApp,
        web_client: AsyncWebClient,
        app_token: str,
        *,
        health: ConnectionHealth,
        size: int = CONNECTIONS,
        ping_interval: float = PING_INTERVAL,
        drain_seconds: float = DRAIN_SECONDS,
    ) -> None:
        self.app = app
        self.web_client = web_client
        self.app_token = app_token
        self.health = health
        self.size = size
        self.ping_interval = ping_interval
        self.drain_seconds = drain_seconds
        self.links: list[Link] = []
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._acks: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
        self._closed = False
        self._opened = 0

    async def start(self) -> None:
        """Ask for the first URL (a refused token raises SlackApiError) and open the slots; a
        socket that cannot be opened yet is retried by its slot."""
        self._session = aiohttp.ClientSession()
        url = await self.new_url()
        try:
            first: Link | None = await self._open(url)
        except (aiohttp.ClientError, OSError) as exc:
            log.warning("Slack: could not open Socket Mode yet (%s); retrying", exc)
            first = None
        for slot in range(self.size):
            self._spawn(self._keep_open(slot, first if slot == 0 else None), f"slack-socket-{slot}")

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for link in list(self.links):
            with contextlib.suppress(Exception):
                await link.ws.close()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()

    async def new_url(self) -> str:
        response = await self.web_client.apps_connections_open(app_token=self.app_token)
        return str(response["url"])

    # ------------------------------------------------------------------ connections

    async def _keep_open(self, slot: int, link: Link | None) -> None:
        """One slot: a connection open at all times; a replacement opened before the old goes."""
        failures = 0
        while not self._closed:
            if link is None:
                try:
                    link = await self._open(await self.new_url())
                except (SlackApiError, SlackClientError, aiohttp.ClientError, OSError) as exc:
                    failures += 1
                    delay = backoff_seconds(failures, RETRY_BASE, cap=RETRY_CAP)
                    log.warning(
                        "Slack: could not open Socket Mode connection %d (%s); again in %.1fs",
                        slot,
                        _reason(exc),
                        delay,
                    )
                    await asyncio.sleep(delay)
                    continue
            failures = 0
            reader = self._spawn(self._read(link), f"{link.name}-reader")
            retiring = asyncio.ensure_future(link.retiring.wait())
            try:
                await asyncio.wait({reader, retiring}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                retiring.cancel()
            if link.retiring.is_set() and not reader.done():
                self._spawn(self._drain(link, reader), f"{link.name}-drain")
            link = None

    async def _open(self, url: str) -> Link:
        assert self._session is not None
        try:
            ws = await self._session.ws_connect(
                url, heartbeat=self.ping_interval, autoping=True, max_msg_size=0
            )
        except aiohttp.WSServerHandshakeError as exc:  # the URL (with its ticket) stays out
            raise aiohttp.ClientError(f"upgrade refused ({exc.status})") from None
        except aiohttp.ClientConnectorError as exc:
            raise aiohttp.ClientError(f"cannot connect to {where(url)}: {exc.os_error}") from None
        self._opened += 1
        link = Link(ws, f"slack-socket#{self._opened}")
        self.links.append(link)
        return link

    async def _drain(self, link: Link, reader: asyncio.Task[None]) -> None:
        """Keep answering on a socket Slack asked to go until it closes it (or time is up)."""
        done, _ = await asyncio.wait({reader}, timeout=self.drain_seconds)
        if not done:
            log.info("Slack: %s was not closed by Slack; closing it", link.name)
            await link.ws.close()

    async def _read(self, link: Link) -> None:
        try:
            async for message in link.ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    self._received(link, message.data)
        finally:
            self.links.remove(link)
            if link.counted:
                self.health.link_down()
            reason = link.ws.exception() or f"closed ({link.ws.close_code})"
            level = logging.INFO if link.retiring.is_set() or self._closed else logging.WARNING
            log.log(level, "Slack: %s ended: %s", link.name, reason)

    def _received(self, link: Link, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("Slack: %s sent a frame that is not JSON; ignored", link.name)
            return
        kind = message.get("type")
        if kind == "hello":
            link.greeted.set()
            link.counted = True
            self.health.link_up()
            log.info(
                "Slack: %s open (%s of this app's connections)",
                link.name,
                message.get("num_connections", "?"),
            )
        elif kind == "disconnect":
            log.info(
                "Slack: %s asked to reconnect (%s); opening its replacement first",
                link.name,
                message.get("reason"),
            )
            link.retiring.set()
        elif isinstance(message.get("envelope_id"), str):
            self.health.event()
            self._spawn(self._answer(link, message), f"{link.name}-envelope")
        else:
            log.warning("Slack: %s sent an unknown message type %r; ignored", link.name, kind)

    # ------------------------------------------------------------------ envelopes

    async def _answer(self, link: Link, envelope: dict[str, Any]) -> None:
        envelope_id = str(envelope["envelope_id"])
        if envelope_id in self._acks:  # redelivered (a retry, or a second connection)
            if (earlier := self._acks[envelope_id]) is not None:
                await self._send_ack(link, earlier)
            return
        self._acks[envelope_id] = None
        while len(self._acks) > SEEN:
            self._acks.popitem(last=False)
        ack: dict[str, Any] = {"envelope_id": envelope_id}
        try:
            payload = await self._dispatch(envelope)
        except Exception:
            log.exception("Slack: handling a %s envelope failed", envelope.get("type"))
            payload = None
        if payload:
            ack["payload"] = payload
        self._acks[envelope_id] = ack
        await self._send_ack(link, ack)

    async def _dispatch(self, envelope: dict[str, Any]) -> dict[str, Any] | None:
        """Run bolt on the envelope's payload; the ack payload its listener gave, if any."""
        headers: dict[str, str | Sequence[str]] = {}
        if envelope.get("retry_attempt") is not None:
            headers["x-slack-retry-num"] = str(envelope["retry_attempt"])
        if envelope.get("retry_reason") is not None:
            headers["x-slack-retry-reason"] = str(envelope["retry_reason"])
        payload = envelope.get("payload")
        request = AsyncBoltRequest(
            mode="socket_mode",
            body=payload if isinstance(payload, dict) else {},
            headers=headers or None,
        )
        response: BoltResponse = await self.app.async_dispatch(request)
        if response.status != 200:
            self.health.unhandled += 1
            log.warning(
                "Slack: no listener for a %s envelope (%s); acked so Slack does not resend it",
                envelope.get("type"),
                _payload_kind(payload),
            )
            return None
        if not response.body:
            return None
        content_type = (response.headers.get("content-type") or [""])[0]
        if content_type.startswith("application/json"):
            body: dict[str, Any] = json.loads(response.body)
            return body
        return {"text": response.body}

    async def _send_ack(self, link: Link, ack: dict[str, Any]) -> None:
        """On the socket the envelope came by; if it is gone, on any open one."""
        text = json.dumps(ack)
        for candidate in [link, *(other for other in self.links if other is not link)]:
            if candidate.ws.closed:
                continue
            try:
                await candidate.ws.send_str(text)
                return
            except (ConnectionError, RuntimeError, aiohttp.ClientError):
                continue
        self.health.dropped += 1
        log.warning("Slack: envelope %s not acked: no connection is open", ack["envelope_id"])

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _reason(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        return str(data.get("error") or exc.response.status_code)
    return str(exc) or type(exc).__name__


def _payload_kind(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "no payload"
    event = payload.get("event")
    if isinstance(event, dict):
        return f"event {event.get('type')}"
    return str(payload.get("type") or payload.get("command") or "payload")
