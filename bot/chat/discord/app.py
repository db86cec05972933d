"""The Discord bot: slash commands that translate between interactions and the CommandService.

Each listener builds a `Caller` (admin = Manage Server or the configured admin role), calls one
service method, and renders its `Reply`; no command logic lives here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping
from typing import Literal

import discord
from discord import app_commands

from bot.chat.commands import Caller, CommandService, Reply
from bot.chat.discord.client import DiscordConnection, make_client
from bot.chat.discord.reply import reply_lines, split_message
from bot.chat.discord.rule_editor import open_rule_editor, save_submission
from bot.chat.discord.votes import answer_vote
from bot.chat.feedback import FeedbackService
from bot.config import ConfigError, Settings
from bot.delivery.sinks.discord_bot import DiscordSink
from bot.models import Platform
from bot.ports import Sink

log = logging.getLogger(__name__)

DEFER_AFTER = 2.0  # seconds; Discord drops an interaction not acknowledged within 3
NO_MENTIONS = discord.AllowedMentions.none()
PriorityName = Literal["low", "normal", "high", "urgent"]
ModeName = Literal["instant", "digest"]
Tree = app_commands.CommandTree[discord.Client]
Choices = list[app_commands.Choice[str]]


def caller_of(interaction: discord.Interaction, admin_role: str | None) -> Caller:
    """Who is asking, where, and whether Discord says they may administer the bot."""
    user = interaction.user
    is_admin = interaction.permissions.manage_guild
    if not is_admin and admin_role and isinstance(user, discord.Member):
        is_admin = any(r.name.casefold() == admin_role.casefold() for r in user.roles)
    return Caller(
        user_id=str(user.id),
        name=user.name,
        platform=Platform.discord,
        workspace=str(interaction.guild_id) if interaction.guild_id else None,
        channel=str(interaction.channel_id),
        is_admin=is_admin,
    )


async def answer(
    interaction: discord.Interaction,
    work: Awaitable[Reply],
    *,
    slow: bool = False,
    public: bool = False,
) -> None:
    """Acknowledge within Discord's 3 s: defer at once if `slow`, or when `work` takes too long."""
    if slow:
        await interaction.response.defer(ephemeral=not public, thinking=True)
    task = asyncio.ensure_future(work)
    if not slow:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done:
            await interaction.response.defer(ephemeral=not public, thinking=True)
    await send_reply(interaction, await task)


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    """Send the reply as text; errors and admin output are ephemeral; nothing can ping."""
    ephemeral = reply.ephemeral or not reply.ok
    messages = split_message(reply_lines(reply))
    if not interaction.response.is_done():
        first, *messages = messages
        await interaction.response.send_message(
            first, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
        )
    for text in messages:
        await interaction.followup.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)


def group(name: str, description: str, *, admin: bool = False) -> app_commands.Group:
    """A command group usable in servers only (the bot needs a channel and its permissions).

    An `admin` group is shown only to members with Manage Server unless a server admin allows
    more roles under Server Settings → Integrations; the bot checks every use regardless.
    """
    guilds = app_commands.AppCommandContext(guild=True)
    return app_commands.Group(
        name=name,
        description=description,
        guild_only=True,
        allowed_contexts=guilds,
        default_permissions=discord.Permissions(manage_guild=True) if admin else None,
    )


def build_tree(
    client: discord.Client,
    service: CommandService,
    admin_role: str | None,
    feedback: FeedbackService | None = None,
) -> Tree:
    """The slash commands, one small listener each."""
    tree: Tree = app_commands.CommandTree(client)

    def who(interaction: discord.Interaction) -> Caller:
        return caller_of(interaction, admin_role)

    async def complete(current: str, kind: str) -> Choices:
        pairs = await service.complete(current, kind=kind)
        return [app_commands.Choice(name=label[:100], value=value[:100]) for label, value in pairs]

    async def any_target(_i: discord.Interaction, current: str) -> Choices:
        return await complete(current, "any")

    async def actor_name(_i: discord.Interaction, current: str) -> Choices:
        return await complete(current, "actor")

    async def rule_id(_i: discord.Interaction, current: str) -> Choices:
        return await complete(current, "rule")

    @tree.command(name="subscribe", description="Post alerts for a rule or actor in this channel")
    @app_commands.guild_only()
    @app_commands.describe(
        target="A watch rule or an actor",
        min_priority="Only alerts of this priority or higher",
        mention_role="A role to mention with each alert",
        mode="Post at once or as a daily digest",
        digest_time="Time of the daily digest, HH:MM UTC",
    )
    @app_commands.autocomplete(target=any_target)
    async def subscribe(
        interaction: discord.Interaction,
        target: str,
        min_priority: PriorityName = "low",
        mention_role: discord.Role | None = None,
        mode: ModeName = "instant",
        digest_time: str | None = None,
    ) -> None:
        role = str(mention_role.id) if mention_role else None
        await answer(
            interaction,
            service.subscribe(
                who(interaction),
                target,
                min_priority=min_priority,
                mention_role=role,
                mode=mode,
                digest_time=digest_time,
            ),
            public=True,
        )

    @tree.command(name="unsubscribe", description="Stop alerts for a rule or actor here")
    @app_commands.guild_only()
    @app_commands.describe(target="The rule or actor this channel is subscribed to")
    @app_commands.autocomplete(target=any_target)
    async def unsubscribe(interaction: discord.Interaction, target: str) -> None:
        await answer(interaction, service.unsubscribe(who(interaction), target), public=True)

    @tree.command(name="subscriptions", description="What this channel is subscribed to")
    @app_commands.guild_only()
    async def subscriptions(interaction: discord.Interaction) -> None:
        await answer(interaction, service.subscriptions(who(interaction)))

    @tree.command(name="actor", description="An actor's profile, latest quotes and alerts")
    @app_commands.guild_only()
    @app_commands.describe(name="A person or organisation")
    @app_commands.autocomplete(name=actor_name)
    async def actor(interaction: discord.Interaction, name: str) -> None:
        await answer(interaction, service.actor(who(interaction), name))

    alerts = group("alerts", "Recent alerts")

    @alerts.command(name="recent", description="The latest alerts, optionally for one rule")
    @app_commands.describe(rule="Only this rule's alerts")
    @app_commands.autocomplete(rule=rule_id)
    async def alerts_recent(interaction: discord.Interaction, rule: str | None = None) -> None:
        await answer(interaction, service.recent_alerts(who(interaction), rule))

    @alerts.command(name="log", description="Delivery log of this channel (admins)")
    async def alerts_log(interaction: discord.Interaction) -> None:
        await answer(interaction, service.delivery_log(who(interaction)))

    rules = group("rules", "Watch rules (admins)", admin=True)

    @rules.command(name="list", description="List the watch rules")
    async def rules_list(interaction: discord.Interaction) -> None:
        await answer(interaction, service.rules_list(who(interaction)))

    @rules.command(name="show", description="Show a rule as YAML")
    @app_commands.autocomplete(rule=rule_id)
    async def rules_show(interaction: discord.Interaction, rule: str) -> None:
        await answer(interaction, service.rules_show(who(interaction), rule))

    @rules.command(name="add", description="Add a rule: opens an editor, or give one-line YAML")
    @app_commands.describe(yaml="The rule in YAML flow style, e.g. {id: x, name: X, any: [a]}")
    async def rules_add(interaction: discord.Interaction, yaml: str | None = None) -> None:
        if yaml is None:
            await open_rule_editor(interaction, service, who, send_reply)
        else:
            await answer(interaction, service.rules_put(who(interaction), yaml))

    @rules.command(name="edit", description="Change a rule: opens an editor, or give new YAML")
    @app_commands.describe(rule="The rule to change", yaml="The whole new rule in YAML")
    @app_commands.autocomplete(rule=rule_id)
    async def rules_edit(
        interaction: discord.Interaction, rule: str, yaml: str | None = None
    ) -> None:
        if yaml is None:
            await open_rule_editor(interaction, service, who, send_reply, rule)
        else:
            await answer(interaction, service.rules_put(who(interaction), yaml, rule_id=rule))

    @rules.command(name="remove", description="Remove a rule")
    @app_commands.autocomplete(rule=rule_id)
    async def rules_remove(interaction: discord.Interaction, rule: str) -> None:
        await answer(interaction, service.rules_remove(who(interaction), rule))

    @rules.command(name="test", description="Dry-run a rule against stored items")
    @app_commands.autocomplete(rule=rule_id)
    async def rules_test(interaction: discord.Interaction, rule: str) -> None:
        await answer(interaction, service.rules_test(who(interaction), rule), slow=True)

    @rules.command(name="history", description="Who changed rules, when, and what")
    @app_commands.autocomplete(rule=rule_id)
    async def rules_history(interaction: discord.Interaction, rule: str | None = None) -> None:
        await answer(interaction, service.rules_history(who(interaction), rule))

    if feedback is not None:

        @rules.command(name="stats", description="A rule's alerts, votes, precision and model")
        @app_commands.autocomplete(rule=rule_id)
        async def rules_stats(interaction: discord.Interaction, rule: str) -> None:
            await answer(interaction, feedback.stats(who(interaction), rule))

    feeds = group("feeds", "News feeds (admins)", admin=True)

    @feeds.command(name="list", description="List the feeds and their state")
    async def feeds_list(interaction: discord.Interaction) -> None:
        await answer(interaction, service.feeds_list(who(interaction)))

    @feeds.command(name="add", description="Add a feed by URL")
    @app_commands.describe(url="RSS, Atom or JSON Feed URL", name="A display name")
    async def feeds_add(
        interaction: discord.Interaction, url: str, name: str | None = None
    ) -> None:
        await answer(interaction, service.feeds_add(who(interaction), url, name))

    @feeds.command(name="remove", description="Remove a feed by id or URL")
    async def feeds_remove(interaction: discord.Interaction, feed: str) -> None:
        await answer(interaction, service.feeds_remove(who(interaction), feed))

    for subcommands in (alerts, rules, feeds):
        tree.add_command(subcommands)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        """Vote buttons and rule editor submissions; slash commands go to the tree."""
        try:
            if feedback is not None and await answer_vote(interaction, feedback, who, send_reply):
                return
            await save_submission(interaction, service, who, send_reply)
        except discord.HTTPException:
            log.warning("could not answer a rule editor submission")

    @tree.error
    async def on_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error(
            "command %s failed",
            interaction.command and interaction.command.qualified_name,
            exc_info=error,
        )
        reply = Reply(title="Something went wrong; the error was logged", ok=False)
        try:
            await send_reply(interaction, reply)
        except discord.HTTPException:
            log.warning("could not tell the user about the error")

    return tree


class DiscordBot:
    """The Discord adapter of one process: client, alert sink, and (with the gateway) commands."""

    def __init__(self, settings: Settings, **client_options: object) -> None:
        self.settings = settings
        self.client = make_client(settings, **client_options)
        self.connection = DiscordConnection(settings, self.client)
        self.sink = DiscordSink(self.client)
        self.tree: Tree | None = None

    @property
    def sinks(self) -> Mapping[Platform, Sink]:
        return {Platform.discord: self.sink}

    async def start(
        self, service: CommandService | None, feedback: FeedbackService | None = None
    ) -> None:
        """Log in; with a service, also sync the slash commands and open the gateway."""
        try:
            await self.connection.login()
        except discord.LoginFailure:
            raise ConfigError(
                "Discord refused NEWSBOT_DISCORD_TOKEN; copy the bot token again "
                "from the Developer Portal (Bot → Reset Token)"
            ) from None
        if service is None:
            return
        self.tree = build_tree(self.client, service, self.settings.admin_role, feedback)
        guild_id = self.settings.discord_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info(
            "synced %d slash commands %s",
            len(synced),
            f"to guild {guild_id}" if guild_id else "globally",
        )
        await self.connection.connect()

    async def close(self) -> None:
        await self.connection.close()
