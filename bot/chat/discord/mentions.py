"""Discord's role mention: a role id (the app command's ROLE option), shown as a role pill."""

from __future__ import annotations


class DiscordMentions:
    """A Discord role id; replies allow no mentions, so the pill pings nobody."""

    def parse(self, typed: str) -> str:
        role = typed.strip()
        if not role.isascii() or not role.isdigit() or len(role) > 20:
            raise ValueError(f"mention_role must be a Discord role id, not {role[:40]!r}")
        return role

    def label(self, role_id: str) -> str:
        return f"<@&{role_id}>"
