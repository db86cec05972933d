"""The store on SQLite and PostgreSQL: leases, dedupe by constraint, routing, outbox order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import (
    ActorMention,
    Alert,
    Destination,
    Item,
    MatchResult,
    Platform,
    Priority,
    RuleMatch,
    Subscription,
)
from bot.ports import PollRecord
from bot.store.feeds import FeedExistsError
from bot.store.store import Store

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
CHAN_A = Destination(platform=Platform.discord, address="111", workspace="g1")
CHAN_B = Destination(platform=Platform.slack, address="C222", workspace="T1")


@pytest.fixture
async def store(db_url: str):
    s = await Store.open(db_url, lambda a, b: a.title == b.title)  # same title words
    yield s
    await s.close()


def _item(feed_id: int, n: int) -> Item:
    return Item(feed_id=feed_id, identity=f"guid-{n}", title=f"Title {n}", link=f"https://x/{n}")


def _alert(
    feed_id: int,
    n: int,
    *,
    rule: str = "peace-talks",
    prio=Priority.normal,
    fingerprint: int | None = None,
    actor: str | None = None,
) -> Alert:
    return Alert(
        feed_id=feed_id,
        item_identity=f"guid-{n}",
        title=f"Title {n}",
        matches=MatchResult(
            rules=(RuleMatch(rule_id=rule, rule_name=rule, priority=prio),),
            actors=(ActorMention(actor_id=actor, name=actor),) if actor else (),
        ),
        fingerprint=fingerprint,
    )


async def _commit(store: Store, feed, n_items, alerts, now=T0):
    record = PollRecord(
        feed=feed,
        owner="w1",
        now=now,
        next_at=now + timedelta(minutes=5),
        etag='"e1"',
        items=tuple(_item(feed.id, n) for n in n_items),
        alerts=tuple(alerts),
    )
    return await store.ingest.commit_poll(record)


async def test_claim_due_leases_feeds_once(store: Store):
    a = await store.feeds.add("https://a.example/rss", now=T0)
    await store.feeds.add("https://b.example/rss", now=T0 + timedelta(hours=1))
    first = await store.feeds.claim_due(now=T0, owner="w1", lease_seconds=60, limit=10)
    assert [f.id for f in first] == [a.id]
    assert await store.feeds.claim_due(now=T0, owner="w2", lease_seconds=60, limit=10) == []
    # the lease expires: another worker takes the feed over
    later = await store.feeds.claim_due(
        now=T0 + timedelta(seconds=61), owner="w2", lease_seconds=60, limit=10
    )
    assert [f.id for f in later] == [a.id]


async def test_duplicate_url_is_refused(store: Store):
    await store.feeds.add("https://a.example/rss", now=T0)
    with pytest.raises(FeedExistsError, match="already added"):
        await store.feeds.add("https://a.example/rss", now=T0)


async def test_items_are_unique_per_feed_and_alerts_route_once(store: Store):
    feed = await store.feeds.add("https://a.example/rss", now=T0)
    await store.subscriptions.upsert(
        Subscription(destination=CHAN_A, target="rule:peace-talks"), T0
    )
    await store.subscriptions.upsert(Subscription(destination=CHAN_B, target="*"), T0)
    await store.subscriptions.upsert(
        Subscription(destination=CHAN_B, target="rule:peace-talks", min_priority=Priority.high), T0
    )
    created = await _commit(store, feed, [1, 2], [_alert(feed.id, 1)])
    assert len(created) == 1
    assert await store.ingest.unseen(feed.id, ["guid-1", "guid-2", "guid-3"]) == {"guid-3"}
    # the same poll committed again (a crash-and-retry) creates nothing new
    assert await _commit(store, feed, [1, 2], [_alert(feed.id, 1)]) == []
    counts = await store.outbox.counts()
    assert counts == {"pending": 2}  # one per destination, even with two matching subs on B
    polled = await store.feeds.get(feed.id)
    assert polled is not None and polled.etag == '"e1"' and polled.polls == 2


async def test_priority_filter_and_paused_subscriptions(store: Store):
    feed = await store.feeds.add("https://a.example/rss", now=T0)
    await store.subscriptions.upsert(
        Subscription(destination=CHAN_A, target="rule:peace-talks", min_priority=Priority.high), T0
    )
    await _commit(store, feed, [1], [_alert(feed.id, 1, prio=Priority.normal)])
    assert await store.outbox.counts() == {}
    await _commit(store, feed, [2], [_alert(feed.id, 2, prio=Priority.urgent)])
    assert await store.outbox.counts() == {"pending": 1}
    await store.subscriptions.pause_destination(CHAN_A, "channel deleted")
    await _commit(store, feed, [3], [_alert(feed.id, 3, prio=Priority.urgent)])
    assert await store.outbox.counts() == {"pending": 1}


async def test_actor_subscription_routes_on_mention(store: Store):
    feed = await store.feeds.add("https://a.example/rss", now=T0)
    await store.subscriptions.upsert(Subscription(destination=CHAN_A, target="actor:lavrov"), T0)
    await _commit(store, feed, [1, 2], [_alert(feed.id, 1, actor="lavrov"), _alert(feed.id, 2)])
    batches = await store.outbox.claim(now=T0, owner="d", lease_seconds=30)
    assert [[d.alert_id for d in b] for b in batches] == [[1]]
    count, last = await store.alerts.mention_stats("lavrov")
    assert count == 1 and last == T0


async def test_outbox_keeps_order_per_channel_through_retries(store: Store):
    feed = await store.feeds.add("https://a.example/rss", now=T0)
    await store.subscriptions.upsert(Subscription(destination=CHAN_A, target="*"), T0)
    await store.subscriptions.upsert(Subscription(destination=CHAN_B, target="*"), T0)
    await _commit(store, feed, [1, 2, 3], [_alert(feed.id, n) for n in (1, 2, 3)])
    batches = await store.outbox.claim(now=T0, owner="d1", lease_seconds=30)
    by_dest = {b[0].destination.key: [d.alert_id for d in b] for b in batches}
    assert by_dest == {CHAN_A.key: [1, 2, 3], CHAN_B.key: [1, 2, 3]}
    # nothing more to claim while leased
    assert await store.outbox.claim(now=T0, owner="d2", lease_seconds=30) == []
    a_batch = next(b for b in batches if b[0].destination == CHAN_A)
    await store.outbox.mark_sent([a_batch[0].id], "m1", T0)
    await store.outbox.retry_later(a_batch[1].id, "429", T0 + timedelta(seconds=60))
    await store.outbox.release([a_batch[2].id])
    # the failed head blocks the channel's later alert until its retry time
    blocked = await store.outbox.claim(now=T0 + timedelta(seconds=31), owner="d2", lease_seconds=30)
    assert all(b[0].destination != CHAN_A for b in blocked)
    ready = await store.outbox.claim(now=T0 + timedelta(seconds=62), owner="d2", lease_seconds=30)
    again = next(b for b in ready if b[0].destination == CHAN_A)
    assert [d.alert_id for d in again] == [2, 3]
    assert again[0].attempts == 1
    # every earlier claim of A's rows ended in a result or a release; B's lease simply lapsed
    # with nothing recorded, as when a dispatcher dies mid-send
    assert not any(d.maybe_sent for d in again)
    b_again = next(b for b in ready if b[0].destination == CHAN_B)
    assert [d.alert_id for d in b_again] == [1, 2, 3] and all(d.maybe_sent for d in b_again)


async def test_permanent_failure_fails_pending_of_destination(store: Store):
    feed = await store.feeds.add("https://a.example/rss", now=T0)
    await store.subscriptions.upsert(Subscription(destination=CHAN_A, target="*"), T0)
    await _commit(store, feed, [1, 2], [_alert(feed.id, 1), _alert(feed.id, 2)])
    assert await store.outbox.fail(CHAN_A, "Unknown Channel", T0) == 2
    assert await store.outbox.counts() == {"failed": 2}


async def test_story_follow_up_links_to_first_alert(store: Store):
    one = await store.feeds.add("https://a.example/rss", now=T0)
    two = await store.feeds.add("https://b.example/rss", now=T0)

    def titled(alert: Alert, title: str) -> Alert:
        return alert.model_copy(update={"title": title})

    talks, floods = "Ceasefire talks open in Istanbul", "Floods in Durban"
    [first] = await _commit(store, one, [1], [titled(_alert(one.id, 1, fingerprint=1), talks)])
    [second] = await _commit(store, two, [1], [titled(_alert(two.id, 1, fingerprint=2), talks)])
    [third] = await _commit(store, two, [9], [titled(_alert(two.id, 9, fingerprint=3), floods)])
    alerts = await store.alerts.get_many([first, second, third])
    assert alerts[first].story_id is None
    assert alerts[second].story_id == first and alerts[second].is_follow_up
    assert alerts[third].story_id is None


async def test_catalog_revision_bumps_on_change(store: Store):
    from bot.rules.schema import Actor, Rule

    assert await store.catalog.revision() == 0
    rule = Rule.model_validate({"id": "r1", "name": "R1", "any": ["ceasefire"]})
    actor = Actor(id="lavrov", name="Sergey Lavrov")
    assert (await store.catalog.import_config([rule], [actor], T0)).changed == 2
    assert await store.catalog.revision() == 1
    assert (await store.catalog.import_config([rule], [actor], T0)).changed == 0
    assert await store.catalog.revision() == 1
    assert [r.id for r in await store.catalog.rules()] == ["r1"]


async def test_audit_keeps_what_a_user_typed_even_if_too_long_or_with_nul(store: Store):
    typed = "x" * 2500 + "\x00"
    await store.audit.record(
        now=T0, who="slack:U1", platform="slack", action="rules.show", allowed=False, target=typed
    )
    [row] = await store.audit.history(limit=1)
    assert row.target == "x" * 2000
