"""The Discord sink on the real discord.py client (REST only) against the fake Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import discord
import pytest

from bot.delivery.sinks.discord_bot import DiscordSink, error_for
from bot.models import Alert, Delivery, Destination, Platform
from bot.ports import DeliveryError
from tests.fakes.discord_server import FakeDiscord, pointed_at


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        with pointed_at(fake):
            yield fake


@pytest.fixture
async def sink(fake: FakeDiscord) -> AsyncIterator[DiscordSink]:
    client = discord.Client(intents=discord.Intents(guilds=True), max_ratelimit_timeout=30)
    await client.login(fake.token)  # no gateway: the dispatcher role posts over REST alone
    try:
        yield DiscordSink(client)
    finally:
        await client.close()


def alert(
    n: int, title: str = "Lavrov: no pause in operations during talks", story_id: int | None = None
) -> Alert:
    return Alert(
        id=n,
        story_id=story_id,
        feed_id=1,
        item_identity=f"i{n}",
        title=title,
        source="Wire",
        link=f"https://news.example/{n}",
        summary="Talks stalled.",
    )


def delivery(n: int, channel: str, **extra: str) -> Delivery:
    dest = Destination(platform=Platform.discord, address=channel, workspace="1")
    return Delivery(id=n, alert_id=n, destination=dest, **extra)  # type: ignore[arg-type]


def test_nonce_is_stable_per_delivery_and_differs_when_an_id_is_reused() -> None:
    made = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    first = delivery(7, "1", created_at=made)  # type: ignore[arg-type]
    assert first.nonce == first.model_copy().nonce == "7-1795608000"
    reused = delivery(7, "1", created_at=made + timedelta(minutes=3))  # type: ignore[arg-type]
    assert reused.nonce != first.nonce
    assert len(delivery(10**18, "1", created_at=made).nonce) <= 25  # type: ignore[arg-type]


async def test_posts_an_embed_with_the_delivery_id_as_nonce(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    channel = fake.alerts_channel.id
    first = await sink.send(alert(1), delivery(7, channel))
    again = await sink.send(alert(1), delivery(7, channel))  # a retry after a lost answer
    assert first == again
    [message] = fake.channel_messages(channel)
    assert message["id"] == first
    assert message["request"]["nonce"] == "7" and message["request"]["enforce_nonce"] is True
    assert message["embeds"][0]["title"].startswith("Lavrov")
    assert message["request"]["allowed_mentions"]["parse"] == []
    assert "content" not in message["request"] or not message["request"]["content"]


async def test_only_the_subscription_role_is_mentionable(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    role = fake.guild.role_named("Watchers").id
    await sink.send(
        alert(1, "@everyone <@&1> look"), delivery(1, fake.alerts_channel.id, mention_role=role)
    )
    [message] = fake.channel_messages(fake.alerts_channel.id)
    assert message["request"]["content"] == f"<@&{role}>"
    mentions = message["request"]["allowed_mentions"]
    assert mentions["parse"] == [] and [str(r) for r in mentions["roles"]] == [role]
    assert "@everyone" not in message["embeds"][0]["title"]  # neutralised by the renderer


async def test_follow_ups_go_into_one_thread_on_the_first_alert(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    channel = fake.alerts_channel.id
    root = await sink.send(alert(1), delivery(1, channel))
    second = await sink.send(alert(2, story_id=1), delivery(2, channel, thread_id=root))
    third = await sink.send(alert(3, story_id=1), delivery(3, channel, thread_id=root))
    [thread] = fake.threads
    assert thread["id"] == root and thread["parent_id"] == channel
    assert [m["id"] for m in fake.channel_messages(root)] == [second, third]
    assert len(fake.channel_messages(channel)) == 1
    creates = [r for r in fake.requests if r["path"].endswith("/threads")]
    assert len(creates) == 1  # created once, then reused


async def test_thread_made_by_an_earlier_process_is_reused(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    channel = fake.alerts_channel.id
    root = await sink.send(alert(1), delivery(1, channel))
    await sink.send(alert(2, story_id=1), delivery(2, channel, thread_id=root))
    restarted = DiscordSink(sink.client)  # knows no threads yet: Discord answers 160004
    await restarted.send(alert(3, story_id=1), delivery(3, channel, thread_id=root))
    assert len(fake.threads) == 1 and len(fake.channel_messages(root)) == 2


async def test_follow_up_of_a_deleted_alert_goes_to_the_channel(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    channel = fake.alerts_channel.id
    await sink.send(alert(2, story_id=1), delivery(2, channel, thread_id="123456789012345678"))
    assert fake.threads == [] and len(fake.channel_messages(channel)) == 1
    [message] = fake.channel_messages(channel)  # posted whole: this channel lacks the first
    assert "Also reported" not in str(message["embeds"][0])


async def test_unknown_and_forbidden_channels_are_permanent(
    fake: FakeDiscord, sink: DiscordSink
) -> None:
    with pytest.raises(DeliveryError) as gone:
        await sink.send(alert(1), delivery(1, "123456789012345678"))
    assert gone.value.permanent and "10003" in str(gone.value)
    with pytest.raises(DeliveryError) as denied:
        await sink.send(alert(1), delivery(2, fake.forbidden_channel.id))
    assert denied.value.permanent and "50013" in str(denied.value)
    with pytest.raises(DeliveryError) as bad:
        await sink.send(alert(1), delivery(3, "not-a-channel"))
    assert bad.value.permanent


async def test_long_rate_limit_becomes_retry_after(fake: FakeDiscord, sink: DiscordSink) -> None:
    fake.fail_next(r"/channels/\d+/messages$", 429, retry_after=45.0)
    with pytest.raises(DeliveryError) as limited:
        await sink.send(alert(1), delivery(1, fake.alerts_channel.id))
    assert not limited.value.permanent and limited.value.retry_after == 45.0
    assert fake.messages == []


def _http_error(status: int, code: int = 0) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="x", headers={"Retry-After": "3"})
    return discord.HTTPException(response, {"message": "boom", "code": code})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "permanent", "rejected", "retry_after"),
    [
        (502, False, False, 3.0),  # a passing failure honours Retry-After too
        (503, False, False, 3.0),
        (429, False, False, 3.0),
        (400, False, True, None),  # one malformed message: drop it, keep the channel
        (413, False, True, None),
        (409, False, True, None),  # one table for every sink (sinks/http_errors.py)
        (422, False, True, None),
        (408, False, False, 3.0),
        (410, True, False, None),
        (401, True, False, None),
        (403, True, False, None),
        (404, True, False, None),
    ],
)
def test_status_mapping(
    status: int, permanent: bool, rejected: bool, retry_after: float | None
) -> None:
    error = error_for(_http_error(status), "42")
    assert error.permanent is permanent
    assert error.rejected is rejected
    assert error.retry_after == retry_after
    assert "42" in str(error)
