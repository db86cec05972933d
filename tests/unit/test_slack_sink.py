"""The Slack sink against the loopback fake Web API: blocks, threads, pacing and error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.sinks.slack_bot import SlackSink
from bot.models import Alert, Delivery, Destination, Platform
from bot.ports import DeliveryError
from tests.fakes.slack_server import FakeSlack, SlackChannel, default_channels

TITLE = "Lavrov: no pause in operations during peace talks <!channel> @here"


def alert(alert_id: int = 1, *, story_id: int | None = None, title: str = TITLE) -> Alert:
    return Alert(
        id=alert_id,
        feed_id=1,
        item_identity=f"i{alert_id}",
        title=title,
        link=f"https://news.example/{alert_id}",
        source="Example <@U0ADMIN001> News",
        summary="Talks stalled. <!everyone> should read this.",
        story_id=story_id,
    )


def delivery(
    channel: str = "C0ALERTS01",
    *,
    delivery_id: int = 1,
    thread: str | None = None,
    mention_role: str | None = None,
) -> Delivery:
    dest = Destination(platform=Platform.slack, address=channel, workspace="T0NEWSROOM")
    return Delivery(
        id=delivery_id, alert_id=1, destination=dest, thread_id=thread, mention_role=mention_role
    )


class Pacer:
    """A clock that only moves when the sink sleeps, recording each sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    channels = [*default_channels(), SlackChannel("C0ARCHIVE1", "old", is_archived=True)]
    async with FakeSlack(channels=channels) as fake:
        yield fake


@pytest.fixture
def pacer() -> Pacer:
    return Pacer()


@pytest.fixture
def sink(fake: FakeSlack, pacer: Pacer) -> SlackSink:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    return SlackSink(client, min_interval=1.0, clock=pacer.clock, sleep=pacer.sleep)


def all_text(message: dict) -> str:
    """Every text Slack parses as mrkdwn (plain_text headers show `<!channel>` literally)."""
    texts = [message["text"]]
    for block in message["blocks"]:
        parts = [block.get("text") or {}, *block.get("elements", ())]
        texts += [p["text"] for p in parts if p.get("type") == "mrkdwn"]
    return "\n".join(texts)


async def test_alert_is_posted_as_blocks_that_ping_nobody(fake: FakeSlack, sink: SlackSink) -> None:
    ts = await sink.send(alert(), delivery())
    [message] = fake.channel_messages("C0ALERTS01")
    assert message["ts"] == ts
    assert message["blocks"][0]["type"] == "header"
    assert message["args"]["unfurl_links"] is False
    assert "thread_ts" not in message
    text = all_text(message)
    assert "Lavrov: no pause" in text
    for ping in ("<!channel>", "<!everyone>", "<@U0ADMIN001>", "@here"):
        assert ping not in text


async def test_follow_up_is_a_thread_reply(fake: FakeSlack, sink: SlackSink) -> None:
    first = await sink.send(alert(1), delivery())
    await sink.send(alert(2, story_id=1, title="Kremlin: talks go on"), delivery(thread=first))
    reply = fake.channel_messages("C0ALERTS01")[1]
    assert reply["thread_ts"] == first
    assert "Also reported by" in reply["text"]


async def test_follow_up_whose_thread_is_gone_goes_to_the_channel(
    fake: FakeSlack, sink: SlackSink
) -> None:
    await sink.send(alert(2, story_id=1), delivery(thread="1.000042"))
    [message] = fake.channel_messages("C0ALERTS01")
    assert "thread_ts" not in message


async def test_posts_to_one_channel_are_paced(sink: SlackSink, pacer: Pacer) -> None:
    await sink.send(alert(1), delivery("C0ALERTS01"))
    await sink.send(alert(2), delivery("C0GENERAL1"))
    assert pacer.sleeps == []
    await sink.send(alert(3), delivery("C0ALERTS01"))
    assert pacer.sleeps == [1.0]


async def test_user_group_mention_only_for_group_ids(fake: FakeSlack, sink: SlackSink) -> None:
    await sink.send(alert(1), delivery(mention_role="S0STAFF01"))
    await sink.send(alert(2), delivery("C0GENERAL1", mention_role="<!channel>"))
    staff, other = fake.messages
    assert staff["blocks"][0]["text"]["text"] == "<!subteam^S0STAFF01>"
    assert "subteam" not in all_text(other) and "<!channel>" not in all_text(other)
    await sink.send(alert(3), delivery(mention_role="S0STAFF01 <!channel> S0DESK002"))
    merged = fake.messages[-1]
    assert merged["blocks"][0]["text"]["text"] == "<!subteam^S0STAFF01> <!subteam^S0DESK002>"


@pytest.mark.parametrize(
    ("channel", "fault", "permanent"),
    [
        ("C0NOSUCH01", None, True),  # channel_not_found
        ("C0OUTSIDE1", None, True),  # not_in_channel
        ("C0ARCHIVE1", None, True),  # is_archived
        ("C0ALERTS01", "account_inactive", True),
        ("C0ALERTS01", "token_revoked", True),
        ("C0ALERTS01", "internal_error", False),
    ],
)
async def test_slack_errors_are_permanent_or_retried(
    fake: FakeSlack, sink: SlackSink, channel: str, fault: str | None, permanent: bool
) -> None:
    if fault:
        fake.fail_next("chat.postMessage", error=fault)
    with pytest.raises(DeliveryError) as info:
        await sink.send(alert(), delivery(channel))
    assert info.value.permanent is permanent
    assert fake.messages == []


async def test_rate_limit_carries_retry_after(fake: FakeSlack, sink: SlackSink) -> None:
    fake.fail_next("chat.postMessage", 429, retry_after=17)
    with pytest.raises(DeliveryError) as info:
        await sink.send(alert(), delivery())
    assert (info.value.permanent, info.value.retry_after) == (False, 17.0)
    assert len(fake.faults_served) == 1  # the SDK did not retry on its own


async def test_server_error_and_unreachable_are_transient(fake: FakeSlack, sink: SlackSink) -> None:
    fake.fail_next("chat.postMessage", 503)
    with pytest.raises(DeliveryError) as info:
        await sink.send(alert(), delivery())
    assert not info.value.permanent and "HTTP 503" in str(info.value)
    gone = AsyncWebClient(token=fake.bot_token, base_url="http://127.0.0.1:9/api/", timeout=2)
    with pytest.raises(DeliveryError) as info:
        await SlackSink(gone, min_interval=0).send(alert(), delivery())
    assert not info.value.permanent and "unreachable" in str(info.value)


async def test_wrong_token_is_permanent_and_never_quoted(fake: FakeSlack) -> None:
    token = "xoxb-not-the-right-token-123456"
    sink = SlackSink(AsyncWebClient(token=token, base_url=fake.base_url), min_interval=0)
    with pytest.raises(DeliveryError) as info:
        await sink.send(alert(), delivery())
    assert info.value.permanent and "invalid_auth" in str(info.value)
    assert token not in str(info.value) and token not in repr(info.value.__cause__)


async def test_refused_blocks_fall_back_to_plain_text(fake: FakeSlack, sink: SlackSink) -> None:
    fake.fail_next("chat.postMessage", error="invalid_blocks")
    await sink.send(alert(), delivery())
    [message] = fake.messages
    assert message["blocks"] == [] and "Lavrov: no pause" in message["text"]
    assert "<!channel>" not in message["text"]


async def test_find_sent_looks_in_the_thread_then_the_channel(
    fake: FakeSlack, sink: SlackSink
) -> None:
    made = datetime(2026, 11, 25, 12, tzinfo=UTC) - timedelta(days=1)  # older than any post
    root = await sink.send(alert(1), delivery().model_copy(update={"created_at": made}))
    follow = delivery(delivery_id=2, thread=root).model_copy(update={"created_at": made})
    reply_ts = await sink.send(alert(2, story_id=1), follow)
    assert await sink.find_sent(follow) == reply_ts  # a thread reply: found in the thread
    other = delivery(delivery_id=3).model_copy(update={"created_at": made})
    assert await sink.find_sent(other) is None  # never posted
    gone = delivery(delivery_id=4, thread="1.000009").model_copy(update={"created_at": made})
    posted = await sink.send(alert(4, story_id=1), gone)  # thread gone: went to the channel
    assert await sink.find_sent(gone) == posted
    fake.history_scopes = False
    assert await sink.find_sent(follow) is None  # cannot look: say so, and post


async def test_a_post_stored_then_answered_500_is_not_posted_twice(
    fake: FakeSlack, sink: SlackSink
) -> None:
    from bot.delivery.dispatcher import Dispatcher
    from bot.models import Subscription
    from bot.store.memory import MemoryAlerts, MemoryOutbox, MemorySubscriptions

    dest = Destination(platform=Platform.slack, address="C0ALERTS01", workspace="T0NEWSROOM")
    outbox, alerts = MemoryOutbox(), MemoryAlerts()
    subs = MemorySubscriptions([Subscription(destination=dest, target="*")])
    alerts.add(Alert(feed_id=1, item_identity="g1", title="Talks resume"))
    outbox.enqueue(1, dest, now=datetime.now(UTC))
    later = [datetime.now(UTC)]
    dispatcher = Dispatcher(
        outbox, alerts, subs, {Platform.slack: sink}, owner="d", clock=lambda: later[0]
    )
    fake.store_then_fail = 1
    assert (await dispatcher.drain()).retried == 1
    later[0] += timedelta(hours=1)
    assert (await dispatcher.drain()).sent == 1
    assert len(fake.channel_messages("C0ALERTS01")) == 1  # found in history, not posted again
    assert await outbox.counts() == {"sent": 1}
