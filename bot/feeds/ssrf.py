"""SSRF guard: feed URLs may only reach public addresses, checked on the exact IPs connected to.

The check lives inside an aiohttp resolver, so every hop (redirects included) connects only to
addresses that passed it; DNS rebinding between check and connect is therefore impossible. The
socket factory checks again the exact address each socket is about to connect to, so hosts that
aiohttp passes by the resolver (IP literals, legacy numeric forms like `2130706433` or `127.1`
in some aiohttp versions) are refused whatever aiohttp does.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
AddrInfo = tuple[int, int, int, str, tuple[Any, ...]]
ResolveFn = Callable[[str, int], Awaitable[Sequence[str]]]
"""Resolve (host, port) to IP address strings; injectable so tests can fake DNS."""

ALLOW_SETTING = "NEWSBOT_FETCH_ALLOW_PRIVATE"
MAX_URL_LENGTH = 2000
SCHEMES = frozenset({"http", "https"})
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


class SsrfError(Exception):
    """A feed URL was refused before any byte was sent to it."""


class InvalidFeedUrl(SsrfError, ValueError):
    """The URL itself is unusable (scheme, host, credentials, length)."""


class AddressRefused(SsrfError):
    """A host resolved to an address newsbot does not fetch from."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        self.host, self.address, self.kind = host, address, kind
        super().__init__(self.for_url(f"host {host}"))

    def for_url(self, url: str) -> str:
        """The user-facing explanation, naming the feed URL that led here."""
        subject = url if url.startswith("host ") else f"feed URL {url}"
        return (
            f"{subject} resolves to {self.kind} address {self.address}; newsbot only fetches "
            f"public addresses. To allow it, add it to {ALLOW_SETTING}"
        )


def validate_feed_url(url: str) -> str:
    """Check an admin-typed feed URL's syntax and return it stripped; raise InvalidFeedUrl."""
    url = url.strip()
    if not url:
        raise InvalidFeedUrl("feed URL is empty")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidFeedUrl(f"feed URL is longer than {MAX_URL_LENGTH} characters")
    if _SPACE_OR_CONTROL.search(url):
        raise InvalidFeedUrl(f"feed URL {url!r} contains spaces or control characters")
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        raise InvalidFeedUrl(f"feed URL {url!r} is not a valid URL: {exc}") from None
    scheme = parsed.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise InvalidFeedUrl(
            f"feed URL {url!r} uses {shown}; only http:// and https:// feeds are fetched"
        )
    if parsed.user is not None or parsed.password is not None:
        shown = str(parsed.with_user(None))  # the password is not repeated into logs
        raise InvalidFeedUrl(f"feed URL {shown!r} contains credentials; remove the 'user@' part")
    if not parsed.host:
        raise InvalidFeedUrl(f"feed URL {url!r} has no host name")
    try:
        _ = parsed.port
    except ValueError:
        raise InvalidFeedUrl(f"feed URL {url!r} has an invalid port") from None
    return url


def classify(ip: IPAddress) -> str | None:
    """Name the non-public kind of `ip` ("private", "loopback", ...), or None if it is public."""
    if ip in METADATA:
        return "cloud metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = classify(embedded)
            return f"IPv4-embedded {inner}" if inner else None
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "carrier-grade NAT"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-public"),
    )
    return next((kind for hit, kind in checks if hit), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class AddressPolicy:
    """Which non-public addresses are admitted anyway: CIDRs and host names from the allow-list."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.networks: list[IPNetwork] = []
        self.hosts: set[str] = set()
        self.named: set[str] = set()  # addresses admitted because an allow-listed name had them
        for entry in (e.strip() for e in allow):
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(_host_key(entry))

    def check(self, host: str, address: str) -> None:
        """Raise AddressRefused unless `address` (what `host` resolved to) may be fetched."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise AddressRefused(host, address, "unparseable") from None
        kind = classify(ip)
        if kind is None or self._admits(host, ip, kind):
            return
        raise AddressRefused(host, str(ip), kind)

    def _admits(self, host: str, ip: IPAddress, kind: str) -> bool:
        if kind == "cloud metadata":
            return any(n.num_addresses == 1 and ip in n for n in self.networks)
        if any(ip in n for n in self.networks):
            return True
        if _host_key(host) in self.hosts:
            self.named.add(str(ip))
            return True
        return False

    def open_socket(self, addr_info: AddrInfo) -> socket.socket:
        """aiohttp's socket factory: a socket only towards an address the policy admits, checked
        on the very address about to be connected to (it must be a canonical IP)."""
        family, kind, proto, _, sockaddr = addr_info
        address = str(sockaddr[0])
        if address.split("%", 1)[0] not in self.named:
            self.check(address, address)
        return socket.socket(family=family, type=kind, proto=proto)


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def ip_literal(host: str) -> str | None:
    """The host as an IP string when the URL names an address directly, else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return None


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve through the event loop's getaddrinfo (non-blocking)."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG
    )
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    host: str, port: int, policy: AddressPolicy, resolve: ResolveFn = system_resolve
) -> list[str]:
    """Resolve `host` and return its addresses, refusing the host if any address is not admitted."""
    literal = ip_literal(host)
    addresses = [literal] if literal else list(await resolve(host, port))
    if not addresses:
        raise OSError(f"no address found for host {host}")
    for address in addresses:
        policy.check(host, address)
    return addresses


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that only hands out addresses the policy admits."""

    def __init__(self, policy: AddressPolicy, resolve: ResolveFn = system_resolve) -> None:
        self.policy = policy
        self._resolve = resolve

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await checked_addresses(host, port, self.policy, self._resolve)
        results: list[ResolveResult] = []
        for address in addresses:
            fam = socket.AF_INET6 if ":" in address else socket.AF_INET
            if family in (socket.AF_INET, socket.AF_INET6) and fam != family:
                continue
            results.append(
                ResolveResult(hostname=host, host=address, port=port, family=fam, proto=0, flags=0)
            )
        if not results:
            raise OSError(f"no {family.name} address found for host {host}")
        return results

    async def close(self) -> None:
        return None
