"""A fake Discord (REST under ``/api/v10`` plus a gateway websocket) on loopback.

The unmodified discord.py client logs in to it: point ``discord.http.Route.BASE``
at ``fake.api_base``; ``AutoShardedClient`` finds the gateway through
``GET /gateway/bot``, the plain ``Client`` through
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (see :func:`pointed_at`).
Payload shapes follow Discord's API documentation; everything the bot sends is
recorded as plain dicts so tests can assert on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aiohttp import WSMsgType, web

from tests.fakes.uploads import UploadError, attachment_objects, read_discord_multipart
from tests.fakes.waits import RECHECK_SECONDS, WAIT_SECONDS

T = TypeVar("T")

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MENTION_EVERYONE

EPHEMERAL = 1 << 6
PAYLOAD = web.RequestKey("payload", object)  # a request's body, read once
UPLOAD_LIMIT = 10 * 1024 * 1024  # bytes of files a request: the interactions' attachment_size_limit
LOADING = 1 << 7

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 9, 10, 11

# Application command option types.
OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP, OPT_STRING, OPT_INTEGER = 1, 2, 3, 4
OPT_BOOLEAN, OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_NUMBER = 5, 6, 7, 8, 10

_COMMAND_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Generates real, time-ordered Discord snowflakes."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def next(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (1 << 17) | (next(self._counter) & 0xFFF))


# --------------------------------------------------------------------------- world


@dataclass
class FakeUser:
    id: str
    username: str
    bot: bool = False
    global_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "discriminator": "0" if not self.bot else "1234",
            "global_name": self.global_name if not self.bot else None,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class FakeRole:
    id: str
    name: str
    permissions: int = 0
    position: int = 1
    mentionable: bool = True  # anyone may mention it (Server Settings → Roles)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": self.mentionable,
            "flags": 0,
        }


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[str] = field(default_factory=list)
    nick: str | None = None

    @property
    def id(self) -> str:
        return self.user.id

    def to_dict(self) -> dict[str, Any]:
        return {
            "user": self.user.to_dict(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": list(self.role_ids),
            "joined_at": "2022-03-01T12:00:00.000000+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }


@dataclass
class FakeChannel:
    id: str
    name: str
    type: int = 0  # 0 text, 4 category, 5 announcement, 11 public thread, 12 private thread
    position: int = 0
    parent_id: str | None = None
    forbidden: bool = False  # bot lacks permission: sends answer 403 Missing Permissions
    owner_id: str | None = None  # threads only
    message_id: str | None = None  # threads started from a message

    def to_dict(self, guild_id: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "guild_id": guild_id,
            "name": self.name,
            "position": self.position,
            "parent_id": self.parent_id,
            "flags": 0,
        }
        if self.type in (11, 12):
            data.update(
                owner_id=self.owner_id,
                last_message_id=None,
                message_count=0,
                member_count=1,
                total_message_sent=0,
                rate_limit_per_user=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(),
                    "locked": False,
                    "create_timestamp": now_iso(),
                },
            )
        elif self.type != 4:
            data.update(
                topic=None,
                nsfw=False,
                last_message_id=None,
                rate_limit_per_user=0,
                permission_overwrites=[],
            )
        return data


@dataclass
class FakeGuild:
    """A guild with an ``#alerts`` and ``#general`` channel, roles and three members.

    ``admin`` holds Manage Server through the "Admin" role, ``editor`` holds only
    the "News Editors" role, ``member`` has nothing but @everyone.
    """

    id: str
    name: str
    owner_id: str
    channels: list[FakeChannel]
    roles: list[FakeRole]
    members: list[FakeMember]

    def channel(self, channel_id: str) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channel_named(self, name: str) -> FakeChannel:
        return next(c for c in self.channels if c.name == name)

    def role_named(self, name: str) -> FakeRole:
        return next(r for r in self.roles if r.name == name)

    def member(self, user_id: str) -> FakeMember | None:
        return next((m for m in self.members if m.id == user_id), None)

    def permissions_of(self, member: FakeMember) -> int:
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                perms |= role.permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": self.owner_id,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_dict() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            # GUILD_CREATE extras
            "joined_at": "2022-03-01T12:00:00.000000+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.to_dict() for m in self.members],
            "channels": [c.to_dict(self.id) for c in self.channels if c.type not in (11, 12)],
            "threads": [c.to_dict(self.id) for c in self.channels if c.type in (11, 12)],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


def default_guild(ids: Snowflakes, bot: FakeUser, name: str = "Newsroom") -> FakeGuild:
    guild_id = ids.next()
    owner = FakeUser(ids.next(), "owner", global_name="Guild Owner")
    admin = FakeUser(ids.next(), "admin", global_name="Ada Admin")
    editor = FakeUser(ids.next(), "editor", global_name="Ed Editor")
    member = FakeUser(ids.next(), "member", global_name="Mo Member")
    everyone = FakeRole(guild_id, "@everyone", EVERYONE_PERMISSIONS, position=0)
    admin_role = FakeRole(ids.next(), "Admin", EVERYONE_PERMISSIONS | MANAGE_GUILD, position=3)
    editor_role = FakeRole(ids.next(), "News Editors", EVERYONE_PERMISSIONS, position=2)
    bot_role = FakeRole(ids.next(), "newsbot", BOT_PERMISSIONS, position=4)
    watchers = FakeRole(ids.next(), "Watchers", 0, position=1)
    category = FakeChannel(ids.next(), "News", type=4)
    channels = [
        category,
        FakeChannel(ids.next(), "alerts", position=0, parent_id=category.id),
        FakeChannel(ids.next(), "general", position=1, parent_id=category.id),
        FakeChannel(ids.next(), "read-only", position=2, parent_id=category.id, forbidden=True),
    ]
    return FakeGuild(
        id=guild_id,
        name=name,
        owner_id=owner.id,
        channels=channels,
        roles=[everyone, admin_role, editor_role, bot_role, watchers],
        members=[
            FakeMember(owner),
            FakeMember(admin, [admin_role.id]),
            FakeMember(editor, [editor_role.id]),
            FakeMember(member),
            FakeMember(bot, [bot_role.id]),
        ],
    )


# --------------------------------------------------------------------------- records


@dataclass
class Fault:
    """One injected failure: the next ``count`` requests matching ``path`` get ``status``."""

    path: re.Pattern[str]
    status: int
    count: int
    retry_after: float
    is_global: bool
    method: str | None
    served: int = 0
    content_type: str | None = None  # only requests of this type (e.g. multipart/form-data)


@dataclass
class InteractionRecord:
    """One INTERACTION_CREATE the fake sent and everything the bot answered to it."""

    id: str
    token: str
    payload: dict[str, Any]
    sent_at: float
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    original: dict[str, Any] | None = None  # the message the callback created, as last edited
    late_callbacks: int = 0  # callbacks refused because the ack deadline had passed

    @property
    def callback(self) -> dict[str, Any] | None:
        return self.callbacks[0] if self.callbacks else None

    @property
    def response_type(self) -> int | None:
        return self.callback["type"] if self.callback else None

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    @property
    def ephemeral(self) -> bool:
        """Whether only the caller sees the answer: no reply the channel can see (or, before
        any reply, flag 64 on the callback)."""
        if self.replies:
            return not self.public_replies
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

    @property
    def public_replies(self) -> list[dict[str, Any]]:
        """The replies everyone in the channel sees (not ephemeral, not deleted)."""
        return [m for m in self.replies if not int(m.get("flags", 0)) & EPHEMERAL]

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (callback type 9): custom_id, title, components."""
        return (self.callback or {}).get("data") if self.response_type == 9 else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete result (callback type 8)."""
        if self.response_type != 8:
            return None
        return list(((self.callback or {}).get("data") or {}).get("choices", []))

    @property
    def replies(self) -> list[dict[str, Any]]:
        """Every visible reply, in order: the type-4 message or edited original, then follow-ups."""
        out: list[dict[str, Any]] = []
        original = self.original
        loading = original is not None and original.get("flags", 0) & LOADING
        if original is not None and not loading and not original.get("resolved_by_followup"):
            out.append(original)
        return [m for m in out + self.followups if not m.get("deleted")]

    @property
    def text(self) -> str:
        """All reply content and embed titles/descriptions/fields, joined: handy for asserts."""
        return "\n".join(message_text(m) for m in self.replies)


def message_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for f in embed.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


@dataclass
class GatewaySession:
    session_id: str
    shard: tuple[int, int]
    ws: web.WebSocketResponse
    identify: dict[str, Any]
    seq: int = 0
    resumed: int = 0


class DiscordHTTPError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def _invalid_form(errors: dict[str, str]) -> DiscordHTTPError:
    nested = {
        key: {"_errors": [{"code": "BASE_TYPE_INVALID", "message": msg}]}
        for key, msg in errors.items()
    }
    return DiscordHTTPError(400, 50035, "Invalid Form Body", nested)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """discord.py parses JSON only if Content-Type is exactly ``application/json``."""
    return web.Response(
        body=json.dumps(data, default=_unsent).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _unsent(value: object) -> str:
    """What a recorded request's files look like in an answer (the bytes stay in the fake)."""
    return f"<{type(value).__name__}>"


# --------------------------------------------------------------------------- server


class FakeDiscord:
    """Loopback Discord: ``async with FakeDiscord() as fake: ...``.

    Attributes worth knowing: ``api_base``, ``gateway_url``, ``token``,
    ``application_id``, ``bot``, ``guild`` (a :class:`FakeGuild` with members
    ``admin``/``editor``/``member``/``owner``), ``alerts_channel``.
    Records: ``requests``, ``messages``, ``channel_messages(id)``,
    ``webhook_messages``, ``command_syncs``, ``global_commands``,
    ``guild_commands``, ``interactions``, ``threads``, ``identifies``,
    ``heartbeats``, ``faults_served``.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        shards: int = 1,
        heartbeat_interval: float = 0.25,
        ack_deadline: float | None = 3.0,
        nonce_window: float = 300.0,
        guild_name: str = "Newsroom",
        dispatch_message_create: bool = True,
    ) -> None:
        self.ids = Snowflakes()
        self.token = token
        self.shards = shards
        self.heartbeat_interval = heartbeat_interval
        self.ack_deadline = ack_deadline
        self.nonce_window = nonce_window
        self.dispatch_message_create = dispatch_message_create
        self.application_id = self.ids.next()
        self.bot = FakeUser(self.application_id, "newsbot", bot=True)
        self.app_owner = FakeUser(self.ids.next(), "newsbot-owner")
        self.guild = default_guild(self.ids, self.bot, guild_name)
        self.guilds: list[FakeGuild] = [self.guild]

        self.requests: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}  # uploaded attachments by id: what was really sent
        self.webhook_messages: dict[str, list[dict[str, Any]]] = {}
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.command_syncs: list[dict[str, Any]] = []
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[str, list[dict[str, Any]]] = {}
        self.interactions: list[InteractionRecord] = []
        self.threads: list[dict[str, Any]] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.faults_served: list[dict[str, Any]] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.outage = False  # the gateway refuses every connection (503), as in an outage
        self.gateway_refused = 0  # connection attempts refused during outages

        self._faults: list[Fault] = []
        self._nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self._messages_by_id: dict[str, dict[str, Any]] = {}
        self._changed = asyncio.Event()
        self._sockets: set[web.WebSocketResponse] = set()
        self._requests: dict[web.WebSocketResponse, web.Request] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def admin(self) -> FakeMember:
        return self._member_named("admin")

    @property
    def editor(self) -> FakeMember:
        return self._member_named("editor")

    @property
    def member(self) -> FakeMember:
        return self._member_named("member")

    @property
    def owner(self) -> FakeMember:
        return self._member_named("owner")

    @property
    def alerts_channel(self) -> FakeChannel:
        return self.guild.channel_named("alerts")

    @property
    def general_channel(self) -> FakeChannel:
        return self.guild.channel_named("general")

    @property
    def forbidden_channel(self) -> FakeChannel:
        return self.guild.channel_named("read-only")

    def can_use(self, name: str, member: FakeMember) -> bool:
        """Whether Discord would let ``member`` see ``/name`` (``default_member_permissions``)."""
        command = self._command_def(name.split()[0], self.guild.id)
        required = (command or {}).get("default_member_permissions")
        if required is None:
            return True
        perms = self.guild.permissions_of(member)
        return perms & int(required) == int(required)

    def _member_named(self, username: str) -> FakeMember:
        return next(m for m in self.guild.members if m.user.username == username)

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=16 * 1024**2)
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"fake shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ----------------------------------------------------------------- helpers for tests

    def channel_messages(self, channel_id: str | int) -> list[dict[str, Any]]:
        cid = str(channel_id)
        return [m for m in self.messages if m["channel_id"] == cid]

    def add_channel(self, name: str, *, forbidden: bool = False, type: int = 0) -> FakeChannel:
        channel = FakeChannel(self.ids.next(), name, type=type, forbidden=forbidden)
        self.guild.channels.append(channel)
        return channel

    def set_forbidden(self, channel_id: str | int, forbidden: bool = True) -> None:
        """Make sends to this channel answer 403 Missing Permissions (code 50013)."""
        channel = self._find_channel(str(channel_id))
        if channel is None:
            raise KeyError(channel_id)
        channel[1].forbidden = forbidden

    def create_webhook(self, channel_id: str | int | None = None, name: str = "alerts") -> str:
        """Register an incoming webhook and return its URL (``…/api/webhooks/{id}/{token}``)."""
        webhook_id = self.ids.next()
        token = secrets.token_urlsafe(51)
        cid = str(channel_id or self.alerts_channel.id)
        self.webhooks[webhook_id] = {
            "id": webhook_id,
            "type": 1,
            "token": token,
            "channel_id": cid,
            "guild_id": self.guild.id,
            "name": name,
            "avatar": None,
            "application_id": None,
        }
        self.webhook_messages[webhook_id] = []
        return f"{self.base_url}/api/webhooks/{webhook_id}/{token}"

    def fail_next(
        self,
        path_regex: str,
        status: int = 429,
        count: int = 1,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        method: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Answer the next ``count`` requests whose path matches ``path_regex`` with ``status``.

        429 answers carry Discord's body (``message, retry_after, global``) and headers
        (``Via``, ``Retry-After``, ``X-RateLimit-*``); 5xx answers a JSON error body.
        """
        self._faults.append(
            Fault(
                re.compile(path_regex),
                status,
                count,
                retry_after,
                is_global,
                method,
                content_type=content_type,
            )
        )

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
                raise TimeoutError(f"fake Discord: condition not met within {timeout}s")
            event = self._changed
            # a predicate may read state the fake does not record (the bot's own health,
            # a log): look again every RECHECK_SECONDS even when nothing here changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, RECHECK_SECONDS))

    async def wait_for_message(
        self,
        channel_id: str | int,
        count: int = 1,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait until the channel holds ``count`` messages; return the last one."""
        await self.wait_for(lambda: len(self.channel_messages(channel_id)) >= count, timeout)
        return self.channel_messages(channel_id)[-1]

    async def wait_until_ready(self, timeout: float = WAIT_SECONDS) -> None:  # noqa: ASYNC109
        """Wait until every shard has IDENTIFYed (READY and GUILD_CREATE are sent)."""
        await self.wait_for(lambda: len(self.sessions) >= self.shards, timeout)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ----------------------------------------------------------------- gateway side

    async def dispatch(
        self, event: str, data: dict[str, Any], *, guild_id: str | None = None
    ) -> None:
        """Send a DISPATCH to the session whose shard owns ``guild_id`` (shard 0 for DMs)."""
        session = self._session_for(guild_id)
        await self._send_dispatch(session, event, data)

    def _session_for(self, guild_id: str | None) -> GatewaySession:
        live = [s for s in self.sessions.values() if not s.ws.closed]
        if not live:
            raise RuntimeError("fake Discord: no gateway session is connected")
        for s in live:
            shard_id, count = s.shard
            if guild_id is None and shard_id == 0:
                return s
            if guild_id is not None and (int(guild_id) >> 22) % count == shard_id:
                return s
        return live[0]

    async def _send_dispatch(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        await session.ws.send_str(
            json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
        )

    async def disconnect_gateway(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000 = unknown error, client RESUMEs)."""
        for session in self.sessions.values():
            if not session.ws.closed:
                await session.ws.close(code=code, message=b"fake disconnect")

    def drop_gateway(self) -> None:
        """The network drops every gateway socket: no close frame, the client sees 1006."""
        for ws, request in list(self._requests.items()):
            if not ws.closed and request.transport is not None:
                request.transport.close()

    def start_outage(self) -> None:
        """The gateway goes away: open sockets drop (1006), new ones are refused until
        :meth:`end_outage`."""
        self.outage = True
        self.drop_gateway()

    def end_outage(self) -> None:
        self.outage = False

    async def send_op(self, op: int, d: Any = None) -> None:
        """Send a gateway opcode to every open session (7 RECONNECT, 9 INVALID_SESSION with
        ``d`` = resumable); Discord closes the socket after op 7."""
        for session in list(self.sessions.values()):
            if not session.ws.closed:
                await session.ws.send_str(json.dumps({"op": op, "d": d, "s": None, "t": None}))
                if op == OP_INVALID_SESSION and not d:  # the session cannot be resumed
                    self.sessions.pop(session.session_id, None)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        if self.outage:
            self.gateway_refused += 1
            self._notify()
            raise web.HTTPServiceUnavailable(text="gateway unavailable")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        self._requests[ws] = request
        try:
            hello = {"heartbeat_interval": int(self.heartbeat_interval * 1000), "_trace": ["fake"]}
            await ws.send_str(json.dumps({"op": OP_HELLO, "s": None, "t": None, "d": hello}))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, d = frame.get("op"), frame.get("d")
                if op == OP_HEARTBEAT:
                    self.heartbeats += 1
                    await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK}))
                elif op == OP_IDENTIFY:
                    await self._identify(ws, d)
                elif op == OP_RESUME:
                    await self._resume(ws, d)
                self._notify()
        finally:
            self._sockets.discard(ws)
            self._requests.pop(ws, None)
            self._notify()
        return ws

    async def _identify(
        self, ws: web.WebSocketResponse, d: dict[str, Any]
    ) -> GatewaySession | None:
        self.identifies.append(d)
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard_id, shard_count = d.get("shard") or [0, 1]
        session = GatewaySession(secrets.token_hex(16), (shard_id, shard_count), ws, d)
        self.sessions[session.session_id] = session
        guilds = [g for g in self.guilds if (int(g.id) >> 22) % shard_count == shard_id]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.bot.to_dict(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": g.id, "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "auth": {},
            "_trace": ["fake"],
        }
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", guild.to_dict())
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: dict[str, Any]) -> GatewaySession | None:
        self.resumes.append(d)
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.token:
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False}))
            return None
        session.ws = ws
        session.resumed += 1
        await self._send_dispatch(session, "RESUMED", {"_trace": ["fake"]})
        return session

    # ----------------------------------------------------------------- interactions

    def _command_def(self, name: str, guild_id: str | None) -> dict[str, Any] | None:
        candidates = [*self.guild_commands.get(guild_id or "", []), *self.global_commands]
        return next((c for c in candidates if c["name"] == name and c.get("type", 1) == 1), None)

    def _build_options(
        self,
        defs: list[dict[str, Any]],
        values: dict[str, Any],
        focused: str | None,
        resolved: dict[str, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in defs}
        out: list[dict[str, Any]] = []
        for name, value in values.items():
            opt_def = by_name.get(name)
            if opt_def is not None:
                opt_type = opt_def["type"]
            elif isinstance(value, bool):
                opt_type = OPT_BOOLEAN
            elif isinstance(value, int):
                opt_type = OPT_INTEGER
            elif isinstance(value, float):
                opt_type = OPT_NUMBER
            else:
                opt_type = OPT_STRING
            if opt_type in (OPT_USER, OPT_CHANNEL, OPT_ROLE):
                value = str(value)
                self._resolve(opt_type, value, resolved)
            option: dict[str, Any] = {"name": name, "type": opt_type, "value": value}
            if focused == name:
                option["focused"] = True
                option["value"] = str(value)
            out.append(option)
        return out

    def _resolve(self, opt_type: int, value: str, resolved: dict[str, dict[str, Any]]) -> None:
        if opt_type == OPT_ROLE:
            role = next((r for r in self.guild.roles if r.id == value), None)
            if role is not None:
                resolved.setdefault("roles", {})[value] = role.to_dict()
        elif opt_type == OPT_CHANNEL:
            found = self._find_channel(value)
            if found is not None:
                gid, ch = found
                data = ch.to_dict(gid)
                data["permissions"] = str(EVERYONE_PERMISSIONS)
                resolved.setdefault("channels", {})[value] = data
        elif opt_type == OPT_USER:
            member = self.guild.member(value)
            if member is not None:
                resolved.setdefault("users", {})[value] = member.user.to_dict()
                mdata = member.to_dict()
                mdata.pop("user")
                mdata["permissions"] = str(self.guild.permissions_of(member))
                resolved.setdefault("members", {})[value] = mdata

    def build_interaction(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeMember | None = None,
        channel_id: str | int | None = None,
        guild_id: str | int | None = None,
        interaction_type: int = 2,
        focused: str | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload for ``/name`` (``"rules show"`` = subcommand path)."""
        path = name.split()
        gid = str(guild_id or self.guild.id)
        invoker = user or self.admin
        cid = str(channel_id or self.alerts_channel.id)
        command = self._command_def(path[0], gid)
        resolved: dict[str, dict[str, Any]] = {}
        defs = (command or {}).get("options") or []
        wrappers: list[dict[str, Any]] = []
        for part in path[1:]:
            sub = next((o for o in defs if o["name"] == part), None)
            sub_type = sub["type"] if sub else OPT_SUB_COMMAND
            wrappers.append({"name": part, "type": sub_type})
            defs = (sub or {}).get("options") or []
        leaf = self._build_options(defs, options or {}, focused, resolved)
        for wrapper in reversed(wrappers):
            wrapper["options"] = leaf
            leaf = [wrapper]
        data: dict[str, Any] = {
            "id": (command or {}).get("id") or self.ids.next(),
            "name": path[0],
            "type": 1,
            "options": leaf,
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        found = self._find_channel(cid)
        channel = found[1].to_dict(found[0]) if found else {"id": cid, "type": 0}
        member_perms = self.guild.permissions_of(invoker)
        channel["permissions"] = str(member_perms)
        member = invoker.to_dict()
        member["permissions"] = str(member_perms)
        return {
            "id": self.ids.next(),
            "application_id": self.application_id,
            "type": interaction_type,
            "data": data,
            "guild": {"id": gid, "locale": "en-US", "features": []},
            "guild_id": gid,
            "guild_locale": "en-US",
            "channel": channel,
            "channel_id": cid,
            "member": member,
            "token": "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48),
            "version": 1,
            "app_permissions": str(BOT_PERMISSIONS),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": gid},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }

    async def send_interaction(self, payload: dict[str, Any]) -> InteractionRecord:
        record = InteractionRecord(
            payload["id"], payload["token"], payload, asyncio.get_running_loop().time()
        )
        self.interactions.append(record)
        self._interactions_by_token[record.token] = record
        await self.dispatch("INTERACTION_CREATE", payload, guild_id=payload.get("guild_id"))
        return record

    async def invoke_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: FakeMember | None = None,
        channel_id: str | int | None = None,
        guild_id: str | int | None = None,
        locale: str = "en-US",
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
        wait: bool = True,
    ) -> InteractionRecord:
        """Invoke slash command ``/name`` as ``user`` (default: the admin) in ``channel_id``.

        ``name`` may hold a subcommand path (``"rules show"``). Option types come from
        the synced command definition. Returns once the bot has answered the
        interaction callback, and after a deferral once its first reply is there (as long again;
        ``wait=False`` returns at once); later follow-ups keep
        arriving on the returned record: ``await fake.wait_for(lambda: rec.followups)``.
        """
        payload = self.build_interaction(
            name, options, user=user, channel_id=channel_id, guild_id=guild_id, locale=locale
        )
        record = await self.send_interaction(payload)
        if wait:
            await self.wait_for(lambda: record.callbacks or record.late_callbacks, timeout)
            if record.response_type == 5:  # deferred (a loaded machine is slow): its answer
                with contextlib.suppress(TimeoutError):  # comes as the first follow-up
                    await self.wait_for(lambda: record.replies, timeout)
        return record

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        focused: str,
        *,
        user: FakeMember | None = None,
        channel_id: str | int | None = None,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> list[dict[str, Any]]:
        """Send an autocomplete interaction (type 4) and return the bot's choices."""
        payload = self.build_interaction(
            name, options, user=user, channel_id=channel_id, interaction_type=4, focused=focused
        )
        record = await self.send_interaction(payload)
        await self.wait_for(lambda: record.callbacks, timeout)
        if record.response_type != 8:
            raise AssertionError(f"autocomplete answered with type {record.response_type}")
        return record.choices or []

    async def submit_modal(
        self,
        opened: InteractionRecord,
        values: dict[str, str],
        *,
        user: FakeMember | None = None,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> InteractionRecord:
        """Fill in the modal the bot opened on ``opened`` and submit it (interaction type 5).

        ``values`` maps a text input's label to what the user typed; an input not named keeps
        the value the bot filled in. The submission mirrors the modal's layout (action rows or
        labels), as Discord's does. Returns once the bot has answered.
        """
        modal = opened.modal
        if modal is None:
            raise AssertionError(f"the bot answered with type {opened.response_type}, no modal")
        invoker = user or next(
            m for m in self.guild.members if m.user.id == opened.payload["member"]["user"]["id"]
        )
        name = opened.payload["data"]["name"]
        payload = self.build_interaction(
            name, user=invoker, channel_id=opened.payload["channel_id"]
        )

        def submitted(component: dict[str, Any]) -> dict[str, Any]:
            if component["type"] == 1:
                return {"type": 1, "components": [submitted(c) for c in component["components"]]}
            if component["type"] == 18:
                inner = {**component["component"], "label": component["label"]}
                return {"type": 18, "component": submitted(inner)}
            value = values.get(component.get("label") or "", component.get("value") or "")
            return {"type": 4, "custom_id": component["custom_id"], "value": value}

        payload["type"] = 5
        payload["data"] = {
            "custom_id": modal["custom_id"],
            "components": [submitted(c) for c in modal["components"]],
        }
        record = await self.send_interaction(payload)
        await self.wait_for(lambda: record.callbacks or record.late_callbacks, timeout)
        return record

    async def click_button(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        user: FakeMember | None = None,
        timeout: float = WAIT_SECONDS,  # noqa: ASYNC109
    ) -> InteractionRecord:
        """Click a button of a message the bot posted (interaction type 3, MESSAGE_COMPONENT).

        As on Discord, the interaction carries the button's custom_id and component_type and
        the whole message it was clicked on. Returns once the bot has answered.
        """
        buttons = [c for row in message.get("components") or [] for c in row.get("components", [])]
        button = next((b for b in buttons if b.get("custom_id") == custom_id), None)
        if button is None:
            raise AssertionError(f"the message has no button {custom_id!r}: {buttons}")
        payload = self.build_interaction("component", user=user, channel_id=message["channel_id"])
        payload["type"] = 3
        payload["data"] = {"custom_id": custom_id, "component_type": button["type"]}
        payload["message"] = {k: v for k, v in message.items() if k != "request"}
        record = await self.send_interaction(payload)
        await self.wait_for(lambda: record.callbacks or record.late_callbacks, timeout)
        return record

    # ----------------------------------------------------------------- REST plumbing

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)  # type: ignore[no-any-return]
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "json": None,
            "headers": dict(request.headers),
        }
        self.requests.append(entry)
        try:
            entry["json"] = await _read_payload(request)
            fault = self._take_fault(request)
            if fault is not None:
                return self._fault_response(fault, request)
            if (
                request.path.startswith("/api/v10/")
                and not self._unauthenticated(request.path)
                and request.headers.get("Authorization") != f"Bot {self.token}"
            ):
                raise DiscordHTTPError(401, 0, "401: Unauthorized")
            response: web.StreamResponse = await handler(request)
        except DiscordHTTPError as exc:
            response = json_response(exc.body(), exc.status)
        except web.HTTPNotFound:
            response = json_response({"message": "404: Not Found", "code": 0}, 404)
        except web.HTTPMethodNotAllowed:
            response = json_response({"message": "405: Method Not Allowed", "code": 0}, 405)
        entry["status"] = response.status
        if response.status < 300 and request.path.startswith("/api/"):
            self._ratelimit_headers(response, request)
        self._notify()
        return response

    @staticmethod
    def _unauthenticated(path: str) -> bool:
        return path.startswith(("/api/v10/webhooks/", "/api/v10/interactions/"))

    def _take_fault(self, request: web.Request) -> Fault | None:
        for fault in self._faults:
            if fault.method is not None and fault.method.upper() != request.method:
                continue
            if fault.content_type is not None and request.content_type != fault.content_type:
                continue
            if fault.served < fault.count and fault.path.search(request.path):
                fault.served += 1
                self.faults_served.append(
                    {"method": request.method, "path": request.path, "status": fault.status}
                )
                return fault
        return None

    def _fault_response(self, fault: Fault, request: web.Request) -> web.Response:
        if fault.status == 429:
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, math.ceil(fault.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": _bucket(request.path),
                "X-RateLimit-Scope": "global" if fault.is_global else "user",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.is_global,
            }
            return json_response(body, 429, headers)
        message = {500: "500: Internal Server Error", 502: "502: Bad Gateway"}.get(
            fault.status, f"{fault.status}: Error"
        )
        return json_response({"message": message, "code": 0}, fault.status)

    @staticmethod
    def _ratelimit_headers(response: web.StreamResponse, request: web.Request) -> None:
        response.headers.update(
            {
                "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "49",
                "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
                "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": _bucket(request.path),
            }
        )

    def _find_channel(self, channel_id: str) -> tuple[str, FakeChannel] | None:
        for guild in self.guilds:
            channel = guild.channel(channel_id)
            if channel is not None:
                return guild.id, channel
        return None

    def _channel_or_404(self, channel_id: str) -> tuple[str, FakeChannel]:
        found = self._find_channel(channel_id)
        if found is None:
            raise DiscordHTTPError(404, 10003, "Unknown Channel")
        return found

    def _add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/gateway", self._gateway)
        v = "/api/v10"
        r.add_get(f"{v}/gateway", self._get_gateway)
        r.add_get(f"{v}/gateway/bot", self._get_gateway_bot)
        r.add_get(f"{v}/users/@me", self._get_me)
        r.add_get(f"{v}/oauth2/applications/@me", self._get_application)
        r.add_get(f"{v}/applications/@me", self._get_application)
        r.add_route("*", f"{v}/applications/{{app}}/commands", self._commands)
        r.add_route("*", f"{v}/applications/{{app}}/guilds/{{guild}}/commands", self._commands)
        r.add_post(f"{v}/interactions/{{iid}}/{{token}}/callback", self._callback)
        r.add_get(f"{v}/channels/{{cid}}", self._get_channel)
        r.add_post(f"{v}/channels/{{cid}}/messages", self._post_message)
        r.add_route("*", f"{v}/channels/{{cid}}/messages/{{mid}}", self._message)
        r.add_post(f"{v}/channels/{{cid}}/threads", self._post_thread)
        r.add_post(f"{v}/channels/{{cid}}/messages/{{mid}}/threads", self._post_thread)
        for prefix in ("/api", v):
            r.add_route("*", f"{prefix}/webhooks/{{wid}}/{{token}}", self._webhook)
            r.add_route(
                "*", f"{prefix}/webhooks/{{wid}}/{{token}}/messages/{{mid}}", self._webhook_msg
            )

    # ----------------------------------------------------------------- REST handlers

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": self.shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        return json_response({**self.bot.to_dict(), "verified": True, "mfa_enabled": False})

    async def _get_application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": self.application_id,
                "name": self.bot.username,
                "icon": None,
                "description": "News alerts for Discord",
                "summary": "",
                "type": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": self.app_owner.to_dict(),
                "team": None,
                "flags": 0,
                "hook": True,
                "bot": self.bot.to_dict(),
                "approximate_guild_count": len(self.guilds),
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "integration_types_config": {"0": {}},
            }
        )

    async def _commands(self, request: web.Request) -> web.Response:
        if request.match_info["app"] != self.application_id:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        guild_id = request.match_info.get("guild")
        current = self.guild_commands.get(guild_id, []) if guild_id else self.global_commands
        if request.method == "GET":
            return json_response(current)
        if request.method != "PUT":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT"])
        payload = await _read_payload(request)
        if not isinstance(payload, list):
            raise _invalid_form({"_": "expected an array of commands"})
        _validate_commands(payload)
        existing = {(c["name"], c.get("type", 1)): c for c in current}
        synced = []
        for cmd in payload:
            old = existing.get((cmd["name"], cmd.get("type", 1)))
            synced.append(
                {
                    "id": old["id"] if old else self.ids.next(),
                    "application_id": self.application_id,
                    "version": self.ids.next(),
                    "type": cmd.get("type", 1),
                    "name": cmd["name"],
                    "name_localizations": cmd.get("name_localizations"),
                    "description": cmd.get("description", ""),
                    "description_localizations": cmd.get("description_localizations"),
                    "options": cmd.get("options", []),
                    "default_member_permissions": _perm_string(
                        cmd.get("default_member_permissions")
                    ),
                    "dm_permission": cmd.get("dm_permission", True),
                    "contexts": cmd.get("contexts"),
                    "integration_types": cmd.get("integration_types", [0]),
                    "nsfw": cmd.get("nsfw", False),
                    **({"guild_id": guild_id} if guild_id else {}),
                }
            )
        if guild_id:
            self.guild_commands[guild_id] = synced
        else:
            self.global_commands = synced
        self.command_syncs.append({"guild_id": guild_id, "commands": payload})
        return json_response(synced)

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        record = self._interactions_by_token.get(request.match_info["token"])
        if record is None or record.id != request.match_info["iid"]:
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        loop = asyncio.get_running_loop()
        if self.ack_deadline is not None and loop.time() - record.sent_at > self.ack_deadline:
            record.late_callbacks += 1
            raise DiscordHTTPError(404, 10062, "Unknown interaction")
        if record.callbacks:
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        body = await _read_payload(request)
        cb_type = body.get("type")
        data = body.get("data") or {}
        if body.get("_uploads"):  # a multipart callback: its files belong to the message
            data = {**data, "_uploads": body["_uploads"], "_files": body["_files"]}
        interaction_type = record.payload["type"]
        if cb_type == 9:
            if interaction_type not in (2, 3):
                raise DiscordHTTPError(400, 50035, "Invalid Form Body")
            _validate_modal(data)
        record.callbacks.append(body)
        resource: dict[str, Any] = {"type": cb_type}
        if cb_type in (4, 5):
            flags = int(data.get("flags") or 0)
            if cb_type == 5:
                flags |= LOADING
            message = self._message_object(
                record.payload["channel_id"], {**data, "flags": flags}, interaction=record
            )
            record.original = message
            resource["message"] = message
        if "with_response" not in request.query:
            return web.Response(status=204)
        interaction = {
            "id": record.id,
            "type": interaction_type,
            **(
                {
                    "response_message_id": record.original["id"],
                    "response_message_loading": cb_type == 5,
                    "response_message_ephemeral": bool(record.original.get("flags", 0) & EPHEMERAL),
                }
                if cb_type in (4, 5) and record.original
                else {}
            ),
        }
        return json_response({"interaction": interaction, "resource": resource})

    async def _get_channel(self, request: web.Request) -> web.Response:
        gid, channel = self._channel_or_404(request.match_info["cid"])
        return json_response(channel.to_dict(gid))

    async def _post_message(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        _gid, channel = self._channel_or_404(cid)
        if channel.forbidden:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        if channel.type == 4:
            raise DiscordHTTPError(400, 50008, "Cannot send messages in a non-text channel")
        body = await _read_payload(request)
        _validate_message(body, require_content=True)
        nonce = body.get("nonce")
        now = time.monotonic()
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get((cid, str(nonce)))
            if seen is not None and now - seen[0] <= self.nonce_window:
                return json_response(seen[1])
        message = self._message_object(cid, body)
        ref = body.get("message_reference")
        if ref:
            if str(ref.get("message_id")) not in self._messages_by_id and ref.get(
                "fail_if_not_exists", True
            ):
                raise _invalid_form({"message_reference": "Unknown message"})
            message["message_reference"] = {"channel_id": cid, **ref, "type": 0}
            message["type"] = 19
        self._record_message(message, body)
        if nonce is not None and body.get("enforce_nonce"):
            self._nonces[(cid, str(nonce))] = (now, message)
        if self.dispatch_message_create:
            with contextlib.suppress(RuntimeError):
                await self.dispatch(
                    "MESSAGE_CREATE",
                    {**message, "guild_id": _gid, "member": self._bot_member_payload()},
                    guild_id=_gid,
                )
        return json_response(message)

    def _bot_member_payload(self) -> dict[str, Any]:
        member = self.guild.member(self.bot.id)
        data = member.to_dict() if member else {"roles": [], "flags": 0}
        data.pop("user", None)
        return data

    async def _message(self, request: web.Request) -> web.StreamResponse:
        cid, mid = request.match_info["cid"], request.match_info["mid"]
        self._channel_or_404(cid)
        message = self._messages_by_id.get(mid)
        if message is None or message["channel_id"] != cid:
            raise DiscordHTTPError(404, 10008, "Unknown Message")
        if request.method == "GET":
            return json_response(message)
        if request.method == "PATCH":
            body = await _read_payload(request)
            _validate_message(body, require_content=False)
            for key in ("content", "embeds", "components", "flags", "allowed_mentions"):
                if key in body:
                    message[key] = body[key]
            message["edited_timestamp"] = now_iso()
            message.setdefault("edits", []).append(body)
            return json_response(message)
        if request.method == "DELETE":
            message["deleted"] = True
            return web.Response(status=204)
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "PATCH", "DELETE"])

    async def _post_thread(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        gid, parent = self._channel_or_404(cid)
        if parent.forbidden:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        body = await _read_payload(request)
        name = body.get("name")
        if not name or len(name) > 100:
            raise _invalid_form({"name": "Must be between 1 and 100 in length."})
        mid = request.match_info.get("mid")
        if mid is not None:
            if mid not in self._messages_by_id or self._messages_by_id[mid]["channel_id"] != cid:
                raise DiscordHTTPError(404, 10008, "Unknown Message")
            if self._find_channel(mid) is not None:
                raise DiscordHTTPError(
                    400, 160004, "A thread has already been created for this message"
                )
            thread = FakeChannel(mid, name, type=11, parent_id=cid, message_id=mid)
        else:
            thread = FakeChannel(
                self.ids.next(), name, type=int(body.get("type", 12)), parent_id=cid
            )
        thread.owner_id = self.bot.id
        self.guild.channels.append(thread)
        data = thread.to_dict(gid)
        data["thread_metadata"]["auto_archive_duration"] = int(
            body.get("auto_archive_duration") or 1440
        )
        data["member"] = {
            "id": thread.id,
            "user_id": self.bot.id,
            "join_timestamp": now_iso(),
            "flags": 1,
        }
        self.threads.append({**data, "request": body})
        if mid is not None:
            self._messages_by_id[mid]["thread"] = data
        with contextlib.suppress(RuntimeError):
            await self.dispatch("THREAD_CREATE", {**data, "newly_created": True}, guild_id=gid)
        return json_response(data, 201)

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        wid, token = request.match_info["wid"], request.match_info["token"]
        record = self._interactions_by_token.get(token)
        if record is not None and wid == self.application_id:
            return await self._followup(request, record)
        hook = self.webhooks.get(wid)
        if hook is None or hook["token"] != token:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        if request.method == "GET":
            return json_response({k: v for k, v in hook.items()})
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "POST"])
        body = await _read_payload(request)
        _validate_message(body, require_content=True)
        cid = request.query.get("thread_id") or hook["channel_id"]
        message = self._message_object(cid, body, webhook=hook)
        self._record_message(message, body)
        self.webhook_messages[wid].append(message)
        if request.query.get("wait") in ("true", "1", "True"):
            return json_response(message)
        return web.Response(status=204)

    async def _followup(self, request: web.Request, record: InteractionRecord) -> web.Response:
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        if not record.callbacks:
            raise DiscordHTTPError(404, 10015, "Unknown Webhook")
        body = await _read_payload(request)
        _validate_message(body, require_content=True)
        original = record.original
        if original is not None and int(original.get("flags", 0)) & LOADING:
            # As real Discord: a follow-up sent while the deferred "thinking" message is still
            # loading resolves it, and keeps the defer's visibility whatever its own flags say
            # (discord-api-docs #2742, #3466). Edit the original first to post a new message.
            for key in ("content", "embeds", "components", "allowed_mentions"):
                if key in body:
                    original[key] = body[key]
            if body.get("_uploads"):
                original["attachments"] = attachment_objects(
                    body, self.ids, self.base_url, self.files
                )
            original["flags"] = int(original["flags"]) & ~LOADING
            original["request"] = body
            original["resolved_by_followup"] = True
            record.followups.append(original)
            return json_response(original)
        message = self._message_object(record.payload["channel_id"], body, interaction=record)
        message["request"] = body
        record.followups.append(message)
        self._messages_by_id[message["id"]] = message
        return json_response(message)

    async def _webhook_msg(self, request: web.Request) -> web.StreamResponse:
        wid, token, mid = (request.match_info[k] for k in ("wid", "token", "mid"))
        record = self._interactions_by_token.get(token)
        if record is None or wid != self.application_id:
            record = None
            hook = self.webhooks.get(wid)
            if hook is None or hook["token"] != token:
                raise DiscordHTTPError(404, 10015, "Unknown Webhook")
            message = self._messages_by_id.get(mid)
            if message is None or message.get("webhook_id") != wid:
                raise DiscordHTTPError(404, 10008, "Unknown Message")
        else:
            if mid == "@original":
                message = record.original
            else:
                message = next((m for m in record.followups if m["id"] == mid), None)
            if message is None:
                raise DiscordHTTPError(404, 10008, "Unknown Message")
        if request.method == "GET":
            return json_response(message)
        if request.method == "DELETE":
            message["deleted"] = True
            return web.Response(status=204)
        if request.method != "PATCH":
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "PATCH", "DELETE"])
        body = await _read_payload(request)
        _validate_message(body, require_content=False)
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                message[key] = body[key]
        message["flags"] = int(message.get("flags", 0)) & ~LOADING
        message["edited_timestamp"] = now_iso()
        if record is not None and mid == "@original":
            record.edits.append(body)
        return json_response(message)

    # ----------------------------------------------------------------- message objects

    def _message_object(
        self,
        channel_id: str,
        body: dict[str, Any],
        *,
        interaction: InteractionRecord | None = None,
        webhook: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if webhook is not None:
            author = {
                **FakeUser(
                    webhook["id"], body.get("username") or webhook["name"], bot=True
                ).to_dict(),
                "discriminator": "0000",
            }
        else:
            author = self.bot.to_dict()
        message: dict[str, Any] = {
            "id": self.ids.next(),
            "channel_id": channel_id,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachment_objects(body, self.ids, self.base_url, self.files),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "reactions": [],
            "pinned": False,
            "type": 20 if interaction is not None else 0,
            "flags": int(body.get("flags") or 0),
            "components": body.get("components") or [],
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if interaction is not None:
            message["application_id"] = self.application_id
            message["webhook_id"] = self.application_id
            message["interaction_metadata"] = {
                "id": interaction.id,
                "type": interaction.payload["type"],
                "user": interaction.payload["member"]["user"],
                "authorizing_integration_owners": {"0": interaction.payload.get("guild_id")},
            }
        if webhook is not None:
            message["webhook_id"] = webhook["id"]
        return message

    def _record_message(self, message: dict[str, Any], body: dict[str, Any]) -> None:
        message["request"] = body
        self.messages.append(message)
        self._messages_by_id[message["id"]] = message


# --------------------------------------------------------------------------- validation


def _perm_string(value: Any) -> str | None:
    """Discord answers permission bitsets as strings whatever the client sent."""
    return None if value is None else str(value)


def _bucket(path: str) -> str:
    template = re.sub(r"\d{15,21}", "{id}", path)
    return f"{abs(hash(template)) & 0xFFFFFFFF:08x}"


async def _read_payload(request: web.Request) -> Any:
    """The request's JSON, or a multipart body's `payload_json` with its files (read once, as
    Discord's "Uploading Files" describes; what it refuses is a 400 or a 413)."""
    if PAYLOAD in request:
        return request[PAYLOAD]
    if request.method in ("GET", "HEAD", "DELETE") or not request.body_exists:
        return None
    ctype = request.content_type
    if ctype == "application/json":
        payload: Any = await request.json()
    elif ctype.startswith("multipart/"):
        try:
            payload = await read_discord_multipart(request, UPLOAD_LIMIT)
        except UploadError as exc:
            if exc.status == 413:
                raise DiscordHTTPError(413, 40005, "Request entity too large") from None
            raise _invalid_form({exc.field: exc.message}) from None
    else:
        payload = {"_raw": await request.text()}
    request[PAYLOAD] = payload
    return payload


def _validate_modal(data: dict[str, Any]) -> None:
    """Enforce the modal limits Discord answers 400 for (title, 1-5 text inputs and lengths)."""
    errors: dict[str, str] = {}
    if not 1 <= len(data.get("title") or "") <= 45:
        errors["data.title"] = "Must be between 1 and 45 in length."
    if not 1 <= len(data.get("custom_id") or "") <= 100:
        errors["data.custom_id"] = "Must be between 1 and 100 in length."
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        errors["data.components"] = "Must be between 1 and 5 in length."
    for i, row in enumerate(rows):
        inputs = row.get("components") if row.get("type") == 1 else [row.get("component")]
        label = row.get("label") if row.get("type") == 18 else None
        if row.get("type") not in (1, 18) or not inputs or len(inputs) != 1:
            errors[f"data.components.{i}"] = "Must be an action row or label with one input."
            continue
        field = inputs[0] or {}
        label = label or field.get("label") or ""
        if field.get("type") != 4 or field.get("style") not in (1, 2):
            errors[f"data.components.{i}.type"] = "Must be a text input."
        if not 1 <= len(label) <= 45:
            errors[f"data.components.{i}.label"] = "Must be between 1 and 45 in length."
        most = int(field.get("max_length") or 4000)
        if not 1 <= most <= 4000:
            errors[f"data.components.{i}.max_length"] = "Must be between 1 and 4000."
        if len(field.get("value") or "") > most:
            errors[f"data.components.{i}.value"] = f"Must be {most} or fewer in length."
        if len(field.get("placeholder") or "") > 100:
            errors[f"data.components.{i}.placeholder"] = "Must be 100 or fewer in length."
    if errors:
        raise _invalid_form(errors)


def _validate_message(body: Any, *, require_content: bool) -> None:
    """Enforce the create-message limits Discord answers 400 for."""
    if not isinstance(body, dict):
        raise _invalid_form({"_": "expected a JSON object"})
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    if require_content and not (
        content or embeds or body.get("components") or body.get("_files") or body.get("sticker_ids")
    ):
        raise DiscordHTTPError(400, 50006, "Cannot send an empty message")
    errors: dict[str, str] = {}
    if len(content) > 2000:
        errors["content"] = "Must be 2000 or fewer in length."
    if len(embeds) > 10:
        errors["embeds"] = "Must be 10 or fewer in length."
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                errors[f"embeds.{i}.{key}"] = f"Must be {limit} or fewer in length."
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors[f"embeds.{i}.fields"] = "Must be 25 or fewer in length."
        for j, f in enumerate(fields):
            name, value = f.get("name") or "", f.get("value") or ""
            total += len(name) + len(value)
            if not name or len(name) > 256:
                errors[f"embeds.{i}.fields.{j}.name"] = "Must be between 1 and 256 in length."
            if not value or len(value) > 1024:
                errors[f"embeds.{i}.fields.{j}.value"] = "Must be between 1 and 1024 in length."
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        total += len(footer) + len(author)
        if len(footer) > 2048:
            errors[f"embeds.{i}.footer.text"] = "Must be 2048 or fewer in length."
        if len(author) > 256:
            errors[f"embeds.{i}.author.name"] = "Must be 256 or fewer in length."
        url = embed.get("url")
        if url and not str(url).startswith(("http://", "https://")):
            errors[f"embeds.{i}.url"] = "Scheme must be one of ('http', 'https')."
    if total > 6000:
        errors["embeds"] = "Embed size exceeds maximum size of 6000"
    nonce = body.get("nonce")
    if nonce is not None and len(str(nonce)) > 25:
        errors["nonce"] = "Must be 25 or fewer in length."
    errors.update(_component_errors(body.get("components") or []))
    if errors:
        raise _invalid_form(errors)


def _component_errors(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Discord's limits on message buttons: at most 5 action rows of 1 to 5 buttons; a button
    other than a link has a custom_id of 1-100 characters; labels are 80 at most."""
    errors: dict[str, str] = {}
    if len(rows) > 5:
        errors["components"] = "Must be 5 or fewer in length."
    for i, row in enumerate(rows):
        inner = row.get("components") or []
        if row.get("type") != 1 or not 1 <= len(inner) <= 5:
            errors[f"components.{i}"] = "Must be an action row of 1 to 5 components."
            continue
        for j, button in enumerate(inner):
            where = f"components.{i}.components.{j}"
            if button.get("type") != 2:
                continue
            if button.get("style") == 5:
                if not button.get("url"):
                    errors[f"{where}.url"] = "This field is required"
            elif not 1 <= len(button.get("custom_id") or "") <= 100:
                errors[f"{where}.custom_id"] = "Must be between 1 and 100 in length."
            if len(button.get("label") or "") > 80:
                errors[f"{where}.label"] = "Must be 80 or fewer in length."
    return errors


def _validate_commands(commands: list[dict[str, Any]]) -> None:
    errors: dict[str, str] = {}
    names: set[tuple[str, int]] = set()
    if len(commands) > 100:
        errors["_"] = "Must be 100 or fewer in length."
    for i, cmd in enumerate(commands):
        key = (cmd.get("name", ""), cmd.get("type", 1))
        if key in names:
            errors[f"{i}.name"] = "Application command names must be unique"
        names.add(key)
        _validate_command_node(cmd, str(i), errors, top=cmd.get("type", 1) == 1)
    if errors:
        raise _invalid_form(errors)


def _validate_command_node(
    node: dict[str, Any], where: str, errors: dict[str, str], top: bool
) -> None:
    name = node.get("name", "")
    if top and not _COMMAND_NAME.match(name):
        errors[f"{where}.name"] = "Command name is invalid"
    description = node.get("description", "")
    if top and not 1 <= len(description) <= 100:
        errors[f"{where}.description"] = "Must be between 1 and 100 in length."
    options = node.get("options") or []
    if len(options) > 25:
        errors[f"{where}.options"] = "Must be 25 or fewer in length."
    seen_optional = False
    for j, opt in enumerate(options):
        here = f"{where}.options.{j}"
        if opt.get("type") in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
            _validate_command_node(opt, here, errors, top=True)
            continue
        if not _COMMAND_NAME.match(opt.get("name", "")):
            errors[f"{here}.name"] = "Command name is invalid"
        if not 1 <= len(opt.get("description", "")) <= 100:
            errors[f"{here}.description"] = "Must be between 1 and 100 in length."
        if opt.get("required"):
            if seen_optional:
                errors[f"{here}.required"] = (
                    "Required options must be placed before non-required options"
                )
        else:
            seen_optional = True
        if len(opt.get("choices") or []) > 25:
            errors[f"{here}.choices"] = "Must be 25 or fewer in length."


# --------------------------------------------------------------------------- client wiring


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and default gateway at ``fake``; restore on exit.

    ``Route.BASE`` is read when a ``Route`` is built, ``DEFAULT_GATEWAY`` when the
    plain ``Client`` connects (``AutoShardedClient`` uses ``GET /gateway/bot``).
    """
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running(client: Any, token: str, *, timeout: float = 10.0) -> AsyncIterator[Any]:  # noqa: ASYNC109
    """Start a discord.py client in a task, wait for ``ready``, close it on exit."""
    task = asyncio.create_task(client.start(token))
    try:
        waiter = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when="FIRST_COMPLETED")
        if task in done:
            waiter.cancel()
            task.result()  # re-raise the login/connect error
            raise RuntimeError("discord client stopped before it was ready")
        if waiter not in done:
            waiter.cancel()
            raise TimeoutError("discord client did not become ready")
        yield client
    finally:
        await client.close()
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
