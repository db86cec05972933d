"""Whether alerts reach anyone: the warnings `newsbot run` logs at start and `status` shows."""

from __future__ import annotations

from bot.models import Destination, Platform, Subscription
from bot.policy.reach import reach_warnings

RULES, ACTORS = {"peace-talks"}, {"sergey-lavrov"}


def _sub(platform: Platform, target: str = "*", paused: bool = False, address: str = "C1"):
    return Subscription(
        destination=Destination(platform=platform, address=address), target=target, paused=paused
    )


def test_no_token_and_no_subscription_goes_nowhere() -> None:
    [line] = reach_warnings(set(), [], RULES, ACTORS)
    assert line.startswith("alerts go nowhere: no chat token")
    assert "subscriptions.example.yaml" in line


def test_a_token_without_subscriptions_says_to_subscribe() -> None:
    [line] = reach_warnings({Platform.discord}, [], RULES, ACTORS)
    assert line.startswith("no channel is subscribed") and "/newsbot subscribe" in line


def test_subscriptions_without_their_token_and_all_paused() -> None:
    subs = [_sub(Platform.slack), _sub(Platform.slack, "rule:peace-talks")]
    assert reach_warnings({Platform.discord}, subs, RULES, ACTORS) == [
        "2 subscriptions post to slack, but NEWSBOT_SLACK_BOT_TOKEN is unset: they wait in the "
        "outbox"
    ]
    paused = [_sub(Platform.console, paused=True)]
    assert reach_warnings(set(), paused, RULES, ACTORS) == [
        "all 1 subscriptions are paused: alerts are posted nowhere"
    ]


def test_a_dangling_target_is_named_without_the_webhook_secret() -> None:
    hook = "https://discord.com/api/webhooks/1/SECRET"
    subs = [_sub(Platform.discord_webhook, "rule:peace-talk", address=hook)]
    [line] = reach_warnings(set(), subs, RULES, ACTORS)
    assert (
        line
        == "a discord-webhook subscribes to rule:peace-talk, which names no rule: it never alerts"
    )
    assert "SECRET" not in line


def test_all_well_is_silent() -> None:
    subs = [_sub(Platform.console, "actor:sergey-lavrov"), _sub(Platform.discord)]
    assert reach_warnings({Platform.discord}, subs, RULES, ACTORS) == []
