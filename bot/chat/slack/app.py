"""The Slack app: one `/newsbot` slash command that translates between Slack and the CommandService.

The listener parses the text, builds a `Caller` (admin per `SlackAdmins`), runs the command and
answers within Slack's 3 s: with the reply itself when it is ready in time, else with a short
acknowledgement and the reply through `response_url`. Socket Mode or HTTP (signed requests).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.ack import ACK_BUDGET, answer_in_time, is_public
from bot.chat.commands import Caller, CommandService, Reply
from bot.chat.feedback import FeedbackService
from bot.chat.health import ConnectionHealth
from bot.chat.registry import COMMANDS, Permission, usage
from bot.chat.reply import FAILED
from bot.chat.slack import rule_editor
from bot.chat.slack.admin import SlackAdmins
from bot.chat.slack.attach import upload_chart
from bot.chat.slack.reply import reply_mrkdwn
from bot.chat.slack.socket import SocketModeLinks
from bot.chat.slack.votes import register_votes
from bot.chat.textcommands import CommandSyntaxError, parse
from bot.config import ConfigError, Settings
from bot.delivery.sinks.slack_bot import SlackSink
from bot.models import Platform
from bot.ports import Sink

log = logging.getLogger(__name__)

COMMAND = "/newsbot"
EVENTS_PATH = "/slack/events"
WORKING = "Working on it…"
EDITOR_COMMANDS = {c.path for c in COMMANDS if c.editor}
SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
NO_BREAK = re.compile("[\u00a0\u2007\u202f]")


def make_client(settings: Settings, *, retry_rate_limits: bool = False) -> AsyncWebClient:
    """A Web API client with the bot token, at `NEWSBOT_SLACK_API_URL` when set.

    Only the commands' client retries a 429 in the SDK (the user was already acked); the sink's
    does not: the dispatcher reschedules after Retry-After, keeping order and freeing the tick.
    """
    if settings.slack_bot_token is None:
        raise ConfigError("NEWSBOT_SLACK_BOT_TOKEN is not set")
    options: dict[str, Any] = {"token": settings.slack_bot_token.get_secret_value()}
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url
    client = AsyncWebClient(**options)
    if retry_rate_limits:
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return client


def plain_text(text: str) -> str:
    """Undo Slack's escaping of typed text (`<https://x|x>` is the URL, `&lt;` is `<`); a
    no-break space (Option-Space on a Mac) separates words like a space; NUL goes."""
    if not text:
        return ""
    text = html.unescape(SLACK_LINK.sub(lambda m: m[1], text))
    return NO_BREAK.sub(" ", text.replace("\x00", ""))


def help_reply() -> Reply:
    """Every command's usage and help, from the registry."""
    who = {Permission.admin: " (admins)", Permission.owner: " (owners; admins if none set)"}
    lines = tuple(
        f"`{COMMAND} {usage(c)}` — {c.help}" + who.get(c.permission, "") for c in COMMANDS
    )
    return Reply(title="newsbot commands", lines=lines)


def reply_payload(reply: Reply) -> dict[str, Any]:
    """What Slack takes for a command answer: mrkdwn text, private unless meant for the channel."""
    public = is_public(reply)
    return {"text": reply_mrkdwn(reply), "response_type": "in_channel" if public else "ephemeral"}


class SlackResponder:
    """`chat.ack.Responder` for one slash command: the ack's body, or `response_url` after."""

    def __init__(self, ack: AsyncAck, respond: AsyncRespond) -> None:
        self.ack, self.respond = ack, respond

    async def now(self, reply: Reply | None) -> None:
        if reply is None:
            await self.ack()  # the editor modal is open
        else:
            await self.ack(**reply_payload(reply))

    async def hold(self) -> None:
        await self.ack(text=WORKING, response_type="ephemeral")

    async def later(self, reply: Reply) -> None:
        await self.respond(**reply_payload(reply))


class SlashCommand:
    """Turns one slash-command payload into a Reply through the command service, and runs the
    rule editor modal (`rules add` / `rules edit RULE` without YAML)."""

    def __init__(
        self, service: CommandService, admins: SlackAdmins, client: AsyncWebClient
    ) -> None:
        self.service = service
        self.admins = admins
        self.client = client

    async def reply(self, command: Mapping[str, Any]) -> Reply | None:
        """The answer to post, or None when the answer is a modal that is now open."""
        try:
            parsed = parse(plain_text(str(command.get("text", ""))))
        except CommandSyntaxError as exc:
            return Reply(title="I did not understand that", lines=(str(exc),), ok=False)
        if parsed.is_help:
            return help_reply()
        try:
            caller = await self.caller(command)
            if parsed.path in EDITOR_COMMANDS and "yaml" not in parsed.options:
                return await self.open_editor(caller, command, parsed.options.get("rule"))
            return await self.service.run(caller, parsed.path, parsed.options)
        except Exception:
            log.exception("%s %s failed", COMMAND, " ".join(parsed.path))
            return FAILED

    async def open_editor(
        self, caller: Caller, command: Mapping[str, Any], rule_id: str | None
    ) -> Reply | None:
        draft = await self.service.rules.draft(caller, rule_id, limit=rule_editor.MAX_YAML)
        if isinstance(draft, Reply):
            return draft
        view = rule_editor.editor_view(rule_id=rule_id, draft=draft, channel=caller.channel)
        try:
            await self.client.views_open(trigger_id=str(command["trigger_id"]), view=view)
        except SlackApiError as exc:  # e.g. expired_trigger_id: Slack allows 3 s to open it
            log.warning("%s: could not open the rule editor: %s", COMMAND, exc)
            return Reply(
                title="Could not open the rule editor; please try again",
                lines=("Or give the whole rule as YAML in the command.",),
                ok=False,
            )
        return None

    async def save_from_editor(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Save the rule a modal submitted: the `response_action` closing or keeping it."""
        text, rule_id, channel = rule_editor.submitted(body["view"])
        user = body.get("user") or {}
        try:
            # Permissions are looked at again: they may have changed while the modal was open.
            caller = await self._caller(
                str(user.get("id")),
                str(user.get("username") or user.get("name", "")),
                (body.get("team") or {}).get("id") or user.get("team_id"),
                channel,
            )
            reply = await self.service.rules.put(caller, text, rule_id=rule_id)
        except Exception:
            log.exception("%s rule editor failed", COMMAND)
            reply = FAILED
        if reply.ok:
            return rule_editor.done_response(reply)
        return rule_editor.error_response(reply)

    async def caller(self, command: Mapping[str, Any]) -> Caller:
        return await self._caller(
            str(command["user_id"]),
            str(command.get("user_name", "")),
            command.get("team_id"),
            str(command["channel_id"]),
        )

    async def _caller(self, user: str, name: str, team: str | None, channel: str) -> Caller:
        """Who asks, where; whether they may administer is asked of Slack each time."""
        return Caller(
            user_id=user,
            name=name,
            platform=Platform.slack,
            workspace=str(team) if team else None,
            channel=channel,
            is_admin=await self.admins.is_admin(user),
        )


def build_app(
    client: AsyncWebClient,
    handler: SlashCommand,
    *,
    signing_secret: str | None,
    ack_budget: float = ACK_BUDGET,
    feedback: FeedbackService | None = None,
) -> AsyncApp:
    """The bolt app with the `/newsbot` listener; no secret (Socket Mode) means no signatures."""
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        logger=logging.getLogger("slack_bolt.newsbot"),
    )

    @app.command(COMMAND)
    async def newsbot(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        responder = SlackResponder(ack, respond)
        reply = await answer_in_time(handler.reply(command), responder, budget=ack_budget)
        if reply is not None:  # a chart follows the text
            user, channel = str(command["user_id"]), str(command["channel_id"])
            await upload_chart(client, reply, user=user, channel=channel)

    @app.view(rule_editor.CALLBACK_ID)
    async def rule_editor_submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack(**await handler.save_from_editor(body))

    if feedback is not None:
        register_votes(app, feedback, handler._caller, reply_payload)
    return app


class SlackBot:
    """One process's Slack adapter: Web API client, alert sink, and (given a service) commands."""

    def __init__(
        self,
        settings: Settings,
        *,
        post_interval: float | None = None,
        ack_budget: float = ACK_BUDGET,
        socket_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.ack_budget = ack_budget
        self.socket_options = dict(socket_options or {})
        self.health = ConnectionHealth("slack")
        interval = settings.slack_post_interval if post_interval is None else post_interval
        self.sink = SlackSink(make_client(settings), min_interval=interval)
        self.app: AsyncApp | None = None
        self.port: int | None = None
        self._socket: SocketModeLinks | None = None
        self._runner: web.AppRunner | None = None

    @property
    def sinks(self) -> Mapping[Platform, Sink]:
        return {Platform.slack: self.sink}

    @property
    def listens(self) -> bool:
        """Whether a connection is kept open (Socket Mode), so `health` has something to say."""
        return self._socket is not None

    async def start(
        self,
        service: CommandService | None,
        *,
        host: str = "0.0.0.0",
        feedback: FeedbackService | None = None,
    ) -> None:
        """With a service, answer `/newsbot`: over Socket Mode if an app token is set, else HTTP."""
        if service is None:
            return
        s = self.settings
        secret = s.slack_signing_secret.get_secret_value() if s.slack_signing_secret else None
        if s.slack_app_token is None and secret is None:
            raise ConfigError(
                "Slack HTTP mode needs NEWSBOT_SLACK_SIGNING_SECRET (or set "
                "NEWSBOT_SLACK_APP_TOKEN to use Socket Mode)"
            )
        client = make_client(s, retry_rate_limits=True)
        admins = SlackAdmins(client, s.slack_admins)
        self.app = build_app(
            client,
            SlashCommand(service, admins, client),
            signing_secret=None if s.slack_app_token else secret,
            ack_budget=self.ack_budget,
            feedback=feedback,
        )
        if s.slack_app_token is not None:
            await self._start_socket(self.app, s.slack_app_token.get_secret_value())
        else:
            await self._start_http(self.app, host, s.slack_port)

    async def _start_socket(self, app: AsyncApp, app_token: str) -> None:
        self._socket = SocketModeLinks(
            app, app.client, app_token, health=self.health, **self.socket_options
        )
        try:  # a refused token is a configuration error, not something to retry forever
            await self._socket.start()
        except SlackApiError as exc:
            error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
            raise ConfigError(
                f"Slack refused to open Socket Mode ({error or exc.response.status_code}); "
                "check NEWSBOT_SLACK_APP_TOKEN (an xapp- token with connections:write)"
            ) from None
        log.info("Slack: %s over Socket Mode", COMMAND)

    async def _start_http(self, app: AsyncApp, host: str, port: int) -> None:
        self._runner = web.AppRunner(
            app.web_app(path=EVENTS_PATH), handle_signals=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as exc:
            raise ConfigError(
                f"cannot serve Slack requests on {host}:{port}: {exc.strerror}; "
                "set NEWSBOT_SLACK_PORT"
            ) from None
        self.port = int(self._runner.addresses[0][1])
        log.info("Slack: %s over HTTP at http://%s:%d%s", COMMAND, host, self.port, EVENTS_PATH)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
