"""The Discord gateway comes back within seconds: the real client (discord.py under our
SteadyClient) against the fake gateway's outages, close codes and opcodes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat.discord.app import DiscordBot
from bot.retry import ReconnectBackoff
from bot.runtime.health import Health
from bot.runtime.ops import Metrics, OpsServer
from tests.builders import write_config
from tests.e2e.test_discord import settings_for
from tests.e2e.test_slack_socket import healthz, until
from tests.fakes.discord_server import OP_INVALID_SESSION, OP_RECONNECT, FakeDiscord

BASE, CAP = 0.05, 0.4  # the production backoff (1 s, capped at 8 s) scaled down 20×


@contextlib.asynccontextmanager
async def gateway_bot(tmp_path: Path, db_url: str) -> AsyncIterator[tuple[FakeDiscord, DiscordBot]]:
    from bot.runtime.app import App

    async with FakeDiscord(heartbeat_interval=0.1) as fake:
        settings = settings_for(fake, db_url, write_config(tmp_path / "config", []))
        bot = DiscordBot(
            settings, guild_ready_timeout=0.05, backoff=lambda: ReconnectBackoff(BASE, CAP)
        )
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service())
            await bot.connection.wait_until_ready(timeout=10)
            yield fake, bot
        finally:
            await bot.close()
            await app.close()


async def answered(fake: FakeDiscord) -> bool:
    rec = await fake.invoke_command("subscriptions", timeout=10)
    return bool(rec.callbacks) and not rec.late_callbacks


async def test_back_within_the_cap_after_an_outage_and_a_second_one(
    tmp_path: Path, app_db_url: str
) -> None:
    async with gateway_bot(tmp_path, app_db_url) as (fake, bot):
        for outage in (1, 2):
            refused = fake.gateway_refused
            fake.start_outage()
            # long enough that an uncapped backoff would be past the cap: 0.05·2^5 = 1.6 s
            await fake.wait_for(lambda r=refused: fake.gateway_refused >= r + 8, timeout=30)
            assert not bot.health.connected and bot.health.snapshot()["state"] == "down"
            fake.end_outage()
            await fake.wait_for(lambda: bot.health.connected, timeout=30)
            assert bot.health.reconnects == outage
            assert await answered(fake)
        assert len(fake.identifies) == 1 and len(fake.resumes) == 2  # the session RESUMEd
        schedule = bot.client.watch.backoff(None).schedule  # type: ignore[attr-defined]
        assert len(schedule) >= 16 and max(schedule) <= CAP  # every wait within the cap


async def test_close_codes_and_opcodes_reconnect_at_once(tmp_path: Path, app_db_url: str) -> None:
    async with gateway_bot(tmp_path, app_db_url) as (fake, bot):
        steps = [
            ("op 7 RECONNECT", lambda: fake.send_op(OP_RECONNECT)),
            ("close 4000", lambda: fake.disconnect_gateway(4000)),
            ("close 1006", _async(fake.drop_gateway)),
        ]
        for n, (_name, step) in enumerate(steps, start=1):
            await step()
            await fake.wait_for(lambda n=n: len(fake.resumes) == n and bot.health.connected, 10)
            assert await answered(fake)
        await fake.send_op(OP_INVALID_SESSION, False)  # not resumable: a new IDENTIFY
        await fake.wait_for(lambda: len(fake.identifies) == 2 and bot.health.connected, 10)
        assert await answered(fake)
        assert bot.client.watch.backoff(None).schedule == []  # type: ignore[attr-defined]
        assert bot.health.reconnects == 4


async def test_an_interaction_too_old_to_answer_is_logged_as_such(
    tmp_path: Path, app_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with gateway_bot(tmp_path, app_db_url) as (fake, bot):
        fake.ack_deadline = 0.0  # it reached the bot after Discord's deadline
        with caplog.at_level(logging.INFO, logger="bot"):
            rec = await fake.invoke_command("subscriptions", timeout=10)
            await fake.wait_for(lambda: bot.health.too_old == 1)
        assert rec.late_callbacks and not rec.callbacks
        lines = [r.getMessage() for r in caplog.records]
        assert any("arrived too late to answer" in line for line in lines)
        assert not any("failed" in line for line in lines)


def _async(fn):  # type: ignore[no-untyped-def]
    async def run() -> None:
        fn()

    return run


async def test_health_fails_during_an_outage_and_is_ok_after(
    tmp_path: Path, app_db_url: str
) -> None:
    async with gateway_bot(tmp_path, app_db_url) as (fake, bot):
        ops = OpsServer(Metrics(), Health(), "127.0.0.1", 0, chat=[bot.health], chat_down_limit=0.0)
        await ops.start()
        try:
            status, body, _ = await healthz(ops)
            assert status == 200 and body["chat"]["discord"]["state"] == "connected"
            assert body["chat"]["discord"]["seconds_since_event"] is not None
            fake.start_outage()
            await until(lambda: not bot.health.connected)
            status, body, metrics = await healthz(ops)
            assert status == 503 and body["chat"]["discord"]["state"] == "down"
            assert 'newsbot_chat_connections{platform="discord"} 0.0' in metrics
            fake.end_outage()
            await until(lambda: bot.health.connected, timeout=30)
            status, body, metrics = await healthz(ops)
            assert status == 200 and body["status"] == "ok"
            assert 'newsbot_chat_reconnects_total{platform="discord"} 1.0' in metrics
        finally:
            await ops.stop()
