"""Votes on alerts from Discord: the real discord.py client, App and store, the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.chat.discord.app import DiscordBot
from bot.ports import VoteCounts
from bot.runtime.app import App
from tests.builders import PEACE, rss, write_config
from tests.e2e.test_discord import Running, settings_for
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.feed_server import FeedServer


@pytest.fixture
async def running(tmp_path: Path, app_db_url: str) -> AsyncIterator[Running]:
    async with FakeDiscord(heartbeat_interval=0.1) as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([]))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml")])
        settings = settings_for(fake, app_db_url, config)
        bot = DiscordBot(settings, guild_ready_timeout=0.05)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service(), app.feedback_service())
            await bot.connection.wait_until_ready(timeout=10)
            yield Running(fake, feeds, app, bot, settings)
        finally:
            await bot.close()
            await app.close()


async def test_an_alert_carries_vote_buttons_and_a_click_is_a_private_changeable_vote(
    running: Running,
) -> None:
    fake, feeds, app = running.fake, running.feeds, running.app
    await fake.invoke_command("subscribe", {"target": "peace-talks"}, user=fake.member)
    feeds.add("/a.xml", rss([("a-1", PEACE)], title="Feed A"))
    await app.poll_once()
    await app.drain()
    [message] = fake.channel_messages(fake.alerts_channel.id)
    [row] = message["components"]
    buttons = [(b["label"], b["custom_id"], b["style"]) for b in row["components"]]
    [alert_id] = [r.id for r in await app.store.alerts.recent(limit=5)]
    assert buttons == [
        ("Relevant", f"newsbot-vote:{alert_id}:1", 3),
        ("Not relevant", f"newsbot-vote:{alert_id}:0", 2),
    ]

    yes = await fake.click_button(message, f"newsbot-vote:{alert_id}:1", user=fake.member)
    assert yes.response_type == 4 and yes.ephemeral
    assert yes.text == "**Thanks, marked relevant**\nfor peace-talks, sergey-lavrov"
    again = await fake.click_button(message, f"newsbot-vote:{alert_id}:0", user=fake.member)
    assert again.ephemeral and again.text.startswith("**Vote changed: not relevant**")
    await fake.click_button(message, f"newsbot-vote:{alert_id}:1", user=fake.admin)
    assert await app.store.relevance.counts("peace-talks") == VoteCounts(2, 1, 1, 2)
    [audit, *_] = await app.store.audit.history(f"alert:{alert_id}")
    assert audit.action == "alerts.vote" and audit.who.startswith(f"discord:{fake.admin.id}")
    assert audit.workspace == fake.guild.id and audit.after["relevant"] is True

    stats = await fake.invoke_command("rules stats", {"rule": "peace-talks"})
    assert stats.ephemeral
    assert "Alerts: 1\nVotes: 2 on 1 items by 2 voters (1 relevant)" in stats.text
    assert "Model: none, the rule is boolean only" in stats.text
