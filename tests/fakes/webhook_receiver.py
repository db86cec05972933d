"""A Slack-incoming-webhook look-alike on loopback that counts every post per (path, text).

Answers "ok" as Slack does; duplicates show up as counts above one. Free of pytest.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp import web


class WebhookReceiver:
    """Start with `await start()`, post to `url(n)`, read `posts`, `await stop()`."""

    def __init__(self, delay: float = 0.0) -> None:
        self.posts: Counter[str] = Counter()
        self.delay = delay
        self.hold: asyncio.Event | None = None
        """While set to an unset event, every post is counted and then held unanswered."""
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/services/{team}/{bot}/{token}", self._post)
        self.runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.port = self.runner.addresses[0][1]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posts[f"{request.path}|{body['text']}"] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None:
            await self.hold.wait()
        return web.Response(text="ok")

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/services/T0/B{n}/token"
