"""Discord end to end: our bot on the unmodified discord.py client, the real App and store,
against the fake Discord and a feed server on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import discord.gateway
import discord.http
import pytest
from pydantic import SecretStr

from bot.chat.discord import respond as discord_respond
from bot.chat.discord.app import DiscordBot
from bot.config import Settings
from bot.models import Delivery, Destination, Platform
from bot.rules.schema import Rule
from bot.runtime.app import App
from tests.builders import (
    PEACE,
    START_SECONDS,
    STOP_SECONDS,
    bot_env,
    rss,
    seed_subscription,
    start_bot,
    write_config,
)
from tests.e2e.command_cases import CASES, MULTILINE_RULE, OWNER_CASES, assert_owner_audit
from tests.fakes.discord_server import FakeDiscord, InteractionRecord, default_guild
from tests.fakes.feed_server import FeedServer

COMMANDS = {
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "status",
    "actor",
    "alerts",
    "rules",
    "feeds",
}
SUBCOMMANDS = {
    "alerts": ["recent", "log"],
    "rules": ["list", "show", "add", "edit", "remove", "test", "stats", "history"],
    "feeds": ["list", "add", "remove"],
}
T = TypeVar("T")
HOSTILE = "@everyone " + PEACE  # feed text that would ping the whole server if mentions parsed


@dataclass
class Running:
    fake: FakeDiscord
    feeds: FeedServer
    app: App
    bot: DiscordBot
    settings: Settings


def settings_for(fake: FakeDiscord, db_url: str, config: Path, **extra: Any) -> Settings:
    return Settings(
        discord_token=SecretStr(fake.token),
        discord_api_base=fake.api_base,
        database_url=db_url,
        config_dir=config,
        fetch_allow_private=["127.0.0.1/32"],
        metrics_port=0,
        admin_role="News Editors",
        **extra,
    )


@pytest.fixture
async def running(tmp_path: Path, app_db_url: str) -> AsyncIterator[Running]:
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord(heartbeat_interval=0.1) as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([]))
        feeds.add("/b.xml", rss([]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml"), feeds.url("/b.xml")])
        settings = settings_for(fake, app_db_url, config)
        bot = DiscordBot(settings, guild_ready_timeout=0.05)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await bot.connection.wait_until_ready(timeout=10)
            yield Running(fake, feeds, app, bot, settings)
        finally:
            await bot.close()
            await app.close()
    assert base == discord.http.Route.BASE  # the bot restores the globals it changed
    assert gateway == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


async def reply_of(fake: FakeDiscord, rec: InteractionRecord) -> InteractionRecord:
    """Wait for a deferred command's follow-up; a direct answer is already complete."""
    if rec.deferred:
        await fake.wait_for(lambda: rec.replies)
    return rec


def mention_settings(rec: InteractionRecord) -> list[dict[str, Any]]:
    """`allowed_mentions` of every message the bot sent in answer to one interaction."""
    sent = [rec.callback["data"]] if rec.callback and rec.response_type == 4 else []
    return [m["allowed_mentions"] for m in sent + [f["request"] for f in rec.followups]]


async def test_commands_synced_match_the_command_list(running: Running) -> None:
    fake = running.fake
    [sync] = fake.command_syncs
    assert sync["guild_id"] is None
    by_name = {c["name"]: c for c in sync["commands"]}
    assert set(by_name) == COMMANDS
    for group, subs in SUBCOMMANDS.items():
        assert [o["name"] for o in by_name[group]["options"]] == subs
    subscribe = {o["name"]: o for o in by_name["subscribe"]["options"]}
    assert list(subscribe) == ["target", "min_priority", "mention_role", "mode", "digest_time"]
    assert subscribe["target"]["autocomplete"] is True
    assert [c["value"] for c in subscribe["min_priority"]["choices"]] == [
        "low",
        "normal",
        "high",
        "urgent",
    ]
    assert subscribe["mention_role"]["type"] == 8  # ROLE
    assert all(c.get("contexts") == [0] for c in sync["commands"])  # guilds only
    # the gateway URL came from the configured base's GET /gateway/bot; no privileged intents
    assert any(r["path"] == "/api/v10/gateway/bot" for r in fake.requests)
    assert fake.identifies[0]["intents"] == discord.Intents(guilds=True).value


async def test_every_shared_command_case(running: Running) -> None:
    fake = running.fake
    for case in CASES:
        user = fake.admin if case.admin else fake.member
        rec = await reply_of(
            fake, await fake.invoke_command(" ".join(case.path), dict(case.options), user=user)
        )
        text = rec.text
        for expected in case.expect:  # the table names rules loosely ("Peace talks")
            assert expected.casefold() in text.casefold(), f"{case.name}: {expected!r} in {text!r}"
        assert rec.ephemeral == case.ephemeral, case.name
        assert text.startswith("**⚠️") != case.ok, f"{case.name}: {text!r}"
        assert mention_settings(rec) and all(m["parse"] == [] for m in mention_settings(rec))
    refused = [r for r in await running.app.store.audit.history(limit=100) if not r.allowed]
    assert sorted(r.action for r in refused) == ["feeds.add", "rules.add", "rules.list"]
    assert all(r.who.startswith(f"discord:{fake.member.id}") for r in refused)
    assert all(r.workspace == fake.guild.id for r in refused)


async def test_admin_role_from_settings_grants_admin(running: Running) -> None:
    fake = running.fake
    editor = await fake.invoke_command("rules list", user=fake.editor)  # role "News Editors"
    member = await fake.invoke_command("rules list", user=fake.member)
    assert "peace-talks" in editor.text
    assert "Only admins" in member.text


async def test_admin_commands_are_hidden_from_members_by_default(running: Running) -> None:
    fake = running.fake
    for name in ("rules add", "feeds list", "status"):
        assert fake.can_use(name, fake.admin) and not fake.can_use(name, fake.member)
    for name in ("subscribe", "actor", "alerts recent"):
        assert fake.can_use(name, fake.member)


async def test_rules_add_without_yaml_opens_an_editor_for_many_lines(running: Running) -> None:
    fake = running.fake
    opened = await fake.invoke_command("rules add")
    assert opened.modal is not None and opened.modal["title"] == "Add a watch rule"
    saved = await fake.submit_modal(opened, {"Rule YAML": MULTILINE_RULE})
    assert "Rule ceasefire added" in saved.text and saved.ephemeral
    rule = await running.app.store.catalog.get_rule("ceasefire")
    assert rule is not None and [t.phrase for t in rule.any] == ["ceasefire", "truce"]
    [audit] = await running.app.store.audit.history(limit=1)
    assert audit.action == "rules.add" and audit.who.startswith(f"discord:{fake.admin.id}")


async def test_an_editor_submitted_after_a_restart_is_still_saved(running: Running) -> None:
    fake = running.fake
    opened = await fake.invoke_command("rules add")
    await running.bot.close()  # the process that opened the modal is gone
    bot = DiscordBot(running.settings, guild_ready_timeout=0.05)
    try:
        await bot.start(running.app.command_service())
        await bot.connection.wait_until_ready(timeout=10)
        saved = await fake.submit_modal(opened, {"Rule YAML": MULTILINE_RULE})
        assert "Rule ceasefire added" in saved.text
    finally:
        await bot.close()


async def test_rules_edit_editor_opens_with_the_rule_and_keeps_a_bad_draft(
    running: Running,
) -> None:
    fake = running.fake
    opened = await fake.invoke_command("rules edit", {"rule": "donbas-offensive"})
    assert opened.modal is not None
    [row] = opened.modal["components"]
    assert row["components"][0]["value"].startswith("id: donbas-offensive\n")
    bad = "id: donbas-offensive\nname: Donbas\nany: [shelling\n"
    failed = await fake.submit_modal(opened, {"Rule YAML": bad})
    assert "not valid YAML" in failed.text and failed.ephemeral
    assert bad.rstrip() in failed.text  # what was typed comes back, to fix and send again
    before = await running.app.store.catalog.get_rule("donbas-offensive")
    assert before is not None and before.name != "Donbas"  # unchanged

    refused = await fake.invoke_command(
        "rules edit", {"rule": "donbas-offensive"}, user=fake.member
    )
    assert refused.modal is None and "Only admins" in refused.text  # told before typing
    missing = await fake.invoke_command("rules edit", {"rule": "nope"})
    assert missing.modal is None and "No rule 'nope'" in missing.text
    huge = Rule.model_validate({"id": "huge", "name": "Huge", "any": [f"t{i}" for i in range(900)]})
    await running.app.store.catalog.put_rule(huge, now=datetime.now(UTC), by="test")
    too_long = await fake.invoke_command("rules edit", {"rule": "huge"})
    assert too_long.modal is None and "too long for the editor" in too_long.text


async def test_slow_answers_are_deferred_then_followed_up(
    running: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = running.fake
    monkeypatch.setattr(discord_respond, "DEFER_AFTER", 0.0)  # every answer now counts as slow
    public = await fake.invoke_command("subscribe", {"target": "peace-talks"}, user=fake.member)
    await fake.wait_for(lambda: public.followups)
    private = await fake.invoke_command("subscriptions", user=fake.member)
    await fake.wait_for(lambda: private.followups)
    assert public.deferred and private.deferred
    assert not public.ephemeral and "Subscribed" in public.text
    assert private.ephemeral and "Subscriptions of this channel" in private.text
    # issue 13: a slow command that fails must not show its error to the channel (the first
    # follow-up after a deferral keeps the deferral's visibility, so the deferral is private)
    failing = await fake.invoke_command("subscribe", {"target": "marvel"}, user=fake.member)
    await fake.wait_for(lambda: failing.followups)
    assert failing.deferred and "No rule or actor called 'marvel'" in failing.text
    assert failing.public_replies == []


async def test_autocomplete_offers_rules_and_actors(running: Running) -> None:
    fake = running.fake
    targets = await fake.autocomplete("subscribe", {"target": "lav"}, focused="target")
    assert {c["value"] for c in targets} == {"sergey-lavrov"}  # the actor and its actor rule
    rules = await fake.autocomplete("rules show", {"rule": "peace"}, focused="rule")
    assert [c["value"] for c in rules] == ["peace-talks"]
    actors = await fake.autocomplete("actor", {"name": "pu"}, focused="name")
    assert {c["value"] for c in actors} == {"vladimir-putin", "denis-pushilin"}


async def test_only_members_who_may_mention_a_role_can_set_it(running: Running) -> None:
    """A role its members cannot mention themselves is not theirs to make every alert ping."""
    fake = running.fake
    staff = fake.guild.role_named("Watchers")
    staff.mentionable = False
    refused = await fake.invoke_command(
        "subscribe", {"target": "peace-talks", "mention_role": staff.id}, user=fake.member
    )
    assert "may not make alerts mention" in refused.text and refused.ephemeral
    assert not await running.app.store.subscriptions.for_destination(_alerts_channel(fake))
    [audit] = await running.app.store.audit.history(limit=1)
    assert audit.action == "subscribe.mention" and not audit.allowed
    allowed = await fake.invoke_command(
        "subscribe", {"target": "peace-talks", "mention_role": staff.id}, user=fake.admin
    )
    assert f"mentioning <@&{staff.id}>" in allowed.text and not allowed.ephemeral


async def test_alert_reaches_the_channel_as_an_embed(running: Running) -> None:
    fake, feeds, app = running.fake, running.feeds, running.app
    watchers = fake.guild.role_named("Watchers")
    rec = await fake.invoke_command(
        "subscribe", {"target": "peace-talks", "mention_role": watchers.id}, user=fake.member
    )
    assert "Subscribed" in rec.text and f"<@&{watchers.id}>" in rec.text

    feeds.add("/a.xml", rss([("a-1", HOSTILE)], title="[Feed A](https://evil.example/a)"))
    fake.fail_next(r"/channels/\d+/messages$", 429, retry_after=0.05)
    await app.poll_once()
    await app.drain()
    [first] = fake.channel_messages(fake.alerts_channel.id)
    assert [f["status"] for f in fake.faults_served] == [429]  # retried once, posted once
    request = first["request"]
    [row] = await app.store.outbox.log(_alerts_channel(fake))
    delivery = Delivery(
        id=row.id,
        alert_id=row.alert_id,
        destination=_alerts_channel(fake),
        message_id=row.message_id,
        created_at=row.created_at,
    )
    assert request["nonce"] == delivery.nonce and request["enforce_nonce"] is True
    assert delivery.message_id == first["id"]
    embed = first["embeds"][0]
    assert "Lavrov" in embed["title"]
    # only the subscription's role may be mentioned; @everyone in the title pings nobody
    assert request["content"] == f"<@&{watchers.id}>"
    assert request["allowed_mentions"]["parse"] == []
    assert [str(r) for r in request["allowed_mentions"]["roles"]] == [watchers.id]

    # the same story from another outlet is a follow-up: it goes into a thread on the first alert
    feeds.add("/b.xml", rss([("b-1", PEACE)], title="Feed B"))
    await app.store.feeds.make_due(app.clock())
    await app.poll_once()
    await app.drain()
    [thread] = fake.threads
    assert thread["id"] == first["id"] and thread["parent_id"] == fake.alerts_channel.id
    [follow_up] = fake.channel_messages(thread["id"])
    assert follow_up["request"]["nonce"] != request["nonce"]
    assert len(fake.channel_messages(fake.alerts_channel.id)) == 1

    # a reply built from feed text is sanitised like an alert (issue 13): no live masked link
    for command, options in (("alerts recent", {}), ("actor", {"name": "Lavrov"})):
        rec = await reply_of(fake, await fake.invoke_command(command, options, user=fake.member))
        assert "Feed A" in rec.text and "[Feed A](" not in rec.text, rec.text
        assert "@everyone" not in rec.text


async def test_dispatcher_role_posts_over_rest_without_the_gateway(
    tmp_path: Path, app_db_url: str
) -> None:
    async with FakeDiscord() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([("a-1", PEACE)]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml")])
        settings = settings_for(fake, app_db_url, config)
        await seed_subscription(settings.database_url, _alerts_channel(fake))
        bot = DiscordBot(settings)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(None)
            await app.poll_once()
            await app.drain()
        finally:
            await bot.close()
            await app.close()
        assert fake.identifies == [] and fake.command_syncs == []
        [message] = fake.channel_messages(fake.alerts_channel.id)
        assert message["embeds"] and message["request"]["nonce"]


async def test_sharded_bot_gets_its_shard_count_from_the_gateway(
    tmp_path: Path, app_db_url: str
) -> None:
    async with FakeDiscord(heartbeat_interval=0.1) as fake:
        config = write_config(tmp_path / "config", [])
        settings = settings_for(fake, app_db_url, config, discord_shards=0)
        bot = DiscordBot(settings, guild_ready_timeout=0.05)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await bot.connection.wait_until_ready(timeout=10)
            assert isinstance(bot.client, discord.AutoShardedClient)
            assert [i["shard"] for i in fake.identifies] == [[0, 1]]
            rec = await fake.invoke_command("subscriptions", user=fake.member)
            assert "no subscriptions" in rec.text
        finally:
            await bot.close()
            await app.close()


class Alive:
    """Awaits a condition while the bot process runs; fails at once, with its log, if it exits."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc, self.log = proc, log

    async def wait(self, condition: Awaitable[T]) -> T:
        waiter = asyncio.ensure_future(condition)
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait({waiter, exited}, return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        if not waiter.done():
            waiter.cancel()
            pytest.fail(f"newsbot run exited ({self.proc.returncode}):\n{self.log.read_text()}")
        return waiter.result()


@pytest.mark.slow
async def test_newsbot_run_process(tmp_path: Path, app_db_url: str) -> None:
    """A real `newsbot run`: logs in, syncs, answers a command, posts an alert, exits 0 on TERM."""
    async with FakeDiscord() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([("a-1", HOSTILE)]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml")])
        settings = settings_for(fake, app_db_url, config)
        await seed_subscription(settings.database_url, _alerts_channel(fake))
        env = bot_env(
            settings.database_url, config, DISCORD_TOKEN=fake.token, DISCORD_API_BASE=fake.api_base
        )
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log, cwd=tmp_path)
        try:
            alive = Alive(proc, log)
            await alive.wait(
                fake.wait_until_ready(timeout=START_SECONDS)
            )  # logged in, on the gateway
            await alive.wait(fake.wait_for(lambda: fake.command_syncs))
            assert {c["name"] for c in fake.command_syncs[0]["commands"]} == COMMANDS
            rec = await alive.wait(fake.invoke_command("subscriptions"))
            await reply_of(fake, rec)
            assert "peace talks (rule)" in rec.text.casefold()
            message = await alive.wait(fake.wait_for_message(fake.alerts_channel.id))
            assert message["embeds"] and message["request"]["enforce_nonce"] is True
            assert message["request"]["allowed_mentions"]["parse"] == []
            proc.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(proc.wait(), STOP_SECONDS) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                with contextlib.suppress(ProcessLookupError):
                    await proc.wait()
        output = log.read_text()
        assert fake.token not in output, "the token leaked into the logs"


def _alerts_channel(fake: FakeDiscord) -> Destination:
    return Destination(
        platform=Platform.discord, address=fake.alerts_channel.id, workspace=fake.guild.id
    )


async def test_with_owners_set_only_they_change_rules_and_feeds(
    tmp_path: Path, app_db_url: str
) -> None:
    async with FakeDiscord(heartbeat_interval=0.1) as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([]))
        feeds.add("/b.xml", rss([]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml"), feeds.url("/b.xml")])
        owners = [f"discord:{fake.owner.id}"]
        settings = settings_for(fake, app_db_url, config, owners=owners)
        bot = DiscordBot(settings, guild_ready_timeout=0.05)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await bot.connection.wait_until_ready(timeout=10)
            for case in OWNER_CASES:
                user = getattr(fake, case.user)
                rec = await reply_of(
                    fake, await fake.invoke_command(" ".join(case.path), case.options, user=user)
                )
                assert rec.modal is None, case.name  # refused before typing a rule
                for expected in case.expect:
                    assert expected in rec.text, f"{case.name}: {expected!r} in {rec.text!r}"
                assert rec.text.startswith("**⚠️") != case.ok, f"{case.name}: {rec.text!r}"
            assert_owner_audit(await app.store.audit.history(limit=100), owners)
        finally:
            await bot.close()
            await app.close()


async def test_two_servers_without_owners_warn_after_login(
    tmp_path: Path, app_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Start-up can only say rules and feeds might be shared; once Discord reports two servers
    and no NEWSBOT_OWNERS is set, the bot says so, with the count (with owners it stays quiet:
    tests/unit/test_owners.py)."""
    async with FakeDiscord(heartbeat_interval=0.1) as fake:
        fake.guilds.append(default_guild(fake.ids, fake.bot, "Other newsroom"))
        settings = settings_for(fake, app_db_url, write_config(tmp_path / "config", []))
        bot = DiscordBot(settings, guild_ready_timeout=0.05)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await bot.connection.wait_until_ready(timeout=10)
            for _ in range(500):  # on_ready's handler runs as its own task, soon after
                louder = [r for r in caplog.records if "is in 2 Discord servers" in r.message]
                if louder:
                    break
                await asyncio.sleep(0.02)
            assert [r.levelname for r in louder] == ["WARNING"]
            assert "set NEWSBOT_OWNERS" in louder[0].message
        finally:
            await bot.close()
            await app.close()
