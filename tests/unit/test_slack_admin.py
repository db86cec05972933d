"""Who is a Slack admin: users.info flags, listed users and user groups, cached briefly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat.slack.admin import SlackAdmins
from tests.fakes.slack_server import FakeSlack, SlackError


class FakeSlackWithGroups(FakeSlack):
    """The fake plus `usergroups.users.list` for one user group, S0EDITORS1 = {member}."""

    def _m_usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("usergroup") != "S0EDITORS1":
            raise SlackError("no_such_subteam")
        return {"users": ["U0MEMBER01"]}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlackWithGroups() as fake:
        yield fake


def admins(
    fake: FakeSlack, listed: tuple[str, ...] = (), clock: Clock | None = None
) -> SlackAdmins:
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
    return SlackAdmins(client, listed, ttl=60, clock=clock or Clock())


def calls(fake: FakeSlack, method: str) -> int:
    return sum(c["method"] == method for c in fake.calls)


@pytest.mark.parametrize(
    ("user", "expected"),
    [("U0OWNER001", True), ("U0ADMIN001", True), ("U0MEMBER01", False), ("U0NOBODY01", False)],
)
async def test_workspace_admins_and_owners(fake: FakeSlack, user: str, expected: bool) -> None:
    assert await admins(fake).is_admin(user) is expected


async def test_listed_user_needs_no_lookup(fake: FakeSlack) -> None:
    assert await admins(fake, ("U0MEMBER01",)).is_admin("U0MEMBER01")
    assert fake.calls == []


async def test_listed_user_group(fake: FakeSlack) -> None:
    check = admins(fake, ("S0EDITORS1", "S0UNKNOWN1"))
    assert await check.is_admin("U0MEMBER01")
    assert not await admins(fake, ("S0UNKNOWN1",)).is_admin("U0MEMBER01")


async def test_answers_are_cached_for_the_ttl(fake: FakeSlack) -> None:
    clock = Clock()
    check = admins(fake, clock=clock)
    assert not await check.is_admin("U0MEMBER01")
    fake.user("member").is_admin = True
    assert not await check.is_admin("U0MEMBER01")
    assert calls(fake, "users.info") == 1
    clock.now = 61
    assert await check.is_admin("U0MEMBER01")
    assert calls(fake, "users.info") == 2


async def test_lookup_failure_refuses_without_caching_the_refusal(fake: FakeSlack) -> None:
    check = admins(fake)
    fake.fail_next("users.info", 503)
    assert not await check.is_admin("U0ADMIN001")
    assert await check.is_admin("U0ADMIN001")
