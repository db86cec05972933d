"""How a platform writes the role or group a subscription mentions: the one platform-specific
thing the neutral subscribe command needs, given to it by each adapter (chat/discord, chat/slack).
"""

from __future__ import annotations

from typing import Protocol


class MentionSyntax(Protocol):
    """Parse what a user gave as `mention_role`, and name the stored id in a reply."""

    def parse(self, typed: str) -> str:
        """The id to store; ValueError saying what to type otherwise."""
        ...

    def label(self, role_id: str) -> str:
        """How a reply names the role without pinging it."""
        ...


class NoMentions:
    """Where a platform has no role mentions (the console)."""

    def parse(self, typed: str) -> str:
        raise ValueError("mention_role is not available on this platform")

    def label(self, role_id: str) -> str:
        return role_id
