"""NEWSBOT_OWNERS: its validation, and the warning while it is unset."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.chat.guard import shared_scope_warning
from bot.config import Settings


def test_owners_are_platform_and_user_id() -> None:
    settings = Settings(owners=["discord:123456789012345678", "slack:U012AB", "slack:W0ABC"])
    assert settings.owners[1] == "slack:U012AB"
    assert Settings().owners == []


@pytest.mark.parametrize("bad", ["123456", "discord:@ada", "slack:u012ab", "teams:U012AB", ""])
def test_a_bad_owner_names_the_variable_and_the_form(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(owners=[bad])
    [error] = caught.value.errors()
    message = error["msg"]
    assert "NEWSBOT_OWNERS" in message and repr(bad) in message
    assert "discord:<user id> or slack:<user id>" in message and "\n" not in message


def test_the_warning_while_no_owners_are_set() -> None:
    assert shared_scope_warning(["discord:1"]) is None
    assert shared_scope_warning(["discord:1"], servers=5) is None
    start = shared_scope_warning([])
    assert start and "shared by every server" in start and "set NEWSBOT_OWNERS" in start
    assert shared_scope_warning([], servers=1) is None  # one Discord server: nothing shared there
    louder = shared_scope_warning([], servers=3)
    assert louder and louder.startswith("the bot is in 3 Discord servers")
