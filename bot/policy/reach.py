"""Whether alerts can reach anyone: a pure decision over the tokens set, the subscriptions and
the known rules and actors, so `newsbot run` and `newsbot status` warn when they cannot."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.models import Platform, Subscription

TOKEN_FOR = {Platform.discord: "NEWSBOT_DISCORD_TOKEN", Platform.slack: "NEWSBOT_SLACK_BOT_TOKEN"}


def reach_warnings(
    tokens: Collection[Platform],
    subscriptions: Sequence[Subscription],
    rule_ids: Collection[str],
    actor_ids: Collection[str],
) -> list[str]:
    """One line per reason some or all alerts will be posted nowhere; empty when all is well."""
    live = [s for s in subscriptions if not s.paused]
    if not subscriptions and not tokens:
        return [
            "alerts go nowhere: no chat token (NEWSBOT_DISCORD_TOKEN, NEWSBOT_SLACK_BOT_TOKEN) "
            "and no subscriptions; set a token and /newsbot subscribe in a channel, or copy "
            "subscriptions.example.yaml to subscriptions.yaml in the config folder"
        ]
    if not subscriptions:
        return [
            "no channel is subscribed: alerts are matched but posted nowhere; use "
            "/newsbot subscribe in a channel, or add subscriptions.yaml"
        ]
    out = []
    if not live:
        out.append(f"all {len(subscriptions)} subscriptions are paused: alerts are posted nowhere")
    for platform, variable in TOKEN_FOR.items():
        waiting = [s for s in live if s.destination.platform is platform]
        if waiting and platform not in tokens:
            out.append(
                f"{len(waiting)} subscriptions post to {platform.value}, but {variable} is "
                "unset: they wait in the outbox"
            )
    known = {"rule": set(rule_ids), "actor": set(actor_ids)}
    for sub in live:
        kind, _, ref = sub.target.partition(":")
        if sub.target != "*" and ref not in known.get(kind, set()):
            out.append(
                f"{where(sub)} subscribes to {sub.target}, which names no {kind}: it never alerts"
            )
    return out


def where(sub: Subscription) -> str:
    """A subscription's destination for people to read; webhook URLs (secrets) left out."""
    platform = sub.destination.platform
    if platform in (Platform.discord_webhook, Platform.slack_webhook):
        return f"a {platform.value}"
    if platform is Platform.console:
        return "the console"
    return f"{platform.value} channel {sub.destination.address}"
