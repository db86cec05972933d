"""Votes on alerts from Slack: the real slack-bolt app over Socket Mode, App and store, the fake
Slack answering `block_actions` as Slack does."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.chat.slack.app import SlackBot
from bot.ports import VoteCounts
from bot.runtime.app import App
from tests.builders import PEACE, rss, write_config
from tests.e2e.test_slack import settings_for
from tests.fakes.feed_server import FeedServer
from tests.fakes.slack_server import FakeSlack


async def test_an_alert_carries_vote_buttons_and_a_click_is_answered_only_to_the_voter(
    tmp_path: Path, app_db_url: str
) -> None:
    async with FakeSlack() as fake, FeedServer() as feeds:
        feeds.add("/a.xml", rss([("a-1", PEACE)], title="Feed A"))
        config = write_config(tmp_path / "config", [feeds.url("/a.xml")])
        settings = settings_for(
            fake,
            app_db_url,
            config,
            slack_app_token=SecretStr(fake.app_token),
            slack_signing_secret=None,
        )
        bot = SlackBot(settings, post_interval=0.01)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(app.command_service(), feedback=app.feedback_service())
            await fake.wait_for(lambda: fake.socket_connections)
            await fake.wait_for_ack(await fake.push_slash_command("subscribe peace-talks"))
            await app.store.feeds.make_due(app.clock())
            await app.poll_once()
            await app.drain()
            [message] = fake.channel_messages("C0ALERTS01")
            [alert] = await app.store.alerts.recent(limit=5)
            actions = message["blocks"][-1]
            assert actions["type"] == "actions"
            assert [(b["text"]["text"], b["value"]) for b in actions["elements"]] == [
                ("Relevant", f"newsbot-vote:{alert.id}:1"),
                ("Not relevant", f"newsbot-vote:{alert.id}:0"),
            ]

            ack = await fake.click_button(message, "newsbot-vote-relevant", user="member")
            assert not ack.get("payload")  # acknowledged at once, answered on response_url
            [answer] = await fake.wait_for(lambda: fake.responses)
            assert answer["json"]["response_type"] == "ephemeral"
            assert answer["json"]["replace_original"] is False
            assert answer["json"]["text"].startswith("*Thanks, marked relevant*")
            await fake.click_button(message, "newsbot-vote-not-relevant", user="member")
            later = await fake.wait_for(lambda: fake.responses[1:])
            assert later[0]["json"]["text"].startswith("*Vote changed: not relevant*")
            assert await app.store.relevance.counts("peace-talks") == VoteCounts(1, 0, 1, 1)
            [audit, *_] = await app.store.audit.history(f"alert:{alert.id}")
            member = fake.user("member")
            assert audit.action == "alerts.vote" and audit.who.startswith(f"slack:{member.id}")
            assert audit.workspace == fake.team_id
            stats = await fake.wait_for_ack(
                await fake.push_slash_command("rules stats peace-talks")
            )
            text = stats["payload"]["text"]
            assert stats["payload"]["response_type"] == "ephemeral"
            assert "Alerts: 1\nVotes: 1 on 1 items by 1 voters (0 relevant)" in text
            assert "Estimated precision: 0%" in text
        finally:
            await bot.close()
            await app.close()
