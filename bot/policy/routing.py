"""Which subscriptions an alert goes to: one per destination that wants it, instant over digest."""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Alert, DeliveryMode, Subscription


def route(alert: Alert, subscriptions: Iterable[Subscription]) -> list[Subscription]:
    """The subscriptions `alert` is delivered through: per destination, the first instant one
    whose target the alert matched (or `*`) and whose priority floor it meets, else a digest."""
    wanted = alert.matches.targets() | {"*"}
    chosen: dict[tuple[str, str], Subscription] = {}
    for sub in subscriptions:
        if sub.target not in wanted or not sub.wants(alert.priority):  # wants: not paused
            continue
        key = (sub.destination.platform.value, sub.destination.address)
        if key not in chosen or chosen[key].mode is DeliveryMode.digest:
            chosen[key] = sub
    return list(chosen.values())
