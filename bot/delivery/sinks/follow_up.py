"""When an alert is posted as a follow-up: one rule for every sink (bots, webhooks, console).

A follow-up is the short post saying what another source adds to a story. It is only a
follow-up where the story's first alert was posted: the dispatcher gives a delivery the first
alert's message id there (`thread_id`); without it, this channel's readers never saw the first
report, so the alert is posted whole.
"""

from __future__ import annotations

from bot.models import Alert


def as_follow_up(alert: Alert, thread_id: str | int | None) -> bool:
    """Whether `alert` goes out as a follow-up: a later report of a story, and `thread_id` (the
    story's first message at this destination, or where its thread is) known.

    The Discord bot passes the thread it could open (None when the first message was deleted
    and the alert goes to the channel instead); Slack and webhooks pass the delivery's.
    """
    return alert.is_follow_up and thread_id is not None
