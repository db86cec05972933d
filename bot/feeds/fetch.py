"""Guarded HTTP GET for feeds over aiohttp: conditional requests, limits, SSRF-checked redirects.

Every failure becomes a FetchResult with outcome `error` and a sentence a user can act on; the
fetcher never raises on anything the network or a hostile server can do.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Self

import aiohttp
from yarl import URL

from bot.config import Settings
from bot.feeds.ssrf import (
    AddressPolicy,
    AddressRefused,
    GuardedResolver,
    ResolveFn,
    SsrfError,
    ip_literal,
    system_resolve,
    validate_feed_url,
)
from bot.ports import FetchOutcome, FetchResult
from bot.retry import parse_retry_after

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
CHUNK = 64 * 1024
_MEMO_LIMIT = 100_000
"""Feed URLs (and IP-literal hosts) the fetcher remembers as checked; forgotten when full."""
_USERINFO = re.compile(r"//[^/?#@]*@")
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, application/json;q=0.9, text/xml;q=0.8, */*;q=0.5"
)


class FetchFailed(Exception):
    """A fetch went wrong in a way already put into words for the user."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class HttpFetcher:
    """The Fetcher port over one aiohttp session, with global and per-host concurrency limits."""

    def __init__(
        self,
        *,
        user_agent: str = Settings.model_fields["user_agent"].default,
        total_timeout: float = 20.0,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        max_bytes: int = 10 * 1024 * 1024,
        per_host: int = 2,
        concurrency: int = 100,
        allow_private: Iterable[str] = (),
        max_redirects: int = MAX_REDIRECTS,
        resolve: ResolveFn = system_resolve,
    ) -> None:
        self.user_agent = user_agent
        self.total_timeout = total_timeout
        self.connect_timeout = connect_timeout
        self.read_timeout = min(read_timeout, total_timeout)
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.concurrency = concurrency
        self.max_redirects = max_redirects
        self.policy = AddressPolicy(allow_private)
        self._resolve = resolve
        self._session: aiohttp.ClientSession | None = None
        self._global: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._urls: dict[str, URL] = {}
        """feed URL → its parsed form, once validate_feed_url passed it (not parsed per poll)"""
        self._literals_ok: set[str] = set()
        """IP-literal hosts the policy admitted (a host's verdict does not change)"""

    @classmethod
    def from_settings(cls, settings: Settings, *, resolve: ResolveFn = system_resolve) -> Self:
        """Build a fetcher from the NEWSBOT_FETCH_* settings."""
        return cls(
            user_agent=settings.user_agent,
            total_timeout=settings.fetch_timeout_seconds,
            connect_timeout=settings.fetch_connect_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
            per_host=settings.fetch_per_host,
            concurrency=settings.fetch_concurrency,
            allow_private=settings.fetch_allow_private,
            resolve=resolve,
        )

    async def __aenter__(self) -> Self:
        self._open()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections; the fetcher may be reopened by fetching again."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.policy, self._resolve),
                socket_factory=self.policy.open_socket,
                limit=self.concurrency,
                limit_per_host=self.per_host,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=self.connect_timeout,
                    sock_connect=self.connect_timeout,
                    sock_read=self.read_timeout,
                ),
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
            self._global = asyncio.Semaphore(self.concurrency)
        return self._session

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        return self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` conditionally, following up to `max_redirects` redirects, each SSRF-checked."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        session = self._open()
        assert self._global is not None
        parsed = self._urls.get(url)
        trail = [URL(url) if parsed is None else parsed]
        try:
            if parsed is None:
                validate_feed_url(url)
                if len(self._urls) >= _MEMO_LIMIT:
                    self._urls.clear()
                self._urls[url] = trail[0]
            async with self._global, asyncio.timeout(self.total_timeout):
                return await self._follow(session, trail, headers)
        except FetchFailed as exc:
            return FetchResult(outcome=FetchOutcome.error, status=exc.status, error=str(exc))
        except Exception as exc:
            return FetchResult(outcome=FetchOutcome.error, error=self._describe(exc, trail[-1]))

    async def _follow(
        self, session: aiohttp.ClientSession, trail: list[URL], headers: Mapping[str, str]
    ) -> FetchResult:
        """Walk redirects by hand so each hop is checked; `trail` records the hops taken."""
        moved_to: str | None = None
        permanent = True
        for _ in range(self.max_redirects + 1):
            url = trail[-1]
            try:
                self._check_literal(url)
                async with (
                    self._host_slot(url.host or ""),
                    session.get(url, headers=headers, allow_redirects=False) as resp,
                ):
                    location = resp.headers.get("Location")
                    if resp.status not in REDIRECTS or not location:
                        return await self._result(resp, url, moved_to)
                    target = _redirect_target(url, location)
            except FetchFailed:
                raise
            except Exception as exc:
                raise FetchFailed(self._describe(exc, url)) from None
            permanent = permanent and resp.status in PERMANENT
            if permanent:
                moved_to = str(target)
            trail.append(target)
        raise FetchFailed(
            f"more than {self.max_redirects} redirects starting at {trail[0]}; "
            f"last one pointed to {trail[-1]}"
        )

    def _check_literal(self, url: URL) -> None:
        """Refuse a URL naming a non-public address directly, before connecting (the socket
        factory checks the connected address again on every new connection)."""
        host = url.host or ""
        if host in self._literals_ok:
            return
        literal = ip_literal(host)
        if literal is not None:
            self.policy.check(host or literal, literal)
            if len(self._literals_ok) >= _MEMO_LIMIT:
                self._literals_ok.clear()
            self._literals_ok.add(host)

    async def _result(
        self, resp: aiohttp.ClientResponse, url: URL, moved_to: str | None
    ) -> FetchResult:
        host = url.host or str(url)
        status = resp.status
        headers = resp.headers
        if status == 304:
            outcome, error, retry_after, body = FetchOutcome.not_modified, None, None, b""
        elif status == 410:
            outcome, body, retry_after = FetchOutcome.gone, b"", None
            error = f"HTTP 410 Gone from {host}: the publisher removed this feed"
        elif not 200 <= status < 300:
            outcome, body = FetchOutcome.error, b""
            asked = parse_retry_after(headers.get("Retry-After"))
            retry_after = asked if status in (429, 503) else None
            hint = f"; the server asked to retry after {asked:g} s" if retry_after else ""
            error = f"HTTP {status} from {host}{hint}"
        else:
            outcome, error, retry_after = FetchOutcome.ok, None, None
            body = await self._read(resp, host)
        return FetchResult(
            outcome=outcome,
            status=status,
            body=body,
            content_type=headers.get("Content-Type"),
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            moved_to=moved_to,
            final_url=str(url),
            retry_after=retry_after,
            error=error,
        )

    async def _read(self, resp: aiohttp.ClientResponse, host: str) -> bytes:
        too_large = FetchFailed(
            f"response from {host} is larger than the {_size(self.max_bytes)} limit; "
            "the feed was not read",
            status=resp.status,
        )
        declared = resp.content_length
        if (
            declared is not None
            and declared > self.max_bytes
            and not resp.headers.get("Content-Encoding")
        ):
            raise too_large
        parts: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise too_large
            parts.append(chunk)
        return b"".join(parts)

    def _describe(self, exc: BaseException, url: URL) -> str:
        """Turn any exception from a fetch into one sentence naming the host and the cause."""
        host = url.host or str(url)
        url = _without_credentials(url)
        if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
            exc.os_error, AddressRefused
        ):
            exc = exc.os_error
        if isinstance(exc, AddressRefused):
            return exc.for_url(str(url))
        if isinstance(exc, SsrfError):
            return str(exc)
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            inner = exc.os_error
            if isinstance(inner, AddressRefused):
                return inner.for_url(str(url))
            return f"could not resolve host {host} (DNS lookup failed: {inner.strerror or inner})"
        if isinstance(exc, aiohttp.ClientConnectorCertificateError):
            return f"TLS certificate of {host} is not valid: {exc.certificate_error}"
        if isinstance(exc, aiohttp.ClientSSLError):
            return f"TLS handshake with {host} failed: {exc}"
        if isinstance(exc, aiohttp.ConnectionTimeoutError):
            return f"could not connect to {host} within {self.connect_timeout:g} s"
        if isinstance(exc, aiohttp.SocketTimeoutError):
            return f"{host} stopped sending data for {self.read_timeout:g} s"
        if isinstance(exc, TimeoutError):
            return f"no complete response from {host} within {self.total_timeout:g} s"
        if isinstance(exc, aiohttp.ClientConnectorError):
            return f"could not connect to {host}: {exc.os_error.strerror or exc.os_error}"
        if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
            return f"{host} closed the connection before the response was complete"
        if isinstance(exc, aiohttp.ClientResponseError):
            return f"{host} sent a malformed HTTP response: {exc.message}"
        if isinstance(exc, aiohttp.InvalidURL | ValueError):
            return f"invalid URL {url}: {exc}"
        if isinstance(exc, aiohttp.ClientOSError | OSError):
            return f"network error talking to {host}: {exc.strerror or exc}"
        return f"unexpected error fetching {url}: {type(exc).__name__}: {exc}"


def _error(message: str) -> FetchResult:
    return FetchResult(outcome=FetchOutcome.error, error=message)


def _redirect_target(url: URL, location: str) -> URL:
    try:
        target = url.join(URL(location))
    except (ValueError, TypeError):
        shown = _USERINFO.sub("//", location)
        raise FetchFailed(f"{url.host} redirected to an invalid URL {shown!r}") from None
    if target.user is not None or target.password is not None:
        raise FetchFailed(
            f"{url.host} redirected to {_without_credentials(target)}, a URL with credentials "
            "(user:password@); it was not followed"
        )
    if target.scheme not in ("http", "https"):
        shown = _USERINFO.sub("//", location)
        raise FetchFailed(
            f"{url.host} redirected to {shown!r}; only http:// and https:// are followed"
        )
    return target


def _without_credentials(url: URL) -> URL:
    """`url` without any user:password, so no error message or log repeats a password."""
    return url.with_user(None) if url.user is not None or url.password is not None else url


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} bytes"
