"""Slack's group mention: a user group id (`S…`), typed bare or as Slack escapes it."""

from __future__ import annotations

import re

SLACK_GROUP = re.compile(r"^(?:<!subteam\^)?(S[A-Z0-9]{2,20})(?:\|[^>]*)?>?$")


class SlackMentions:
    """A Slack user group id; replies escape markup, so a reply names the id."""

    def parse(self, typed: str) -> str:
        role = typed.strip()
        if found := SLACK_GROUP.match(role):
            return found[1]
        raise ValueError(
            f"mention_role must be a Slack user group id such as S0123ABCD, not {role[:40]!r}: "
            "open the group's profile, ⋮ → Copy group ID"
        )

    def label(self, role_id: str) -> str:
        return f"user group {role_id}"
