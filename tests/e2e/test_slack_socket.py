"""Socket Mode without gaps: the real SlackBot against a fake Slack that rotates, drops and
half-opens its connections as Slack does, and sends envelope types no listener handles."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runtime.health import Health
from bot.runtime.ops import Metrics, OpsServer
from tests.e2e.test_slack import socket_mode


async def test_no_envelope_is_lost_across_ten_refreshes(tmp_path: Path, app_db_url: str) -> None:
    async with socket_mode(tmp_path, app_db_url) as (fake, _app, bot):
        sent: list[str] = []
        for _cycle in range(10):
            for n in range(30):
                if n == 10:  # Slack rotates its oldest connection mid-stream
                    await fake.request_socket_refresh(oldest_only=True, close_after=0.5)
                sent.append(await fake.push_slash_command("help"))
                await asyncio.sleep(0.005)
        await fake.wait_for(lambda: len({a["envelope_id"] for a in fake.socket_acks}) >= 300, 30)
        acks = Counter(a["envelope_id"] for a in fake.socket_acks)
        assert fake.undelivered == []
        assert [e for e in sent if acks[e] != 1] == []  # each acked, once
        answered = [a for a in fake.socket_acks if "newsbot commands" in a["payload"]["text"]]
        assert len(answered) == 300
        for conn in fake.socket_connections:  # acked on the socket each came by
            assert sorted(conn.acked) == sorted(conn.sent)
        assert len(fake.socket_connections) >= 12  # the two, and ten replacements
        assert bot.health.dropped == 0 and bot.health.connected


async def test_a_dropped_or_half_open_socket_leaves_the_other_listening(
    tmp_path: Path, app_db_url: str
) -> None:
    async with socket_mode(tmp_path, app_db_url, ping_interval=0.2) as (fake, _app, bot):
        first, second = fake.socket_connections
        fake.drop_socket(first)  # no close frame: the network dropped it
        envelopes = [await fake.push_slash_command("help") for _ in range(5)]
        await fake.wait_for(lambda: len(fake.socket_acks) >= 5, 10)
        await fake.wait_for(lambda: bot.health.links == 2 and len(fake.socket_connections) == 3)
        fake.freeze_socket(second)  # half-open: only the ping notices
        await fake.wait_for(lambda: bot.health.links == 2 and len(fake.socket_connections) == 4, 10)
        envelopes += [await fake.push_slash_command("help") for _ in range(5)]
        await fake.wait_for(lambda: len(fake.socket_acks) >= 10, 10)
        acked = {a["envelope_id"] for a in fake.socket_acks}
        assert set(envelopes) <= acked and fake.undelivered == []
        assert bot.health.reconnects == 0  # never was there no connection at all


async def test_every_envelope_type_is_acked_and_the_unhandled_counted(
    tmp_path: Path, app_db_url: str
) -> None:
    async with socket_mode(tmp_path, app_db_url) as (fake, _app, bot):
        action = {"type": "block_actions", "actions": [{"action_id": "later", "value": "x"}]}
        action |= {"user": {"id": "U0ADMIN001"}, "team": {"id": fake.team_id}}
        event = {"type": "event_callback", "team_id": fake.team_id, "api_app_id": fake.app_id}
        event |= {"event": {"type": "app_mention", "text": "hi", "user": "U0ADMIN001"}}
        event |= {"event_id": "Ev01", "event_time": 1}
        ids = [
            await fake.push_envelope("interactive", action),
            await fake.push_envelope("events_api", event, accepts_response_payload=False),
        ]
        for envelope_id in ids:
            ack = await fake.wait_for_ack(envelope_id)
            assert "payload" not in ack
        assert bot.health.unhandled == 2

        # Slack redelivers an envelope it did not see acked: answered again with the first ack
        again = await fake.push_slash_command("help")
        first = await fake.wait_for_ack(again)
        conn = fake.live_sockets()[0]
        await conn.ws.send_json(
            {"envelope_id": again, "type": "slash_commands", "payload": fake.slash_command("help")}
        )
        await fake.wait_for(lambda: sum(a["envelope_id"] == again for a in fake.socket_acks) == 2)
        assert [a for a in fake.socket_acks if a["envelope_id"] == again] == [first, first]


async def until(predicate: Callable[[], object], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Poll a condition on the bot's side (the fake's `wait_for` wakes on the fake's changes)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def healthz(ops: OpsServer) -> tuple[int, dict[str, Any], str]:
    """/healthz's status and body, and the /metrics text."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{ops.port}/healthz") as resp:
            status, body = resp.status, await resp.json()
        async with http.get(f"http://127.0.0.1:{ops.port}/metrics") as resp:
            return status, body, await resp.text()


async def test_health_fails_while_no_socket_is_open_and_recovers(
    tmp_path: Path, app_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with socket_mode(tmp_path, app_db_url) as (fake, _app, bot):
        ops = OpsServer(Metrics(), Health(), "127.0.0.1", 0, chat=[bot.health], chat_down_limit=0.0)
        await ops.start()
        try:
            status, body, _ = await healthz(ops)
            assert status == 200 and body["chat"]["slack"]["connections"] == 2
            fake.fail_next("apps.connections.open", status=500, count=10_000)
            with caplog.at_level(logging.INFO, logger="bot"):
                for conn in list(fake.socket_connections):
                    fake.drop_socket(conn)
                await until(lambda: not bot.health.connected)
                status, body, _ = await healthz(ops)
                assert status == 503 and body["status"] == "failing"
                assert body["chat"]["slack"]["state"] == "down"
                fake.clear_faults()
                await until(lambda: bot.health.links == 2)
            status, body, metrics = await healthz(ops)
            assert status == 200 and body["chat"]["slack"]["reconnects"] == 1
            assert 'newsbot_chat_reconnects_total{platform="slack"} 1.0' in metrics
            assert 'newsbot_chat_connections{platform="slack"} 2.0' in metrics
            logged = "\n".join(r.getMessage() for r in caplog.records)
            assert "could not open Socket Mode connection" in logged and "open (" in logged
            assert "ticket=" not in logged
        finally:
            await ops.stop()
