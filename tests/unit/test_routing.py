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
