"""Slack end to end: our bolt app on loopback receiving real signed slash commands, the real App and
store, alerts through slack_sdk into the fake Web API, Socket Mode, and a real `newsbot run`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from bot.chat.slack.app import WORKING, SlackBot
from bot.chat.textcommands import command_text
from bot.config import ConfigError, Settings
from bot.models import Destination, Platform
from bot.runtime.app import App
from tests.builders import (
    PEACE,
    START_SECONDS,
    STOP_SECONDS,
    bot_env,
    http_post,
    rss,
    seed_subscription,
    slack_env,
    start_bot,
    write_config,
)
from tests.e2e.command_cases import CASES, MULTILINE_RULE, OWNER_CASES, assert_owner_audit
from tests.fakes.feed_server import FeedServer
from tests.fakes.slack_server import FakeSlack

HOSTILE = "<!channel> @here " + PEACE  # feed text that would ping everyone if parsed as mrkdwn
PINGS = ("<!channel>", "<!here>", "<!everyone>", "@here", "@channel", "<@U")


class Clock:
    """The App's clock, moved by the test (backoff and Retry-After are checked without waiting)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Running:
    fake: FakeSlack
    feeds: FeedServer
    app: App
    bot: SlackBot
    clock: Clock
    url: str


@dataclass
class Answer:
    status: int
    text: str
    response_type: str | None
    acked_with_reply: bool


def settings_for(fake: FakeSlack, db_url: str, config: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": SecretStr(fake.bot_token),
        "slack_signing_secret": SecretStr(fake.signing_secret),
        "slack_api_url": fake.base_url,
        "slack_port": 0,
        "database_url": db_url,
        "config_dir": config,
        "fetch_allow_private": ["127.0.0.1/32"],
        "metrics_port": 0,
    }
    return Settings(**{**values, **extra})


async def serve(bot: SlackBot, app: App) -> str:
    await bot.start(app.command_service(), host="127.0.0.1")
    return f"http://127.0.0.1:{bot.port}/slack/events"


@pytest.fixture
async def running(tmp_path: Path, app_db_url: str) -> AsyncIterator[Running]:
    async with FakeSlack() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([]))
        feeds.add("/b.xml", rss([]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml"), feeds.url("/b.xml")])
        bot = SlackBot(settings_for(fake, app_db_url, config), post_interval=0.01)
        clock = Clock()
        app = await App(bot.settings, clock=clock, extra_sinks=bot.sinks).open()
        try:
            yield Running(fake, feeds, app, bot, clock, await serve(bot, app))
        finally:
            await bot.close()
            await app.close()


async def command(
    fake: FakeSlack, url: str, text: str, *, user: str = "member", **signing: Any
) -> Answer:
    """POST a signed `/newsbot TEXT`; the reply is the ack's body, or what reached response_url."""
    body, headers = fake.signed_slash_command(text, user=user, **signing)
    status, raw = await http_post(url, body, headers)
    if status != 200:
        return Answer(status, raw, None, False)
    ack = json.loads(raw) if raw else {}
    if ack.get("text") != WORKING:
        return Answer(status, ack["text"], ack.get("response_type"), True)
    response_url = parse_qs(body)["response_url"][0]
    later = await fake.wait_for(lambda: [r for r in fake.responses if r["url"] == response_url])
    reply = later[0]["json"]
    return Answer(status, reply["text"], reply.get("response_type"), False)


def check(
    case_name: str, answer: Answer, expect: tuple[str, ...], ok: bool, ephemeral: bool
) -> None:
    assert answer.status == 200, case_name
    for expected in expect:  # the table names rules loosely ("Peace talks")
        assert expected.casefold() in answer.text.casefold(), (
            f"{case_name}: {expected!r} in {answer.text!r}"
        )
    assert answer.response_type == ("ephemeral" if ephemeral else "in_channel"), case_name
    assert answer.text.startswith("*⚠️") != ok, f"{case_name}: {answer.text!r}"


def mrkdwn_texts(message: dict[str, Any]) -> str:
    """Every text Slack parses as mrkdwn (plain_text headers show `<!channel>` literally)."""
    texts = [message["text"]]
    for block in message["blocks"]:
        parts = [block.get("text") or {}, *block.get("elements", ())]
        texts += [p["text"] for p in parts if p.get("type") == "mrkdwn"]
    return "\n".join(texts)


async def test_every_shared_command_case(running: Running) -> None:
    fake = running.fake
    refused: list[str] = []
    for case in CASES:
        if case.admin:  # every admin command is first tried, and refused, for a plain member
            answer = await command(fake, running.url, command_text(case.path, case.options))
            check(f"{case.name} (member)", answer, ("Only admins",), ok=False, ephemeral=True)
            refused.append(".".join(case.path))
        user = "admin" if case.admin else "member"
        answer = await command(fake, running.url, command_text(case.path, case.options), user=user)
        check(case.name, answer, case.expect, case.ok, case.ephemeral)
        assert answer.acked_with_reply, case.name
        if "Only admins" in case.expect:
            refused.append(".".join(case.path))
    rows = await running.app.store.audit.history(limit=200)
    assert sorted(r.action for r in rows if not r.allowed) == sorted(refused)
    assert all(r.who.startswith("slack:U0MEMBER01") for r in rows if not r.allowed)
    assert all(r.workspace == fake.team_id for r in rows)
    assert {r.who.split(" ")[0] for r in rows if r.allowed} == {"slack:U0ADMIN001"}
    assert fake.messages == []  # every answer went to the caller, none through chat.postMessage


async def test_owner_and_listed_users_are_admins(running: Running) -> None:
    fake = running.fake
    assert "peace-talks" in (await command(fake, running.url, "rules list", user="owner")).text
    listed = SlackBot(running.bot.settings.model_copy(update={"slack_admins": ["U0MEMBER01"]}))
    try:
        url = await serve(listed, running.app)
        assert "peace-talks" in (await command(fake, url, "rules list", user="member")).text
    finally:
        await listed.close()


async def test_forged_and_stale_requests_are_refused(running: Running) -> None:
    fake, url = running.fake, running.url
    forged = await command(fake, url, "subscribe peace-talks", secret="not-the-signing-secret")
    stale = await command(fake, url, "subscribe peace-talks", timestamp=int(time.time()) - 600)
    assert (forged.status, stale.status) == (401, 401)
    dest = Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id)
    assert await running.app.store.subscriptions.for_destination(dest) == []
    assert fake.responses == []


async def test_help_and_typing_mistakes(running: Running) -> None:
    fake, url = running.fake, running.url
    help_text = (await command(fake, url, "")).text
    assert "`/newsbot subscribe TARGET" in help_text and "`/newsbot rules add" in help_text
    wrong = await command(fake, url, "subscribe peace-talks min_prio=high")
    assert wrong.response_type == "ephemeral"
    assert "unknown option 'min_prio'" in wrong.text and wrong.text.startswith("*⚠️")
    bad_priority = await command(fake, url, "subscribe peace-talks min_priority=extreme")
    assert "not valid" in bad_priority.text and bad_priority.response_type == "ephemeral"


async def test_mention_role_must_be_a_user_group_id(running: Running) -> None:
    fake, url = running.fake, running.url
    typed = await command(fake, url, "subscribe peace-talks mention_role=@news-team", user="admin")
    assert "Slack user group id such as S0123ABCD" in typed.text and typed.text.startswith("*⚠️")
    escaped = await command(
        fake, url, "subscribe peace-talks mention_role=<!subteam^S0NEWS123|@news>", user="admin"
    )
    assert "mentioning user group S0NEWS123" in escaped.text
    dest = Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id)
    [sub] = await running.app.store.subscriptions.for_destination(dest)
    assert sub.mention_role == "S0NEWS123"


async def test_only_admins_may_make_alerts_mention_a_group(running: Running) -> None:
    """Slack cannot say who may mention a user group: setting mention_role is an admin's."""
    fake, url = running.fake, running.url
    refused = await command(fake, url, "subscribe peace-talks mention_role=S0NEWS123")
    assert "may not make alerts mention" in refused.text and refused.response_type == "ephemeral"
    dest = Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id)
    assert await running.app.store.subscriptions.for_destination(dest) == []
    [audit] = await running.app.store.audit.history(limit=1)
    assert audit.action == "subscribe.mention" and not audit.allowed


async def test_slow_reply_goes_through_response_url(running: Running) -> None:
    slow = SlackBot(running.bot.settings, ack_budget=0)
    try:
        url = await serve(slow, running.app)
        answer = await command(running.fake, url, "subscribe peace-talks min_priority=high")
    finally:
        await slow.close()
    assert not answer.acked_with_reply
    assert answer.response_type == "in_channel" and "only high priority" in answer.text


async def test_alerts_rate_limit_follow_up_and_no_pings(running: Running) -> None:
    fake, feeds, app, clock = running.fake, running.feeds, running.app, running.clock
    subscribed = await command(fake, running.url, "subscribe peace-talks")
    assert subscribed.response_type == "in_channel" and "Subscribed" in subscribed.text

    feeds.add("/a.xml", rss([("a-1", HOSTILE)], title="Feed A"))
    await app.poll_once()
    [stored] = await app.store.alerts.recent(limit=5)
    assert "<!channel>" in stored.title  # the hostile text reached the alert as written

    fake.fail_next("chat.postMessage", 429, retry_after=30)
    first_try = await app.dispatch_once()
    assert first_try.retried == 1 and fake.messages == []  # (the console got its copy)
    clock.now += timedelta(seconds=29)
    assert (await app.dispatch_once()).sent == 0  # Retry-After not over yet: nothing is sent
    clock.now += timedelta(seconds=2)
    assert (await app.dispatch_once()).sent == 1
    assert [f["status"] for f in fake.faults_served] == [429]

    [first] = fake.channel_messages("C0ALERTS01")
    assert first["blocks"][0]["type"] == "header" and "Lavrov" in first["text"]
    assert first["args"]["unfurl_links"] is False
    texts = mrkdwn_texts(first)
    for ping in PINGS:
        assert ping not in texts
    dest = Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id)
    [row] = await app.store.outbox.log(dest)
    assert (row.status, row.message_id, row.attempts) == ("sent", first["ts"], 2)  # 429, then ok

    # the same story from another outlet is a follow-up: a thread reply under the first alert
    feeds.add("/b.xml", rss([("b-1", PEACE)], title="Feed B"))
    await app.store.feeds.make_due(clock())
    await app.poll_once()
    await app.drain()
    _, follow_up = fake.channel_messages("C0ALERTS01")
    assert follow_up["thread_ts"] == first["ts"]
    assert "Also reported by" in follow_up["text"]


@contextlib.asynccontextmanager
async def socket_mode(
    tmp_path: Path, db_url: str, **socket_options: Any
) -> AsyncIterator[tuple[FakeSlack, App, SlackBot]]:
    """A SlackBot answering `/newsbot` over Socket Mode with both its connections open, and
    its App."""
    async with FakeSlack() as fake:
        config = write_config(tmp_path / "config", [])
        settings = settings_for(
            fake,
            db_url,
            config,
            slack_app_token=SecretStr(fake.app_token),
            slack_signing_secret=None,
        )
        bot = SlackBot(settings, socket_options=socket_options)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await fake.wait_for(lambda: bot.health.links == 2)
            yield fake, app, bot
        finally:
            await bot.close()
            await app.close()


async def test_socket_mode_answers_in_the_ack(tmp_path: Path, app_db_url: str) -> None:
    async with socket_mode(tmp_path, app_db_url) as (fake, _app, _bot):
        envelope = await fake.push_slash_command("subscribe peace-talks", user="member")
        ack = await fake.wait_for_ack(envelope)
        assert ack["payload"]["response_type"] == "in_channel"
        assert "Subscribed this channel to Russia–Ukraine peace talks" in ack["payload"]["text"]
        admin = await fake.wait_for_ack(await fake.push_slash_command("feeds list"))
        assert admin["payload"]["text"] == "*0 feeds*"
        member = await fake.wait_for_ack(await fake.push_slash_command("feeds list", user="member"))
        assert "Only admins" in member["payload"]["text"]
        assert member["payload"]["response_type"] == "ephemeral"
        opened = [c for c in fake.calls if c["method"] == "apps.connections.open"]
        assert opened and opened[0]["token"] == fake.app_token


async def test_rules_add_and_edit_open_an_editor_modal(tmp_path: Path, app_db_url: str) -> None:
    async with socket_mode(tmp_path, app_db_url) as (fake, app, _bot):
        ack = await fake.wait_for_ack(await fake.push_slash_command("rules add"))
        assert not ack.get("payload")  # no message: the modal is the answer
        [view] = fake.views.values()
        assert view["title"]["text"] == "Add a watch rule"
        bad = await fake.submit_view(view["id"], {"Rule YAML": "id: ceasefire\nany: [truce"})
        assert bad["response_action"] == "errors" and "not valid YAML" in bad["errors"]["yaml"]
        assert view["id"] in fake.views  # still open, the text as typed
        done = await fake.submit_view(view["id"], {"Rule YAML": MULTILINE_RULE})
        assert done["response_action"] == "update"
        assert "Rule ceasefire added" in done["view"]["blocks"][0]["text"]["text"]
        rule = await app.store.catalog.get_rule("ceasefire")
        assert rule is not None and [t.phrase for t in rule.any] == ["ceasefire", "truce"]

        await fake.wait_for_ack(await fake.push_slash_command("rules edit ceasefire"))
        [edit] = [v for v in fake.views.values() if v["title"]["text"] == "Edit rule"]
        assert edit["blocks"][0]["element"]["initial_value"].startswith("id: ceasefire\n")
        refused = await fake.submit_view(edit["id"], {}, user="member")  # e.g. lost admin since
        assert "Only admins" in refused["errors"]["yaml"]
        member = await fake.wait_for_ack(await fake.push_slash_command("rules add", user="member"))
        assert "Only admins" in member["payload"]["text"]  # told before typing a rule
        missing = await fake.wait_for_ack(await fake.push_slash_command("rules edit nope"))
        assert "No rule 'nope'" in missing["payload"]["text"]
        fake.fail_next("views.open", error="expired_trigger_id")
        late = await fake.wait_for_ack(await fake.push_slash_command("rules add"))
        assert "Could not open the rule editor" in late["payload"]["text"]
        assert len(fake.views) == 2  # the confirmation and the edit; the rest opened none
    rows = await app.store.audit.history(limit=10)
    assert [(r.action, r.allowed) for r in rows][:3] == [
        ("rules.add", False),
        ("rules.edit", False),
        ("rules.add", True),
    ]


async def test_socket_mode_with_a_wrong_app_token_says_so(tmp_path: Path, app_db_url: str) -> None:
    async with FakeSlack() as fake:
        config = write_config(tmp_path / "config", [])
        wrong = "xapp-1-not-the-app-token"
        settings = settings_for(fake, app_db_url, config, slack_app_token=SecretStr(wrong))
        bot = SlackBot(settings)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            with pytest.raises(ConfigError, match=r"invalid_auth.*NEWSBOT_SLACK_APP_TOKEN") as info:
                await bot.start(app.command_service())
            assert wrong not in str(info.value)
        finally:
            await bot.close()
            await app.close()


async def test_http_mode_needs_the_signing_secret(tmp_path: Path, app_db_url: str) -> None:
    async with FakeSlack() as fake:
        config = write_config(tmp_path / "config", [])
        settings = settings_for(fake, app_db_url, config, slack_signing_secret=None)
        bot = SlackBot(settings)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            with pytest.raises(ConfigError, match="NEWSBOT_SLACK_SIGNING_SECRET"):
                await bot.start(app.command_service())
            await bot.start(None)  # the dispatcher role posts alerts and needs no secret
        finally:
            await bot.close()
            await app.close()


def _read(log: Path) -> str:
    return log.read_text(errors="replace")


async def _port_from_log(log: Path, proc: asyncio.subprocess.Process) -> int:
    pattern = re.compile(r"over HTTP at http://[\d.]+:(\d+)/slack/events")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS  # a start under load takes tens of seconds
    while loop.time() < deadline:
        if match := pattern.search(_read(log)):
            return int(match[1])
        if proc.returncode is not None:
            break
        await asyncio.sleep(0.1)
    raise AssertionError("newsbot run did not start its Slack endpoint:\n" + _read(log)[-3000:])


@pytest.mark.slow
async def test_newsbot_run_process(tmp_path: Path, app_db_url: str) -> None:
    """A real `newsbot run` in HTTP mode: answers a signed command, posts an alert after a 429,
    exits 0 on SIGTERM, and never logs its secrets."""
    async with FakeSlack() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([("a-1", HOSTILE)]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml")])
        settings = settings_for(fake, app_db_url, config)
        await seed_subscription(
            settings.database_url,
            Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id),
        )
        fake.fail_next("chat.postMessage", 429, retry_after=1)
        env = bot_env(
            settings.database_url,
            config,
            **slack_env(fake),
            LOG_LEVEL="DEBUG",
        )
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log, cwd=tmp_path)
        try:
            url = f"http://127.0.0.1:{await _port_from_log(log, proc)}/slack/events"
            answer = await command(fake, url, "subscriptions")
            assert answer.status == 200 and "Russia–Ukraine peace talks" in answer.text
            message = await fake.wait_for(lambda: fake.channel_messages("C0ALERTS01"), timeout=120)
            assert message[0]["blocks"] and [f["status"] for f in fake.faults_served] == [429]
            for ping in PINGS:
                assert ping not in mrkdwn_texts(message[0])
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), STOP_SECONDS) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                with contextlib.suppress(ProcessLookupError):
                    await proc.wait()
        output = _read(log)
        assert "rate limit" in output or "ratelimited" in output  # the 429 was logged ...
        for secret in (fake.bot_token, fake.signing_secret):
            assert secret not in output, "a secret leaked into the logs"  # ... without secrets


async def test_with_owners_set_only_they_change_rules_and_feeds(
    tmp_path: Path, app_db_url: str
) -> None:
    async with FakeSlack() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([]))
        feeds.add("/b.xml", rss([]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml"), feeds.url("/b.xml")])
        owners = ["slack:U0OWNER001"]
        bot = SlackBot(settings_for(fake, app_db_url, config, owners=owners), post_interval=0.01)
        app = await App(bot.settings, extra_sinks=bot.sinks).open()
        try:
            url = await serve(bot, app)
            for case in OWNER_CASES:
                text = command_text(case.path, case.options)
                answer = await command(fake, url, text, user=case.user)
                check(case.name, answer, case.expect, case.ok, ephemeral=True)
            assert fake.views == {}  # no editor opened for anyone refused
            assert_owner_audit(await app.store.audit.history(limit=100), owners)
        finally:
            await bot.close()
            await app.close()
