"""`newsbot invite`: the OAuth2 URL that adds the bot to a server with the least permissions.

The bot reads channels it posts to, posts embeds, starts threads on its own alerts and posts
in them; it needs nothing else (commands arrive as interactions, not messages).
"""

from __future__ import annotations

import aiohttp
import discord

from bot.chat.discord.client import DiscordConnection, make_client
from bot.config import Settings

SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """View Channel, Send Messages (+ in Threads), Create Public Threads, Embed Links, History."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        read_message_history=True,
    )


def invite_url(application_id: int, guild_id: int | None = None) -> str:
    """The authorize URL for `application_id`, optionally preselecting one server."""
    guild = discord.Object(id=guild_id) if guild_id else discord.utils.MISSING
    return discord.utils.oauth_url(
        application_id, permissions=bot_permissions(), scopes=SCOPES, guild=guild
    )


async def application_id(settings: Settings) -> int:
    """From NEWSBOT_DISCORD_APPLICATION_ID, else asked of Discord with the bot token."""
    if settings.discord_application_id:
        return settings.discord_application_id
    if settings.discord_token is None:
        raise ValueError(
            "set NEWSBOT_DISCORD_APPLICATION_ID (Developer Portal → General Information) "
            "or NEWSBOT_DISCORD_TOKEN so the id can be looked up"
        )
    connection = DiscordConnection(settings, make_client(settings))
    try:
        await connection.login()
        app_id = connection.client.application_id
    except discord.LoginFailure:
        raise ValueError(
            "Discord refused NEWSBOT_DISCORD_TOKEN; copy it again from the "
            "Developer Portal (Bot → Reset Token)"
        ) from None
    except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
        raise ValueError(f"could not ask Discord for the application id: {exc}") from None
    finally:
        await connection.close()
    if app_id is None:
        raise ValueError("Discord did not return the application id")
    return app_id
