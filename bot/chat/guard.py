"""Who may do what, and the audit trail: every admin use case refuses and records through here.

The platform adapters decide the facts (`Caller.is_admin`, `Caller.can_mention`) from the
platform's own permissions; this module only applies them and writes the audit rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.chat.reply import Reply
from bot.models import Destination, Frozen, Platform
from bot.store.store import Store

NOT_ADMIN = (
    "You need the Manage Server permission (Discord), to be a workspace "
    "admin (Slack), or the bot admin role set by the operator."
)


class Caller(Frozen):
    """Who issued a command, where, and what the platform says they may do."""

    user_id: str
    name: str = ""
    platform: Platform
    workspace: str | None = None
    channel: str
    is_admin: bool = False
    can_mention: bool = False  # may make alerts mention the role they name (see Guard.mention)

    @property
    def destination(self) -> Destination:
        return Destination(platform=self.platform, address=self.channel, workspace=self.workspace)

    @property
    def who(self) -> str:
        return f"{self.platform.value}:{self.user_id}" + (f" ({self.name})" if self.name else "")


class Guard:
    """Refusals and audit rows, written the same way for chat and the CLI."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    async def admin(self, caller: Caller, action: str, target: str | None) -> Reply | None:
        """None if the caller may administer; otherwise a refusal, recorded in the audit log."""
        if caller.is_admin:
            return None
        await self.record(caller, action, target, allowed=False, detail="refused: not an admin")
        return Reply(title="Only admins can do that", lines=(NOT_ADMIN,), ok=False)

    async def mention(self, caller: Caller, action: str, target: str | None) -> Reply | None:
        """None if the caller may make alerts mention a role; otherwise a recorded refusal."""
        if caller.is_admin or caller.can_mention:
            return None
        await self.record(
            caller, action, target, allowed=False, detail="refused: may not mention that role"
        )
        return Reply(
            title="You may not make alerts mention that role",
            lines=(
                "Only admins, or members allowed to mention the role themselves (Discord: the "
                "role is mentionable, or Mention Everyone), may set mention_role.",
            ),
            ok=False,
        )

    async def record(
        self,
        caller: Caller,
        action: str,
        target: str | None,
        before: Any = None,
        after: Any = None,
        *,
        allowed: bool = True,
        detail: str | None = None,
    ) -> None:
        await self.store.audit.record(
            now=self.clock(),
            who=caller.who,
            platform=caller.platform.value,
            workspace=caller.workspace,
            action=action,
            target=target,
            allowed=allowed,
            before=before,
            after=after,
            detail=detail,
        )
