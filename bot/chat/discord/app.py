"""The Discord bot: slash commands that translate between interactions and the CommandService.

The commands come from the registry (chat/discord/tree.py); this module decides who the caller
is (admin = Manage Server or the configured admin role; may mention = Mention Everyone) and
runs the client. No command logic lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands

from bot.chat.commands import Caller, CommandService
from bot.chat.discord.client import DiscordConnection, make_client
from bot.chat.discord.gateway import note_too_old
from bot.chat.discord.respond import send_reply
from bot.chat.discord.rule_editor import save_submission
from bot.chat.discord.tree import Tree
from bot.chat.discord.tree import build_tree as registry_tree
from bot.chat.discord.votes import answer_vote
from bot.chat.feedback import FeedbackService
from bot.chat.guard import shared_scope_warning
from bot.chat.health import ConnectionHealth
from bot.chat.reply import FAILED
from bot.config import ConfigError, Settings
from bot.delivery.sinks.discord_bot import DiscordSink
from bot.models import Platform
from bot.ports import Sink

log = logging.getLogger(__name__)


def caller_of(interaction: discord.Interaction, admin_role: str | None) -> Caller:
    """Who is asking, where, and whether Discord says they may administer the bot."""
    user = interaction.user
    permissions = interaction.permissions
    is_admin = permissions.manage_guild
    if not is_admin and admin_role and isinstance(user, discord.Member):
        is_admin = any(r.name.casefold() == admin_role.casefold() for r in user.roles)
    return Caller(
        user_id=str(user.id),
        name=user.name,
        platform=Platform.discord,
        workspace=str(interaction.guild_id) if interaction.guild_id else None,
        channel=str(interaction.channel_id),
        is_admin=is_admin,
        can_mention=permissions.mention_everyone,
    )


def build_tree(
    client: discord.Client,
    service: CommandService,
    admin_role: str | None,
    feedback: FeedbackService | None = None,
) -> Tree:
    """The registry's slash commands (chat/discord/tree.py), the rule editor's submissions and
    the generic error reply."""

    def who(interaction: discord.Interaction) -> Caller:
        return caller_of(interaction, admin_role)

    tree = registry_tree(client, service, who)

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
        if note_too_old(client, error):
            log.warning(
                "command %s arrived too late to answer (Discord allows 3 s); not answered",
                interaction.command and interaction.command.qualified_name,
            )
            return
        log.error(
            "command %s failed",
            interaction.command and interaction.command.qualified_name,
            exc_info=error,
        )
        reply = FAILED
        try:
            await send_reply(interaction, reply)
        except discord.HTTPException:
            log.warning("could not tell the user about the error")

    return tree


class DiscordBot:
    """The Discord adapter of one process: client, alert sink, and (with the gateway) commands."""

    def __init__(self, settings: Settings, **client_options: Any) -> None:
        self.settings = settings
        self.health = ConnectionHealth("discord")
        self.client = make_client(settings, health=self.health, **client_options)
        self.connection = DiscordConnection(settings, self.client)
        self.sink = DiscordSink(self.client)
        self.tree: Tree | None = None

    @property
    def sinks(self) -> Mapping[Platform, Sink]:
        return {Platform.discord: self.sink}

    @property
    def listens(self) -> bool:
        """Whether the gateway was opened (commands), so `health` has something to say."""
        return self.tree is not None

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
        self._warn_when_shared()
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

    def _warn_when_shared(self) -> None:
        """Once the guilds are known, warn (once) if several servers share the rules and feeds
        while NEWSBOT_OWNERS is unset: start-up could only say it might happen."""
        warned = False

        async def check() -> None:
            nonlocal warned
            warning = shared_scope_warning(self.settings.owners, len(self.client.guilds))
            if warning and not warned:
                warned = True
                log.warning(warning)

        async def on_ready() -> None:
            await check()

        async def on_guild_join(_guild: discord.Guild) -> None:
            await check()

        self.client.event(on_ready)
        self.client.event(on_guild_join)

    async def close(self) -> None:
        await self.connection.close()
