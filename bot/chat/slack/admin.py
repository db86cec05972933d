"""Who may administer the bot on Slack: workspace admins and owners, or users and user groups
the operator named in `NEWSBOT_SLACK_ADMINS`; answers are cached for a minute.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

CACHE_LIMIT = 10_000


class SlackAdmins:
    """`is_admin(user_id)`: users.info says admin or owner, or the user or their group is listed."""

    def __init__(
        self,
        client: AsyncWebClient,
        listed: Iterable[str] = (),
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        ids = {x.strip() for x in listed if x.strip()}
        self.users = frozenset(x for x in ids if not x.startswith("S"))
        self.groups = frozenset(x for x in ids if x.startswith("S"))
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, bool]] = {}
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    async def is_admin(self, user_id: str) -> bool:
        if user_id in self.users:
            return True
        now = self.clock()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        admin = await self._workspace_admin(user_id)
        allowed = bool(admin) or await self._in_listed_group(user_id)
        if admin is None:  # the lookup failed: refuse now, ask again next time
            return allowed
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[user_id] = (now + self.ttl, allowed)
        return allowed

    async def _workspace_admin(self, user_id: str) -> bool | None:
        try:
            response = await self.client.users_info(user=user_id)
        except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning(
                "users.info for %s failed (%s); treating as not an admin", user_id, _reason(exc)
            )
            return None
        user = response.get("user") or {}
        return any(bool(user.get(k)) for k in ("is_admin", "is_owner", "is_primary_owner"))

    async def _in_listed_group(self, user_id: str) -> bool:
        for group in sorted(self.groups):
            if user_id in await self._group_members(group):
                return True
        return False

    async def _group_members(self, group: str) -> frozenset[str]:
        now = self.clock()
        cached = self._members.get(group)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await self.client.usergroups_users_list(usergroup=group)
            members = frozenset(str(u) for u in response.get("users") or ())
        except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning(
                "usergroups.users.list for %s failed (%s); needs the usergroups:read scope",
                group,
                _reason(exc),
            )
            members = frozenset()
        self._members[group] = (now + self.ttl, members)
        return members


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        data = getattr(exc.response, "data", None)
        return str(data.get("error")) if isinstance(data, dict) else "unexpected response"
    return exc.__class__.__name__
