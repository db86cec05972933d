"""The dispatcher's decisions on the memory outbox: order, retries, refusals, pauses, threads.

The sink is a scripted platform (the port's far side): each send answers with the next
outcome given for its destination. No database, no network; milliseconds per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.delivery.dispatcher import Dispatcher
from bot.models import Alert, Delivery, Destination, Platform, Subscription
from bot.ports import DeliveryError
from bot.store.memory import MemoryAlerts, MemoryOutbox, MemorySubscriptions

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
A = Destination(platform=Platform.slack, address="C1", workspace="T1")
B = Destination(platform=Platform.slack, address="C2", workspace="T1")


class ScriptedPlatform:
    """A sink whose sends answer, per destination, with the scripted outcomes in turn
    (then success); it can also find messages a crashed run posted."""

    platform = Platform.slack

    def __init__(self, script: dict[str, list[DeliveryError]] | None = None) -> None:
        self.script = {k: list(v) for k, v in (script or {}).items()}
        self.posted: list[tuple[str, int, str | None]] = []
        self.already_there: dict[int, str] = {}

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        queue = self.script.get(delivery.destination.key, [])
        if queue:
            raise queue.pop(0)
        self.posted.append((delivery.destination.key, delivery.alert_id, delivery.thread_id))
        return f"m{delivery.alert_id}-{delivery.destination.address}"

    async def find_sent(self, delivery: Delivery) -> str | None:
        return self.already_there.get(delivery.id)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _setup(
    n: int, dests: list[Destination], sink: ScriptedPlatform
) -> tuple[Dispatcher, MemoryOutbox, MemoryAlerts, MemorySubscriptions, Clock]:
    outbox, alerts = MemoryOutbox(), MemoryAlerts()
    subs = MemorySubscriptions([Subscription(destination=d, target="*") for d in dests])
    for i in range(1, n + 1):
        alerts.add(Alert(feed_id=1, item_identity=f"g{i}", title=f"T{i}"))
        for dest in dests:
            outbox.enqueue(i, dest, now=T0)
    clock = Clock()
    dispatcher = Dispatcher(outbox, alerts, subs, {Platform.slack: sink}, owner="d", clock=clock)
    return dispatcher, outbox, alerts, subs, clock


def _order(sink: ScriptedPlatform, dest: Destination) -> Iterator[int]:
    return (alert_id for key, alert_id, _ in sink.posted if key == dest.key)


async def test_a_retried_send_holds_its_channel_back_and_keeps_order():
    sink = ScriptedPlatform({A.key: [DeliveryError("503", retry_after=30)]})
    dispatcher, outbox, *_, clock = _setup(3, [A, B], sink)
    report = await dispatcher.dispatch_once()
    assert (report.sent, report.retried) == (3, 1)
    assert list(_order(sink, A)) == [] and list(_order(sink, B)) == [1, 2, 3]
    assert (await dispatcher.drain()).sent == 0  # A waits out Retry-After
    clock.now = T0 + timedelta(seconds=31)
    assert (await dispatcher.drain()).sent == 3
    assert list(_order(sink, A)) == [1, 2, 3]
    assert await outbox.counts() == {"sent": 6}


async def test_a_refused_message_is_dropped_alone():
    sink = ScriptedPlatform({A.key: [DeliveryError("too long", rejected=True)]})
    dispatcher, outbox, *_ = _setup(2, [A], sink)
    report = await dispatcher.drain()
    assert (report.sent, report.failed) == (1, 1) and list(_order(sink, A)) == [2]
    assert outbox.last_error(1) == "too long"


async def test_a_gone_channel_fails_its_backlog_pauses_it_and_says_so_once():
    sink = ScriptedPlatform({A.key: [DeliveryError("channel_not_found", permanent=True)] * 2})
    dispatcher, outbox, _, subs, _ = _setup(2, [A, B], sink)
    told: list[tuple[str, str]] = []

    async def on_pause(dest: Destination, why: str) -> None:
        told.append((dest.key, why))

    dispatcher.on_pause = on_pause
    await dispatcher.drain()
    assert await outbox.counts() == {"failed": 2, "sent": 2}
    assert [s.paused for s in await subs.all()] == [True, False]
    assert told == [(A.key, "channel_not_found")]


async def test_a_message_a_crashed_run_posted_is_found_not_posted_again():
    sink = ScriptedPlatform()
    dispatcher, outbox, *_, clock = _setup(2, [A], sink)
    await outbox.claim(now=T0, owner="crashed", lease_seconds=10)  # it died mid-send
    sink.already_there[1] = "m-before-crash"
    clock.now = T0 + timedelta(seconds=11)
    assert (await dispatcher.drain()).sent == 2
    assert list(_order(sink, A)) == [2]  # the first was already in the channel
    assert await outbox.thread_for(1, A) == "m-before-crash"


async def test_a_follow_up_goes_to_its_story_thread_and_a_deleted_alert_is_skipped():
    sink = ScriptedPlatform()
    dispatcher, outbox, alerts, *_ = _setup(1, [A], sink)
    follow = alerts.add(Alert(feed_id=2, item_identity="g2", title="T2", story_id=1))
    outbox.enqueue(follow.id or 0, A, now=T0)
    outbox.enqueue(99, A, now=T0)  # its alert is gone (its feed was removed)
    report = await dispatcher.drain()
    assert (report.sent, report.failed) == (2, 0)
    assert sink.posted == [(A.key, 1, None), (A.key, 2, "m1-C1")]
    assert await outbox.counts() == {"sent": 2, "failed": 1}


async def test_a_send_answered_5xx_after_the_platform_stored_it_is_not_posted_again():
    sink = ScriptedPlatform({A.key: [DeliveryError("500 internal_error")]})
    dispatcher, outbox, *_, clock = _setup(2, [A], sink)
    await dispatcher.drain()  # the first send "fails"; the platform had stored it
    sink.already_there[1] = "m-stored"
    clock.now = T0 + timedelta(seconds=3600)
    assert (await dispatcher.drain()).sent == 2
    assert list(_order(sink, A)) == [2]  # found by the lookup after the ambiguous answer
    assert await outbox.thread_for(1, A) == "m-stored"
