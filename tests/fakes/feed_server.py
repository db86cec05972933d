"""A loopback feed server that speaks real HTTP and misbehaves on request, for tests and demos.

It serves registered documents with ETag / Last-Modified (answering 304 when they match), counts
requests per path, and can be told to fail, redirect, drip, hang, or stream endless bodies.
Free of pytest so anything can reuse it.
"""

from __future__ import annotations

import asyncio
import hashlib
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from types import TracebackType
from typing import Self

from aiohttp import web

MiB = 1 << 20


@dataclass
class Route:
    """What the server does at one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    stream: Callable[[], AsyncIterator[bytes]] | None = None
    content_length: int | None = None
    hang: bool = False
    reset: bool = False


class FeedServer:
    """aiohttp.web app on 127.0.0.1:<random port>; use `async with FeedServer() as srv`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.full: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.user_agents: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: str | None = "auto",
        last_modified: str | None = "Mon, 04 Apr 2022 10:00:00 GMT",
        gzip: bool = False,
    ) -> Route:
        """Serve a document; `etag="auto"` derives a strong ETag from the body."""
        data = body.encode() if isinstance(body, str) else body
        if etag == "auto":
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        route = Route(body=data, content_type=content_type, etag=etag, last_modified=last_modified)
        if gzip:
            route.body = zlib.compress(data, wbits=31)
            route.headers["Content-Encoding"] = "gzip"
        return self._set(path, route)

    def fail(
        self, path: str, status: int, *, retry_after: str | None = None, body: bytes = b""
    ) -> Route:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return self._set(path, Route(status=status, body=body, headers=headers))

    def redirect(self, path: str, to: str, status: int = 301) -> Route:
        return self._set(path, Route(status=status, headers={"Location": to}))

    def drip(self, path: str, body: bytes, interval: float = 1.0) -> Route:
        """Send `body` one byte every `interval` seconds (Content-Length announced)."""

        async def gen() -> AsyncIterator[bytes]:
            for i in range(len(body)):
                yield body[i : i + 1]
                await asyncio.sleep(interval)

        return self._set(path, Route(stream=gen, content_length=len(body)))

    def gate(self, path: str, body: bytes, released: asyncio.Event) -> Route:
        """Send the first half of `body`, then the rest once the test sets `released`."""

        async def gen() -> AsyncIterator[bytes]:
            yield body[: len(body) // 2]
            await released.wait()
            yield body[len(body) // 2 :]

        return self._set(path, Route(stream=gen, content_length=len(body)))

    def huge(self, path: str, size: int = 1024 * MiB, *, announce: bool = False) -> Route:
        """Stream `size` bytes generated lazily; `announce` sends Content-Length up front."""
        block = (b"<item><title>x</title></item>\n" * 2200)[: 64 * 1024]

        async def gen() -> AsyncIterator[bytes]:
            left = size
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)

        return self._set(path, Route(stream=gen, content_length=size if announce else None))

    def gzip_bomb(self, path: str, size: int = 1024 * MiB) -> Route:
        """Stream a gzip body that inflates to `size` zero bytes, compressed on the fly."""

        async def gen() -> AsyncIterator[bytes]:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = bytes(MiB)
            for _ in range(size // MiB):
                out = comp.compress(zeros)
                if out:
                    yield out
                await asyncio.sleep(0)
            yield comp.flush()

        route = Route(stream=gen, headers={"Content-Encoding": "gzip"})
        return self._set(path, route)

    def hang(self, path: str) -> Route:
        """Accept the request and never answer."""
        return self._set(path, Route(hang=True))

    def reset(self, path: str) -> Route:
        """Drop the connection without answering."""
        return self._set(path, Route(reset=True))

    def _set(self, path: str, route: Route) -> Route:
        self.routes[path] = route
        return route

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        self.user_agents.append(request.headers.get("User-Agent", ""))
        self.request_headers.append(dict(request.headers))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._respond(request, self.routes.get(path))
        finally:
            self.in_flight -= 1

    async def _respond(self, request: web.Request, route: Route | None) -> web.StreamResponse:
        path = request.path
        if route is None:
            return web.Response(status=404, text="not found")
        if route.hang:
            await asyncio.Event().wait()
        if route.reset:
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)
        if route.status == 200 and route.stream is None and self._unchanged(request, route):
            return web.Response(status=304, headers=self._validators(route))
        headers = {**route.headers, **self._validators(route)}
        if route.stream is None:
            if route.status == 200:
                self.full[path] += 1
            self.sent[path] += len(route.body)
            headers["Content-Type"] = route.content_type
            return web.Response(status=route.status, body=route.body, headers=headers)
        resp = web.StreamResponse(status=route.status, headers=headers)
        resp.content_type = route.content_type.split(";")[0]
        if route.content_length is not None:
            resp.content_length = route.content_length
        await resp.prepare(request)
        self.full[path] += 1
        try:
            async for chunk in route.stream():
                await resp.write(chunk)
                self.sent[path] += len(chunk)
            await resp.write_eof()
        except (ConnectionError, RuntimeError):
            pass
        return resp

    @staticmethod
    def _validators(route: Route) -> dict[str, str]:
        out = {}
        if route.etag:
            out["ETag"] = route.etag
        if route.last_modified:
            out["Last-Modified"] = route.last_modified
        return out

    @staticmethod
    def _unchanged(request: web.Request, route: Route) -> bool:
        inm = request.headers.get("If-None-Match")
        if inm is not None and route.etag:
            return route.etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = request.headers.get("If-Modified-Since")
        return ims is not None and route.last_modified is not None and ims == route.last_modified


def http_date(ts: float) -> str:
    """An RFC 7231 date, for Last-Modified and Retry-After headers."""
    return formatdate(ts, usegmt=True)
