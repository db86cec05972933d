"""The 3-second acknowledgement race, run once for both platforms.

Discord and Slack drop a command not acknowledged within 3 s. `answer_in_time` answers in the
acknowledgement itself when the reply is ready within `budget`; otherwise it holds the command
with a placeholder and sends the reply after. The placeholder is always private: its visibility
is decided before the reply is known, and on Discord the first message after a deferral keeps
the deferral's visibility, so a public placeholder would show a failed command's error to the
whole channel (issue 13). A public reply after a hold is the platform's job (`later`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Protocol

from bot.chat.reply import Reply

ACK_BUDGET = 2.0  # seconds; both platforms show an error if a command is not acked within 3


class Responder(Protocol):
    """How one platform answers one command."""

    async def now(self, reply: Reply | None) -> None:
        """Answer in the acknowledgement itself (None: acknowledge only, e.g. a modal opened)."""
        ...

    async def hold(self) -> None:
        """Acknowledge privately with a placeholder ("thinking…", "Working on it…")."""
        ...

    async def later(self, reply: Reply) -> None:
        """Send the reply after `hold`, shown to the channel when `is_public(reply)`."""
        ...


def is_public(reply: Reply) -> bool:
    """A reply the channel sees: one meant for it, that succeeded; errors are the caller's."""
    return reply.ok and not reply.ephemeral


async def answer_in_time(
    work: Awaitable[Reply | None], responder: Responder, *, budget: float, slow: bool = False
) -> Reply | None:
    """Run `work` and answer through `responder` within the platform's acknowledgement window;
    the reply sent (None: none), for what follows it (a chart).

    `slow` (a command the registry knows takes long) holds at once instead of racing.
    """
    if slow:
        await responder.hold()
        if (reply := await work) is not None:
            await responder.later(reply)
        return reply
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=budget)
    if done:
        await responder.now(reply := task.result())
        return reply
    await responder.hold()
    if (reply := await task) is not None:
        await responder.later(reply)
    return reply
