"""Who may do what, and the audit trail: every admin use case refuses and records through here.

The platform adapters decide the facts (`Caller.is_admin`, `Caller.can_mention`) from the
platform's own permissions; the deployment names its owners (NEWSBOT_OWNERS). This module
applies them to the permission the registry declares for each action, and writes the audit rows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from bot.chat.registry import BY_PATH, Permission
from bot.chat.reply import Reply
from bot.models import Destination, Frozen, Platform
from bot.ports import AuditPort

NOT_ADMIN = (
    "You need the Manage Server permission (Discord), to be a workspace "
    "admin (Slack), or the bot admin role set by the operator."
)
NOT_OWNER = (
    "Rules and feeds are shared by every server this bot serves; only its owners "
    "(NEWSBOT_OWNERS) may change them."
)

SHARED_SCOPE = (
    "rules and feeds are shared by every server and workspace this bot serves, and the admins "
    "of any of them may change them; set NEWSBOT_OWNERS when the bot serves more than one "
    "community"
)


def shared_scope_warning(owners: Collection[str], servers: int | None = None) -> str | None:
    """What to warn while no owners are set: at start (`servers` unknown), and again, with the
    count, once Discord reports the bot in more than one server. None when there is no risk."""
    if owners or (servers is not None and servers < 2):
        return None
    if servers is None:
        return SHARED_SCOPE
    return f"the bot is in {servers} Discord servers: {SHARED_SCOPE}"


class Caller(Frozen):
    """Who issued a command, where, and what the platform says they may do."""

    user_id: str
    name: str = ""
    platform: Platform
    workspace: str | None = None
    channel: str
    is_admin: bool = False
    can_mention: bool = False  # may make alerts mention the role they name (see Guard.mention)
    is_owner: bool = False  # the operator at the terminal; chat users are owners by NEWSBOT_OWNERS

    @property
    def destination(self) -> Destination:
        return Destination(platform=self.platform, address=self.channel, workspace=self.workspace)

    @property
    def account(self) -> str:
        """`discord:123456`, `slack:U012AB`: how NEWSBOT_OWNERS names a user."""
        return f"{self.platform.value}:{self.user_id}"

    @property
    def who(self) -> str:
        return self.account + (f" ({self.name})" if self.name else "")


class Guard:
    """Refusals and audit rows, written the same way for chat and the CLI."""

    def __init__(
        self, audit: AuditPort, clock: Callable[[], datetime], owners: frozenset[str] = frozenset()
    ) -> None:
        self.audit = audit
        self.clock = clock
        self.owners = owners

    def is_owner(self, caller: Caller) -> bool:
        """An owner of the deployment: listed in NEWSBOT_OWNERS, or the operator; while none are
        listed, every server's admins are (rules and feeds stay shared, as before owners)."""
        if caller.is_owner or caller.account in self.owners:
            return True
        return not self.owners and caller.is_admin

    async def permit(self, caller: Caller, action: str, target: str | None) -> Reply | None:
        """None if the caller holds the permission the registry declares for `action`
        (`rules.add` is the command `rules add`); otherwise a refusal, audited."""
        needed = BY_PATH[tuple(action.split("."))].permission
        owner = self.is_owner(caller)
        if needed is Permission.owner and not owner and self.owners:
            await self.record(caller, action, target, allowed=False, detail="refused: not an owner")
            return Reply(title="Only the bot's owners can do that", lines=(NOT_OWNER,), ok=False)
        if needed.restricted and not (caller.is_admin or owner):
            await self.record(caller, action, target, allowed=False, detail="refused: not an admin")
            return Reply(title="Only admins can do that", lines=(NOT_ADMIN,), ok=False)
        return None

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
        await self.audit.record(
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
