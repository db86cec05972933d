"""The SSRF guard holds on the address each socket connects to, whatever aiohttp's own checks.

aiohttp 3.13 passed legacy numeric IPv4 hosts (`2130706433`, `127.1`, `0177.0.0.1`, `0`) by
the resolver straight to the socket layer, which mapped them onto 127.0.0.1. The tests below
undo aiohttp's later fix (`is_canonical_ipv4_address`) to put the fetcher back in that world.
"""

import aiohttp.connector
import pytest

from bot.feeds.fetch import HttpFetcher
from bot.ports import FetchOutcome
from tests.fakes.feed_server import FeedServer
from tests.integration.test_fetch import dns

RSS = "<rss version='2.0'><channel><title>Internal</title></channel></rss>"
FORMS = ["2130706433", "127.1", "0177.0.0.1", "0", "0x7f.0.0.1", "127.0.1"]


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        srv.add("/internal", RSS)
        yield srv


@pytest.fixture
def aiohttp_3_13(monkeypatch):
    monkeypatch.setattr(aiohttp.connector, "is_canonical_ipv4_address", lambda host: True)


@pytest.mark.parametrize("form", FORMS)
async def test_numeric_ipv4_forms_never_reach_loopback(server, aiohttp_3_13, form):
    async with HttpFetcher(total_timeout=5) as fetcher:
        result = await fetcher.fetch(f"http://{form}:{server.port}/internal")
    assert result.outcome is FetchOutcome.error
    assert server.hits["/internal"] == 0


@pytest.mark.parametrize("form", FORMS)
async def test_redirect_to_numeric_forms_is_refused(server, aiohttp_3_13, form):
    server.redirect("/feed", f"http://{form}:{server.port}/internal", 302)
    resolve = dns({"feeds.test": ["127.0.0.1"]})
    async with HttpFetcher(allow_private=["feeds.test"], resolve=resolve) as fetcher:
        result = await fetcher.fetch(f"http://feeds.test:{server.port}/feed")
    assert result.outcome is FetchOutcome.error
    assert server.hits["/feed"] == 1 and server.hits["/internal"] == 0


async def test_a_session_request_past_the_fetchers_own_checks_is_refused_at_connect(server):
    async with HttpFetcher(total_timeout=5) as fetcher:
        session = fetcher._open()
        with pytest.raises(Exception, match=r"loopback address 127\.0\.0\.1"):
            async with session.get(server.url("/internal")):
                pass
    assert server.hits["/internal"] == 0


async def test_allow_listed_names_still_connect(server):
    resolve = dns({"feeds.test": ["127.0.0.1"]})
    async with HttpFetcher(allow_private=["feeds.test"], resolve=resolve) as fetcher:
        result = await fetcher.fetch(f"http://feeds.test:{server.port}/internal")
    assert result.outcome is FetchOutcome.ok and server.hits["/internal"] == 1


async def test_a_password_in_a_redirect_is_not_repeated(server):
    server.redirect("/feed", f"http://user:s3cret@127.0.0.1:{server.port}/internal", 302)
    resolve = dns({"feeds.test": ["127.0.0.1"]})
    async with HttpFetcher(allow_private=["feeds.test"], resolve=resolve) as fetcher:
        result = await fetcher.fetch(f"http://feeds.test:{server.port}/feed")
    assert result.outcome is FetchOutcome.error
    assert "s3cret" not in (result.error or "") and "credentials" in (result.error or "")
    assert server.hits["/internal"] == 0
