"""HttpFetcher against the loopback feed server: conditional GET, limits, redirects, SSRF."""

import asyncio
import resource
import time
from email.utils import formatdate

import pytest

from bot.feeds.fetch import HttpFetcher
from bot.ports import FetchOutcome
from tests.fakes.feed_server import FeedServer, MiB

RSS = "<rss version='2.0'><channel><title>T</title><item><guid>1</guid></item></channel></rss>"
LOCAL = ["127.0.0.1/32"]


def dns(table):
    async def resolve(host, port):
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    return resolve


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def fetcher():
    async with HttpFetcher(
        allow_private=LOCAL, total_timeout=5, read_timeout=2, max_bytes=MiB
    ) as f:
        yield f


async def test_second_poll_of_unchanged_feed_is_not_modified(server, fetcher):
    server.add("/feed", RSS)
    first = await fetcher.fetch(server.url("/feed"))
    assert first.outcome is FetchOutcome.ok and first.body == RSS.encode()
    assert first.etag and first.last_modified
    second = await fetcher.fetch(server.url("/feed"), etag=first.etag)
    third = await fetcher.fetch(server.url("/feed"), last_modified=first.last_modified)
    assert second.outcome is third.outcome is FetchOutcome.not_modified
    assert second.body == b""
    assert (server.hits["/feed"], server.full["/feed"]) == (3, 1)


async def test_changed_feed_is_downloaded_again(server, fetcher):
    server.add("/feed", RSS)
    first = await fetcher.fetch(server.url("/feed"))
    server.add("/feed", RSS.replace("T", "U"), last_modified="Tue, 05 Apr 2022 10:00:00 GMT")
    again = await fetcher.fetch(server.url("/feed"), etag=first.etag)
    assert again.outcome is FetchOutcome.ok and b"U" in again.body
    assert server.full["/feed"] == 2


async def test_sends_user_agent_and_accepts_gzip(server, fetcher):
    server.add("/feed", RSS)
    await fetcher.fetch(server.url("/feed"))
    assert server.user_agents == [fetcher.user_agent]
    assert "gzip" in server.request_headers[0]["Accept-Encoding"]


async def test_server_error_is_reported_in_words(server, fetcher):
    server.fail("/feed", 500)
    result = await fetcher.fetch(server.url("/feed"))
    assert (result.outcome, result.status) == (FetchOutcome.error, 500)
    assert result.error == "HTTP 500 from 127.0.0.1"
    assert result.retry_after is None


async def test_503_retry_after_seconds(server, fetcher):
    server.fail("/feed", 503, retry_after="120")
    result = await fetcher.fetch(server.url("/feed"))
    assert (result.outcome, result.retry_after) == (FetchOutcome.error, 120.0)
    assert "retry after 120 s" in (result.error or "")


async def test_429_retry_after_http_date(server, fetcher):
    server.fail("/feed", 429, retry_after=formatdate(time.time() + 3600, usegmt=True))
    result = await fetcher.fetch(server.url("/feed"))
    assert result.retry_after is not None and 3500 < result.retry_after <= 3600


async def test_410_is_gone(server, fetcher):
    server.fail("/feed", 410)
    result = await fetcher.fetch(server.url("/feed"))
    assert result.outcome is FetchOutcome.gone
    assert "410" in (result.error or "")


async def test_permanent_redirect_chain_sets_moved_to(server, fetcher):
    server.redirect("/old", "/older", 301)
    server.redirect("/older", server.url("/feed"), 308)
    server.add("/feed", RSS)
    result = await fetcher.fetch(server.url("/old"))
    assert result.outcome is FetchOutcome.ok
    assert result.moved_to == result.final_url == server.url("/feed")


async def test_temporary_redirect_is_not_stored(server, fetcher):
    server.redirect("/tmp", "/feed", 302)
    server.add("/feed", RSS)
    result = await fetcher.fetch(server.url("/tmp"))
    assert result.outcome is FetchOutcome.ok
    assert (result.moved_to, result.final_url) == (None, server.url("/feed"))


async def test_permanent_then_temporary_keeps_the_permanent_part(server, fetcher):
    server.redirect("/a", "/b", 301)
    server.redirect("/b", "/feed", 307)
    server.add("/feed", RSS)
    result = await fetcher.fetch(server.url("/a"))
    assert result.moved_to == server.url("/b")


async def test_redirect_loop_stops(server, fetcher):
    server.redirect("/loop", "/loop", 302)
    result = await fetcher.fetch(server.url("/loop"))
    assert result.outcome is FetchOutcome.error
    assert "more than 5 redirects" in (result.error or "")
    assert server.hits["/loop"] == 6


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("http://10.0.0.5/feed", "private address 10.0.0.5"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address 169.254.169.254"),
        ("http://[::ffff:7f00:1]/", "IPv4-embedded loopback"),
        ("http://metadata.test/", "cloud metadata address 169.254.169.254"),
        ("file:///etc/passwd", "only http:// and https://"),
    ],
)
async def test_redirect_to_private_address_is_refused(server, target, words):
    server.redirect("/feed", target, 302)
    resolve = dns({"metadata.test": ["169.254.169.254"]})
    async with HttpFetcher(allow_private=LOCAL, resolve=resolve, total_timeout=5) as fetcher:
        result = await fetcher.fetch(server.url("/feed"))
    assert result.outcome is FetchOutcome.error
    assert words in (result.error or "")
    assert "NEWSBOT_FETCH_ALLOW_PRIVATE" in (result.error or "") or "file:" in target


async def test_host_name_connects_to_the_checked_address(server):
    server.add("/feed", RSS)
    resolve = dns({"feeds.test": ["127.0.0.1"]})
    async with HttpFetcher(allow_private=LOCAL, resolve=resolve) as fetcher:
        result = await fetcher.fetch(f"http://feeds.test:{server.port}/feed")
    assert result.outcome is FetchOutcome.ok and result.body == RSS.encode()


async def test_loopback_refused_without_allow_list(server):
    server.add("/feed", RSS)
    resolve = dns({"feeds.test": ["127.0.0.1"]})
    async with HttpFetcher(resolve=resolve) as fetcher:
        by_name = await fetcher.fetch(f"http://feeds.test:{server.port}/feed")
        by_ip = await fetcher.fetch(server.url("/feed"))
    assert by_name.error == (
        f"feed URL http://feeds.test:{server.port}/feed resolves to loopback address 127.0.0.1; "
        "newsbot only fetches public addresses. To allow it, add it to "
        "NEWSBOT_FETCH_ALLOW_PRIVATE"
    )
    assert "loopback address 127.0.0.1" in (by_ip.error or "")
    assert server.hits["/feed"] == 0


async def test_dns_failure_is_an_error_not_an_exception():
    async with HttpFetcher(resolve=dns({})) as fetcher:
        result = await fetcher.fetch("https://no-such-host.test/feed")
    assert result.outcome is FetchOutcome.error
    assert result.error is not None
    assert result.error.startswith("could not resolve host no-such-host.test")


async def test_connection_refused(server, fetcher):
    port = server.port
    await server.stop()
    result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert (result.error or "").startswith("could not connect to 127.0.0.1")


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "file:///etc/passwd", "not a url"])
async def test_non_http_schemes_refused(fetcher, url):
    result = await fetcher.fetch(url)
    assert result.outcome is FetchOutcome.error and result.error


@pytest.mark.parametrize("announce", [False, True])
async def test_oversized_body_is_refused_without_reading_it(server, fetcher, announce):
    server.huge("/huge", 1024 * MiB, announce=announce)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = await fetcher.fetch(server.url("/huge"))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert result.outcome is FetchOutcome.error
    assert result.error == (
        "response from 127.0.0.1 is larger than the 1 MB limit; the feed was not read"
    )
    assert server.sent["/huge"] < 64 * MiB
    assert grown_mb < 64


async def test_gzip_bomb_is_refused(server, fetcher):
    server.gzip_bomb("/bomb", 1024 * MiB)
    result = await fetcher.fetch(server.url("/bomb"))
    assert result.outcome is FetchOutcome.error
    assert "larger than the 1 MB limit" in (result.error or "")


async def test_gzip_body_is_decompressed(server, fetcher):
    server.add("/small", RSS, gzip=True)
    result = await fetcher.fetch(server.url("/small"))
    assert result.body == RSS.encode()


async def test_drip_feed_is_cut_by_total_timeout(server):
    server.drip("/drip", b"x" * 100, interval=0.2)
    async with HttpFetcher(allow_private=LOCAL, total_timeout=1, read_timeout=5) as fetcher:
        result = await fetcher.fetch(server.url("/drip"))
    assert result.error == "no complete response from 127.0.0.1 within 1 s"


async def test_hung_server_is_cut_by_read_timeout(server):
    server.hang("/hang")
    async with HttpFetcher(allow_private=LOCAL, total_timeout=5, read_timeout=0.3) as fetcher:
        result = await fetcher.fetch(server.url("/hang"))
    assert result.error == "127.0.0.1 stopped sending data for 0.3 s"


async def test_connection_reset_is_reported(server, fetcher):
    server.reset("/reset")
    result = await fetcher.fetch(server.url("/reset"))
    assert result.error == "127.0.0.1 closed the connection before the response was complete"


async def test_per_host_limit(server):
    server.drip("/slow", b"<rss/>", interval=0.05)
    async with HttpFetcher(allow_private=LOCAL, per_host=2, total_timeout=10) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(server.url("/slow")) for _ in range(5)))
    assert all(r.outcome is FetchOutcome.ok for r in results)
    assert server.max_in_flight == 2
