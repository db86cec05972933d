"""Which subscriptions an alert goes to: one per destination that wants it, instant over digest."""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Alert, DeliveryMode, Subscription

MENTION_LIMIT = 100  # characters: the outbox's mention_role column
"""Merged mentions are space-separated role or user-group ids, as many as fit."""


def route(alert: Alert, subscriptions: Iterable[Subscription]) -> list[Subscription]:
    """The subscriptions `alert` is delivered through: per destination, the first instant one
    whose target the alert matched (or `*`) and whose priority floor it meets, else a digest.

    One alert makes one post per destination, so the mentions of every subscription of that
    destination that wants the alert are merged into the chosen one: none is dropped.
    """
    wanted = alert.matches.targets() | {"*"}
    chosen: dict[tuple[str, str], Subscription] = {}
    mentions: dict[tuple[str, str], list[str]] = {}
    for sub in subscriptions:
        if sub.target not in wanted or not sub.wants(alert.priority):  # wants: not paused
            continue
        key = (sub.destination.platform.value, sub.destination.address)
        if key not in chosen or chosen[key].mode is DeliveryMode.digest:
            chosen[key] = sub
        for mention in split_mentions(sub.mention_role):
            if mention not in mentions.setdefault(key, []):
                mentions[key].append(mention)
    return [
        sub.model_copy(update={"mention_role": join_mentions(mentions.get(key, []))})
        for key, sub in chosen.items()
    ]


def split_mentions(mention_role: str | None) -> list[str]:
    """The ids a delivery's `mention_role` names (one, or several merged by `route`)."""
    return (mention_role or "").split()


def join_mentions(mentions: list[str]) -> str | None:
    """Space-separated, keeping only whole ids within MENTION_LIMIT; None when there are none."""
    joined = ""
    for mention in mentions:
        longer = f"{joined} {mention}" if joined else mention
        if len(longer) > MENTION_LIMIT:
            break
        joined = longer
    return joined or None
