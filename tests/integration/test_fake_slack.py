"""slack_sdk and the real bolt AsyncApp against the loopback fake Slack."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.builders import http_post
from tests.fakes.slack_server import FakeSlack, sign_request, slash_command_body

ALERT_BLOCKS: list[dict[str, Any]] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Lavrov: talks stalled"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Why:* actor Sergey Lavrov"}},
]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def web_client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)


def build_app(fake: FakeSlack) -> AsyncApp:
    """A bolt app in the shape newsbot's adapter takes: ack first, then work, reply privately."""
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    app = AsyncApp(client=client, signing_secret=fake.signing_secret)

    @app.command("/newsbot")
    async def newsbot(ack: Any, command: dict[str, Any], respond: Any, client: Any) -> None:
        await ack(f"Working on: {command['text']}")
        info = await client.users_info(user=command["user_id"])
        role = "admin" if info["user"]["is_admin"] or info["user"]["is_owner"] else "member"
        await respond(response_type="ephemeral", text=f"{role}: {command['text']}")

    return app


@pytest.fixture
async def bolt_url(fake: FakeSlack) -> AsyncIterator[str]:
    runner = web.AppRunner(build_app(fake).web_app(path="/slack/events"), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_signed_slash_command_is_acked_and_answered(fake: FakeSlack, bolt_url: str) -> None:
    body, headers = fake.signed_slash_command("list", user="admin")
    status, text = await http_post(bolt_url, body, headers)
    assert (status, text) == (200, "Working on: list")
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["json"]["text"] == "admin: list"
    assert fake.responses[0]["json"]["response_type"] == "ephemeral"
    methods = [c["method"] for c in fake.calls]
    assert methods[0] == "auth.test" and "users.info" in methods


async def test_plain_member_is_told_apart(fake: FakeSlack, bolt_url: str) -> None:
    body, headers = fake.signed_slash_command("rules add x", user="member")
    status, _ = await http_post(bolt_url, body, headers)
    assert status == 200
    await fake.wait_for(lambda: fake.responses)
    assert fake.responses[0]["json"]["text"] == "member: rules add x"


async def test_forged_signature_is_refused(fake: FakeSlack, bolt_url: str) -> None:
    body, headers = fake.signed_slash_command("list", secret="not-the-secret")
    status, _ = await http_post(bolt_url, body, headers)
    assert status == 401
    tampered_body = body.replace("list", "rules+remove+all")
    status, _ = await http_post(bolt_url, tampered_body, sign_request(fake.signing_secret, body))
    assert status == 401
    assert fake.responses == []


async def test_stale_timestamp_is_refused(fake: FakeSlack, bolt_url: str) -> None:
    body, headers = fake.signed_slash_command("list", timestamp=int(time.time()) - 600)
    status, _ = await http_post(bolt_url, body, headers)
    assert status == 401
    assert fake.responses == []


def test_signature_helper_matches_slacks_documented_example() -> None:
    """The example from Slack's "Verifying requests from Slack" page."""
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        "commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign_request("8f742231b10e8888abcd99yyyzzz85a5", body, 1531420618)
    assert headers["X-Slack-Signature"] == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    assert "command=%2Fnewsbot&text=rules+show+donbas" in slash_command_body(
        text="rules show donbas"
    )


async def test_post_message_with_blocks_and_thread(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    first = await web_client.chat_postMessage(
        channel="C0ALERTS01", text="Lavrov: talks stalled", blocks=ALERT_BLOCKS
    )
    reply = await web_client.chat_postMessage(
        channel="C0ALERTS01", text="follow-up", thread_ts=first["ts"]
    )
    assert first["ts"] != reply["ts"]
    [alert, follow_up] = fake.channel_messages("C0ALERTS01")
    assert alert["blocks"] == ALERT_BLOCKS and alert["text"] == "Lavrov: talks stalled"
    assert follow_up["thread_ts"] == first["ts"]
    assert fake.calls[0]["token"] == fake.bot_token


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C0NOSUCH01", "text": "x"}, "channel_not_found"),
        ({"channel": "C0OUTSIDE1", "text": "x"}, "not_in_channel"),
        ({"channel": "C0ALERTS01"}, "no_text"),
        ({"channel": "C0ALERTS01", "text": "x", "blocks": [{"type": "section"}]}, "invalid_blocks"),
        ({"channel": "C0ALERTS01", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
    ],
)
async def test_post_message_errors(
    fake: FakeSlack, web_client: AsyncWebClient, kwargs: dict[str, Any], error: str
) -> None:
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(**kwargs)
    assert info.value.response["error"] == error
    assert fake.messages == []


async def test_invalid_auth(fake: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-wrong", base_url=fake.base_url)
    with pytest.raises(SlackApiError) as info:
        await client.auth_test()
    assert info.value.response["error"] == "invalid_auth"


async def test_ephemeral_update_and_lookups(fake: FakeSlack, web_client: AsyncWebClient) -> None:
    await web_client.chat_postEphemeral(channel="C0ALERTS01", user="U0MEMBER01", text="only you")
    assert fake.ephemerals[0]["user"] == "U0MEMBER01"
    posted = await web_client.chat_postMessage(channel="C0ALERTS01", text="v1")
    await web_client.chat_update(channel="C0ALERTS01", ts=posted["ts"], text="v2")
    assert fake.channel_messages("C0ALERTS01")[0]["text"] == "v2"
    owner = await web_client.users_info(user="U0OWNER001")
    assert owner["user"]["is_owner"] and owner["user"]["is_primary_owner"]
    info = await web_client.conversations_info(channel="C0OUTSIDE1")
    assert info["channel"]["is_member"] is False
    with pytest.raises(SlackApiError) as missing:
        await web_client.users_info(user="U0NOBODY01")
    assert missing.value.response["error"] == "user_not_found"
    fake.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError):
        await web_client.chat_postMessage(channel="C0ALERTS01", text="x")


async def test_rate_limit_is_retried_with_retry_handler(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    fake.fail_next("chat.postMessage", 429, retry_after=0)
    with pytest.raises(SlackApiError) as info:
        await web_client.chat_postMessage(channel="C0ALERTS01", text="no retry by default")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "0"

    web_client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    fake.fail_next("chat.postMessage", 429, retry_after=0)
    await web_client.chat_postMessage(channel="C0ALERTS01", text="retried")
    assert [m["text"] for m in fake.messages] == ["retried"]
    assert [f["status"] for f in fake.faults_served] == [429, 429]


async def test_server_error_is_retried_with_retry_handler(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    web_client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", 503)
    await web_client.chat_postMessage(channel="C0ALERTS01", text="after a 503")
    assert [m["text"] for m in fake.messages] == ["after a 503"]


async def test_incoming_webhook(fake: FakeSlack) -> None:
    url = fake.create_incoming_webhook("C0GENERAL1")
    webhook = AsyncWebhookClient(url)
    response = await webhook.send(text="alert", blocks=ALERT_BLOCKS)
    assert (response.status_code, response.body) == (200, "ok")
    assert fake.webhook_posts[url] == [{"text": "alert", "blocks": ALERT_BLOCKS}]
    assert fake.channel_messages("C0GENERAL1")[0]["source"] == "incoming_webhook"
    empty = await webhook.send_dict({})
    assert (empty.status_code, empty.body) == (400, "no_text")
    unknown = await AsyncWebhookClient(url + "x").send(text="hi")
    assert unknown.status_code == 404


async def test_socket_mode_slash_command_is_acked(fake: FakeSlack) -> None:
    handler = AsyncSocketModeHandler(build_app(fake), app_token=fake.app_token)
    try:
        await handler.connect_async()
        await fake.wait_for(lambda: fake.socket_connections)
        envelope_id = await fake.push_slash_command("alerts", user="member")
        ack = await fake.wait_for_ack(envelope_id)
        assert ack == {"envelope_id": envelope_id, "payload": {"text": "Working on: alerts"}}
        await fake.wait_for(lambda: fake.responses)
        assert fake.responses[0]["json"]["text"] == "member: alerts"
        opened = [c for c in fake.calls if c["method"] == "apps.connections.open"]
        assert opened[0]["token"] == fake.app_token

        await fake.request_socket_refresh()  # Slack rotates connections; the client reconnects
        await fake.wait_for(lambda: len(fake.socket_connections) == 2)
        await fake.wait_for(lambda: not fake.socket_connections[1].ws.closed)
        second = await fake.push_slash_command("list")
        assert (await fake.wait_for_ack(second))["payload"] == {"text": "Working on: list"}
    finally:
        await handler.close_async()


async def test_app_token_is_required_for_socket_mode(fake: FakeSlack) -> None:
    client = AsyncWebClient(base_url=fake.base_url)
    with pytest.raises(SlackApiError) as info:
        await client.apps_connections_open(app_token=fake.bot_token)
    assert info.value.response["error"] == "not_allowed_token_type"


async def test_views_open_takes_a_fresh_trigger_once_and_checks_the_view(
    fake: FakeSlack, web_client: AsyncWebClient
) -> None:
    def modal(title: str) -> dict[str, Any]:
        field = {"type": "plain_text_input", "action_id": "a", "multiline": True}
        return {
            "type": "modal",
            "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Save"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "b",
                    "label": {"type": "plain_text", "text": "Note"},
                    "element": field,
                }
            ],
        }

    trigger = fake.slash_command("rules add")["trigger_id"]
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await web_client.views_open(trigger_id=trigger, view=modal("x" * 25))  # title over 24
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):  # a trigger is used once
        await web_client.views_open(trigger_id=trigger, view=modal("Note"))
    opened = await web_client.views_open(
        trigger_id=fake.slash_command("rules add")["trigger_id"], view=modal("Note")
    )
    assert opened["view"]["id"] in fake.views and opened["view"]["state"] == {"values": {}}
