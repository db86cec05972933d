"""Routing an alert to subscriptions: the decision alone, no database."""

from __future__ import annotations

from bot.models import (
    Alert,
    DeliveryMode,
    Destination,
    MatchResult,
    Platform,
    Priority,
    RuleMatch,
    Subscription,
)
from bot.policy.routing import route


def alert(rule: str = "peace", priority: Priority = Priority.high) -> Alert:
    match = RuleMatch(rule_id=rule, rule_name=rule, priority=priority)
    return Alert(feed_id=1, item_identity="x", title="t", matches=MatchResult(rules=(match,)))


def sub(n: int, address: str, target: str, **kw) -> Subscription:
    dest = Destination(platform=Platform.slack, address=address)
    return Subscription(id=n, destination=dest, target=target, **kw)


def test_one_delivery_per_destination_and_instant_wins_over_digest() -> None:
    subs = [
        sub(1, "C1", "rule:peace", mode=DeliveryMode.digest),
        sub(2, "C1", "*"),
        sub(3, "C2", "rule:peace"),
        sub(4, "C3", "rule:other"),
    ]
    assert [s.id for s in route(alert(), subs)] == [2, 3]


def test_paused_and_below_the_priority_floor_get_nothing() -> None:
    subs = [
        sub(1, "C1", "rule:peace", paused=True),
        sub(2, "C2", "*", min_priority=Priority.urgent),
    ]
    assert route(alert(), subs) == []


def test_two_subscriptions_of_one_channel_keep_both_mentions() -> None:
    subs = [
        sub(1, "C1", "rule:peace", mention_role="S0STAFF01"),
        sub(2, "C1", "*", mention_role="S0DESK002"),
        sub(3, "C1", "*", mention_role="S0STAFF01"),
        sub(4, "C2", "rule:peace"),
    ]
    routed = route(alert(), subs)
    assert [s.id for s in routed] == [1, 4]
    assert routed[0].mention_role == "S0STAFF01 S0DESK002" and routed[1].mention_role is None


def test_a_digest_subscriptions_mention_goes_with_the_instant_post() -> None:
    subs = [
        sub(1, "C1", "rule:peace", mode=DeliveryMode.digest, mention_role="S0DIGEST1"),
        sub(2, "C1", "*"),
    ]
    (routed,) = route(alert(), subs)
    assert routed.id == 2 and routed.mention_role == "S0DIGEST1"


def test_merged_mentions_keep_whole_ids_within_the_column() -> None:
    roles = [str(10**18 + n) for n in range(8)]  # 19-digit snowflakes
    subs = [sub(n, "C1", "*", mention_role=role) for n, role in enumerate(roles)]
    (routed,) = route(alert(), subs)
    assert routed.mention_role is not None and len(routed.mention_role) <= 100
    assert routed.mention_role.split() == roles[:5]
