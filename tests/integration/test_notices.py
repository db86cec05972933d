"""Pause notices through the real SlackSink to the fake Slack, with the real store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.notices import PauseNotices
from bot.delivery.sinks.slack_bot import SlackSink
from bot.models import Destination, Platform, Subscription
from bot.store.store import Store
from bot.text.story_match import same_story
from tests.fakes.slack_server import FakeSlack

T0 = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
async def store(sqlite_url: str) -> AsyncIterator[Store]:
    s = await Store.open(sqlite_url, same_story)
    yield s
    await s.close()


async def _audited(store: Store, action: str) -> None:
    for _ in range(250):
        if action in [r.action for r in await store.audit.history(limit=5)]:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no {action} in the audit log")


async def _notices(
    fake: FakeSlack, store: Store, *, retry_seconds: float
) -> tuple[Destination, PauseNotices]:
    """#outside (to be paused) and #alerts subscribed; notices through the real Slack sink."""
    paused = Destination(platform=Platform.slack, address="C0OUTSIDE1", workspace=fake.team_id)
    healthy = Destination(platform=Platform.slack, address="C0ALERTS01", workspace=fake.team_id)
    for dest in (paused, healthy):
        await store.subscriptions.upsert(Subscription(destination=dest, target="*"), T0)
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    sinks = {Platform.slack: SlackSink(client, min_interval=0)}
    notices = PauseNotices(
        store.subscriptions, store.audit, sinks, lambda: T0, retry_seconds=retry_seconds
    )
    return paused, notices


async def test_a_notice_that_meets_an_outage_is_posted_on_a_later_try(store: Store) -> None:
    async with FakeSlack() as fake:
        paused, notices = await _notices(fake, store, retry_seconds=0.05)
        fake.fail_next("chat.postMessage", 500, count=2)  # the first round and the first retry
        try:
            await notices(paused, "not_in_channel")
            assert fake.channel_messages("C0ALERTS01") == []  # not yet: retried in the background
            [notice] = await fake.wait_for(lambda: fake.channel_messages("C0ALERTS01"))
            assert "<#C0OUTSIDE1>" in notice["text"]
            await _audited(store, "notice.sent")
        finally:
            await notices.close()
        actions = [r.action for r in reversed(await store.audit.history(limit=10))]
        assert actions == ["subscriptions.pause", "notice.sent"]


async def test_a_notice_that_keeps_failing_is_recorded_as_unsent(store: Store) -> None:
    async with FakeSlack() as fake:
        paused, notices = await _notices(fake, store, retry_seconds=0.01)
        fake.fail_next("chat.postMessage", 503, count=100)
        try:
            await notices(paused, "not_in_channel")
            await _audited(store, "notice.unsent")
        finally:
            await notices.close()
        [unsent] = [r for r in await store.audit.history(limit=5) if r.action == "notice.unsent"]
        assert "kept failing" in unsent.detail and fake.channel_messages("C0ALERTS01") == []
