"""The Relevant / Not relevant buttons every alert carries: their ids, shared by every platform.

A button id names the alert and the vote (`newsbot-vote:<alert id>:<1|0>`): the click alone
tells chat what to store, whichever process posted the alert.
"""

from __future__ import annotations

import re

VOTE_PREFIX = "newsbot-vote"
_VOTE_ID = re.compile(rf"^{VOTE_PREFIX}:(\d{{1,18}}):([01])$")
RELEVANT_LABEL = "Relevant"
NOT_RELEVANT_LABEL = "Not relevant"


def vote_id(alert_id: int, relevant: bool) -> str:
    """The button id of a vote on an alert (Discord custom_id, Slack action value)."""
    return f"{VOTE_PREFIX}:{alert_id}:{int(relevant)}"


def parse_vote_id(text: str) -> tuple[int, bool] | None:
    """(alert id, relevant) of a vote button's id; None when it is not one of ours."""
    found = _VOTE_ID.match(text)
    if found is None:
        return None
    return int(found.group(1)), found.group(2) == "1"
