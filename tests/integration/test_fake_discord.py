"""The unmodified discord.py client against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import discord.http
import pytest
from discord import app_commands

from tests.fakes.discord_server import MANAGE_GUILD, FakeDiscord, pointed_at, running

COMMANDS = ["actor", "edit", "leaky", "note", "ping", "rules", "slow", "sluggish"]  # build_client's


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=0.1) as fake:
        with pointed_at(fake):
            yield fake


def build_client() -> tuple[discord.Client, app_commands.CommandTree[discord.Client]]:
    """A tiny bot in the shape newsbot's adapter takes: one listener per command."""
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)

    @tree.command(name="ping", description="Answer privately")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    @tree.command(name="slow", description="Defer, then follow up")
    async def slow(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"done: {topic}", ephemeral=True)

    @tree.command(name="leaky", description="Defer publicly, then follow up ephemerally twice")
    async def leaky(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("first: the defer's visibility", ephemeral=True)
        await interaction.followup.send("second: its own", ephemeral=True)

    @tree.command(name="edit", description="Defer, then edit the original reply")
    async def edit(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="edited in place")

    @tree.command(name="sluggish", description="Replies too late")
    async def sluggish(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.3)
        with contextlib.suppress(discord.NotFound):
            await interaction.response.send_message("too late")

    rules = app_commands.Group(
        name="rules",
        description="Watch rules (admins)",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @rules.command(name="show", description="Show one rule")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def rules_show(
        interaction: discord.Interaction, name: str, mention: discord.Role | None = None
    ) -> None:
        who = mention.name if mention else "nobody"
        await interaction.response.send_message(f"rule {name}, mentions {who}", ephemeral=True)

    tree.add_command(rules)

    @tree.command(name="actor", description="Look up an actor")
    async def actor(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(
            embed=discord.Embed(title=name, description="Foreign minister")
        )

    @actor.autocomplete("name")
    async def actor_names(interaction: discord.Interaction, current: str) -> list:
        names = ["Sergey Lavrov", "Vladimir Putin", "Denis Pushilin"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    @tree.command(name="note", description="Ask for a note in a modal")
    async def note(interaction: discord.Interaction, title: str = "Write a note") -> None:
        field: discord.ui.TextInput[discord.ui.Modal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph
        )
        modal = discord.ui.Modal(title=title)
        modal.add_item(discord.ui.Label(text="Note", component=field))

        async def on_submit(submitted: discord.Interaction) -> None:
            await submitted.response.send_message(f"noted: {field.value}", ephemeral=True)

        modal.on_submit = on_submit  # type: ignore[method-assign]
        try:
            await interaction.response.send_modal(modal)
        except discord.HTTPException as exc:
            await interaction.response.send_message(f"refused: {exc.status}", ephemeral=True)

    @tree.error
    async def on_error(interaction: discord.Interaction, error: Exception) -> None:
        if isinstance(error, app_commands.MissingPermissions):
            await interaction.response.send_message("refused: Manage Server needed", ephemeral=True)

    async def setup_hook() -> None:
        await tree.sync()

    client.setup_hook = setup_hook  # type: ignore[method-assign]
    client.tree = tree  # type: ignore[attr-defined]
    return client, tree


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    client, _tree = build_client()
    async with running(client, fake.token):
        yield client


async def test_login_gateway_and_guild_cache(fake: FakeDiscord, bot: discord.Client) -> None:
    assert bot.user is not None and str(bot.user.id) == fake.bot.id
    assert str(bot.application_id) == fake.application_id
    guild = bot.get_guild(int(fake.guild.id))
    assert guild is not None and guild.name == "Newsroom"
    assert {c.name for c in guild.text_channels} >= {"alerts", "general"}
    assert guild.me.guild_permissions.send_messages
    assert [
        p
        for p in ("/users/@me", "/oauth2/applications/@me")
        if any(r["path"].endswith(p) for r in fake.requests)
    ] == ["/users/@me", "/oauth2/applications/@me"]
    assert fake.identifies[0]["token"] == fake.token
    await fake.wait_for(lambda: fake.heartbeats >= 2)


async def test_wrong_token_is_refused(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()


async def test_command_sync_is_recorded(fake: FakeDiscord, bot: discord.Client) -> None:
    sync = fake.command_syncs[-1]
    assert sync["guild_id"] is None
    assert sorted(c["name"] for c in sync["commands"]) == COMMANDS
    rules = next(c for c in fake.global_commands if c["name"] == "rules")
    assert [o["name"] for o in rules["options"]] == ["show"]
    assert all(c["id"] and c["application_id"] == fake.application_id for c in fake.global_commands)
    fetched = await bot.tree.fetch_commands()  # type: ignore[attr-defined]
    assert sorted(c.name for c in fetched) == COMMANDS


async def test_bad_command_definition_is_rejected_like_discord(
    fake: FakeDiscord, bot: discord.Client
) -> None:
    route = discord.http.Route("PUT", "/applications/{app}/commands", app=bot.application_id)
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.request(route, json=[{"name": "Bad Name", "description": "", "type": 1}])
    assert info.value.status == 400 and info.value.code == 50035


async def test_slash_command_replies_ephemeral(fake: FakeDiscord, bot: discord.Client) -> None:
    rec = await fake.invoke_command("ping", user=fake.member)
    assert rec.response_type == 4
    assert rec.ephemeral
    assert rec.text == "pong"


async def test_deferred_reply_then_followup(fake: FakeDiscord, bot: discord.Client) -> None:
    rec = await fake.invoke_command("slow", {"topic": "donbas"})
    assert rec.deferred and rec.ephemeral
    await fake.wait_for(lambda: rec.followups)
    assert rec.followups[0]["content"] == "done: donbas"
    assert rec.followups[0]["flags"] & 64
    assert rec.text == "done: donbas"


async def test_first_followup_after_a_defer_keeps_the_defers_visibility(
    fake: FakeDiscord, bot: discord.Client
) -> None:
    """Real Discord: the first follow-up resolves the loading message and keeps its flags
    (an ephemeral flag on it is ignored); only later follow-ups have their own."""
    rec = await fake.invoke_command("leaky")
    await fake.wait_for(lambda: len(rec.followups) == 2)
    assert [m["content"] for m in rec.public_replies] == ["first: the defer's visibility"]
    assert rec.followups[0]["id"] == (rec.original or {})["id"]  # it is the original message
    assert rec.followups[1]["flags"] & 64


async def test_deferred_reply_then_edit_original(fake: FakeDiscord, bot: discord.Client) -> None:
    rec = await fake.invoke_command("edit")
    assert rec.deferred and not rec.ephemeral
    await fake.wait_for(lambda: rec.edits)
    assert rec.text == "edited in place"


async def test_late_reply_is_refused_like_discord(bot: discord.Client, fake: FakeDiscord) -> None:
    fake.ack_deadline = 0.1
    rec = await fake.invoke_command("sluggish")
    assert rec.callbacks == [] and rec.late_callbacks == 1


async def test_member_permission_check(fake: FakeDiscord, bot: discord.Client) -> None:
    watchers = fake.guild.role_named("Watchers")
    allowed = await fake.invoke_command(
        "rules show", {"name": "donbas", "mention": watchers.id}, user=fake.admin
    )
    refused = await fake.invoke_command("rules show", {"name": "donbas"}, user=fake.member)
    assert fake.can_use("rules show", fake.admin) and not fake.can_use("rules show", fake.member)
    rules = next(c for c in fake.global_commands if c["name"] == "rules")
    assert rules["default_member_permissions"] == str(MANAGE_GUILD)
    assert allowed.text == "rule donbas, mentions Watchers"
    assert refused.text == "refused: Manage Server needed"
    assert int(allowed.payload["member"]["permissions"]) & MANAGE_GUILD
    assert not int(refused.payload["member"]["permissions"]) & MANAGE_GUILD


async def test_autocomplete_and_public_embed_reply(fake: FakeDiscord, bot: discord.Client) -> None:
    choices = await fake.autocomplete("actor", {"name": "pu"}, focused="name")
    assert [c["value"] for c in choices] == ["Vladimir Putin", "Denis Pushilin"]
    rec = await fake.invoke_command("actor", {"name": "Sergey Lavrov"})
    assert not rec.ephemeral
    assert rec.replies[0]["embeds"][0]["title"] == "Sergey Lavrov"


async def test_embed_with_nonce_is_posted_once(fake: FakeDiscord, bot: discord.Client) -> None:
    channel = bot.get_channel(int(fake.alerts_channel.id))
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="Lavrov: talks stalled", url="https://example.org/a")
    first = await channel.send(embed=embed, nonce="delivery-42")
    second = await channel.send(embed=embed, nonce="delivery-42")
    assert first.id == second.id
    [recorded] = fake.channel_messages(channel.id)
    assert recorded["embeds"][0]["title"] == "Lavrov: talks stalled"
    assert recorded["request"]["nonce"] == "delivery-42"
    assert recorded["request"]["enforce_nonce"] is True
    third = await channel.send(embed=embed, nonce="delivery-43")
    assert third.id != first.id and len(fake.channel_messages(channel.id)) == 2


async def test_rate_limit_429_is_retried(fake: FakeDiscord, bot: discord.Client) -> None:
    fake.fail_next(r"/channels/\d+/messages$", 429, retry_after=0.05)
    channel = bot.get_channel(int(fake.alerts_channel.id))
    assert isinstance(channel, discord.TextChannel)
    message = await channel.send("after a rate limit")
    assert [f["status"] for f in fake.faults_served] == [429]
    posts = [r for r in fake.requests if r["path"].endswith(f"/channels/{channel.id}/messages")]
    assert len(posts) == 2
    recorded = await fake.wait_for_message(channel.id)
    assert recorded["id"] == str(message.id) and len(fake.channel_messages(channel.id)) == 1


async def test_server_error_is_retried(fake: FakeDiscord, bot: discord.Client) -> None:
    fake.fail_next(r"/channels/\d+/messages$", 502)
    channel = bot.get_channel(int(fake.alerts_channel.id))
    assert isinstance(channel, discord.TextChannel)
    await channel.send("after a 502")
    assert [f["status"] for f in fake.faults_served] == [502]
    assert len(fake.channel_messages(channel.id)) == 1


async def test_unknown_and_forbidden_channels(fake: FakeDiscord, bot: discord.Client) -> None:
    with pytest.raises(discord.NotFound) as missing:
        await bot.get_partial_messageable(123456789012345678).send("hello")
    assert missing.value.code == 10003
    forbidden = bot.get_channel(int(fake.forbidden_channel.id))
    assert isinstance(forbidden, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as denied:
        await forbidden.send("hello")
    assert denied.value.code == 50013
    assert fake.messages == []


async def test_thread_from_alert_message(fake: FakeDiscord, bot: discord.Client) -> None:
    channel = bot.get_channel(int(fake.alerts_channel.id))
    assert isinstance(channel, discord.TextChannel)
    alert = await channel.send("first alert")
    thread = await alert.create_thread(name="Donbas offensive")
    assert thread.id == alert.id and thread.type == discord.ChannelType.public_thread
    await thread.send("follow-up", reference=None)
    assert [m["content"] for m in fake.channel_messages(thread.id)] == ["follow-up"]
    assert fake.threads[0]["parent_id"] == str(channel.id)
    with pytest.raises(discord.HTTPException) as again:
        await alert.create_thread(name="twice")
    assert again.value.code == 160004


async def test_reply_with_message_reference(fake: FakeDiscord, bot: discord.Client) -> None:
    channel = bot.get_channel(int(fake.alerts_channel.id))
    assert isinstance(channel, discord.TextChannel)
    first = await channel.send("alert")
    await channel.send("update", reference=first, mention_author=False)
    reply = fake.channel_messages(channel.id)[-1]
    assert reply["request"]["message_reference"]["message_id"] == first.id
    assert reply["request"]["allowed_mentions"]["replied_user"] is False


async def test_gateway_resume_after_disconnect(fake: FakeDiscord, bot: discord.Client) -> None:
    await fake.disconnect_gateway(4000)
    await fake.wait_for(lambda: any(s.resumed for s in fake.sessions.values()))
    assert fake.resumes[0]["session_id"] in fake.sessions
    rec = await fake.invoke_command("ping")
    assert rec.text == "pong"


async def test_incoming_webhook(fake: FakeDiscord) -> None:
    url = fake.create_webhook(name="alerts-hook")
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}?wait=true", json={"content": "hello"}) as resp:
            assert resp.status == 200
            message = await resp.json()
        async with session.post(url, json={"content": ""}) as resp:
            assert resp.status == 400
        async with session.post(url + "x", json={"content": "hi"}) as resp:
            assert resp.status == 404
        webhook_id, token = url.rsplit("/", 2)[-2:]
        webhook = discord.Webhook.partial(int(webhook_id), token, session=session)
        sent = await webhook.send(embed=discord.Embed(title="via discord.py"), wait=True)
    [first, second] = fake.webhook_messages[webhook_id]
    assert first["id"] == message["id"] and first["content"] == "hello"
    assert second["id"] == str(sent.id) and second["embeds"][0]["title"] == "via discord.py"
    assert fake.channel_messages(fake.alerts_channel.id) == [first, second]


class QuickShardedClient(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-first IDENTIFY; loopback needs no pause."""


async def test_auto_sharded_client_finds_gateway_via_gateway_bot() -> None:
    async with FakeDiscord(shards=2, heartbeat_interval=0.1) as fake:
        old_base = discord.http.Route.BASE
        discord.http.Route.BASE = fake.api_base  # the gateway comes from GET /gateway/bot
        try:
            client = QuickShardedClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
            async with running(client, fake.token):
                assert client.shard_count == 2
                assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(0, 2), (1, 2)]
                assert any(r["path"].endswith("/gateway/bot") for r in fake.requests)
                assert client.get_guild(int(fake.guild.id)) is not None
                client_tree = app_commands.CommandTree(client)

                @client_tree.command(name="ping", description="pong")
                async def ping(interaction: discord.Interaction) -> None:
                    await interaction.response.send_message("pong from shard", ephemeral=True)

                await client_tree.sync()
                rec = await fake.invoke_command("ping")
                assert rec.text == "pong from shard"
        finally:
            discord.http.Route.BASE = old_base


async def test_modal_round_trip_and_limits(fake: FakeDiscord, bot: discord.Client) -> None:
    opened = await fake.invoke_command("note", user=fake.member)
    assert opened.modal is not None and opened.modal["components"][0]["type"] == 18  # a label
    done = await fake.submit_modal(opened, {"Note": "line one\nline two"})
    assert done.text == "noted: line one\nline two" and done.ephemeral
    too_long = await fake.invoke_command("note", {"title": "x" * 46})
    assert too_long.modal is None and too_long.text == "refused: 400"
