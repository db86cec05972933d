"""Charts on Slack: `/newsbot actor`, `rules stats` and `status` answer with their text, then
upload the PNG with files upload v2 (`files.getUploadURLExternal` with `alt_txt`, the bytes to
the upload URL, `files.completeUploadExternal`). A slash command's private answer cannot carry
a file and a file shared in the channel is seen by all of it, so a private reply's chart goes
to the caller's direct message with the bot; a failed upload loses no text."""

from __future__ import annotations

import logging

import pytest

from bot.charts.png import PNG_SIGNATURE
from tests.builders import PEACE, rss
from tests.e2e.test_slack import Running, command, running  # noqa: F401  (the fixture)


async def test_actor_rules_stats_and_status_upload_a_chart_to_the_callers_dm(
    running: Running,  # noqa: F811
) -> None:
    fake, app = running.fake, running.app
    running.feeds.add("/a.xml", rss([("a-1", PEACE)]))
    await app.poll_once()

    actor = await command(fake, running.url, "actor Lavrov", user="member")
    assert "Sergey Lavrov" in actor.text and actor.response_type == "ephemeral"
    [upload] = await fake.wait_for(lambda: fake.files, timeout=30)
    member = fake.user("member")
    dm = next(c for c in fake.channels if c.id == upload["channel"])
    assert dm.id.startswith("D") and dm.name == member.id  # the caller's DM, not the channel
    assert upload["name"] == "mentions-of-sergey-lavrov-per-day.png"
    assert upload["title"] == "Mentions of Sergey Lavrov per day"
    assert upload["alt_txt"].startswith("Mentions of Sergey Lavrov per day, ")
    assert "1 mentions in all" in upload["alt_txt"]
    assert upload["data"].startswith(PNG_SIGNATURE) and upload["mimetype"] == "image/png"
    assert (upload["original_w"], upload["original_h"]) == (640, 240)
    methods = [c["method"] for c in fake.calls]
    steps = ["conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal"]
    assert [m for m in methods if m in steps] == steps

    stats = await command(fake, running.url, "rules stats peace-talks", user="admin")
    assert "Feedback on peace-talks" in stats.text
    uploads = await fake.wait_for(lambda: fake.files[1:], timeout=30)
    assert uploads[0]["title"] == "Alerts for peace-talks per day"
    assert "1 alerts in all" in uploads[0]["alt_txt"]

    status = await command(fake, running.url, "status", user="admin")
    assert "feeds: 2 (2 ok, 0 failing, 0 paused)" in status.text
    uploads = await fake.wait_for(lambda: fake.files[2:], timeout=30)
    assert uploads[0]["title"] == "newsbot alerts and posts per day"
    assert fake.messages == []  # no chart reached the channel


async def test_a_failed_chart_upload_leaves_the_text_reply(
    running: Running,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = running.fake
    fake.fail_next("files.completeUploadExternal", error="file_upload_size_restricted")
    with caplog.at_level(logging.ERROR, logger="bot.chat.slack.attach"):
        answer = await command(fake, running.url, "actor Lavrov", user="member")
        await fake.wait_for(lambda: fake.faults_served, timeout=30)
        await fake.wait_for(lambda: "could not upload the chart" in caplog.text, timeout=10)
    assert "Sergey Lavrov" in answer.text and not answer.text.startswith("*⚠️")
    assert fake.files == []
