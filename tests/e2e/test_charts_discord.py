"""Charts on Discord: `/actor`, `/rules stats` and `/status` answer with their text, then a
follow-up carrying the PNG as a real multipart upload (`payload_json` + `files[0]`, the alt text
as the attachment's description), as private as the text; a refused upload loses no text."""

from __future__ import annotations

import logging

import pytest

from bot.charts.png import PNG_SIGNATURE
from bot.chat.discord import respond as discord_respond
from tests.builders import PEACE, rss
from tests.e2e.test_discord import Running, reply_of, running  # noqa: F401  (the fixture)
from tests.fakes.discord_server import EPHEMERAL, FakeDiscord, InteractionRecord


async def chart_of(fake: FakeDiscord, rec: InteractionRecord) -> dict:
    """The follow-up that carries the chart (it comes after the text)."""
    [message] = await fake.wait_for(
        lambda: [m for m in rec.followups if m["attachments"]], timeout=30
    )
    return message


async def test_actor_rules_stats_and_status_attach_a_chart_after_the_text(
    running: Running,  # noqa: F811
) -> None:
    fake, app = running.fake, running.app
    running.feeds.add("/a.xml", rss([("a-1", PEACE)]))
    await app.poll_once()

    actor = await reply_of(
        fake, await fake.invoke_command("actor", {"name": "Lavrov"}, user=fake.member)
    )
    chart = await chart_of(fake, actor)
    assert "Sergey Lavrov" in actor.replies[0]["content"]  # the text came first
    assert actor.replies.index(chart) > 0
    [attachment] = chart["attachments"]
    assert attachment["filename"] == "mentions-of-sergey-lavrov-per-day.png"
    assert attachment["description"].startswith("Mentions of Sergey Lavrov per day, ")
    assert "1 mentions in all" in attachment["description"]
    assert (attachment["width"], attachment["height"]) == (640, 240)  # read from the PNG header
    assert fake.files[attachment["id"]].startswith(PNG_SIGNATURE)
    assert attachment["content_type"] == "image/png"
    assert int(chart["flags"]) & EPHEMERAL  # as private as the profile
    sent = chart["request"]
    assert sent["_files"] == ["files[0]"] and sent["attachments"][0]["id"] in (0, "0")
    assert sent["allowed_mentions"]["parse"] == []

    stats = await reply_of(
        fake, await fake.invoke_command("rules stats", {"rule": "peace-talks"}, user=fake.admin)
    )
    [attachment] = (await chart_of(fake, stats))["attachments"]
    assert attachment["filename"] == "alerts-for-peace-talks-per-day.png"
    assert "1 alerts in all" in attachment["description"]

    status = await reply_of(fake, await fake.invoke_command("status", user=fake.admin))
    assert "feeds: 2 (2 ok, 0 failing, 0 paused)" in status.text
    [attachment] = (await chart_of(fake, status))["attachments"]
    assert attachment["description"].startswith("newsbot alerts and posts per day, ")
    assert "1 alerts in all" in attachment["description"]

    refused = await reply_of(fake, await fake.invoke_command("status", user=fake.member))
    assert "Only admins" in refused.text
    assert not [m for m in refused.followups if m["attachments"]]
    rows = await app.store.audit.history(limit=20)
    assert [(r.action, r.allowed) for r in rows if r.action == "status"] == [
        ("status", False),
        ("status", True),
    ]


async def test_a_refused_chart_upload_leaves_the_text_reply(
    running: Running,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = running.fake
    monkeypatch.setattr(discord_respond, "DEFER_AFTER", 0.0)  # the text, too, is a follow-up
    # the upload only (e.g. over the size limit): a deferred text reply posts there too
    fake.fail_next(r"/webhooks/\d+/", 413, method="POST", content_type="multipart/form-data")
    with caplog.at_level(logging.ERROR, logger="bot.chat.discord.attach"):
        rec = await reply_of(
            fake, await fake.invoke_command("actor", {"name": "Lavrov"}, user=fake.member)
        )
        await fake.wait_for(lambda: fake.faults_served, timeout=30)
        await fake.wait_for(lambda: "could not attach the chart" in caplog.text, timeout=10)
    assert rec.deferred and "Sergey Lavrov" in rec.text and not rec.text.startswith("**⚠️")
    assert not [m for m in rec.followups if m["attachments"]]
