"""Clicks on an alert's Relevant / Not relevant buttons, on Slack (Block Kit `block_actions`).

The click is acknowledged at once; the answer goes to the click's `response_url` as an
ephemeral message (only the voter sees it), leaving the alert itself unchanged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.chat.commands import Caller, Reply
from bot.chat.feedback import FeedbackService
from bot.delivery.render.votes import parse_vote_id

log = logging.getLogger(__name__)
VOTE_ACTION = re.compile(r"^newsbot-vote-(?:not-)?relevant$")

CallerOf = Callable[[str, str, str | None, str], Awaitable[Caller]]
"""(user id, user name, team, channel) → Caller, asking Slack who is an admin."""


def register_votes(
    app: AsyncApp,
    feedback: FeedbackService,
    caller_of: CallerOf,
    payload_of: Callable[[Reply], dict[str, Any]],
) -> None:
    """Answer vote button clicks on `app`."""

    @app.action(VOTE_ACTION)
    async def vote_clicked(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        action = (body.get("actions") or [{}])[0]
        parsed = parse_vote_id(str(action.get("value", "")))
        if parsed is None:
            log.warning("a vote button with an unknown value: %r", action.get("value"))
            return
        user = body.get("user") or {}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id", ""
        )
        try:
            caller = await caller_of(
                str(user.get("id")),
                str(user.get("username") or user.get("name", "")),
                (body.get("team") or {}).get("id") or user.get("team_id"),
                str(channel),
            )
            reply = await feedback.vote(caller, *parsed)
        except Exception:
            log.exception("a vote on alert %s failed", parsed[0])
            reply = Reply(title="Something went wrong; the error was logged", ok=False)
        payload = payload_of(reply.model_copy(update={"ephemeral": True}))
        await respond(**payload, replace_original=False)
