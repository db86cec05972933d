"""The charts replies carry: an actor's mentions, a rule's alerts and the bot's activity per day
over 30 days. The store gives the times (`ports.TimelinePort`), `policy.daily` counts them; the
platform adapters draw the picture (`bot/charts/png.py`) and attach it after the text.

`with_chart` never costs a reply its text: a chart that cannot be had is logged and left out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.chat.reply import Reply
from bot.policy.daily import Chart, daily_chart, window_start
from bot.ports import TimelinePort

log = logging.getLogger(__name__)


async def actor_chart(timeline: TimelinePort, actor_id: str, name: str, now: datetime) -> Chart:
    """Alerts mentioning the actor, per day."""
    times = await timeline.mention_times(actor_id, window_start(now))
    return daily_chart(f"Mentions of {name} per day", now, [("mentions", times)])


async def rule_chart(timeline: TimelinePort, rule_id: str, now: datetime) -> Chart:
    """Alerts that matched the rule, per day."""
    times = await timeline.rule_alert_times(rule_id, window_start(now))
    return daily_chart(f"Alerts for {rule_id} per day", now, [("alerts", times)])


async def activity_chart(timeline: TimelinePort, now: datetime) -> Chart:
    """Alerts stored and posts delivered, per day: what `newsbot status` shows in a picture."""
    since = window_start(now)
    alerts = await timeline.alert_times(since)
    sent = await timeline.sent_times(since)
    series = [("alerts", alerts), ("posts", sent)]
    return daily_chart("newsbot alerts and posts per day", now, series)


async def with_chart(reply: Reply, chart: Callable[[], Awaitable[Chart]]) -> Reply:
    """`reply` with the chart attached when it succeeded; the text alone if the chart fails."""
    if not reply.ok:
        return reply
    try:
        made = await chart()
    except Exception:
        log.exception("could not gather the chart for %r; sending the text alone", reply.title)
        return reply
    return reply.model_copy(update={"chart": made})
