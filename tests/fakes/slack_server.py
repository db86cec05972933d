"""A fake Slack on loopback: Web API, response_url, incoming webhooks and Socket Mode.

Point ``AsyncWebClient(base_url=fake.base_url)`` at it (the base URL ends with
``/api/``). Socket Mode works on loopback with the unmodified aiohttp-based
``slack_sdk.socket_mode.aiohttp.SocketModeClient`` (what bolt's
``AsyncSocketModeHandler`` uses): ``apps.connections.open`` hands out a plain
``ws://127.0.0.1:PORT/link/?ticket=…`` URL, which ``aiohttp.ClientSession.ws_connect``
accepts as readily as ``wss://``.

Everything received is recorded as plain dicts. Helpers build real slash-command
requests: :func:`slash_command_body` and :func:`sign_request`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.fakes.uploads import Upload
from tests.fakes.waits import RECHECK_SECONDS, WAIT_SECONDS

T = TypeVar("T")


# --------------------------------------------------------------------------- request helpers


def sign_request(secret: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with a signed request: ``v0=HMAC_SHA256(secret, v0:ts:body)``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.decode() if isinstance(body, bytes) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def slash_command_payload(
    command: str = "/newsbot",
    text: str = "",
    *,
    user_id: str = "U0ADMIN001",
    user_name: str = "admin",
    channel_id: str = "C0ALERTS01",
    channel_name: str = "alerts",
    team_id: str = "T0NEWSROOM",
    team_domain: str = "newsroom",
    response_url: str = "https://hooks.slack.com/commands/T0NEWSROOM/1/fake",
    api_app_id: str = "A0NEWSBOT1",
    trigger_id: str | None = None,
) -> dict[str, str]:
    """The fields of a slash-command invocation, as Slack sends them (all strings)."""
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id
        or f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}",
    }


def slash_command_body(command: str = "/newsbot", text: str = "", **fields: Any) -> str:
    """The urlencoded form body of a slash-command POST (see :func:`slash_command_payload`)."""
    return urlencode(slash_command_payload(command, text, **fields))


# --------------------------------------------------------------------------- world


@dataclass
class SlackUser:
    id: str
    name: str
    real_name: str = ""
    is_admin: bool = False
    is_owner: bool = False
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False

    def to_dict(self, team_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name or self.name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": {
                "real_name": self.real_name or self.name,
                "display_name": self.name,
                "team": team_id,
            },
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1_648_000_000,
        }


@dataclass
class SlackChannel:
    id: str
    name: str
    is_member: bool = True
    is_private: bool = False
    is_archived: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": 1_648_000_000,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_member": self.is_member,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


def default_users() -> list[SlackUser]:
    return [
        SlackUser("U0OWNER001", "owner", "Olga Owner", True, True, True),
        SlackUser("U0ADMIN001", "admin", "Ada Admin", is_admin=True),
        SlackUser("U0MEMBER01", "member", "Mo Member"),
        SlackUser("U0BOT00001", "newsbot", "newsbot", is_bot=True),
    ]


def default_channels() -> list[SlackChannel]:
    return [
        SlackChannel("C0ALERTS01", "alerts"),
        SlackChannel("C0GENERAL1", "general"),
        SlackChannel("C0OUTSIDE1", "outside", is_member=False),
    ]


@dataclass
class Fault:
    method: re.Pattern[str]
    status: int
    count: int
    retry_after: int
    error: str | None
    served: int = 0


@dataclass(eq=False)
class SocketConnection:
    ws: web.WebSocketResponse
    ticket: str
    request: web.Request | None = None
    opened_at: float = field(default_factory=time.time)
    retiring_at: float | None = None  # when Slack sent it `disconnect`
    frozen: bool = False  # half-open: nothing read, no pong
    sent: list[str] = field(default_factory=list)  # envelope ids pushed on it
    acked: list[str] = field(default_factory=list)  # envelope ids acked on it


# --------------------------------------------------------------------------- server


class FakeSlack:
    """Loopback Slack: ``async with FakeSlack() as fake: ...``.

    Records: ``calls`` (every Web API call: method, args, token), ``messages``
    (chat.postMessage and incoming-webhook posts; ``channel_messages(id)``),
    ``ephemerals``, ``updates``, ``responses`` (response_url posts),
    ``webhook_posts``, ``socket_acks``, ``faults_served``, ``files`` (files upload v2:
    what was uploaded, where it was shared, its alt text and bytes).
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-1-fake-app-token",
        signing_secret: str = "fake-signing-secret",
        team_id: str = "T0NEWSROOM",
        team_domain: str = "newsroom",
        app_id: str = "A0NEWSBOT1",
        bot_id: str = "B0NEWSBOT1",
        users: list[SlackUser] | None = None,
        channels: list[SlackChannel] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_id = bot_id
        self.users = users if users is not None else default_users()
        self.channels = channels if channels is not None else default_channels()
        self.bot_user_id = next((u.id for u in self.users if u.is_bot), "U0BOT00001")

        self.calls: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.webhook_posts: dict[str, list[dict[str, Any]]] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.socket_connections: list[SocketConnection] = []
        self.undelivered: list[dict[str, Any]] = []  # envelopes pushed while no socket was open
        self.in_flight = 0.05  # seconds a socket told to go still gets envelopes (in transit)
        self._rotation = itertools.count()
        self.faults_served: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}  # open modals by view id
        self.history_scopes = True  # the token has channels:history and groups:history
        self.post_answer_delay = 0.0  # seconds chat.postMessage waits after storing a message
        self.store_then_fail = 0  # next chat.postMessage calls store the message, answer 500
        self.files: list[dict[str, Any]] = []  # completed uploads (files.completeUploadExternal)
        self._pending_uploads: dict[str, dict[str, Any]] = {}  # file id -> announced upload

        self._faults: list[Fault] = []
        self._ts = itertools.count(1)
        self._tickets: set[str] = set()
        self._response_urls: set[str] = set()
        self._triggers: dict[str, float] = {}  # trigger_id -> when issued (valid 3 s, once)
        self._webhook_channels: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Web API base for ``AsyncWebClient(base_url=...)`` (trailing slash matters)."""
        return f"{self.root_url}/api/"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/services/{team}/{bot}/{secret}", self._incoming_webhook)
        app.router.add_post("/commands/{team}/{id}/{secret}", self._response_url)
        app.router.add_post("/upload/v1/{key}", self._upload)
        app.router.add_get("/link/", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        for conn in self.socket_connections:
            with contextlib.suppress(Exception):
                await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----------------------------------------------------------------- test helpers

    def user(self, name: str) -> SlackUser:
        return next(u for u in self.users if u.name == name)

    def channel(self, name: str) -> SlackChannel:
        return next(c for c in self.channels if c.name == name)

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel_id]

    def new_response_url(self) -> str:
        """A fresh ``response_url`` on the fake; posts to it land in ``responses``."""
        url = f"{self.root_url}/commands/{self.team_id}/{next(self._ts)}/{secrets.token_hex(12)}"
        self._response_urls.add(url)
        return url

    def create_incoming_webhook(self, channel_id: str = "C0ALERTS01") -> str:
        """Register an incoming webhook URL (``/services/T…/B…/…``) posting into ``channel_id``."""
        bot = "B" + secrets.token_hex(5).upper()
        url = f"{self.root_url}/services/{self.team_id}/{bot}/{secrets.token_urlsafe(18)}"
        self.webhook_posts[url] = []
        self._webhook_channels[url] = channel_id
        return url

    def slash_command(
        self,
        text: str = "",
        *,
        user: str = "admin",
        channel: str = "alerts",
        command: str = "/newsbot",
    ) -> dict[str, str]:
        """A slash-command payload from a known user and channel, with a live response_url."""
        u, c = self.user(user), self.channel(channel)
        trigger = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._triggers[trigger] = time.monotonic()
        return slash_command_payload(
            command,
            text,
            user_id=u.id,
            user_name=u.name,
            channel_id=c.id,
            channel_name=c.name,
            team_id=self.team_id,
            team_domain=self.team_domain,
            response_url=self.new_response_url(),
            api_app_id=self.app_id,
            trigger_id=trigger,
        )

    def signed_slash_command(
        self, text: str = "", *, timestamp: int | None = None, secret: str | None = None, **kw: Any
    ) -> tuple[str, dict[str, str]]:
        """``(body, headers)`` for POSTing a signed slash command to a bolt app."""
        body = urlencode(self.slash_command(text, **kw))
        return body, sign_request(secret or self.signing_secret, body, timestamp)

    def fail_next(
        self,
        method_regex: str,
        status: int = 429,
        count: int = 1,
        *,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Fail the next ``count`` calls of Web API methods matching ``method_regex``.

        ``status=429`` answers ``{"ok": false, "error": "ratelimited"}`` with ``Retry-After``;
        5xx answers ``fatal_error``; ``error="channel_not_found"`` (status 200) answers
        that Slack error.
        """
        self._faults.append(Fault(re.compile(method_regex), status, count, retry_after, error))

    def clear_faults(self) -> None:
        """Serve every call normally again (the outage is over)."""
        self._faults.clear()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = WAIT_SECONDS) -> T:  # noqa: ASYNC109
        """Wait until ``predicate()`` is truthy (re-checked on every recorded change, and every
        RECHECK_SECONDS)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fake Slack: condition not met within {timeout}s")
            event = self._changed
            # a predicate may read state the fake does not record (the bot's own health,
            # a log): look again every RECHECK_SECONDS even when nothing here changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, RECHECK_SECONDS))

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ----------------------------------------------------------------- Socket Mode

    def live_sockets(self) -> list[SocketConnection]:
        """Open connections, as Slack spreads envelopes over them: not frozen, not told to go
        (except within ``in_flight`` seconds of being told, the envelopes already in transit)."""
        now = time.time()
        return [
            c
            for c in self.socket_connections
            if not c.ws.closed
            and not c.frozen
            and (c.retiring_at is None or now - c.retiring_at < self.in_flight)
        ]

    async def push_envelope(
        self, type: str, payload: dict[str, Any], *, accepts_response_payload: bool = True
    ) -> str:
        """Push an envelope to one of the open Socket Mode connections (in turn, as Slack spreads
        them); return its ``envelope_id``. With none open it is kept in ``undelivered``: Slack
        shows the user an error for a slash command nobody received."""
        envelope_id = secrets.token_hex(18)
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        live = self.live_sockets()
        if not live:
            self.undelivered.append(envelope)
            return envelope_id
        conn = live[next(self._rotation) % len(live)]
        conn.sent.append(envelope_id)
        try:
            await conn.ws.send_str(json.dumps(envelope))
        except (ConnectionError, RuntimeError):
            self.undelivered.append(envelope)
        return envelope_id

    async def push_slash_command(self, text: str = "", **kw: Any) -> str:
        """Push a ``slash_commands`` envelope (see :meth:`slash_command` for ``kw``)."""
        return await self.push_envelope("slash_commands", self.slash_command(text, **kw))

    async def wait_for_ack(self, envelope_id: str, timeout: float = WAIT_SECONDS) -> dict[str, Any]:  # noqa: ASYNC109
        """The client's ack (``{"envelope_id", "payload"?}``) for ``envelope_id``."""

        def ack() -> dict[str, Any] | None:
            return next((a for a in self.socket_acks if a.get("envelope_id") == envelope_id), None)

        found = await self.wait_for(ack, timeout)
        assert found is not None
        return found

    async def submit_view(
        self, view_id: str, values: dict[str, str], *, user: str = "admin"
    ) -> dict[str, Any]:
        """Fill in an open modal and press its submit button over Socket Mode.

        ``values`` maps an input block's label to what the user typed; an input not named keeps
        its ``initial_value``. Returns the app's ``response_action`` payload (``{}`` closes
        the modal); an ``update`` replaces the open view, as Slack does.
        """
        view = self.views[view_id]
        u = self.user(user)
        state: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks") or []:
            if block.get("type") != "input":
                continue
            element = block["element"]
            typed = values.get(block["label"]["text"], element.get("initial_value", ""))
            state[block["block_id"]] = {
                element["action_id"]: {"type": element["type"], "value": typed or None}
            }
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {"id": u.id, "username": u.name, "name": u.name, "team_id": self.team_id},
            "api_app_id": self.app_id,
            "token": "deprecated-verification-token",
            "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}",
            "view": {**view, "state": {"values": state}},
            "response_urls": [],
            "is_enterprise_install": False,
        }
        ack = await self.wait_for_ack(await self.push_envelope("interactive", payload))
        answer: dict[str, Any] = ack.get("payload") or {}
        if answer.get("response_action") == "update":
            _validate_view(answer["view"])
            self.views[view_id] = {**answer["view"], "id": view_id}
        elif answer.get("response_action") != "errors":
            self.views.pop(view_id)
        return answer

    async def click_button(
        self, message: dict[str, Any], action_id: str, *, user: str = "member"
    ) -> dict[str, Any]:
        """Click a button of a posted message over Socket Mode (a ``block_actions`` payload).

        As on Slack, the payload names the button (action_id, block_id, value), the message
        and its channel, and carries a fresh ``response_url``; returns the app's ack. What the
        app posts to the response_url lands in ``responses``.
        """
        found = [
            (block, element)
            for block in message.get("blocks") or []
            if block.get("type") == "actions"
            for element in block.get("elements") or []
            if element.get("action_id") == action_id
        ]
        if not found:
            raise AssertionError(f"the message has no button {action_id!r}")
        block, button = found[0]
        u, channel = self.user(user), next(c for c in self.channels if c.id == message["channel"])
        trigger = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(8)}"
        posted = {k: v for k, v in message.items() if k not in ("channel", "source", "args")}
        payload = {
            "type": "block_actions",
            "user": {"id": u.id, "username": u.name, "name": u.name, "team_id": self.team_id},
            "api_app_id": self.app_id,
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel.id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel.id, "name": channel.name},
            "message": posted,
            "state": {"values": {}},
            "response_url": self.new_response_url(),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block.get("block_id") or secrets.token_hex(3),
                    "text": {**button["text"], "emoji": True},
                    "value": button.get("value"),
                    **({"style": button["style"]} if button.get("style") else {}),
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return await self.wait_for_ack(await self.push_envelope("interactive", payload))

    async def request_socket_refresh(
        self,
        reason: str = "refresh_requested",
        *,
        oldest_only: bool = False,
        close_after: float = 1.0,
    ) -> None:
        """Send ``disconnect`` as Slack does before rotating a connection (to each open one, or
        the oldest only), then close it ``close_after`` seconds later."""
        targets = [c for c in self.socket_connections if not c.ws.closed and c.retiring_at is None]
        for conn in targets[:1] if oldest_only else targets:
            conn.retiring_at = time.time()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.send_str(
                    json.dumps(
                        {
                            "type": "disconnect",
                            "reason": reason,
                            "debug_info": {"host": "applink-fake"},
                        }
                    )
                )
            asyncio.get_running_loop().call_later(
                close_after, lambda c=conn: asyncio.ensure_future(c.ws.close())
            )

    def drop_socket(self, conn: SocketConnection) -> None:
        """The network drops the connection: no close frame, the TCP stream just ends."""
        assert conn.request is not None and conn.request.transport is not None
        conn.frozen = True  # what was on its way is lost with it
        conn.request.transport.close()

    def freeze_socket(self, conn: SocketConnection) -> None:
        """The connection goes half-open: Slack reads nothing more and answers no ping."""
        conn.frozen = True

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            raise web.HTTPUnauthorized(text="invalid ticket")
        self._tickets.discard(ticket)  # tickets are single-use, as Slack's are
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        conn = SocketConnection(ws, ticket, request)
        self.socket_connections.append(conn)
        self._notify()
        hello = {
            "type": "hello",
            "num_connections": sum(1 for c in self.socket_connections if not c.ws.closed),
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }
        await ws.send_str(json.dumps(hello))
        async for msg in ws:
            if conn.frozen:  # half-open: nothing gets through, not even a pong
                continue
            if msg.type == WSMsgType.PING:
                await ws.pong(msg.data)
            elif msg.type == WSMsgType.TEXT:
                with contextlib.suppress(ValueError):
                    ack = json.loads(msg.data)
                    self.socket_acks.append(ack)
                    conn.acked.append(str(ack.get("envelope_id")))
                self._notify()
        self._notify()
        return ws

    # ----------------------------------------------------------------- HTTP plumbing

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        self._notify()
        return response

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.body_exists:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key in ("blocks", "attachments", "metadata"):
            if isinstance(args.get(key), str):  # form-encoded calls send these as JSON strings
                with contextlib.suppress(ValueError):
                    args[key] = json.loads(args[key])
        return args

    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.served < fault.count and fault.method.search(method):
                fault.served += 1
                self.faults_served.append({"method": method, "status": fault.status})
                return fault
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or args.pop("token", "")
        args.pop("token", None)
        self.calls.append({"method": method, "args": args, "token": token})
        fault = self._take_fault(method)
        if fault is not None:
            if fault.error is not None:
                return _ok_false(fault.error)
            if fault.status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(fault.retry_after)},
                )
            return web.json_response({"ok": False, "error": "fatal_error"}, status=fault.status)
        if not token:
            return _ok_false("not_authed")
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok_false("unknown_method")
        if method == "apps.connections.open":
            if token != self.app_token:
                return _ok_false(
                    "invalid_auth" if token.startswith("xapp") else "not_allowed_token_type"
                )
        elif token != self.bot_token:
            return _ok_false("invalid_auth")
        try:
            result: dict[str, Any] = handler(args)
        except SlackError as exc:
            return _ok_false(exc.error)
        if method == "chat.postMessage" and self.store_then_fail > 0:
            self.store_then_fail -= 1  # stored, then the answer is lost: an ambiguous outcome
            self._notify()
            return web.json_response({"ok": False, "error": "internal_error"}, status=500)
        if method == "chat.postMessage" and self.post_answer_delay:
            self._notify()  # the message is in the channel; its answer is not on its way yet
            await asyncio.sleep(self.post_answer_delay)
        return web.json_response({"ok": True, **result})

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _channel_for_post(self, channel: str | None) -> SlackChannel:
        found = next((c for c in self.channels if channel in (c.id, c.name, f"#{c.name}")), None)
        if found is None:
            raise SlackError("channel_not_found")
        if found.is_archived:
            raise SlackError("is_archived")
        if not found.is_member:
            raise SlackError("not_in_channel")
        return found

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text") or "",
            "ts": ts,
            "blocks": args.get("blocks") or [],
        }
        if args.get("attachments"):
            message["attachments"] = args["attachments"]
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        return message

    # ----------------------------------------------------------------- Web API methods

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_domain.title(),
            "user": "newsbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"}

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        _validate_content(args)
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(
            m["ts"] == thread_ts and m["channel"] == channel.id for m in self.messages
        ):
            raise SlackError("thread_not_found")
        ts = self._next_ts()
        message = self._message(args, ts)
        self.messages.append(
            {"channel": channel.id, "source": "chat.postMessage", "args": args, **message}
        )
        return {"channel": channel.id, "ts": ts, "message": message}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        if not any(u.id == args.get("user") for u in self.users):
            raise SlackError("user_not_in_channel")
        _validate_content(args)
        ts = self._next_ts()
        self.ephemerals.append({"channel": channel.id, "user": args["user"], "ts": ts, **args})
        return {"message_ts": ts}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(args.get("channel"))
        message = next(
            (m for m in self.messages if m["channel"] == channel.id and m["ts"] == args.get("ts")),
            None,
        )
        if message is None:
            raise SlackError("message_not_found")
        _validate_content(args)
        for key in ("text", "blocks", "attachments"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        self.updates.append({"channel": channel.id, **args})
        public = {k: v for k, v in message.items() if k not in ("args", "source")}
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": public,
        }

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        issued = self._triggers.pop(str(args.get("trigger_id")), None)
        if issued is None:
            raise SlackError("invalid_trigger_id")
        if time.monotonic() - issued > 3.0:
            raise SlackError("expired_trigger_id")
        view = args.get("view")
        if isinstance(view, str):  # form-encoded calls send the view as a JSON string
            view = json.loads(view)
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments")
        _validate_view(view)
        view_id = "V" + secrets.token_hex(5).upper()
        opened = {**view, "id": view_id, "team_id": self.team_id, "app_id": self.app_id}
        self.views[view_id] = opened
        return {"view": {**opened, "state": {"values": {}}, "hash": secrets.token_hex(8)}}

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """A channel's messages newest first, thread replies left out, as Slack lists them."""
        return self._page(args, lambda m: "thread_ts" not in m or m["thread_ts"] == m["ts"])

    def _m_conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its first message and replies, oldest first."""
        thread = args.get("ts")
        if not any(m["ts"] == thread for m in self.messages):
            raise SlackError("thread_not_found")
        return self._page(args, lambda m: thread in (m["ts"], m.get("thread_ts")), newest=False)

    def _page(
        self, args: dict[str, Any], keep: Callable[[dict[str, Any]], bool], newest: bool = True
    ) -> dict[str, Any]:
        if not self.history_scopes:
            raise SlackError("missing_scope")
        channel = next((c for c in self.channels if c.id == args.get("channel")), None)
        if channel is None:
            raise SlackError("channel_not_found")
        if not channel.is_member:
            raise SlackError("not_in_channel")
        oldest = float(args.get("oldest") or 0)
        found = [
            m
            for m in self.messages
            if m["channel"] == channel.id and float(m["ts"]) > oldest and keep(m)
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=newest)
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 100), 999))
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        hidden = ("channel", "source", "args") + (() if with_metadata else ("metadata",))
        page = [{k: v for k, v in m.items() if k not in hidden} for m in found[start:][:limit]]
        more = start + limit < len(found)
        return {
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = next((u for u in self.users if u.id == args.get("user")), None)
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_dict(self.team_id)}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = next((c for c in self.channels if c.id == args.get("channel")), None)
        if channel is None:
            raise SlackError("channel_not_found")
        return {"channel": channel.to_dict()}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A direct message with one user (`users`), opened once and then the same."""
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1:
            raise SlackError("users_list_not_supplied" if not users else "not_implemented")
        if not any(u.id == users[0] for u in self.users):
            raise SlackError("user_not_found")
        dm_id = "D" + users[0].removeprefix("U")[:9].ljust(9, "0")
        if not any(c.id == dm_id for c in self.channels):
            self.channels.append(SlackChannel(dm_id, users[0], is_private=True))
        return {"channel": {"id": dm_id, "is_im": True, "user": users[0]}}

    # ----------------------------------------------------------------- files upload v2

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1: announce a file (name, length in bytes, alt text) and get where to send it."""
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit() or int(length) == 0:
            raise SlackError("missing_argument")
        if len(str(args.get("alt_txt") or "")) > 1000:
            raise SlackError("alt_txt_too_large")
        file_id = "F" + secrets.token_hex(5).upper()
        key = secrets.token_urlsafe(12)
        self._pending_uploads[file_id] = {
            "key": key,
            "filename": filename,
            "length": int(length),
            "alt_txt": args.get("alt_txt"),
            "data": None,
        }
        return {"upload_url": f"{self.root_url}/upload/v1/{key}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2: the bytes, raw or as one multipart file, at the URL step 1 gave. The fake is
        strict where Slack says little: the bytes must be as many as announced."""
        key = request.match_info["key"]
        pending = next((p for p in self._pending_uploads.values() if p["key"] == key), None)
        if pending is None:
            return web.Response(status=404, text="not found")
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            data = bytes(await part.read()) if part is not None else b""  # type: ignore[union-attr]
        else:
            data = await request.read()
        if len(data) != pending["length"]:
            return web.Response(status=400, text=f"length {len(data)} != {pending['length']}")
        pending["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: finish the uploads, shared in `channel_id` (and `thread_ts`) if given."""
        try:
            listed = json.loads(str(args.get("files") or ""))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not isinstance(listed, list) or not listed:
            raise SlackError("invalid_arguments")
        channel_id = args.get("channel_id")
        if channel_id and not re.fullmatch(r"[CGDZ][A-Z0-9]{8,}", str(channel_id)):
            raise SlackError("invalid_arguments")  # a user id (U…) is refused: open a DM
        channel = self._channel_for_post(str(channel_id)) if channel_id else None
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m["ts"] == thread_ts for m in self.messages):
            raise SlackError("thread_not_found")
        done = []
        for entry in listed:
            pending = self._pending_uploads.get(str(entry.get("id")))
            if pending is None or pending["data"] is None:
                raise SlackError("file_not_found")
            upload = Upload("file", pending["filename"], "", pending["data"])
            size = upload.png_size
            shown = {
                "id": entry["id"],
                "name": pending["filename"],
                "title": entry.get("title") or pending["filename"],
                "mimetype": "image/png" if size else "application/octet-stream",
                "size": len(pending["data"]),
                "alt_txt": pending["alt_txt"],
                "channels": [channel.id] if channel else [],
                **({"original_w": size[0], "original_h": size[1]} if size else {}),
            }
            del self._pending_uploads[str(entry["id"])]
            self.files.append(
                {
                    **shown,
                    "channel": channel.id if channel else None,
                    "thread_ts": thread_ts,
                    "initial_comment": args.get("initial_comment"),
                    "data": pending["data"],
                }
            )
            done.append(shown)
        return {"files": done}

    # ----------------------------------------------------------------- webhooks

    async def _incoming_webhook(self, request: web.Request) -> web.Response:
        url = f"{self.root_url}{request.path}"
        if url not in self.webhook_posts:
            return web.Response(status=404, text="no_service")
        try:
            body = await request.json() or {}
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        try:
            _validate_content(body)
        except SlackError as exc:
            return web.Response(status=400, text=exc.error)
        self.webhook_posts[url].append(body)
        channel = self._webhook_channels[url]
        self.messages.append(
            {
                "channel": channel,
                "source": "incoming_webhook",
                "args": body,
                **self._message(body, self._next_ts()),
            }
        )
        return web.Response(text="ok")

    async def _response_url(self, request: web.Request) -> web.Response:
        url = f"{self.root_url}{request.path}"
        if url not in self._response_urls:
            return web.Response(status=404, text="no_service")
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        self.responses.append({"url": url, "json": body})
        return web.Response(text="ok")


class SlackError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _ok_false(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


def _validate_view(view: dict[str, Any]) -> None:
    """Refuse a modal Slack would answer ``invalid_arguments`` for (its documented limits)."""

    def text_of(obj: Any, limit: int) -> bool:
        return (
            isinstance(obj, dict)
            and obj.get("type") == "plain_text"
            and (0 < len(obj.get("text") or "") <= limit)
        )

    blocks = view.get("blocks") or []
    inputs = [b for b in blocks if b.get("type") == "input"]
    ok = (
        view.get("type") == "modal"
        and text_of(view.get("title"), 24)
        and (not inputs or text_of(view.get("submit"), 24))
        and ("close" not in view or text_of(view.get("close"), 24))
        and 0 < len(blocks) <= 100
        and len(view.get("private_metadata") or "") <= 3000
        and len(view.get("callback_id") or "") <= 255
    )
    for block in inputs:
        element = block.get("element") or {}
        most = int(element.get("max_length") or 3000)
        ok = ok and (
            text_of(block.get("label"), 2000)
            and element.get("type") == "plain_text_input"
            and bool(element.get("action_id"))
            and 0 < most <= 3000
            and len(element.get("initial_value") or "") <= most
            and ("placeholder" not in element or text_of(element.get("placeholder"), 150))
            and ("hint" not in block or text_of(block.get("hint"), 2000))
        )
    if not ok:
        raise SlackError("invalid_arguments")


def _validate_actions(block: dict[str, Any]) -> None:
    """Block Kit's limits on an actions block of buttons: 1-25 elements with distinct
    action_ids of 255 characters at most, plain_text labels of 75, values of 2,000."""
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
        raise SlackError("invalid_blocks")
    ids = [e.get("action_id") for e in elements]
    if len(set(ids)) != len(ids):
        raise SlackError("invalid_blocks")
    for element in elements:
        if element.get("type") != "button":
            continue
        text = element.get("text") or {}
        if text.get("type") != "plain_text" or not 1 <= len(text.get("text") or "") <= 75:
            raise SlackError("invalid_blocks")
        if len(element.get("action_id") or "") > 255 or len(element.get("value") or "") > 2000:
            raise SlackError("invalid_blocks")
        if element.get("style") not in (None, "primary", "danger"):
            raise SlackError("invalid_blocks")


def _validate_content(args: dict[str, Any]) -> None:
    """The message checks Slack answers with an error instead of posting."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if text and len(text) > 40_000:
        raise SlackError("msg_too_long")
    if blocks is None:
        return
    if not isinstance(blocks, list) or len(blocks) > 50:
        raise SlackError("invalid_blocks")
    for block in blocks:
        if not isinstance(block, dict) or "type" not in block:
            raise SlackError("invalid_blocks")
        btext = block.get("text")
        if block["type"] == "header":
            if not isinstance(btext, dict) or btext.get("type") != "plain_text":
                raise SlackError("invalid_blocks")
            if len(btext.get("text", "")) > 150:
                raise SlackError("invalid_blocks")
        if block["type"] == "actions":
            _validate_actions(block)
        if block["type"] == "section":
            if btext is None and not block.get("fields"):
                raise SlackError("invalid_blocks")
            if isinstance(btext, dict) and len(btext.get("text", "")) > 3000:
                raise SlackError("invalid_blocks")
            if len(block.get("fields") or []) > 10:
                raise SlackError("invalid_blocks")
