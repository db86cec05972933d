"""`newsbot invite`: scopes, the least permission integer, and the application id lookup."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord.http
from pydantic import SecretStr

from bot.chat.discord.invite import application_id, bot_permissions, invite_url
from bot.config import Settings
from tests.fakes.discord_server import (
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    FakeDiscord,
)

ROOT = Path(__file__).resolve().parents[2]
LEAST = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
    | EMBED_LINKS
    | READ_MESSAGE_HISTORY
)


def test_permissions_are_exactly_the_six_the_bot_needs() -> None:
    assert bot_permissions().value == LEAST == 309237730304
    assert not bot_permissions().mention_everyone and not bot_permissions().administrator


def test_url_has_both_scopes_and_the_permission_integer() -> None:
    url = urlsplit(invite_url(1234, guild_id=99))
    query = parse_qs(url.query)
    assert (url.netloc, url.path) == ("discord.com", "/oauth2/authorize")
    assert query["client_id"] == ["1234"] and query["guild_id"] == ["99"]
    assert query["scope"] == ["bot applications.commands"]
    assert query["permissions"] == [str(LEAST)]


async def test_application_id_from_settings_needs_no_token() -> None:
    assert await application_id(Settings(discord_application_id=42)) == 42


async def test_application_id_is_asked_of_discord() -> None:
    base = discord.http.Route.BASE
    async with FakeDiscord() as fake:
        settings = Settings(discord_token=SecretStr(fake.token), discord_api_base=fake.api_base)
        assert await application_id(settings) == int(fake.application_id)
        assert any(r["path"].endswith("/oauth2/applications/@me") for r in fake.requests)
    assert base == discord.http.Route.BASE


async def test_cli_prints_the_url(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "NEWSBOT_DISCORD_TOKEN": fake.token,
            "NEWSBOT_DISCORD_API_BASE": fake.api_base,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "invite", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert f"client_id={fake.application_id}" in out.decode()
    assert fake.token not in out.decode() + err.decode()


async def test_cli_explains_a_missing_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_DISCORD")}
    env["PYTHONPATH"] = str(ROOT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "invite", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1
    assert "NEWSBOT_DISCORD_APPLICATION_ID" in err.decode()
